package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The accept function ({@link InboundHandler}) with its real adapters: SQS = ElasticMQ, DynamoDB =
 * dynalite, EventBridge and Secrets Manager = WireMock. The git server, S3Mock and the CodeBuild
 * stub are up too, to show that accepting touches none of them (docs/queue.md §1).
 */
class InboundHandlerIT extends QueueStack {

  private void assertNothingBuiltOrFetched() {
    assertThat(git.requestCount()).as("git requests").isZero();
    assertThat(sourceObjects()).as("source objects").isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(awsCalls(START_PIPELINE)).isEmpty();
  }

  @Test
  void aRealCaptureIsQueuedAsOneWorkItemAndAQueuedEvent() throws Exception {
    String sha = repos.forkPrHead();

    APIGatewayV2HTTPResponse response =
        deliver(handler(), delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
    JsonNode answer = body(response);
    assertThat(answer.get("status").asText()).isEqualTo("queued");
    String id = answer.get("id").asText();
    assertThat(id).startsWith("req-");
    String buildKey = answer.get("buildKey").asText();
    assertThat(buildKey).matches("[0-9a-f]{64}");
    assertThat(answer.get("commit").asText()).isEqualTo(sha);

    // exactly one message, and its body is the work item (docs/queue.md §3)
    List<Message> messages = receive(Duration.ZERO);
    assertThat(messages).hasSize(1);
    assertThat(sqs.depth(queues.url())).isEqualTo(1); // the one received, in flight
    JsonNode item = JSON.readTree(messages.getFirst().body());
    assertThat(item.get("v").asInt()).isEqualTo(1);
    assertThat(item.get("deliveryId").asText()).isEqualTo(id);
    assertThat(item.get("buildKey").asText()).isEqualTo(buildKey);
    assertThat(Instant.parse(item.get("acceptedAt").asText()))
        .isBetween(Instant.now().minusSeconds(30), Instant.now());
    JsonNode request = item.get("request");
    assertThat(request.get("origin").asText()).isEqualTo("webhook");
    assertThat(request.get("trigger").asText()).isEqualTo("pull-request");
    assertThat(request.get("instance").asText()).isEqualTo(git.baseUri().toString());
    assertThat(request.get("project").asText()).isEqualTo("demo");
    assertThat(request.get("sourceProject").asText()).isEqualTo("forks/bob/demo");
    assertThat(request.get("sourceBranch").asText()).isEqualTo("feature");
    assertThat(request.get("targetBranch").asText()).isEqualTo("master");
    assertThat(request.get("commit").asText()).isEqualTo(sha);
    assertThat(request.get("prId").asInt()).isEqualTo(1);
    assertThat(item.toString()).doesNotContain("signature", "\"msg\"");

    // one QUEUED request event
    List<JsonNode> events = requestEvents();
    assertThat(events).hasSize(1);
    JsonNode event = events.getFirst();
    assertThat(event.get("Source").asText()).isEqualTo("pagure-ci-aws");
    assertThat(event.get("DetailType").asText()).isEqualTo("Build Request State Change");
    assertThat(event.get("EventBusName").asText()).isEqualTo("default");
    assertThat(event.at("/detail/state").asText()).isEqualTo("QUEUED");
    assertThat(event.at("/detail/deliveryId").asText()).isEqualTo(id);
    assertThat(event.at("/detail/buildKey").asText()).isEqualTo(buildKey);
    assertThat(event.at("/detail/target/system").asText()).isEqualTo("codebuild");
    assertThat(event.at("/detail/target/name").asText()).isEqualTo("pagure-ci");
    assertThat(event.at("/detail/variables/PAGURE_COMMIT").asText()).isEqualTo(sha);
    assertThat(event.at("/detail/variables/PAGURE_PROJECT").asText()).isEqualTo("demo");

    assertNothingBuiltOrFetched();
  }

  @Test
  void aForgedDeliveryIsRefusedAndNothingIsQueuedOrAnnounced() throws Exception {
    APIGatewayV2HTTPEvent event = delivery("pull-request.new-1", forkPr());
    event
        .getHeaders()
        .put(
            "x-pagure-signature-256",
            hmac("another-key-entirely-000000000000000000", event.getBody()));

    APIGatewayV2HTTPResponse response = deliver(handler(), event);

    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(body(response).get("code").asText()).isEqualTo("UNAUTHENTICATED");
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(awsCalls(PUT_EVENTS)).isEmpty();
    assertNothingBuiltOrFetched();
  }

  @Test
  void sqsUnreachableIsA503AndNoQueuedEvent() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String dead = "http://127.0.0.1:" + closed;
    String endpoint = System.getProperty("aws.endpointUrlSqs");
    APIGatewayV2HTTPResponse response;
    try {
      // the SDK sends to its endpoint, not to the queue URL's host: point both at the closed port
      System.setProperty("aws.endpointUrlSqs", dead);
      response =
          deliver(
              handler("WORK_QUEUE_URL", dead + "/000000000000/work"),
              delivery("pull-request.new-1", forkPr()));
    } finally {
      System.setProperty("aws.endpointUrlSqs", endpoint);
    }

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(503);
    assertThat(body(response).get("code").asText()).isEqualTo("QUEUE_UNAVAILABLE");
    assertThat(awsCalls(PUT_EVENTS)).isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
    assertNothingBuiltOrFetched();
  }

  @Test
  void eventBridgeFailingStillQueues() throws Exception {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(PUT_EVENTS))
            .willReturn(json(500, "{\"__type\": \"InternalException\", \"message\": \"boom\"}")));

    APIGatewayV2HTTPResponse response =
        deliver(handler(), delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(body(response).get("status").asText()).isEqualTo("queued");
    assertThat(awsCalls(PUT_EVENTS)).as("tried (with the SDK's retries)").isNotEmpty();
    assertThat(receive(Duration.ZERO)).hasSize(1);
    assertNothingBuiltOrFetched();
  }

  @Test
  void aDuplicateDeliveryAfterTheBuildStartedIsAnsweredAndNotQueued() throws Exception {
    InboundHandler handler = handler();
    byte[] event =
        FunctionUrl.json(
            delivery(
                "pull-request.updated-2",
                java.util.Map.of(
                    "b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", repos.sameRepoPrHead())));
    APIGatewayV2HTTPResponse first = FunctionUrl.invoke(handler, event);
    assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
    String buildKey = body(first).get("buildKey").asText();
    Message queued = receive(Duration.ZERO).getFirst();
    sqs.client().deleteMessage(b -> b.queueUrl(queues.url()).receiptHandle(queued.receiptHandle()));
    // the build started: what a worker records, written by the real adapter
    DynamoDbBuildClaims records =
        new DynamoDbBuildClaims(dynamo.client(), table, Duration.ofMinutes(15), 30);
    BuildClaims.Claimed claim =
        (BuildClaims.Claimed)
            records.claim(buildKey, "req-first", repos.sameRepoPrHead(), Instant.now());
    records.started(
        claim,
        new StartedBuild("codebuild", BUILD_ID),
        new PackagedSource(
            BUCKET, prefix + "demo/pr/2/" + repos.sameRepoPrHead() + ".zip", "v1", 10, null),
        Instant.now());
    aws.resetRequests();

    APIGatewayV2HTTPResponse second = FunctionUrl.invoke(handler, event);

    assertThat(second.getStatusCode()).as(second.getBody()).isEqualTo(202);
    JsonNode dup = body(second);
    assertThat(dup.get("status").asText()).isEqualTo("duplicate");
    assertThat(dup.get("buildKey").asText()).isEqualTo(buildKey);
    assertThat(dup.at("/build/id").asText()).isEqualTo(BUILD_ID);
    assertThat(sqs.depth(queues.url())).as("nothing queued").isZero();
    assertThat(awsCalls(PUT_EVENTS)).isEmpty();
    assertNothingBuiltOrFetched();
  }

  @Test
  void secretsManagerDownIsA503AndNothingIsQueued() throws Exception {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(GET_SECRET))
            .willReturn(
                aResponse()
                    .withStatus(500)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody("{\"__type\": \"InternalServiceError\", \"message\": \"boom\"}")));

    APIGatewayV2HTTPResponse response =
        deliver(handler(), delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).isEqualTo(503);
    assertThat(body(response).get("code").asText()).isEqualTo("SECRETS_UNAVAILABLE");
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(awsCalls(PUT_EVENTS)).isEmpty();
    assertNothingBuiltOrFetched();
  }

  @Test
  void snapStartPrimingTouchesNoServer() throws Exception {
    InboundHandler handler = handler();

    handler.beforeCheckpoint(null); // builds the accept clients and primes the request path

    assertThat(aws.getAllServeEvents()).isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
    assertNothingBuiltOrFetched();
  }
}
