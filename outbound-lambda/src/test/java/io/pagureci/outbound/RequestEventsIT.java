package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.pagureci.outbound.testing.StandIns.awsCalls;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.ReportFailedException;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.FormEncoder;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import io.pagureci.outbound.testing.WorkerRecords;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Request events (docs/queue.md §4) through the handler wired by DependencyFactory: WireMock as
 * pagure, Secrets Manager and CodeBuild, dynalite holding the build-records table, written by the
 * worker's own adapter ({@link WorkerRecords}: inbound's {@code DynamoDbBuildClaims}; the real
 * DynamoDB client reaches dynalite through the SDK's own {@code aws.endpointUrlDynamoDb}); the
 * exact form bodies pagure received.
 */
class RequestEventsIT {
  private static final String TOKEN = "REQUESTEVENTSTOKEN0123456789THROWAWAY";
  private static final String BUILD_KEY =
      "3f9c2a7e5b1d4c8f0a6e2b9d7c5a3f1e8b4d6c0a2e9f7b5d3c1a8e6f4b2d0c9a";
  private static final String DELIVERY = "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d";
  private static final String BUILD_ID = "pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";
  private static final String COMMIT_FLAG_PATH = "/api/0/demo/c/" + Fixtures.SHA + "/flag";

  /** What the real handler posts for this commit and target: the uid of the build's own flag. */
  private static final String UID = "pci-15b929dd6bf7e894f27d2127552b";

  private static WorkerRecords records;

  /**
   * pagure's flag API answering like pagure; the first flag it receives is the moment the worker
   * starts the build.
   */
  static final class BuildStartsWhileTheQueuedFlagIsPosted
      implements ResponseDefinitionTransformerV2 {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String getName() {
      return "build-starts-meanwhile";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      if (calls.incrementAndGet() == 1) {
        buildStarted();
      }
      return serveEvent.getResponseDefinition();
    }
  }

  private final BuildStartsWhileTheQueuedFlagIsPosted buildStarts =
      new BuildStartsWhileTheQueuedFlagIsPosted();
  private StandIns aws;
  private WorkerRecords.SdkEndpoint dynamoEndpoint;

  @BeforeAll
  static void startDynamo() {
    records = WorkerRecords.create();
  }

  @BeforeEach
  void start() {
    aws = new StandIns(buildStarts);
    aws.secret(TOKEN);
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    // the DynamoDB client alone goes to dynalite; every other service to WireMock (aws.endpointUrl)
    dynamoEndpoint = records.pointSdkHere();
    records.delete(BUILD_KEY);
    records.delete(Fixtures.BUILD_KEY);
  }

  @AfterEach
  void stop() {
    aws.close();
    dynamoEndpoint.close();
  }

  private OutboundHandler handler(Map<String, String> extra) {
    Map<String, String> env = aws.env();
    env.put("BUILD_RECORDS_TABLE", records.table());
    env.put("ACCOUNT_ID", "123456789012");
    env.put("CODEBUILD_PROJECTS", "pagure-ci-demo");
    env.putAll(extra);
    return new OutboundHandler(DependencyFactory.create(env));
  }

  private OutboundHandler handler() {
    return handler(Map.of());
  }

  private String event(String fixture) {
    return Fixtures.event(fixture, aws.pagureUrl());
  }

  /**
   * What the worker writes when it has started the build: claim, then started (project:uuid, as
   * StartBuild).
   */
  private static void buildStarted() {
    records.started(BUILD_KEY, DELIVERY, Fixtures.SHA, "codebuild", BUILD_ID);
  }

  private List<LoggedRequest> flagRequests() {
    return aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/.*")));
  }

  /** A form body as pagure's own clients encode it, fields in pagure's order. */
  private static String form(Map<String, String> fields) {
    StringBuilder s = new StringBuilder();
    fields.forEach(
        (k, v) ->
            s.append(s.isEmpty() ? "" : "&").append(k).append('=').append(FormEncoder.encode(v)));
    return s.toString();
  }

  private String flagBody(String comment, String status, String percent) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("username", "pagure-ci/build");
    f.put("comment", comment);
    f.put(
        "url",
        !comment.contains(" · queued") && !comment.contains(" · could not start")
            ? "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/"
                + "123456789012/projects/pagure-ci-demo/build/pagure-ci-demo%3A6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44/"
                + "?region=eu-west-1"
            : aws.pagureUrl() + "demo/pull-request/1");
    f.put("status", status);
    if (percent != null) {
      f.put("percent", percent);
    }
    f.put("uid", UID);
    return form(f);
  }

  private static final String QUEUED = "build · queued — waiting for a build slot";

  @Test
  void aQueuedRequestWithoutABuildRecordPostsThePendingQueuedFlag() {
    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("pending");
    assertThat(out.path("uid").asText()).isEqualTo(UID);
    aws.wm.verify(
        1,
        postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH))
            .withHeader("Authorization", equalTo("token " + TOKEN))
            .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
            .withRequestBody(equalTo(flagBody(QUEUED, "pending", null))));
    assertThat(flagRequests()).hasSize(1);
    aws.wm.verify(0, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
  }

  @Test
  void anErrorRequestPostsTheErrorFlagWithItsReasonAndTheRebuildPhrase() {
    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/error-head-moved.json"));

    assertThat(out.path("status").asText()).isEqualTo("error");
    aws.wm.verify(
        1,
        postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH))
            .withRequestBody(
                equalTo(
                    flagBody(
                        "build · could not start the build — the pull request's head moved on before the"
                            + " build could start (HEAD_MOVED). Comment \"pretty please pagure-ci rebuild\" to try again.",
                        "error",
                        null))));
    assertThat(flagRequests()).hasSize(1);
  }

  @Test
  void aRequestWhoseBuildRecordSaysStartedPostsNothing() {
    buildStarted();

    JsonNode queued = Invoke.handle(handler(), event("pagure-ci-aws/queued-pull-request.json"));
    JsonNode error = Invoke.handle(handler(), event("pagure-ci-aws/error-head-moved.json"));

    assertThat(queued.path("outcome").asText()).isEqualTo("ignored");
    assertThat(queued.path("reason").asText()).contains("STARTED");
    assertThat(error.path("outcome").asText()).isEqualTo("ignored");
    assertThat(flagRequests()).isEmpty();
    aws.wm.verify(0, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
  }

  @Test
  void anItemThatIsNotABuildRecordMakesTheInvocationFailAndPostsNothing() {
    // no state (the worker always writes one): neither "started" nor "not started" can be told
    records.putRaw(
        BUILD_KEY,
        Map.of(
            "target",
            AttributeValue.fromS("codebuild"),
            "buildId",
            AttributeValue.fromS(BUILD_ID),
            "commit",
            AttributeValue.fromS(Fixtures.SHA)));

    assertThatThrownBy(
            () -> Invoke.handle(handler(), event("pagure-ci-aws/queued-pull-request.json")))
        .isInstanceOf(BuildRecordLookup.UnreadableRecordException.class)
        .hasMessageContaining("attribute state is missing");
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void aFailedRecordOfAnEarlierDeliveryDoesNotStopTheErrorFlag() {
    records.failed(
        BUILD_KEY, DELIVERY, Fixtures.SHA, "HEAD_MOVED", "the pull request's head moved on");

    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/error-head-moved.json"));

    assertThat(out.path("status").asText()).isEqualTo("error");
    assertThat(flagRequests()).hasSize(1);
  }

  @Test
  void aClaimedRecordDoesNotStopTheQueuedFlag() {
    records.claim(BUILD_KEY, DELIVERY, Fixtures.SHA);

    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(out.path("status").asText()).isEqualTo("pending");
    aws.wm.verify(
        1,
        postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH))
            .withRequestBody(equalTo(flagBody(QUEUED, "pending", null))));
  }

  @Test
  void aBuildThatStartsWhileTheQueuedFlagIsPostedEndsWithTheBuildsStateOnTheSameFlag() {
    aws.wm.resetMappings();
    aws.secret(TOKEN);
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .willReturn(
                captured("commit_flag_pr_head_form").withTransformers("build-starts-meanwhile")));
    // the record names the build by id (project:uuid), as StartBuild answers it
    aws.wm.stubFor(
        StandIns.aws("CodeBuild_20161006.BatchGetBuilds")
            .withRequestBody(matchingJsonPath("$.ids[0]", equalTo(BUILD_ID)))
            .willReturn(
                StandIns.amzJson(
                    StandIns.batchGetBuilds(
                        Fixtures.BUILD_ARN,
                        "SUCCEEDED",
                        "COMPLETED",
                        List.of(
                            new String[] {"SUBMITTED", "SUCCEEDED"},
                            new String[] {"BUILD", "SUCCEEDED"},
                            new String[] {"COMPLETED"}),
                        StandIns.pagureVars(aws.pagureUrl())))));
    String logs;
    JsonNode out;
    PrintStream realOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      out = Invoke.handle(handler(), event("pagure-ci-aws/queued-pull-request.json"));
    } finally {
      System.setOut(realOut);
      logs = captured.toString(StandardCharsets.UTF_8);
      realOut.print(logs);
    }

    assertThat(out.path("status").asText()).isEqualTo("success");
    assertThat(flagRequests())
        .extracting(LoggedRequest::getBodyAsString)
        .containsExactly(
            flagBody(QUEUED, "pending", null),
            // CodeBuild's own start and end (BatchGetBuilds), not the request event's time
            flagBody("build · passed in 1m00s", "success", "100"));
    aws.wm.verify(1, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
    List<String> decisions = logs.lines().filter(l -> l.contains("\"decision\":")).toList();
    assertThat(decisions)
        .hasSize(2)
        .allMatch(l -> l.contains("\"deliveryId\":\"" + DELIVERY + "\""));
    assertThat(logs).doesNotContain(TOKEN);
  }

  @Test
  void theQueuedFlagAndTheBuildsLaterFlagAreOneFlag() {
    OutboundHandler handler = handler();

    JsonNode queued = Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json"));
    // the worker starts the build (the fixture build's key and id), then its final event arrives
    records.started(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA, "codebuild", BUILD_ID);
    JsonNode built = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

    assertThat(queued.path("uid").asText()).isEqualTo(built.path("uid").asText()).isEqualTo(UID);
    List<LoggedRequest> sent = flagRequests();
    assertThat(sent).extracting(LoggedRequest::getUrl).containsOnly(COMMIT_FLAG_PATH);
    assertThat(sent)
        .extracting(LoggedRequest::getBodyAsString)
        .containsExactly(
            flagBody(QUEUED, "pending", null), flagBody("build · passed in 30s", "success", "100"));
  }

  @Test
  void pagureFailingOnTheQueuedFlagMakesTheInvocationFailSoLambdaRetries() {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("pr_flag_json_numeric_percent")));
    OutboundHandler handler = handler(Map.of("RETRY_MAX_ATTEMPTS", "2"));

    assertThatThrownBy(
            () -> Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json")))
        .isInstanceOfSatisfying(
            ReportFailedException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.httpStatus()).isEqualTo(500);
              assertThat(e.getMessage()).contains("after 2 attempts").doesNotContain(TOKEN);
            });
    aws.wm.verify(
        2,
        postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH))
            .withRequestBody(containing("status=pending")));
  }

  @Test
  void throwsWhenTheBuildRecordsCannotBeReadAndPostsNothing() {
    OutboundHandler handler = handler(Map.of("BUILD_RECORDS_TABLE", "outbound-no-such-table"));

    assertThatThrownBy(
            () -> Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void withoutBuildRecordsARequestEventIsIgnoredAndNothingIsCalled() {
    Map<String, String> env = aws.env();
    OutboundHandler handler = new OutboundHandler(DependencyFactory.create(env));

    JsonNode out = Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(out.path("reason").asText()).startsWith("BUILD_RECORDS_TABLE is not set");
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void theCiWebhookReporterIgnoresRequestEvents() {
    JsonNode out =
        Invoke.handle(
            handler(Map.of("REPORTER", "ci-webhook")),
            event("pagure-ci-aws/error-head-moved.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(out.path("reason").asText()).startsWith("REPORTER=ci-webhook");
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void anEventOfAnotherAccountIsIgnoredWithoutReadingTheRecord() {
    JsonNode out =
        Invoke.handle(
            handler(), event("pagure-ci-aws/queued-pull-request.bad-foreign-account.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(out.path("reason").asText()).contains("210987654321");
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aDroppedSupersededRequestPostsACanceledFlagOnTheBuildsOwnUid() {
    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/canceled-superseded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("canceled");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("username", "pagure-ci/build");
    f.put("comment", "build · canceled — superseded by 5b7fb6a (not built)");
    f.put("url", aws.pagureUrl() + "demo/pull-request/1");
    f.put("status", "canceled");
    f.put("uid", UID);
    aws.wm.verify(
        1, postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH)).withRequestBody(equalTo(form(f))));
    assertThat(flagRequests()).hasSize(1);
  }

  @Test
  void aCanceledRequestWhoseBuildStartedPostsNothing() {
    buildStarted();

    JsonNode out = Invoke.handle(handler(), event("pagure-ci-aws/canceled-superseded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void theStoppedEventOfABuildTheWorkerStoppedSaysWhyFromItsRecord() {
    records.started(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA, "codebuild", BUILD_ID);
    records.stopping(Fixtures.BUILD_KEY, BUILD_ID, "superseded by 5b7fb6a");

    JsonNode out = Invoke.handle(handler(), event("codebuild/state-stopped.json"));

    assertThat(out.path("status").asText()).isEqualTo("canceled");
    List<LoggedRequest> flags = flagRequests();
    assertThat(flags).singleElement();
    assertThat(
            java.net.URLDecoder.decode(flags.getFirst().getBodyAsString(), StandardCharsets.UTF_8))
        .contains("comment=build · canceled — superseded by 5b7fb6a (stopped")
        .contains("status=canceled")
        .contains("uid=" + UID);
  }
}
