package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed and hostile requests: each gets its documented 4xx code, and nothing is fetched,
 * uploaded or started (the packager, the starter and the record store are never called).
 */
class BadInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO_KEY = "YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";
  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();

  /**
   * A case: a request, the expected status and code, and whether it is refused before any secret is
   * read.
   */
  record Case(String name, HttpRequest request, int status, String code, boolean staticCheck) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    List<Case> c = new ArrayList<>();
    PagureFixtures.Delivery pr = PagureFixtures.webhook("pull-request.new-1");
    String prBody = new String(pr.body(), StandardCharsets.US_ASCII);

    // transport-level
    c.add(
        new Case("GET", req("GET", pr.headers(), prBody, false), 405, "METHOD_NOT_ALLOWED", true));
    c.add(
        new Case("PUT", req("PUT", pr.headers(), prBody, false), 405, "METHOD_NOT_ALLOWED", true));
    c.add(
        new Case(
            "no method", req(null, pr.headers(), prBody, false), 405, "METHOD_NOT_ALLOWED", true));
    c.add(
        new Case(
            "web-hook body over 6 MiB",
            req("POST", pr.headers(), "{\"a\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}", false),
            413,
            "BODY_TOO_LARGE",
            true));
    c.add(
        new Case(
            "base64 web-hook body over 6 MiB",
            req(
                "POST",
                pr.headers(),
                Base64.getEncoder().encodeToString(new byte[6 * 1024 * 1024 + 10]),
                true),
            413,
            "BODY_TOO_LARGE",
            true));
    c.add(
        new Case(
            "base64 that does not decode",
            req("POST", pr.headers(), "not*base64!", true),
            400,
            "BAD_BASE64",
            true));
    c.add(
        new Case(
            "text/plain",
            req("POST", with(pr.headers(), "content-type", "text/plain"), prBody, false),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            true));
    c.add(
        new Case(
            "no content type",
            req("POST", with(pr.headers(), "content-type", null), prBody, false),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            true));
    c.add(
        new Case(
            "form content type",
            req(
                "POST",
                with(pr.headers(), "content-type", "application/x-www-form-urlencoded"),
                prBody,
                false),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            true));
    c.add(
        new Case(
            "json look-alike type",
            req("POST", with(pr.headers(), "content-type", "application/jsonp"), prBody, false),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            true));

    // JSON-level
    c.add(new Case("empty body", signed(""), 400, "MALFORMED_JSON", false));
    c.add(
        new Case(
            "truncated JSON",
            signed(prBody.substring(0, prBody.length() / 2)),
            400,
            "MALFORMED_JSON",
            false));
    c.add(new Case("trailing garbage", signed(prBody + " {}"), 400, "MALFORMED_JSON", false));
    c.add(
        new Case(
            "duplicate keys",
            signed("{\"topic\": \"a\", \"topic\": \"pull-request.new\", \"msg\": {}}"),
            400,
            "MALFORMED_JSON",
            false));
    c.add(
        new Case(
            "nesting 200 deep",
            signed("[".repeat(200) + "]".repeat(200)),
            400,
            "MALFORMED_JSON",
            false));
    byte[] badUtf8 = {'{', '"', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    Map<String, String> badUtf8Headers = webhookHeaders("");
    badUtf8Headers.put(
        "x-pagure-signature-256",
        HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(DEMO_KEY.getBytes(StandardCharsets.US_ASCII), badUtf8)));
    c.add(
        new Case(
            "invalid UTF-8",
            req("POST", badUtf8Headers, Base64.getEncoder().encodeToString(badUtf8), true),
            400,
            "MALFORMED_JSON",
            false));
    c.add(new Case("JSON array", signed("[1, 2]"), 400, "UNKNOWN_FORMAT", false));
    c.add(new Case("JSON string", signed("\"pull-request.new\""), 400, "UNKNOWN_FORMAT", false));
    c.add(
        new Case(
            "object of no known format, no credentials",
            req("POST", Map.of("content-type", "application/json"), "{\"hello\": 1}", false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "object of no known format, signed",
            signed("{\"hello\": 1}"),
            422,
            "INVALID_PAYLOAD",
            false));

    // web-hook signature
    c.add(
        new Case(
            "no signature header",
            req("POST", with(pr.headers(), "x-pagure-signature-256", null), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "web-hook shape without any pagure header",
            req("POST", Map.of("content-type", "application/json"), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "signature not hex",
            req(
                "POST",
                with(pr.headers(), "x-pagure-signature-256", "zz" + "0".repeat(62)),
                prBody,
                false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "signature too short",
            req("POST", with(pr.headers(), "x-pagure-signature-256", "abcd"), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "doubled signature header",
            req(
                "POST",
                with(
                    pr.headers(),
                    "x-pagure-signature-256",
                    pr.headers().get("x-pagure-signature-256")
                        + ","
                        + pr.headers().get("x-pagure-signature-256")),
                prBody,
                false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "oversized signature header (64 KiB)",
            req(
                "POST",
                with(pr.headers(), "x-pagure-signature-256", "a".repeat(65_536)),
                prBody,
                false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "oversized content-type header (64 KiB)",
            req(
                "POST",
                with(pr.headers(), "content-type", "application/json" + "x".repeat(65_536)),
                prBody,
                false),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            true));
    c.add(
        new Case(
            "oversized topic header (64 KiB)",
            req(
                "POST",
                with(
                    with(pr.headers(), "x-pagure-topic", "t".repeat(65_536)),
                    "x-pagure-signature-256",
                    "00"),
                prBody,
                false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "only the SHA-1 signature",
            req("POST", with(pr.headers(), "x-pagure-signature-256", null), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "signature over a re-serialised body",
            req("POST", pr.headers(), reserialised(prBody), false),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "no key for the project",
            mutatedAs(
                "rpms/nokey",
                DEMO_KEY,
                n -> {
                  n.withObjectProperty("msg").put("project_fullname", "rpms/nokey");
                  n.withObjectProperty("msg")
                      .withObjectProperty("pullrequest")
                      .withObjectProperty("project")
                      .put("fullname", "rpms/nokey");
                }),
            401,
            "UNAUTHENTICATED",
            false));

    // web-hook contents (correctly signed, so the check itself is what rejects)
    c.add(
        new Case(
            "another instance",
            mutated(
                n -> n.withObjectProperty("msg").put("pagure_instance", "https://evil.example/")),
            403,
            "WRONG_INSTANCE",
            false));
    c.add(
        new Case(
            "instance with a path",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .put("pagure_instance", "http://127.0.0.1:5000/evil/")),
            403,
            "WRONG_INSTANCE",
            false));
    c.add(
        new Case(
            "project not allowed (it has a key)",
            mutatedAs(
                "other",
                TestConfigs.OTHER_KEY,
                n -> {
                  n.withObjectProperty("msg").put("project_fullname", "other");
                  n.withObjectProperty("msg")
                      .withObjectProperty("pullrequest")
                      .withObjectProperty("project")
                      .put("fullname", "other");
                  n.withObjectProperty("msg")
                      .withObjectProperty("pullrequest")
                      .withObjectProperty("repo_from")
                      .put("fullname", "other");
                }),
            403,
            "PROJECT_NOT_ALLOWED",
            false));
    c.add(
        new Case(
            "signed body names another project than X-Pagure-project",
            mutated(
                n -> {
                  n.withObjectProperty("msg").put("project_fullname", "rpms/widget");
                  n.withObjectProperty("msg")
                      .withObjectProperty("pullrequest")
                      .withObjectProperty("project")
                      .put("fullname", "rpms/widget");
                }),
            403,
            "PROJECT_MISMATCH",
            false));

    // signature before anything else: an unauthenticated request learns nothing about the
    // configuration (instance, allow-list, which projects have a key) and its body is not parsed
    c.add(
        new Case(
            "no X-Pagure-project header",
            req("POST", with(pr.headers(), "x-pagure-project", null), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "X-Pagure-project not a fullname",
            req("POST", with(pr.headers(), "x-pagure-project", "../etc"), prBody, false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "malformed JSON, unsigned",
            req("POST", pr.headers(), prBody.substring(0, prBody.length() / 2), false),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "another instance, unsigned",
            req("POST", pr.headers(), prBody.replace("127.0.0.1:5000", "evil.example"), false),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "project off the allow-list, unsigned",
            req(
                "POST",
                with(pr.headers(), "x-pagure-project", "other"),
                prBody.replace("\"project_fullname\": \"demo\"", "\"project_fullname\": \"other\""),
                false),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "project with no key, unsigned",
            req("POST", with(pr.headers(), "x-pagure-project", "rpms/nokey"), prBody, false),
            401,
            "UNAUTHENTICATED",
            false));
    for (String bad :
        List.of(
            "../demo",
            "demo/..",
            "http://evil/x",
            "-rf",
            "%2e%2e/x",
            "demo;rm -rf",
            "demo$(id)",
            "a/b/c",
            "demo.git",
            "/demo",
            "demo/",
            "forks/bob",
            ".hidden",
            "demo\nx",
            "")) {
      c.add(
          new Case(
              "fullname " + JSON.valueToTree(bad),
              mutated(n -> n.withObjectProperty("msg").put("project_fullname", bad)),
              422,
              "INVALID_PROJECT",
              false));
    }
    c.add(
        new Case(
            "repo_from another project",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .withObjectProperty("repo_from")
                        .put("fullname", "rpms/widget")),
            422,
            "INVALID_PROJECT",
            false));
    c.add(
        new Case(
            "repo_from a fork of another project",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .withObjectProperty("repo_from")
                        .put("fullname", "forks/bob/rpms/widget")),
            422,
            "INVALID_PROJECT",
            false));
    c.add(
        new Case(
            "repo_from a ticket repository",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .withObjectProperty("repo_from")
                        .put("fullname", "tickets/demo")),
            422,
            "INVALID_PROJECT",
            false));
    c.add(
        new Case(
            "repo_from with ..",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .withObjectProperty("repo_from")
                        .put("fullname", "forks/../../etc")),
            422,
            "INVALID_PROJECT",
            false));
    for (String bad :
        List.of(
            "ee04891",
            SHA.toUpperCase(),
            SHA.substring(1),
            SHA + "0",
            "g" + SHA.substring(1),
            "")) {
      c.add(
          new Case(
              "commit " + bad,
              mutated(
                  n ->
                      n.withObjectProperty("msg")
                          .withObjectProperty("pullrequest")
                          .put("commit_stop", bad)),
              422,
              "INVALID_COMMIT",
              false));
    }
    c.add(
        new Case(
            "commit as number",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .put("commit_stop", 12345)),
            422,
            "INVALID_COMMIT",
            false));
    for (String bad :
        List.of(
            "../../x",
            "--upload-pack=touch /tmp/x",
            "a b",
            "a..b",
            "refs/heads/x",
            "x.lock",
            "x~1",
            "x:y",
            "-x",
            "")) {
      c.add(
          new Case(
              "branch " + JSON.valueToTree(bad),
              mutated(
                  n ->
                      n.withObjectProperty("msg")
                          .withObjectProperty("pullrequest")
                          .put("branch_from", bad)),
              422,
              "INVALID_BRANCH",
              false));
    }
    c.add(
        new Case(
            "PR id as string",
            mutated(
                n -> n.withObjectProperty("msg").withObjectProperty("pullrequest").put("id", "1")),
            422,
            "INVALID_PAYLOAD",
            false));
    c.add(
        new Case(
            "PR id negative",
            mutated(
                n -> n.withObjectProperty("msg").withObjectProperty("pullrequest").put("id", -4)),
            422,
            "INVALID_PAYLOAD",
            false));
    c.add(new Case("msg missing", mutated(n -> n.remove("msg")), 422, "INVALID_PAYLOAD", false));
    c.add(
        new Case(
            "msg not an object", mutated(n -> n.put("msg", "x")), 422, "INVALID_PAYLOAD", false));
    c.add(
        new Case("topic missing", mutated(n -> n.remove("topic")), 422, "INVALID_PAYLOAD", false));
    c.add(
        new Case(
            "PR target differs from the hook's project",
            mutated(
                n ->
                    n.withObjectProperty("msg")
                        .withObjectProperty("pullrequest")
                        .withObjectProperty("project")
                        .put("fullname", "rpms/widget")),
            422,
            "INVALID_PAYLOAD",
            false));

    // ci webhook
    Map<String, String> json = Map.of("content-type", "application/json");
    c.add(
        new Case(
            "ci webhook without credentials",
            req("POST", json, CiWebhookTest.validDoc().toString(), false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "ci webhook with Bearer",
            req(
                "POST",
                with(json, "authorization", "Bearer abc"),
                CiWebhookTest.validDoc().toString(),
                false),
            401,
            "UNAUTHENTICATED",
            true));
    c.add(
        new Case(
            "ci webhook wrong password",
            basic(CiWebhookTest.validDoc(), "pagure:wrong"),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "ci webhook wrong user",
            basic(CiWebhookTest.validDoc(), "root:s3cr3t-basic-pw"),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "ci webhook Basic not base64",
            req(
                "POST",
                with(json, "authorization", "Basic ***"),
                CiWebhookTest.validDoc().toString(),
                false),
            401,
            "UNAUTHENTICATED",
            false));
    c.add(
        new Case(
            "ci webhook IAM caller not allowed",
            iam(CiWebhookTest.validDoc(), "arn:aws:iam::111122223333:user/mallory"),
            403,
            "CALLER_NOT_ALLOWED",
            true));
    c.add(
        new Case(
            "ci webhook version 2",
            ci(d -> d.put("version", 2)),
            422,
            "UNSUPPORTED_VERSION",
            true));
    c.add(
        new Case(
            "ci webhook version as string",
            ci(d -> d.put("version", "1")),
            422,
            "UNSUPPORTED_VERSION",
            true));
    c.add(
        new Case(
            "ci webhook version 1.5",
            ci(d -> d.put("version", 1.5)),
            422,
            "UNSUPPORTED_VERSION",
            true));
    c.add(
        new Case(
            "ci webhook wrong protocol",
            ci(d -> d.put("protocol", "jenkins")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook unknown property",
            ci(d -> d.put("clone_url", "http://evil/x.git")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook missing commit",
            ci(d -> d.remove("commit")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook commit upper-case",
            ci(d -> d.put("commit", SHA.toUpperCase())),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook commit as number",
            ci(d -> d.put("commit", 42)),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook PR build without pull_request",
            ci(d -> d.remove("pull_request")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook push with pull_request",
            ci(d -> d.put("trigger", "push")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook unknown trigger",
            ci(d -> d.put("trigger", "merge")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook project is a fork",
            ci(d -> d.put("project", "forks/bob/demo")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook negative PR id",
            ci(d -> d.withObjectProperty("pull_request").put("id", -1)),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook source project with ..",
            ci(d -> d.put("source_project", "forks/../x")),
            422,
            "SCHEMA_VIOLATION",
            true));
    c.add(
        new Case(
            "ci webhook branch ../../x",
            ci(d -> d.put("source_branch", "refs/heads/../../x")),
            422,
            "INVALID_BRANCH",
            true));
    c.add(
        new Case(
            "ci webhook source another project",
            ci(d -> d.put("source_project", "rpms/widget")),
            422,
            "INVALID_PROJECT",
            true));
    c.add(
        new Case(
            "ci webhook source a fork of another project",
            ci(d -> d.put("source_project", "forks/bob/rpms/widget")),
            422,
            "INVALID_PROJECT",
            true));
    c.add(
        new Case(
            "ci webhook project a requests repository",
            ci(d -> d.put("project", "requests/demo")),
            422,
            "INVALID_PROJECT",
            true));
    c.add(
        new Case(
            "ci webhook another instance",
            ci(d -> d.put("instance", "https://pagure.io/")),
            403,
            "WRONG_INSTANCE",
            true));
    c.add(
        new Case(
            "ci webhook project not allowed",
            ci(d -> d.put("project", "other").put("source_project", "forks/bob/other")),
            403,
            "PROJECT_NOT_ALLOWED",
            true));
    c.add(
        new Case(
            "ci webhook push to a branch not configured",
            ci(
                d -> {
                  d.put("trigger", "push");
                  d.remove("pull_request");
                  d.put("source_project", "demo");
                  d.put("source_branch", "master");
                }),
            403,
            "BRANCH_NOT_ALLOWED",
            true));
    return c.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isRejectedWithItsCodeAndNothingIsStarted(Case c) {
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config("CI_ALLOWED_CALLERS", "arn:aws:iam::111122223333:user/pagure-ci"),
            secrets,
            packager,
            starter,
            records,
            new Fakes.CapturingLog());

    Outcome outcome = service.handle(c.request());

    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    Outcome.Rejected r = (Outcome.Rejected) outcome;
    assertThat(r.status()).as(r.message()).isEqualTo(c.status());
    assertThat(r.code()).as(r.message()).isEqualTo(c.code());
    assertThat(r.message()).isNotBlank().doesNotContain(DEMO_KEY).doesNotContain("s3cr3t-basic-pw");
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
    assertThat(records.finds + records.saves).isZero();
    if (c.staticCheck()) {
      assertThat(secrets.reads.get()).as("rejected before any secret is read").isZero();
    }
  }

  @Test
  void thereAreAtLeastFortyDistinctCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(40);
  }

  @Test
  void secretsUnavailableIsA503AndNothingIsStarted() {
    secrets.unavailable = true;
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config(), secrets, packager, starter, records, new Fakes.CapturingLog());

    Outcome outcome = service.handle(PagureFixtures.webhook("pull-request.new-1").request());

    assertThat(outcome)
        .isEqualTo(
            new Outcome.Rejected(
                503,
                "SECRETS_UNAVAILABLE",
                "the configured secret could not be read; retry later"));
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
  }

  // ---- helpers

  private static HttpRequest req(
      String method, Map<String, String> headers, String body, boolean base64) {
    return new HttpRequest(method, headers, body, base64, null, "req-1");
  }

  private static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> h = new HashMap<>(headers);
    if (value == null) {
      h.remove(name);
    } else {
      h.put(name, value);
    }
    return h;
  }

  private static Map<String, String> webhookHeaders(String body) {
    Map<String, String> h = new HashMap<>(PagureFixtures.webhook("pull-request.new-1").headers());
    h.put(
        "x-pagure-signature-256",
        HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(
                    DEMO_KEY.getBytes(StandardCharsets.US_ASCII),
                    body.getBytes(StandardCharsets.UTF_8))));
    return h;
  }

  private static HttpRequest signed(String body) {
    return req("POST", webhookHeaders(body), body, false);
  }

  /** A body signed with {@code key}, naming {@code project} in X-Pagure-project. */
  private static HttpRequest signedAs(String project, String key, String body) {
    Map<String, String> h = webhookHeaders(body);
    h.put("x-pagure-project", project);
    h.put(
        "x-pagure-signature-256",
        HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(
                    key.getBytes(StandardCharsets.US_ASCII),
                    body.getBytes(StandardCharsets.UTF_8))));
    return req("POST", h, body, false);
  }

  private static HttpRequest mutated(Consumer<ObjectNode> change) {
    return mutatedAs("demo", DEMO_KEY, change);
  }

  private static HttpRequest mutatedAs(String project, String key, Consumer<ObjectNode> change) {
    try {
      ObjectNode n =
          (ObjectNode) JSON.readTree(PagureFixtures.webhook("pull-request.new-1").body());
      change.accept(n);
      return signedAs(project, key, JSON.writeValueAsString(n));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String reserialised(String body) {
    try {
      return JSON.writeValueAsString(JSON.readTree(body));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static HttpRequest basic(ObjectNode doc, String userPass) {
    return req(
        "POST",
        Map.of(
            "content-type",
            "application/json",
            "authorization",
            "Basic "
                + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8))),
        doc.toString(),
        false);
  }

  private static HttpRequest iam(ObjectNode doc, String arn) {
    return new HttpRequest(
        "POST", Map.of("content-type", "application/json"), doc.toString(), false, arn, "req-1");
  }

  private static HttpRequest ci(Consumer<ObjectNode> change) {
    ObjectNode doc = CiWebhookTest.validDoc();
    change.accept(doc);
    return iam(doc, "arn:aws:iam::111122223333:user/pagure-ci");
  }
}
