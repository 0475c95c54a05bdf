package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.aws.DynamoDbCurrentHeads;
import io.pagureci.inbound.domain.CurrentHeads;
import io.pagureci.inbound.testsupport.TestFile;
import io.pagureci.inbound.testsupport.TestRepos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Cancel superseded builds (docs/queue.md §5) on the real stand-ins: pagure's git over HTTP,
 * S3Mock, ElasticMQ, dynalite, WireMock as CodeBuild ({@code StartBuild} answering one build id per
 * commit, {@code StopBuild}) and EventBridge. PR #2 of demo (same-repo) gets a second head: {@code
 * refs/heads/feature-same} moves to a new commit, {@code refs/pull/2/head} stays at the old one (as
 * pagure's asynchronous sync leaves it for a moment), so both commits can still be fetched and the
 * races are about the heads, not about git. What the PR shows is what outbound posts for: the
 * request events (a dropped item's CANCELED) and the stopped build's record ({@code cancelReason},
 * which its own STOPPED event's flag reads).
 */
class CancelSupersededIT extends QueueStack {

  static final String STOP_BUILD = "CodeBuild_20161006.StopBuild";

  String oldSha;
  String newSha;

  @BeforeEach
  void secondHead() {
    oldSha = repos.sameRepoPrHead();
    newSha =
        repos.commit(
            TestRepos.TARGET,
            "feature-same",
            Map.of("second.txt", TestFile.file("second head\n")),
            "a second push to PR #2");
    startBuildAnswers(oldSha, 0);
    startBuildAnswers(newSha, 0);
    stopBuildAnswers(200, "{\"build\": {\"id\": \"x\", \"buildStatus\": \"IN_PROGRESS\"}}");
  }

  @AfterEach
  void firstHeadAgain() {
    repos.setRef(TestRepos.TARGET, "refs/heads/feature-same", oldSha);
  }

  static String buildId(String sha) {
    return "pagure-ci:" + sha.substring(0, 8) + "-0000-4000-8000-000000000000";
  }

  /** StartBuild of the zip of {@code sha} answers its own build id, after {@code delayMillis}. */
  static void startBuildAnswers(String sha, int delayMillis) {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .withRequestBody(containing(sha + ".zip"))
            .willReturn(
                json(
                        200,
                        "{\"build\": {\"id\": \""
                            + buildId(sha)
                            + "\", \"buildStatus\": \"IN_PROGRESS\"}}")
                    .withFixedDelay(delayMillis)));
  }

  static void stopBuildAnswers(int status, String body) {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(STOP_BUILD))
            .willReturn(json(status, body)));
  }

  String deliverOld(InboundHandler accept) {
    return queued(
        deliver(
            accept,
            delivery(
                "pull-request.updated-2",
                Map.of("b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", oldSha))));
  }

  String deliverNew(InboundHandler accept) {
    return queued(
        deliver(
            accept,
            delivery(
                "pull-request.rebased-2",
                Map.of("5b7fb6a5283339c279fa8caf0c10e76aa215cd33", newSha))));
  }

  static String queued(APIGatewayV2HTTPResponse response) {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(body(response).get("status").asText()).isEqualTo("queued");
    return body(response).get("buildKey").asText();
  }

  /** The build ids StopBuild was called with, in order. */
  static List<String> stopped() {
    List<String> ids = new ArrayList<>();
    for (var r : awsCalls(STOP_BUILD)) {
      try {
        ids.add(JSON.readTree(r.getBodyAsString()).get("id").asText());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return ids;
  }

  String cancelReason(String buildKey) {
    Map<String, AttributeValue> item =
        dynamo
            .client()
            .getItem(
                g ->
                    g.tableName(table)
                        .key(Map.of("id", AttributeValue.fromS("build/" + buildKey)))
                        .consistentRead(true))
            .item();
    AttributeValue v = item.get("cancelReason");
    return v == null ? null : v.s();
  }

  CurrentHeads.Head head() throws Exception {
    return new DynamoDbCurrentHeads(dynamo.client(), table, 30)
        .find("demo", "pr/2", "build")
        .orElseThrow();
  }

  static List<JsonNode> states(String state) {
    return distinctRequestEvents().stream()
        .filter(e -> e.at("/detail/state").asText().equals(state))
        .toList();
  }

  /** Receives until {@code n} messages are in hand. */
  List<Message> receiveAll(int n) {
    List<Message> got = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (got.size() < n && System.nanoTime() < until) {
      got.addAll(receive(Duration.ofSeconds(2)));
    }
    assertThat(got).hasSize(n);
    return got;
  }

  /** The message of the delivery whose commit is {@code sha}. */
  static Message of(List<Message> messages, String sha) {
    return messages.stream().filter(m -> m.body().contains(sha)).findFirst().orElseThrow();
  }

  @Test
  void aNewPushStopsThePreviousHeadsRunningBuildAfterWritingWhyIntoItsRecord() throws Exception {
    InboundHandler accept = handler();
    String oldKey = deliverOld(accept);
    assertThat(workNext(worker())).isEmpty();
    String newKey = deliverNew(accept);

    assertThat(workNext(worker())).isEmpty();

    assertThat(awsCalls(START_BUILD)).hasSize(2);
    assertThat(stopped()).as("exactly the old head's build").containsExactly(buildId(oldSha));
    assertThat(cancelReason(oldKey)).isEqualTo("superseded by " + newSha.substring(0, 7));
    assertThat(cancelReason(newKey)).isNull();
    assertThat(head().build().id()).isEqualTo(buildId(newSha));
    assertThat(states("CANCELED")).as("the stopped build's own event says it").isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void anOlderPushStillQueuedWhenTheNewerOneStartedIsDroppedWithACanceledFlag() throws Exception {
    InboundHandler accept = handler();
    String oldKey = deliverOld(accept);
    deliverNew(accept);
    List<Message> both = receiveAll(2);
    WorkerHandler worker = worker();

    // the newer item is picked up first; the older one after it
    assertThat(work(worker, List.of(of(both, newSha)))).isEmpty();
    assertThat(work(worker, List.of(of(both, oldSha)))).isEmpty();

    assertThat(awsCalls(START_BUILD))
        .as("nothing built for the old commit")
        .singleElement()
        .satisfies(r -> assertThat(r.getBodyAsString()).contains(newSha));
    assertThat(stopped()).isEmpty();
    JsonNode canceled = states("CANCELED").getFirst().get("detail");
    assertThat(states("CANCELED")).hasSize(1);
    assertThat(canceled.get("buildKey").asText()).isEqualTo(oldKey);
    assertThat(canceled.get("reason").asText())
        .isEqualTo("superseded by " + newSha.substring(0, 7));
    assertThat(canceled.at("/variables/PAGURE_COMMIT").asText()).isEqualTo(oldSha);
    assertThat(canceled.at("/target/name").asText()).isEqualTo("pagure-ci");
    assertThat(sourceObjects()).as("the old commit was not even packaged").hasSize(1);
  }

  /**
   * Two workers on two heads of one PR at once; the older one's StartBuild is slow, so the newer
   * head may be recorded before or after it. Either way exactly one build is stopped — the older —
   * and never the newer one; each started once.
   */
  @Test
  void twoWorkersRacingOnTwoHeadsOfOnePullRequestStopOnlyTheOlderBuild() throws Exception {
    startBuildAnswers(oldSha, 1500);
    InboundHandler accept = handler();
    String oldKey = deliverOld(accept);
    deliverNew(accept);
    List<Message> both = receiveAll(2);
    WorkerHandler a = worker();
    WorkerHandler b = worker();

    CompletableFuture<List<String>> older =
        CompletableFuture.supplyAsync(() -> work(a, List.of(of(both, oldSha))));
    Thread.sleep(300);
    CompletableFuture<List<String>> newer =
        CompletableFuture.supplyAsync(() -> work(b, List.of(of(both, newSha))));

    assertThat(older.get()).isEmpty();
    assertThat(newer.get()).isEmpty();
    assertThat(awsCalls(START_BUILD)).hasSize(2);
    assertThat(stopped()).containsExactly(buildId(oldSha));
    assertThat(cancelReason(oldKey)).isEqualTo("superseded by " + newSha.substring(0, 7));
    assertThat(head().commit()).isEqualTo(newSha);
    assertThat(states("CANCELED")).isEmpty();
  }

  @Test
  void aStopBuildFailingIsRetriedByTheItemAndNothingStartsTwice() throws Exception {
    InboundHandler accept = handler();
    deliverOld(accept);
    assertThat(workNext(worker())).isEmpty();
    deliverNew(accept);
    stopBuildAnswers(503, "{\"__type\": \"ServiceUnavailableException\", \"message\": \"busy\"}");
    WorkerHandler worker = worker();

    assertThat(workNext(worker)).as("returned to the queue").hasSize(1);
    int afterFirst = stopped().size();
    stopBuildAnswers(200, "{\"build\": {\"id\": \"x\", \"buildStatus\": \"IN_PROGRESS\"}}");
    assertThat(workNext(worker)).as("the retry stops it").isEmpty();

    assertThat(afterFirst).as("the SDK's own retries first").isGreaterThanOrEqualTo(1);
    assertThat(stopped()).hasSize(afterFirst + 1).allMatch(buildId(oldSha)::equals);
    assertThat(awsCalls(START_BUILD)).as("each head started once").hasSize(2);
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void aBuildThatJustFinishedKeepsItsResult() throws Exception {
    InboundHandler accept = handler();
    String oldKey = deliverOld(accept);
    assertThat(workNext(worker())).isEmpty();
    deliverNew(accept);
    stopBuildAnswers(
        400,
        "{\"__type\": \"InvalidInputException\", \"message\": \"Build "
            + buildId(oldSha)
            + " is not in progress\"}");

    assertThat(workNext(worker())).isEmpty();

    assertThat(stopped()).containsExactly(buildId(oldSha));
    assertThat(states("CANCELED")).as("no word from the worker about a finished build").isEmpty();
    // the reason sits in the record, but its SUCCEEDED / FAILED flag does not show it
    assertThat(cancelReason(oldKey)).isEqualTo("superseded by " + newSha.substring(0, 7));
  }

  @Test
  void aMergedPullRequestStopsItsRunningBuild() throws Exception {
    InboundHandler accept = handler();
    String newKey = deliverNew(accept);
    assertThat(workNext(worker())).isEmpty();
    APIGatewayV2HTTPResponse merge =
        deliver(
            accept,
            delivery(
                "pull-request.closed-2",
                Map.of("5b7fb6a5283339c279fa8caf0c10e76aa215cd33", newSha)));
    queued(merge);
    assertThat(states("QUEUED")).as("a close asks for no flag").hasSize(1);

    assertThat(workNext(worker())).isEmpty();

    assertThat(stopped()).containsExactly(buildId(newSha));
    assertThat(cancelReason(newKey)).isEqualTo("PR merged");
    assertThat(head().closed()).isEqualTo(CurrentHeads.Closed.MERGED);
    assertThat(awsCalls(START_BUILD)).as("a close builds nothing").hasSize(1);
    assertThat(states("CANCELED")).isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void anItemQueuedBeforeTheCloseButWorkedAfterItIsDropped() throws Exception {
    InboundHandler accept = handler();
    deliverOld(accept);
    queued(
        deliver(
            accept,
            delivery(
                "pull-request.closed-1",
                Map.of("5b7fb6a5283339c279fa8caf0c10e76aa215cd33", oldSha))));
    List<Message> both = receiveAll(2);
    WorkerHandler worker = worker();

    // the close first (nothing runs yet: nothing to stop), then the PR's own item
    assertThat(
            work(
                worker,
                List.of(
                    both.stream()
                        .filter(m -> m.body().contains("\"close\""))
                        .findFirst()
                        .orElseThrow())))
        .isEmpty();
    assertThat(
            work(
                worker,
                List.of(
                    both.stream()
                        .filter(m -> !m.body().contains("\"close\""))
                        .findFirst()
                        .orElseThrow())))
        .isEmpty();

    assertThat(stopped()).as("a closed PR with nothing running stops nothing").isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(states("CANCELED"))
        .singleElement()
        .satisfies(e -> assertThat(e.at("/detail/reason").asText()).isEqualTo("PR closed"));
    assertThat(head().closed()).isEqualTo(CurrentHeads.Closed.CLOSED);
  }
}
