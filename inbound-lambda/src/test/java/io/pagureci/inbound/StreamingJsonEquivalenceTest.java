package io.pagureci.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.BuildRequest;
import io.pagureci.inbound.domain.HttpRequest;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.Rejection;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.domain.StrictJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The streaming (jackson-core) readers and writers on the path of a rejected request behave exactly
 * like the jackson-databind tree code they replaced: the function URL envelope, the body's
 * well-formedness check and the response documents. The tree versions are kept here as references.
 */
class StreamingJsonEquivalenceTest {

  private static final ObjectMapper TREE = StrictJson.mapper();

  /** The envelope reader as it was with the tree mapper (commit 07f385c). */
  static HttpRequest treeToRequest(byte[] event) {
    JsonNode e;
    try {
      e = TREE.readTree(event);
    } catch (IOException ex) {
      e = null;
    }
    if (e == null || !e.isObject()) {
      return new HttpRequest("", Map.of(), "", false, null, "");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    e.path("headers")
        .properties()
        .forEach(
            h -> {
              if (h.getValue().isTextual()) {
                headers.put(h.getKey(), h.getValue().textValue());
              }
            });
    JsonNode ctx = e.path("requestContext");
    JsonNode caller = ctx.path("authorizer").path("iam").path("userArn");
    JsonNode body = e.path("body");
    return new HttpRequest(
        ctx.path("http").path("method").asText(""),
        headers,
        body.isTextual() ? body.textValue() : "",
        e.path("isBase64Encoded").asBoolean(false),
        caller.isTextual() ? caller.textValue() : null,
        ctx.path("requestId").asText(""));
  }

  /** JSON values of every type, including the ones whose text a tree normalises. */
  static final List<String> VALUES =
      List.of(
          "\"POST\"",
          "\"post\"",
          "\"GET\"",
          "\"\"",
          "\"true\"",
          "\" true \"",
          "\"\ttrue\\n\"",
          "\"false\"",
          "\"application/json\"",
          "\"a\\u0000b\"",
          "\"\\ud83d\\ude00\"",
          "true",
          "false",
          "null",
          "0",
          "-0",
          "1",
          "2",
          "-7",
          "12345678901",
          "123456789012345678901234567890",
          "1.0",
          "0.0",
          "-0.0",
          "1e400",
          "1.5e-3",
          "1E2",
          "{}",
          "[]",
          "[1, \"x\"]",
          "{\"x\": {\"y\": []}}");

  /** Every value of {@link #VALUES} in every place the reader looks at. */
  @Example
  void everyValueInEveryPlaceIsReadAsTheTreeReadIt() {
    List<String> places =
        List.of(
            "{\"requestContext\": {\"http\": {\"method\": %s}}}",
            "{\"requestContext\": {\"requestId\": %s, \"http\": {\"method\": \"POST\"}}}",
            "{\"requestContext\": {\"authorizer\": {\"iam\": {\"userArn\": %s}}}}",
            "{\"requestContext\": {\"authorizer\": {\"iam\": %s}}}",
            "{\"requestContext\": {\"authorizer\": %s}}",
            "{\"requestContext\": {\"http\": %s}}",
            "{\"requestContext\": %s}",
            "{\"headers\": {\"Content-Type\": %s, \"content-type\": \"x\"}}",
            "{\"headers\": %s}",
            "{\"body\": %s}",
            "{\"isBase64Encoded\": %s}",
            "%s");
    int checked = 0;
    for (String place : places) {
      for (String value : VALUES) {
        byte[] event = place.formatted(value).getBytes(StandardCharsets.UTF_8);
        assertThat(InboundHandler.toRequest(event))
            .as(place.formatted(value))
            .isEqualTo(treeToRequest(event));
        checked++;
      }
    }
    assertThat(checked).isEqualTo(places.size() * VALUES.size());
  }

  @Property(seed = "20260601")
  void theEnvelopeIsReadAsTheTreeReadIt(@ForAll("events") byte[] event) {
    assertThat(InboundHandler.toRequest(event)).isEqualTo(treeToRequest(event));
  }

  @Property(seed = "20260602")
  void arbitraryBytesAsEnvelopeOrBodyAreJudgedAsTheTreeJudgedThem(@ForAll byte[] bytes) {
    assertThat(InboundHandler.toRequest(bytes)).isEqualTo(treeToRequest(bytes));
    sameVerdict(bytes);
  }

  @Property(seed = "20260603")
  void bodiesAreJudgedAsTheTreeJudgedThem(@ForAll("events") byte[] body) {
    sameVerdict(body);
  }

  @Example
  void strictnessOfTheEnvelopeIsKept() {
    for (String bad :
        List.of(
            "{\"requestContext\": {\"http\": {\"method\": \"POST\", \"method\": \"POST\"}}}",
            "{\"requestContext\": {\"http\": {\"method\": \"POST\"}}} {}",
            "{\"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"x\": "
                + "[".repeat(70)
                + "]".repeat(70)
                + "}",
            "{\"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"x\": \"\u00ff\"}",
            "{\"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"x\": 1"
                + "0".repeat(200)
                + "}")) {
      byte[] bytes =
          bad.getBytes(
              bad.contains("\u00ff") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      assertThat(InboundHandler.toRequest(bytes).method()).as(bad).isEmpty();
      assertThat(treeToRequest(bytes).method()).as(bad).isEmpty();
    }
    assertThat(
            InboundHandler.toRequest(
                    "{\"requestContext\": {\"http\": {\"method\": \"POST\"}}}"
                        .getBytes(StandardCharsets.UTF_8))
                .method())
        .isEqualTo("POST");
  }

  @Example
  void malformedBodiesGetTheTreeParsersMessages() {
    for (String bad :
        List.of(
            "",
            "  ",
            "{",
            "{\"a\": 1,}",
            "{\"a\": 1, \"a\": 2}",
            "[".repeat(65) + "]".repeat(65),
            "{\"a\": NaN}",
            "{\"a\": 1" + "0".repeat(100) + "}",
            "{\"a\": \"\\ud800\"} x",
            "tru")) {
      byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
      Rejection streaming = catchThrowableOfType(Rejection.class, () -> StrictJson.check(bytes));
      Rejection tree = catchThrowableOfType(Rejection.class, () -> StrictJson.parse(bytes));
      assertThat(streaming).as(bad).isNotNull();
      assertThat(tree).as(bad).isNotNull();
      assertThat(streaming.code()).isEqualTo("MALFORMED_JSON");
      assertThat(streaming.getMessage()).as(bad).isEqualTo(tree.getMessage());
    }
  }

  @Example
  void trailingTokensAreRefusedWithAMessageOfTheirOwn() {
    Rejection r =
        catchThrowableOfType(
            Rejection.class, () -> StrictJson.check("{} {}".getBytes(StandardCharsets.UTF_8)));
    assertThat(r.code()).isEqualTo("MALFORMED_JSON");
    assertThat(r.getMessage())
        .isEqualTo(
            "the body is not well-formed JSON: Trailing token (of type START_OBJECT) found after the JSON value");
    assertThat(
            catchThrowableOfType(
                Rejection.class, () -> StrictJson.parse("{} {}".getBytes(StandardCharsets.UTF_8))))
        .isNotNull();
  }

  @Property(seed = "20260604")
  void responsesAreWrittenAsTheTreeWroteThem(
      @ForAll("texts") String a,
      @ForAll("texts") String b,
      @ForAll("texts") String c,
      @ForAll boolean duplicate) {
    BuildRequest request =
        new BuildRequest(
            BuildRequest.ORIGIN_WEBHOOK,
            BuildRequest.TRIGGER_PUSH,
            "http://127.0.0.1:5000/",
            "demo",
            "demo",
            "main",
            "main",
            "0".repeat(40),
            null,
            null,
            "main",
            null);
    List<Outcome> outcomes =
        new ArrayList<>(
            List.of(
                new Outcome.Rejected(401, a, b),
                new Outcome.Ignored(c),
                new Outcome.Queued(request, a, b),
                new Outcome.Duplicate(request, c, a, duplicate ? null : new StartedBuild(a, b))));
    for (Outcome o : outcomes) {
      assertThat(new String(Responses.json(o), StandardCharsets.UTF_8)).isEqualTo(treeResponse(o));
    }
  }

  /** The response writer as it was with the tree mapper. */
  static String treeResponse(Outcome outcome) {
    ObjectNode n = TREE.createObjectNode();
    switch (outcome) {
      case Outcome.Queued q -> {
        n.put("status", "queued");
        n.put("id", q.deliveryId());
        n.put("buildKey", q.buildKey());
        n.put("commit", q.request().commit());
      }
      case Outcome.Duplicate d -> {
        n.put("status", "duplicate");
        n.put("id", d.deliveryId());
        n.put("buildKey", d.buildKey());
        n.put("commit", d.request().commit());
        if (d.build() != null) {
          ObjectNode build = n.putObject("build");
          build.put("target", d.build().target());
          build.put("id", d.build().id());
        }
      }
      case Outcome.Ignored i -> {
        n.put("status", "ignored");
        n.put("reason", i.reason());
      }
      case Outcome.Rejected r -> {
        n.put("error", r.message());
        n.put("code", r.code());
      }
    }
    ObjectNode response = TREE.createObjectNode();
    response.put("statusCode", outcome.status());
    response.putObject("headers").put("content-type", "application/json");
    response.put("body", n.toString());
    response.put("isBase64Encoded", false);
    return new String(response.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static void sameVerdict(byte[] body) {
    Rejection streaming = catchThrowableOfType(Rejection.class, () -> StrictJson.check(body));
    Rejection tree = catchThrowableOfType(Rejection.class, () -> StrictJson.parse(body));
    if (tree == null) {
      assertThat(streaming).isNull();
      return;
    }
    assertThat(streaming).as(tree.getMessage()).isNotNull();
    assertThat(streaming.code()).isEqualTo(tree.code());
    if (!tree.getMessage().contains("Trailing token")) {
      assertThat(streaming.getMessage()).isEqualTo(tree.getMessage());
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30),
        Arbitraries.strings().all().ofMaxLength(10),
        Arbitraries.of("", "\u2028", "\"\\", "\ud800", "é\u0000\u001f"));
  }

  @Provide
  Arbitrary<byte[]> events() {
    Arbitrary<String> scalars = Arbitraries.of(VALUES);
    Arbitrary<String> headers =
        Combinators.combine(
                Arbitraries.of(
                    "content-type",
                    "Content-Type",
                    "x-pagure-topic",
                    "X-Pagure-Signature-256",
                    "authorization",
                    ""),
                scalars)
            .as((k, v) -> "\"" + k + "\": " + v)
            .list()
            .ofMaxSize(4)
            .map(l -> "{" + String.join(", ", l) + "}");
    Arbitrary<String> iam =
        scalars.map(v -> "{\"iam\": {\"userArn\": " + v + ", \"accountId\": \"1\"}}");
    Arbitrary<String> http = scalars.map(v -> "{\"method\": " + v + ", \"path\": \"/\"}");
    Arbitrary<String> context =
        Combinators.combine(
                Arbitraries.oneOf(http, scalars).map(v -> "\"http\": " + v),
                Arbitraries.oneOf(iam, scalars).map(v -> "\"authorizer\": " + v),
                scalars.map(v -> "\"requestId\": " + v),
                Arbitraries.of("\"stage\": \"$default\"", "\"timeEpoch\": 1795780800000"))
            .as(List::of)
            .flatMap(l -> Arbitraries.subsetOf(l).map(s -> "{" + String.join(", ", s) + "}"));
    Arbitrary<String> member =
        Arbitraries.oneOf(
            Arbitraries.oneOf(headers, scalars).map(v -> "\"headers\": " + v),
            Arbitraries.oneOf(context, scalars).map(v -> "\"requestContext\": " + v),
            scalars.map(v -> "\"body\": " + v),
            scalars.map(v -> "\"isBase64Encoded\": " + v),
            scalars.map(v -> "\"version\": " + v),
            scalars.map(v -> "\"other\": " + v));
    Arbitrary<String> event = member.list().ofMaxSize(6).map(l -> "{" + String.join(", ", l) + "}");
    Arbitrary<String> mutated =
        Combinators.combine(
                event,
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 10_000))
            .as(
                (e, how, at) ->
                    switch (how) {
                      case 0 -> e.substring(0, at % (e.length() + 1)); // truncated
                      case 1 -> e + " " + e; // trailing tokens
                      case 2 -> "[" + e + "]";
                      default -> e;
                    });
    return mutated.map(s -> s.getBytes(StandardCharsets.UTF_8));
  }
}
