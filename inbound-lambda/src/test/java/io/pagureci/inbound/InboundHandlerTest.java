package io.pagureci.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pagureci.inbound.domain.Fakes;
import io.pagureci.inbound.domain.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handler's translation between the function URL event and the service. */
class InboundHandlerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();
  private final Fakes.CapturingLog log = new Fakes.CapturingLog();

  private InboundHandler handler() {
    return new InboundHandler(
        new Fakes.Pipeline(
                TestConfigs.config(), secrets, packager, starter, new Fakes.MemoryClaims(), log)
            .accept,
        tmp);
  }

  private static APIGatewayV2HTTPEvent event(
      String method, Map<String, String> headers, String body, boolean base64, String iamArn) {
    var ctx =
        APIGatewayV2HTTPEvent.RequestContext.builder()
            .withRequestId("rid-1")
            .withHttp(
                APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).build());
    if (iamArn != null) {
      ctx.withAuthorizer(
          APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
              .withIam(
                  APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(iamArn).build())
              .build());
    }
    return APIGatewayV2HTTPEvent.builder()
        .withHeaders(headers)
        .withBody(body)
        .withIsBase64Encoded(base64)
        .withRequestContext(ctx.build())
        .build();
  }

  private static String ciDoc() {
    return "{\"protocol\": \"pagure-ci-webhook\", \"version\": 1, \"trigger\": \"pull-request\","
        + " \"instance\": \"http://127.0.0.1:5000/\", \"project\": \"demo\", \"source_project\": \"demo\","
        + " \"source_branch\": \"feature-same\", \"target_branch\": \"master\","
        + " \"commit\": \"5b7fb6a5283339c279fa8caf0c10e76aa215cd33\","
        + " \"pull_request\": {\"id\": 2, \"uid\": \"e7ab6a26905845cfbb7d2e44fec5a588\"}, \"cause\": \"2\"}";
  }

  @Test
  void aBase64BodyFromAnIamCallerIsAcceptedWithTheDocumentedAnswer() throws Exception {
    String body = Base64.getEncoder().encodeToString(ciDoc().getBytes(StandardCharsets.UTF_8));

    APIGatewayV2HTTPResponse response =
        FunctionUrl.invoke(
            handler(),
            event(
                "POST",
                Map.of("Content-Type", "application/json"),
                body,
                true,
                "arn:aws:iam::1:user/ci"));

    assertThat(response.getStatusCode()).isEqualTo(202);
    assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
    JsonNode answer = JSON.readTree(response.getBody());
    assertThat(answer.get("status").asText()).isEqualTo("queued");
    assertThat(answer.get("id").asText()).isEqualTo("rid-1");
    assertThat(answer.get("buildKey").asText()).matches("[0-9a-f]{64}");
    assertThat(answer.get("commit").asText()).isEqualTo("5b7fb6a5283339c279fa8caf0c10e76aa215cd33");
    assertThat(answer.get("targets").toString())
        .isEqualTo(
            "[{\"name\":\"build\",\"status\":\"queued\",\"buildKey\":\""
                + answer.get("buildKey").asText()
                + "\"}]");
    assertThat(answer.size()).isEqualTo(5);
    assertThat(starter.requests).as("the accept function starts nothing").isEmpty();
  }

  @Test
  void withoutIamTheSameDocumentNeedsBasicCredentials() throws Exception {
    APIGatewayV2HTTPResponse response =
        FunctionUrl.invoke(
            handler(),
            event("POST", Map.of("content-type", "application/json"), ciDoc(), false, null));

    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.getBody()))
        .isEqualTo(
            JSON.readTree(
                "{\"error\": \"the request is not authenticated\", \"code\": \"UNAUTHENTICATED\"}"));
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void anEmptyEventIsA405NotACrash() throws Exception {
    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), new APIGatewayV2HTTPEvent());
    APIGatewayV2HTTPResponse none =
        FunctionUrl.invoke(handler(), "null".getBytes(StandardCharsets.UTF_8));
    APIGatewayV2HTTPResponse garbage = FunctionUrl.invoke(handler(), new byte[] {'{', 0x01});

    assertThat(response.getStatusCode()).isEqualTo(405);
    assertThat(none.getStatusCode()).isEqualTo(405);
    assertThat(garbage.getStatusCode()).isEqualTo(405);
    assertThat(JSON.readTree(none.getBody()).get("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
  }

  @Test
  void leftoversOfAnEarlierInvocationAreCleanedFromTheScratchDirectory() throws Exception {
    Files.createDirectories(tmp.resolve("fetch-123/objects/pack"));
    Files.writeString(tmp.resolve("fetch-123/objects/pack/pack-1.pack"), "stale");

    FunctionUrl.invoke(handler(), event("GET", Map.of(), "", false, null));

    assertThat(Files.list(tmp)).isEmpty();
  }

  @Test
  void snapStartPrimingTouchesNoPortAndNoSecret() {
    handler().beforeCheckpoint(null);

    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
    assertThat(secrets.reads.get()).isZero();
    assertThat(log.lines)
        .singleElement()
        .asString()
        .contains("snapstart-priming")
        .contains("SCHEMA_VIOLATION");
  }
}
