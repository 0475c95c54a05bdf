package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A generated corpus of hostile requests: every hostile value in every field of both formats,
 * correctly signed / authenticated so that the field check itself is what must reject it. Each must
 * answer a 4xx whose code is documented in docs/protocol.md §2, start no fetch, upload or build,
 * and log no secret.
 */
class HostileInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO_KEY = "YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";
  private static final String BASIC_PW = "s3cr3t-basic-pw";
  private static Set<String> documentedCodes;

  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  /** Wrong for every field: other JSON types. */
  static final List<Object> TYPES =
      java.util.Arrays.asList(123, true, List.of("demo"), Map.of("fullname", "demo"), null);

  /** Project fullnames that are not pagure's. */
  static final List<Object> NAMES =
      List.of(
          "",
          " ",
          "..",
          "../..",
          "../../etc/passwd",
          "%2e%2e/x",
          "%2E%2E",
          "demo/../x",
          "/demo",
          "demo/",
          "http://evil.example/x",
          "file:///etc/passwd",
          "git@evil:x",
          "-rf",
          "--upload-pack=touch /tmp/pwned",
          "$(id)",
          "`id`",
          "a;b",
          "a|b",
          "a&&b",
          "a\nb",
          "a\u0000b",
          "\u202ename",
          "\u00e4",
          "x".repeat(10_000),
          "a b",
          "*",
          "?",
          "demo.git",
          ".hidden",
          "forks/bob",
          "a/b/c");

  /** Branch names that are refused. */
  static final List<Object> BRANCHES =
      List.of(
          "",
          " ",
          "..",
          "../../x",
          "refs/heads/../../x",
          "-x",
          "--upload-pack=touch /tmp/pwned",
          "$(id)",
          "`id`",
          "a;b",
          "a|b",
          "a&&b",
          "a\nb",
          "a\u0000b",
          "\u202ex",
          "\u00e4",
          "x".repeat(10_000),
          "a b",
          "*",
          "?",
          "x.lock",
          "a..b",
          "a~1",
          "a^",
          "a:b",
          "a[b",
          "a\\b",
          "@",
          "x/",
          "/x",
          "%2e%2e",
          "a\"b",
          "a'b",
          "a>b");

  /** Commit names that are refused. */
  static final List<Object> SHAS =
      List.of(
          "",
          "ee04891",
          SHA.toUpperCase(),
          SHA.substring(1),
          SHA + "0",
          SHA + SHA.substring(0, 23),
          SHA + SHA.substring(0, 25),
          "g" + SHA.substring(1),
          " " + SHA,
          SHA + "\n",
          "$(id)",
          "../" + SHA.substring(3));

  /** Instance URLs that are not the configured one. */
  static final List<Object> URLS =
      List.of(
          "",
          "https://evil.example/",
          "http://127.0.0.1:5000/evil/",
          "http://127.0.0.1:5001/",
          "https://127.0.0.1:5000/",
          "file:///etc/passwd",
          "javascript:alert(1)",
          "http://user:pw@127.0.0.1:5000/",
          "http://127.0.0.1:5000/?x=1",
          "//127.0.0.1:5000/",
          "127.0.0.1:5000");

  /** PR uids that are refused. */
  static final List<Object> UIDS =
      List.of("", "-rf", "a b", "$(id)", "../x", "x".repeat(65), "a;b", "a-b");

  /** PR ids that are refused. */
  static final List<Object> IDS = List.of(0, -1, 1.5, "1", "x");

  static List<Object> plus(List<Object> values, List<Object> more) {
    List<Object> all = new ArrayList<>(values);
    all.addAll(more);
    return all;
  }

  /** Fields of a pagure web-hook (JSON pointer to the parent, field) and their hostile values. */
  static final List<Map.Entry<String[], List<Object>>> WEBHOOK_FIELDS =
      List.of(
          Map.entry(new String[] {"/msg", "project_fullname"}, plus(NAMES, TYPES)),
          Map.entry(new String[] {"/msg", "pagure_instance"}, plus(URLS, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest", "commit_stop"}, plus(SHAS, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest", "branch_from"}, plus(BRANCHES, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest", "branch"}, plus(BRANCHES, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest/repo_from", "fullname"}, plus(NAMES, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest/project", "fullname"}, plus(NAMES, TYPES)),
          Map.entry(new String[] {"/msg/pullrequest", "id"}, plus(IDS, TYPES.subList(1, 5))),
          Map.entry(new String[] {"/msg/pullrequest", "uid"}, plus(UIDS, TYPES.subList(0, 4))));

  /** Fields of a ci webhook document and their hostile values. */
  static final List<Map.Entry<String[], List<Object>>> CI_FIELDS =
      List.of(
          Map.entry(
              new String[] {"", "protocol"},
              plus(List.of("", "jenkins", "pagure-ci-webhook "), TYPES)),
          Map.entry(new String[] {"", "version"}, plus(List.of(0, 2, 99, 1.5, "1", -1), TYPES)),
          Map.entry(
              new String[] {"", "trigger"},
              plus(List.of("", "merge", "PUSH", "pull-request "), TYPES)),
          Map.entry(new String[] {"", "instance"}, plus(URLS, TYPES)),
          Map.entry(
              new String[] {"", "project"}, plus(plus(NAMES, List.of("forks/bob/demo")), TYPES)),
          Map.entry(new String[] {"", "source_project"}, plus(NAMES, TYPES)),
          Map.entry(new String[] {"", "source_branch"}, plus(BRANCHES, TYPES)),
          Map.entry(new String[] {"", "target_branch"}, plus(BRANCHES, TYPES)),
          Map.entry(new String[] {"", "commit"}, plus(SHAS, TYPES)),
          Map.entry(new String[] {"", "cause"}, plus(List.of("", "x".repeat(256)), TYPES)),
          Map.entry(new String[] {"/pull_request", "id"}, plus(IDS, TYPES.subList(1, 5))),
          Map.entry(new String[] {"/pull_request", "uid"}, plus(UIDS, TYPES)));

  record Case(String name, HttpRequest request) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void readDocumentedCodes() {
    documentedCodes = ProtocolDoc.documentedCodes();
  }

  static Stream<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    ObjectNode webhook = read(PagureFixtures.webhook("pull-request.new-1").body());
    for (Map.Entry<String[], List<Object>> field : WEBHOOK_FIELDS) {
      for (Object value : field.getValue()) {
        ObjectNode copy = webhook.deepCopy();
        set((ObjectNode) copy.at(field.getKey()[0]), field.getKey()[1], value);
        cases.add(
            new Case(
                "web-hook " + field.getKey()[0] + "/" + field.getKey()[1] + " = " + label(value),
                signed(copy)));
      }
    }
    ObjectNode doc = CiWebhookTest.validDoc();
    for (Map.Entry<String[], List<Object>> field : CI_FIELDS) {
      for (Object value : field.getValue()) {
        ObjectNode copy = doc.deepCopy();
        String parent = field.getKey()[0];
        set(parent.isEmpty() ? copy : (ObjectNode) copy.at(parent), field.getKey()[1], value);
        cases.add(
            new Case(
                "ci webhook " + parent + "/" + field.getKey()[1] + " = " + label(value),
                basic(copy)));
      }
    }
    return cases.stream();
  }

  @Test
  void theCorpusHasAtLeast300Requests() {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(300);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void isRefusedWithADocumentedCodeAndNothingIsStartedOrLeaked(Case c) {
    Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
    Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
    Fakes.MemoryClaims records = new Fakes.MemoryClaims();
    Fakes.CapturingLog log = new Fakes.CapturingLog();
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config(), TestConfigs.secrets(), packager, starter, records, log);

    Outcome outcome = service.handle(c.request());

    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    Outcome.Rejected r = (Outcome.Rejected) outcome;
    assertThat(r.status()).as(r.message()).isBetween(400, 499);
    assertThat(documentedCodes)
        .as("documented in docs/protocol.md")
        .contains(r.status() + " " + r.code());
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
    assertThat(records.finds + records.saves).isZero();
    assertThat(String.join("\n", log.lines)).doesNotContain(DEMO_KEY).doesNotContain(BASIC_PW);
    assertThat(log.lines).hasSize(1);
    assertThat(log.lines.getFirst().length())
        .as("a log line never echoes a huge value")
        .isLessThan(2_000);
  }

  @Test
  void everyCodeTheCorpusProducesIsDocumented() {
    assertThat(documentedCodes)
        .contains(
            "422 INVALID_PROJECT",
            "422 INVALID_COMMIT",
            "422 INVALID_BRANCH",
            "403 WRONG_INSTANCE",
            "422 SCHEMA_VIOLATION",
            "422 UNSUPPORTED_VERSION",
            "401 UNAUTHENTICATED");
  }

  // ---- helpers

  static ObjectNode read(byte[] body) {
    try {
      return (ObjectNode) JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void set(ObjectNode node, String field, Object value) {
    node.set(field, JSON.valueToTree(value));
  }

  static String label(Object value) {
    String s = JSON.valueToTree(value).toString();
    return s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
  }

  static HttpRequest signed(JsonNode body) {
    String text = body.toString();
    Map<String, String> headers =
        new TreeMap<>(PagureFixtures.webhook("pull-request.new-1").headers());
    headers.put(
        "x-pagure-signature-256",
        HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(
                    DEMO_KEY.getBytes(StandardCharsets.US_ASCII),
                    text.getBytes(StandardCharsets.UTF_8))));
    return new HttpRequest("POST", headers, text, false, null, "hostile");
  }

  static HttpRequest basic(JsonNode doc) {
    String auth =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(("pagure:" + BASIC_PW).getBytes(StandardCharsets.UTF_8));
    return new HttpRequest(
        "POST",
        Map.of("content-type", "application/json", "authorization", auth),
        doc.toString(),
        false,
        null,
        "hostile");
  }

  static String codes() {
    return documentedCodes.stream().collect(Collectors.joining(", "));
  }

  static Function<Object, String> labeler() {
    return HostileInputTest::label;
  }
}
