package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.inbound.testsupport.TestRepos;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The contributor policy end to end on the queued stack ({@link QueueStack}): the real captures
 * through {@link InboundHandler}, the worker with its real adapters, and pagure's API played by
 * WireMock behind the local pagure's own host (the git server forwards {@code /api/} to it, as
 * pagure serves git and API under one URL). The project JSON is the real one of the 5.14 capture
 * ({@code msg.pullrequest.project} of pull-request.new-1: owner alice, bob nobody).
 */
class ContributorPolicyIT extends QueueStack {

  static WireMockServer pagureApi;
  static final String APPROVE = "pretty please pagure-ci approve";

  @BeforeAll
  static void startApi() {
    pagureApi = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    pagureApi.start();
    git.setApi(URI.create(pagureApi.baseUrl() + "/"));
  }

  @AfterAll
  static void stopApi() {
    git.setApi(null);
    pagureApi.stop();
  }

  @BeforeEach
  void realProject() throws Exception {
    pagureApi.resetAll();
    answerProject(200, realDemoProject().toString());
  }

  static ObjectNode realDemoProject() throws Exception {
    return (ObjectNode)
        JSON.readTree(PagureFixtures.webhook("pull-request.new-1").body())
            .path("msg")
            .path("pullrequest")
            .path("project");
  }

  static void answerProject(int status, String body) {
    pagureApi.stubFor(
        get(urlEqualTo("/api/0/demo"))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(body)));
  }

  InboundHandler accept(String policy) {
    return handler("CONTRIBUTOR_POLICY", policy, "REBUILD_POLICY", "members");
  }

  WorkerHandler work(String policy) {
    return worker("CONTRIBUTOR_POLICY", policy, "REBUILD_POLICY", "members");
  }

  /**
   * A comment by {@code user} saying {@code text} on the local fork PR whose head is {@code head},
   * made on the capture of alice's rebuild comment (parsed, edited, re-pointed at the local pagure,
   * signed again).
   */
  static com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent comment(
      String fixture, String user, String text, String head) throws Exception {
    PagureFixtures.Delivery d = PagureFixtures.webhook(fixture);
    ObjectNode root = (ObjectNode) JSON.readTree(d.body());
    root.put("timestamp", java.time.Instant.now().getEpochSecond());
    ObjectNode pr = (ObjectNode) root.path("msg").path("pullrequest");
    pr.put("commit_stop", head).put("branch_from", "feature");
    com.fasterxml.jackson.databind.node.ArrayNode comments =
        (com.fasterxml.jackson.databind.node.ArrayNode) pr.path("comments");
    ObjectNode last = (ObjectNode) comments.get(comments.size() - 1);
    last.put("comment", text);
    ((ObjectNode) last.path("user")).put("name", user);
    String body =
        JSON.writeValueAsString(root).replace("http://127.0.0.1:5000/", git.baseUri().toString());
    Map<String, String> headers = new java.util.TreeMap<>(d.headers());
    headers.put("x-pagure-signature-256", hmac(DEMO_KEY, body));
    return event(headers, body, null);
  }

  static List<JsonNode> states(String state) {
    return distinctRequestEvents().stream()
        .filter(e -> e.at("/detail/state").asText().equals(state))
        .toList();
  }

  BuildClaims.Record record(String buildKey) throws Exception {
    return new DynamoDbBuildClaims(dynamo.client(), table, Duration.ofMinutes(15), 30)
        .find(buildKey)
        .orElseThrow();
  }

  static String accepted(APIGatewayV2HTTPResponse response) {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    return body(response).get("buildKey").asText();
  }

  @Test
  void aNonMembersForkPrWaitsThenOneMembersApprovalBuildsItsHeadOnce() throws Exception {
    String key = accepted(deliver(accept("approve"), delivery("pull-request.new-1", forkPr())));

    assertThat(workNext(work("approve"))).isEmpty();

    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(git.requests()).noneMatch(r -> r.contains("git-upload-pack"));
    assertThat(record(key).state()).isEqualTo(BuildClaims.State.AWAITING_APPROVAL);
    JsonNode waiting = states("AWAITING_APPROVAL").getFirst().get("detail");
    assertThat(waiting.get("buildKey").asText()).isEqualTo(key);
    assertThat(waiting.get("retry").asText()).isEqualTo(APPROVE);
    assertThat(waiting.get("reason").asText()).contains("'bob' has no commit access to demo");
    pagureApi.verify(1, getRequestedFor(urlEqualTo("/api/0/demo")));

    // alice approves, and the same approval is delivered twice before the worker runs
    InboundHandler accept = accept("approve");
    var approval = comment("pull-request.comment.added-6", "alice", APPROVE, repos.forkPrHead());
    assertThat(accepted(deliver(accept, approval))).isEqualTo(key);
    assertThat(accepted(deliver(accept, approval))).isEqualTo(key);
    List<Message> both = receiveAll(2);
    assertThat(work(work("approve"), both)).isEmpty();

    assertThat(awsCalls(START_BUILD))
        .singleElement()
        .satisfies(b -> assertThat(WorkerHandlerIT.idempotencyToken(b)).isEqualTo(key));
    assertThat(record(key).state()).isEqualTo(BuildClaims.State.STARTED);
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void anApprovalThatArrivesAfterANewPushBuildsTheApprovedCommitAndTheNewHeadWaits()
      throws Exception {
    String approved = repos.forkPrHead();
    deliver(accept("approve"), delivery("pull-request.new-1", forkPr()));
    workNext(work("approve"));
    // bob pushes a new commit; pagure has not synced refs/pull/1/head yet
    String pushed =
        repos.commit(
            TestRepos.FORK,
            "feature",
            Map.of("late.txt", io.pagureci.inbound.testsupport.TestFile.file("late\n")),
            "late push");
    try {
      deliver(
          accept("approve"), comment("pull-request.comment.added-6", "alice", APPROVE, approved));
      Map<String, String> update = new HashMap<>(forkPr());
      update.put(approved, pushed);
      deliver(accept("approve"), delivery("pull-request.new-1", update));
      List<Message> both = receiveAll(2);
      assertThat(work(work("approve"), both)).isEmpty();

      assertThat(awsCalls(START_BUILD)).hasSize(1);
      assertThat(awsCalls(START_BUILD).getFirst().getBodyAsString())
          .contains(approved)
          .doesNotContain(pushed);
      assertThat(states("AWAITING_APPROVAL"))
          .extracting(e -> e.at("/detail/variables/PAGURE_COMMIT").asText())
          .containsExactly(approved, pushed);
    } finally {
      repos.setRef(TestRepos.FORK, "refs/heads/feature", approved);
    }
  }

  @Test
  void aNonMembersApprovalOrRebuildCommentStartsNothingAndAsksForNoFlag() throws Exception {
    deliver(
        accept("approve"),
        comment("pull-request.comment.added-6", "bob", APPROVE, repos.forkPrHead()));
    deliver(
        accept("approve"),
        comment(
            "pull-request.comment.added-7",
            "bob",
            "pretty please pagure-ci rebuild",
            repos.forkPrHead()));

    assertThat(work(work("approve"), receiveAll(2))).isEmpty();

    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(awsCalls(PUT_EVENTS)).as("no flag asked for, by accept or worker").isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void pagureApiFailuresAreRetriedThenTheLastAttemptReportsWhyAndHowToRetry() throws Exception {
    answerProject(500, "{\"error\": \"Internal Server Error\"}");
    deliver(accept("members"), delivery("pull-request.new-1", forkPr()));
    WorkerHandler worker = work("members");

    assertThat(workNext(worker)).hasSize(1);
    answerProject(200, "<html>maintenance</html>");
    assertThat(workNext(worker)).hasSize(1);
    pagureApi.stubFor(
        get(urlEqualTo("/api/0/demo"))
            .willReturn(aResponse().withFixedDelay(7000).withStatus(200).withBody("{}")));
    assertThat(workNext(worker)).as("the last attempt goes to the DLQ").hasSize(1);

    assertThat(awsCalls(START_BUILD)).isEmpty();
    JsonNode error = states("ERROR").getFirst().get("detail");
    assertThat(error.get("code").asText()).isEqualTo("MEMBERSHIP_CHECK_FAILED");
    assertThat(error.get("reason").asText())
        .contains("commit access of 'bob' to demo could not be checked with pagure's API")
        .contains("gave up after " + MAX_ATTEMPTS + " attempts");
    assertThat(error.get("retry").asText()).isEqualTo("pretty please pagure-ci rebuild");
    assertThat(error.get("attempts").asInt()).isEqualTo(MAX_ATTEMPTS);
  }

  @Test
  void aFailingGroupLookupIsRetriedAndAGroupMemberBuilds() throws Exception {
    ObjectNode project = realDemoProject();
    ((ObjectNode) project.path("access_groups")).putArray("commit").add("demo-devs");
    answerProject(200, project.toString());
    pagureApi.stubFor(
        get(urlEqualTo("/api/0/group/demo-devs")).willReturn(aResponse().withStatus(502)));
    deliver(accept("members"), delivery("pull-request.new-1", forkPr()));
    WorkerHandler worker = work("members");

    assertThat(workNext(worker)).hasSize(1);
    assertThat(awsCalls(START_BUILD)).isEmpty();

    pagureApi.stubFor(
        get(urlEqualTo("/api/0/group/demo-devs"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"creator\": {\"name\": \"alice\"}, \"display_name\": \"devs\","
                            + " \"group_type\": \"user\", \"members\": [\"bob\"],"
                            + " \"name\": \"demo-devs\"}")));
    assertThat(workNext(worker)).isEmpty();
    assertThat(awsCalls(START_BUILD)).hasSize(1);
  }

  /** Receives until {@code n} messages are in hand. */
  List<Message> receiveAll(int n) {
    List<Message> got = new java.util.ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (got.size() < n && System.nanoTime() < until) {
      got.addAll(receive(Duration.ofSeconds(2)));
    }
    assertThat(got).hasSize(n);
    return got;
  }
}
