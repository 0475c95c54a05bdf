package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.pagureci.outbound.testing.StandIns.aws;
import static io.pagureci.outbound.testing.StandIns.awsCalls;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.outbound.domain.LogCommentService;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import io.pagureci.outbound.testing.WorkerRecords;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code LOG_ACCESS=comment} through the handler wired by DependencyFactory: WireMock as pagure,
 * Secrets Manager and CloudWatch Logs' JSON API ({@code Logs_20140328.GetLogEvents}), the build
 * records and the comment ledger in one table on dynalite ({@link WorkerRecords}, the worker's own
 * adapter writing the STARTED record). Every fault ends with exactly one comment on the PR.
 */
class LogCommentIT {
  private static final String TOKEN = "LOGCOMMENTITTOKEN0123456789THROWAWAY";
  private static final String DELIVERY = "c4d5e6f7-0a1b-4c2d-8e3f-405162738495";
  private static final String FLAG = "/api/0/demo/c/" + Fixtures.SHA + "/flag";
  private static final String COMMENT = "/api/0/demo/pull-request/1/comment";
  private static final String PR = "/api/0/demo/pull-request/1";
  private static final String GET_LOG_EVENTS = "Logs_20140328.GetLogEvents";
  private static final String ITEM = "logcomment/" + Fixtures.BUILD_ID;
  private static final String MARKER = "<!-- pagure-ci-aws:log-tail:" + Fixtures.BUILD_ID + " -->";

  private static WorkerRecords records;
  private StandIns aws;
  private WorkerRecords.SdkEndpoint dynamoEndpoint;

  @BeforeAll
  static void startDynamo() {
    records = WorkerRecords.create();
  }

  @BeforeEach
  void start() {
    aws = new StandIns();
    aws.secret(TOKEN);
    aws.wm.stubFor(post(FLAG).willReturn(captured("commit_flag_pr_head_form")));
    dynamoEndpoint = records.pointSdkHere();
    records.delete(Fixtures.BUILD_KEY);
    records
        .client()
        .deleteItem(
            d -> d.tableName(records.table()).key(Map.of("id", AttributeValue.fromS(ITEM))));
    records.started(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA, "codebuild", Fixtures.BUILD_ID);
  }

  @AfterEach
  void stop() {
    aws.close();
    dynamoEndpoint.close();
  }

  private OutboundHandler handler() {
    Map<String, String> env = aws.env();
    env.put("BUILD_RECORDS_TABLE", records.table());
    env.put("ACCOUNT_ID", "123456789012");
    env.put("LOG_ACCESS", "comment");
    env.put("LOG_TAIL_LINES", "20");
    return new OutboundHandler(DependencyFactory.create(env));
  }

  private String failed() {
    return Fixtures.event("codebuild/state-failed-in-build.json", aws.pagureUrl());
  }

  /** The build's log in two GetLogEvents pages, read backwards: the latest page first. */
  private void log() {
    List<String> early = new ArrayList<>();
    early.add("[Container] 2026/11/27 12:28:15.000 Phase complete: PRE_BUILD State: SUCCEEDED");
    early.add("[Container] 2026/11/27 12:28:18.000 Entering phase BUILD");
    early.add("[Container] 2026/11/27 12:28:18.001 Running command make test");
    for (int i = 1; i <= 30; i++) {
      early.add("early test output " + i);
    }
    List<String> late = new ArrayList<>();
    late.add("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE");
    late.add("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    late.add("make: *** [test] Error 2 ``` **not bold**");
    late.add("[Container] 2026/11/27 12:29:00.000 Command did not exit successfully make test");
    late.add("[Container] 2026/11/27 12:29:00.001 Phase complete: BUILD State: FAILED");
    late.add(
        "[Container] 2026/11/27 12:29:00.002 Phase context status code: COMMAND_EXECUTION_ERROR"
            + " Message: Error while executing command: make test. Reason: exit status 2");
    late.add("[Container] 2026/11/27 12:29:30.000 Entering phase POST_BUILD");
    late.add("post build output");
    aws.wm.stubFor(
        aws(GET_LOG_EVENTS)
            .withRequestBody(matchingJsonPath("$.nextToken", absent()))
            .willReturn(StandIns.amzJson(page(late, "f/2", "b/1"))));
    aws.wm.stubFor(
        aws(GET_LOG_EVENTS)
            .withRequestBody(matchingJsonPath("$.nextToken", equalTo("b/1")))
            .willReturn(StandIns.amzJson(page(early, "f/1", "b/0"))));
  }

  private static ObjectNode page(List<String> lines, String forward, String backward) {
    ObjectNode root = Fixtures.JSON.createObjectNode();
    ArrayNode events = root.putArray("events");
    long t = 1795782498000L;
    for (String l : lines) {
      events.addObject().put("timestamp", t).put("message", l + "\n").put("ingestionTime", t + 400);
      t += 10;
    }
    root.put("nextForwardToken", forward).put("nextBackwardToken", backward);
    return root;
  }

  private static ObjectNode pullRequest(boolean withMarker) {
    ObjectNode pr = (ObjectNode) Fixtures.flag("flags/get_pr_details", "response.json").get("json");
    if (withMarker) {
      ((ArrayNode) pr.get("comments"))
          .addObject()
          .put("comment", "**build · failed in BUILD** …\n\n" + MARKER + "\n")
          .put("id", 99)
          .put("notification", false);
    }
    return pr;
  }

  private void pullRequestReads(boolean withMarker) {
    aws.wm.stubFor(
        get(urlEqualTo(PR))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(pullRequest(withMarker).toString())));
  }

  private void commentsAccepted() {
    aws.wm.stubFor(post(urlEqualTo(COMMENT)).willReturn(captured("../comments/pr_comment_added")));
  }

  private List<String> commentsPosted() {
    List<String> out = new ArrayList<>();
    for (LoggedRequest r : aws.wm.findAll(postRequestedFor(urlEqualTo(COMMENT)))) {
      String body = r.getBodyAsString();
      assertThat(body).startsWith("comment=");
      out.add(URLDecoder.decode(body.substring("comment=".length()), StandardCharsets.UTF_8));
    }
    return out;
  }

  private Map<String, AttributeValue> ledger() {
    return records
        .client()
        .getItem(
            g ->
                g.tableName(records.table())
                    .key(Map.of("id", AttributeValue.fromS(ITEM)))
                    .consistentRead(true))
        .item();
  }

  @Test
  void aFailedPullRequestBuildLeavesOneRedactedCommentAndARedeliveredEventNoSecond() {
    log();
    commentsAccepted();

    JsonNode out = Invoke.handle(handler(), failed());
    JsonNode again = Invoke.handle(handler(), failed());

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(again.path("outcome").asText()).isEqualTo("posted");
    aws.wm.verify(2, postRequestedFor(urlEqualTo(FLAG)));
    List<String> comments = commentsPosted();
    assertThat(comments).hasSize(1);
    String c = comments.get(0);
    assertThat(c)
        .startsWith("**build · failed in BUILD after 1m31s** · [build](https://eu-west-1.console")
        .contains("The last 20 lines of the BUILD phase")
        .contains("export AWS_ACCESS_KEY_ID=[redacted]")
        .contains("export AWS_SECRET_ACCESS_KEY=[redacted]")
        .doesNotContain("AKIAIOSFODNN7EXAMPLE")
        .doesNotContain("wJalrXUtnFEMI")
        .contains("early test output 30")
        .doesNotContain("early test output 16\n")
        .contains("Phase context status code: COMMAND_EXECUTION_ERROR")
        .doesNotContain("post build output")
        .contains("\n````\n")
        .endsWith(MARKER + "\n");
    aws.wm.verify(
        1,
        postRequestedFor(urlEqualTo(COMMENT))
            .withHeader("Authorization", equalTo("token " + TOKEN))
            .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded")));
    aws.wm.verify(
        2,
        awsCalls(GET_LOG_EVENTS)
            .withRequestBody(
                matchingJsonPath("$.logGroupName", equalTo("/aws/codebuild/pagure-ci-demo")))
            .withRequestBody(
                matchingJsonPath(
                    "$.logStreamName", equalTo("6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44")))
            .withRequestBody(matchingJsonPath("$.startFromHead", equalTo("false")))
            .withHeader("Content-Type", equalTo("application/x-amz-json-1.1"))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.matching(
                    "AWS4-HMAC-SHA256 Credential=AKIDFAKETESTKEY00000/\\d{8}/eu-west-1/logs/aws4_request,"
                        + " SignedHeaders=.*x-amz-target.*")));
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
    assertThat(ledger().get("buildKey").s()).isEqualTo(Fixtures.BUILD_KEY);
    assertThat(Long.parseLong(ledger().get("expiresAt").n()))
        .isGreaterThan(Instant.now().plusSeconds(29L * 86_400).getEpochSecond());
    aws.wm.verify(0, getRequestedFor(urlEqualTo(PR)));
  }

  @Test
  void aThrottledGetLogEventsIsThrownWithNothingPostedAndTheRetryPostsOnce() {
    aws.wm.stubFor(
        aws(GET_LOG_EVENTS)
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", StandIns.AMZ_JSON)
                    .withBody(
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}")));
    commentsAccepted();

    assertThatThrownBy(() -> Invoke.handle(handler(), failed()))
        .hasMessageContaining("Rate exceeded");
    assertThat(commentsPosted()).isEmpty();
    aws.wm.verify(1, postRequestedFor(urlEqualTo(FLAG)));
    assertThat(ledger().get("state").s()).isEqualTo("POSTING");
    assertThat(ledger().get("leaseUntil").n()).as("released: nothing was posted").isEqualTo("0");

    aws.wm.resetMappings();
    aws.secret(TOKEN);
    aws.wm.stubFor(post(FLAG).willReturn(captured("commit_flag_pr_head_form")));
    log();
    commentsAccepted();
    pullRequestReads(false);
    Invoke.handle(handler(), failed());

    assertThat(commentsPosted()).hasSize(1);
    aws.wm.verify(1, getRequestedFor(urlEqualTo(PR)));
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
  }

  @Test
  void aCommentPostAnswered502IsRepeatedOnlyAfterPagureSaysItHasNoSuchComment() {
    log();
    pullRequestReads(false);
    aws.wm.stubFor(
        post(urlEqualTo(COMMENT))
            .inScenario("502")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(502).withBody("<html>Bad Gateway</html>"))
            .willSetStateTo("up"));
    aws.wm.stubFor(
        post(urlEqualTo(COMMENT))
            .inScenario("502")
            .whenScenarioStateIs("up")
            .willReturn(captured("../comments/pr_comment_added")));

    Invoke.handle(handler(), failed());

    assertThat(commentsPosted()).hasSize(2);
    aws.wm.verify(1, getRequestedFor(urlEqualTo(PR)));
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
    Invoke.handle(handler(), failed());
    assertThat(commentsPosted()).hasSize(2);
  }

  @Test
  void aCommentPostThatTimedOutAfterPagureStoredItIsNotPostedAgain() {
    log();
    pullRequestReads(true); // pagure stored it; only its answer was too late
    aws.wm.stubFor(
        post(urlEqualTo(COMMENT))
            .willReturn(captured("../comments/pr_comment_added").withFixedDelay(3_000)));

    JsonNode out = Invoke.handle(handler(), failed());

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(commentsPosted()).hasSize(1);
    aws.wm.verify(1, getRequestedFor(urlEqualTo(PR)));
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
  }

  @Test
  void aTokenWithoutTheCommentAclIsThrownNotRetriedBlindlyAndTheLeaseReleased() {
    log();
    aws.wm.stubFor(
        post(urlEqualTo(COMMENT)).willReturn(captured("../comments/pr_comment_token_without_acl")));

    assertThatThrownBy(() -> Invoke.handle(handler(), failed()))
        .hasMessageContaining("401 EINVALIDTOK")
        .hasMessageContaining("Missing ACLs: pull_request_comment");
    // one attempt, one token re-read (pagure's 401 may mean a rotated token), nothing more
    assertThat(commentsPosted()).hasSize(1);
    assertThat(ledger().get("leaseUntil").n()).isEqualTo("0");
  }

  @Test
  void twoConcurrentInvocationsForOneBuildLeaveOneCommentAndTheLosersRetryFindsIt()
      throws Exception {
    log();
    aws.wm.stubFor(
        post(urlEqualTo(COMMENT))
            .willReturn(captured("../comments/pr_comment_added").withFixedDelay(800)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      OutboundHandler h = handler();
      results.add(
          pool.submit(
              () -> {
                go.await();
                try {
                  return Invoke.handle(h, failed()).path("outcome").asText();
                } catch (LogCommentService.CommentInProgressException e) {
                  return "in-progress";
                }
              }));
    }
    go.countDown();
    List<String> outcomes = new ArrayList<>();
    for (Future<String> f : results) {
      outcomes.add(f.get());
    }
    pool.shutdown();

    assertThat(outcomes).containsExactlyInAnyOrder("posted", "in-progress");
    assertThat(commentsPosted()).hasSize(1);
    Invoke.handle(handler(), failed()); // Lambda's retry of the loser
    assertThat(commentsPosted()).hasSize(1);
  }

  @Test
  void anInvocationThatDiedAfterItsPostLeavesALeaseWhoseNextHolderFindsTheMarker() {
    log();
    commentsAccepted();
    pullRequestReads(true);
    records
        .client()
        .putItem(
            p ->
                p.tableName(records.table())
                    .item(
                        Map.of(
                            "id", AttributeValue.fromS(ITEM),
                            "state", AttributeValue.fromS("POSTING"),
                            "owner", AttributeValue.fromS("a-dead-invocation"),
                            "leaseUntil",
                                AttributeValue.fromN(
                                    Long.toString(Instant.now().getEpochSecond() - 1)))));

    Invoke.handle(handler(), failed());

    assertThat(commentsPosted()).isEmpty();
    aws.wm.verify(1, getRequestedFor(urlEqualTo(PR)));
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
  }

  @Test
  void anInvocationThatDiedBeforeItsPostIsNotLostTheNextHolderPostsAfterTheLease()
      throws Exception {
    log();
    commentsAccepted();
    pullRequestReads(false);
    long until = Instant.now().getEpochSecond() + 2;
    records
        .client()
        .putItem(
            p ->
                p.tableName(records.table())
                    .item(
                        Map.of(
                            "id", AttributeValue.fromS(ITEM),
                            "state", AttributeValue.fromS("POSTING"),
                            "owner", AttributeValue.fromS("a-dead-invocation"),
                            "leaseUntil", AttributeValue.fromN(Long.toString(until)))));

    assertThatThrownBy(() -> Invoke.handle(handler(), failed()))
        .isInstanceOf(LogCommentService.CommentInProgressException.class);
    assertThat(commentsPosted()).isEmpty();
    while (Instant.now().getEpochSecond() <= until) {
      Thread.sleep(200);
    }
    Invoke.handle(handler(), failed());

    assertThat(commentsPosted()).hasSize(1);
    assertThat(ledger().get("state").s()).isEqualTo("POSTED");
  }
}
