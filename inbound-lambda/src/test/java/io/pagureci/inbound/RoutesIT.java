package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.aws.SqsWorkQueue;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.BuildRequest;
import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.inbound.domain.WorkItemJson;
import io.pagureci.inbound.domain.WorkQueue;
import io.pagureci.inbound.testsupport.SqsServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The routing table on the real stand-ins (ElasticMQ, dynalite, S3Mock, JGit over HTTP, WireMock
 * CodeBuild): a pull request in a two-target project is two work items in SQS, two build records,
 * two StartBuild calls on the two projects with two idempotency tokens; one target's start failing
 * leaves the other's build alone and ends in that target's own ERROR event.
 */
class RoutesIT extends QueueStack {

  static final String ROUTES =
      "{\"rules\":[{\"match\":[\"demo\"],\"targets\":["
          + "{\"name\":\"rpmbuild\",\"system\":\"codebuild\",\"resource\":\"Rpmbuild-1\"},"
          + "{\"name\":\"lint\",\"system\":\"codebuild\",\"resource\":\"Lint-1\"}]}]}";

  /** The stack's variables with ROUTES instead of the per-target ones (blank = unset). */
  static final String[] WITH_ROUTES = {
    "ROUTES", ROUTES, "ALLOWED_PROJECTS", "", "CODEBUILD_PROJECT", ""
  };

  private static String project(LoggedRequest startBuild) {
    try {
      return JSON.readTree(startBuild.getBodyAsString()).get("projectName").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aTwoTargetPullRequestBuildsOnBothProjectsAndOneFailingStartIsOnlyThatTargetsError()
      throws Exception {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .withRequestBody(containing("\"projectName\":\"Lint-1\""))
            .atPriority(1)
            .willReturn(
                json(
                    400,
                    "{\"__type\": \"AccountLimitExceededException\","
                        + " \"message\": \"too many builds\"}")));

    APIGatewayV2HTTPResponse response =
        deliver(handler(WITH_ROUTES), delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    JsonNode answer = body(response);
    assertThat(answer.get("targets")).hasSize(2);
    assertThat(answer.at("/targets/0/name").asText()).isEqualTo("rpmbuild");
    assertThat(answer.at("/targets/1/name").asText()).isEqualTo("lint");
    String rpmKey = answer.at("/targets/0/buildKey").asText();
    String lintKey = answer.at("/targets/1/buildKey").asText();
    assertThat(rpmKey).isEqualTo(answer.get("buildKey").asText()).isNotEqualTo(lintKey);
    assertThat(sqs.depth(queues.url())).as("one message per target").isEqualTo(2);
    assertThat(distinctRequestEvents())
        .extracting(e -> e.at("/detail/target/label").asText())
        .containsExactly("rpmbuild", "lint");

    WorkerHandler worker = worker(WITH_ROUTES);
    for (int round = 0; round < MAX_ATTEMPTS && sqs.depth(queues.url()) > 0; round++) {
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 10 && batch.size() < sqs.depth(queues.url()); i++) {
        batch.addAll(receive(Duration.ofSeconds(4)));
      }
      work(worker, batch);
    }

    List<LoggedRequest> starts = awsCalls(START_BUILD);
    assertThat(starts.stream().filter(s -> project(s).equals("Rpmbuild-1")).toList())
        .as("rpmbuild started once, with its own key")
        .singleElement()
        .satisfies(s -> assertThat(WorkerHandlerIT.idempotencyToken(s)).isEqualTo(rpmKey));
    assertThat(starts.stream().filter(s -> project(s).equals("Lint-1")).toList())
        .as("lint tried on every attempt, with its own key")
        .hasSize(MAX_ATTEMPTS)
        .allSatisfy(s -> assertThat(WorkerHandlerIT.idempotencyToken(s)).isEqualTo(lintKey));
    DynamoDbBuildClaims records =
        new DynamoDbBuildClaims(dynamo.client(), table, Duration.ofMinutes(15), 30);
    assertThat(records.find(rpmKey).orElseThrow().state()).isEqualTo(BuildClaims.State.STARTED);
    assertThat(records.find(lintKey).orElseThrow().state()).isEqualTo(BuildClaims.State.FAILED);
    assertThat(WorkerHandlerIT.errorEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.at("/detail/code").asText()).isEqualTo("BUILD_START_FAILED");
              assertThat(e.at("/detail/buildKey").asText()).isEqualTo(lintKey);
              assertThat(e.at("/detail/target/name").asText()).isEqualTo("Lint-1");
              assertThat(e.at("/detail/target/label").asText()).isEqualTo("lint");
            });
  }

  @Test
  void sendAllKeepsMoreItemsThanOneBatchHoldsAndReportsWhatACallFailedToKeep() throws Exception {
    SqsWorkQueue queue = new SqsWorkQueue(sqs.client(), queues.url());
    List<WorkItem> items = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      items.add(WorkItem.of("d-" + i, Instant.now(), request(), null, "t" + i));
    }

    WorkQueue.Sent sent = queue.sendAll(items);

    assertThat(sent.all()).isTrue();
    assertThat(sent.messageIds()).doesNotHaveDuplicates().hasSize(12);
    List<String> targets = new ArrayList<>();
    while (targets.size() < 12) {
      for (Message m : receive(Duration.ofSeconds(2))) {
        targets.add(WorkItemJson.read(m.body()).target());
      }
    }
    assertThat(targets)
        .containsExactlyInAnyOrderElementsOf(items.stream().map(WorkItem::target).toList());

    SqsServer.Queues gone =
        sqs.createWorkQueue("gone-" + System.nanoTime(), 2, Duration.ofSeconds(1));
    sqs.client().deleteQueue(b -> b.queueUrl(gone.url()));
    WorkQueue.Sent none = new SqsWorkQueue(sqs.client(), gone.url()).sendAll(items.subList(0, 2));
    assertThat(none.none()).isTrue();
    assertThat(none.failure()).startsWith("SQS SendMessageBatch failed");
  }

  private static BuildRequest request() {
    return new BuildRequest(
        "webhook",
        "pull-request",
        git.baseUri().toString(),
        "demo",
        "demo",
        "feature",
        "master",
        repos.sameRepoPrHead(),
        2L,
        null,
        "2",
        null);
  }
}
