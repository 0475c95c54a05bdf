package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The body caps (docs/protocol.md §1): a pagure web-hook may be as large as the function URL lets
 * through (6 MiB) — pagure's pull-request payload carries every comment of the PR, so a rebuild
 * comment on a long PR is well over 1 MiB — while a request without well-formed web-hook
 * credentials never gets its body copied, decoded or parsed, and a ci webhook document is capped at
 * 64 KiB before its credentials are checked.
 *
 * <p>The big deliveries are the real capture {@code pull-request.comment.added-6} (a typed rebuild
 * comment) with copies of its own first comment inserted, byte for byte in pagure's serialisation,
 * and signed with the capture's key.
 */
class BodySizeTest {

  private static final int MIB = 1024 * 1024;
  private static final PagureFixtures.Delivery REBUILD =
      PagureFixtures.webhook("pull-request.comment.added-6");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();
  private final Fakes.CapturingLog log = new Fakes.CapturingLog();

  private Fakes.Pipeline service() {
    return new Fakes.Pipeline(TestConfigs.config(), secrets, packager, starter, records, log);
  }

  @Test
  void aRebuildCommentOnAPullRequestWithThousandsOfCommentsOver1MiBBuildsThePrHead()
      throws Exception {
    byte[] body = withCommentsUpTo(3 * MIB / 2);
    JsonNode parsed = new ObjectMapper().readTree(body);

    Outcome outcome = service().handle(signed(body, false));

    assertThat(body.length).isGreaterThan(3 * MIB / 2);
    assertThat(parsed.at("/msg/pullrequest/comments").size()).isGreaterThan(3_000);
    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.requests).hasSize(1);
    BuildRequest r = starter.requests.getFirst();
    assertThat(r.trigger()).isEqualTo(BuildRequest.TRIGGER_REBUILD);
    assertThat(r.commit()).isEqualTo(parsed.at("/msg/pullrequest/commit_stop").asText());
    // the rebuild is keyed by the last comment, the one that asked for it
    long lastId =
        parsed
            .at("/msg/pullrequest/comments")
            .get(parsed.at("/msg/pullrequest/comments").size() - 1)
            .get("id")
            .asLong();
    assertThat(r.rebuildId()).isEqualTo("comment-" + lastId);
  }

  @Test
  void aDeliveryJustUnder6MiBBuildsAlsoWhenTheFunctionUrlBase64EncodedIt() {
    byte[] body = withCommentsUpTo(6 * MIB - 2_000);

    Outcome text = service().handle(signed(body, false));
    Outcome base64 = service().handle(signed(body, true));

    assertThat(body.length).isBetween(6 * MIB - 2_000, 6 * MIB);
    assertThat(text).isInstanceOf(Outcome.Queued.class);
    // the same bytes, decoded: the same rebuild comment, so the same build key — already started
    assertThat(base64).isInstanceOf(Outcome.Duplicate.class);
    assertThat(((Outcome.Duplicate) base64).buildKey())
        .isEqualTo(((Outcome.Queued) text).buildKey());
    assertThat(starter.requests).hasSize(1);
  }

  @Test
  void aSignedDeliveryOver6MiBIsBodyTooLargeBeforeAnySecretIsReadOrAnythingParsed() {
    byte[] body = withCommentsUpTo(6 * MIB + 1);

    Outcome text = service().handle(signed(body, false));
    Outcome base64 = service().handle(signed(body, true));

    Outcome.Rejected expected =
        new Outcome.Rejected(
            413, "BODY_TOO_LARGE", "the body is larger than 6 MiB, the function URL's limit");
    assertThat(body.length).isGreaterThan(6 * MIB);
    assertThat(text).isEqualTo(expected);
    assertThat(base64).isEqualTo(expected);
    assertThat(secrets.reads.get()).isZero();
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void anUnsignedBigBodyIsA401AndIsNeitherDecodedNorParsed() {
    byte[] big = withCommentsUpTo(3 * MIB);
    // not JSON at all past its first half: a parse would answer 400 MALFORMED_JSON
    String broken = new String(big, 0, big.length / 2, StandardCharsets.US_ASCII);
    Map<String, String> noSignature = new HashMap<>(REBUILD.headers());
    noSignature.remove("x-pagure-signature-256");
    Map<String, String> wrongSignature = new HashMap<>(REBUILD.headers());
    wrongSignature.put("x-pagure-signature-256", "0".repeat(64));

    Outcome missing = service().handle(request(noSignature, broken, false));
    int readsBeforeAnyHmac = secrets.reads.get();
    Outcome notBase64 = service().handle(request(noSignature, "*".repeat(3 * MIB), true));
    Outcome wrong = service().handle(request(wrongSignature, broken, false));

    Outcome.Rejected unauthenticated =
        new Outcome.Rejected(401, "UNAUTHENTICATED", "the request is not authenticated");
    assertThat(missing).isEqualTo(unauthenticated);
    assertThat(notBase64).as("refused before the body is decoded").isEqualTo(unauthenticated);
    assertThat(readsBeforeAnyHmac).as("no secret read without a signature").isZero();
    assertThat(wrong).as("HMAC first, so no MALFORMED_JSON").isEqualTo(unauthenticated);
    assertThat(log.lines.get(2)).contains("BAD_SIGNATURE");
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void aCiWebhookDocumentOver64KiBIsRefusedBeforeItsCredentialsAreChecked() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("pagure:s3cr3t-basic-pw".getBytes(StandardCharsets.UTF_8));
    Map<String, String> headers =
        Map.of("content-type", "application/json", "authorization", basic);
    String padded = CiWebhookTest.validDoc().put("x", "y".repeat(64 * 1024)).toString();

    Outcome big = service().handle(request(headers, padded, false));
    Outcome ok = service().handle(request(headers, CiWebhookTest.validDoc().toString(), false));

    assertThat(big)
        .isEqualTo(
            new Outcome.Rejected(
                413, "BODY_TOO_LARGE", "the body is larger than 64 KiB for a ci webhook document"));
    assertThat(ok).isInstanceOf(Outcome.Queued.class);
    assertThat(secrets.reads.get()).as("only the accepted document read the Basic secret").isOne();
  }

  // ---- helpers

  /**
   * The capture with copies of its first comment (new ids) inserted before its own comments until
   * the body is at least {@code size} bytes; the typed rebuild phrase stays the last comment.
   */
  static byte[] withCommentsUpTo(int size) {
    String body = new String(REBUILD.body(), StandardCharsets.US_ASCII);
    String open = "\"comments\": [";
    int start = body.indexOf(open) + open.length();
    int end = body.indexOf("}}, {", start) + 2; // the first comment ends with its user object
    String first = body.substring(start, end);
    assertThat(first).startsWith("{\"comment\": ").contains("\"id\": 1,");
    StringBuilder out = new StringBuilder(size + first.length() * 2);
    out.append(body, 0, start);
    int id = 100_000;
    while (out.length() + body.length() - start < size) {
      out.append(first.replace("\"id\": 1,", "\"id\": " + id++ + ",")).append(", ");
    }
    out.append(body, start, body.length());
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static HttpRequest signed(byte[] body, boolean base64) {
    Map<String, String> headers = new HashMap<>(REBUILD.headers());
    headers.put(
        "x-pagure-signature-256",
        HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(
                    REBUILD.hookKey().getBytes(StandardCharsets.US_ASCII), body)));
    return request(
        headers,
        base64
            ? Base64.getEncoder().encodeToString(body)
            : new String(body, StandardCharsets.US_ASCII),
        base64);
  }

  private static HttpRequest request(Map<String, String> headers, String body, boolean base64) {
    return new HttpRequest("POST", headers, body, base64, null, "req-big");
  }
}
