package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.pagureci.outbound.testing.StandIns.awsCalls;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import io.pagureci.outbound.testing.WorkerRecords;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flag provenance through the handler wired by DependencyFactory: a build event is posted only if
 * the build record its {@code PAGURE_BUILD_KEY} names is STARTED with this very build — records
 * written by the worker's own adapter ({@link WorkerRecords}: inbound's {@code DynamoDbBuildClaims}
 * on dynalite), WireMock as pagure, Secrets Manager, CodeBuild and CodePipeline. A principal who
 * may StartBuild with environment overrides, or invoke the function, can name any project in the
 * variables; it cannot make the record.
 */
class ProvenanceIT {
  private static final String TOKEN = "PROVENANCEITTOKEN0123456789THROWAWAY";
  private static final String DELIVERY = "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d";
  private static final String COMMIT_FLAG_PATH = "/api/0/demo/c/" + Fixtures.SHA + "/flag";
  private static final String REAL_UUID = "6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";
  private static final String FORGED_UUID = "0ba5eba1-1111-4222-8333-444455556666";

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
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    dynamoEndpoint = records.pointSdkHere();
    records.delete(Fixtures.BUILD_KEY);
    records.delete(Fixtures.PIPELINE_BUILD_KEY);
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
    return new OutboundHandler(DependencyFactory.create(env));
  }

  private String event(String fixture) {
    return Fixtures.event(fixture, aws.pagureUrl());
  }

  /** The worker started the fixtures' CodeBuild build for the fixtures' key. */
  private static void genuineBuildStarted() {
    records.started(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA, "codebuild", Fixtures.BUILD_ID);
  }

  private int flagsPosted() {
    return aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/.*"))).size();
  }

  @Test
  void theGenuineSucceededEventOfABuildTheWorkerStartedIsPosted() {
    genuineBuildStarted();

    JsonNode out = Invoke.handle(handler(), event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("success");
    aws.wm.verify(
        1,
        postRequestedFor(urlEqualTo(COMMIT_FLAG_PATH))
            .withRequestBody(containing("status=success")));
    aws.wm.verify(0, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
  }

  @Test
  void aForgedSucceededEventForARealProjectWhoseBuildKeyHasNoRecordPostsNoFlag() {
    // a build started by someone else with env overrides: real project and commit, a key the worker
    // never used
    String forged = event("codebuild/state-succeeded.json").replace(REAL_UUID, FORGED_UUID);

    JsonNode out = Invoke.handle(handler(), forged);

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(out.path("reason").asText())
        .isEqualTo(
            "no build record for PAGURE_BUILD_KEY "
                + Fixtures.BUILD_KEY
                + ": not a build this stack started");
    assertThat(flagsPosted()).isZero();
  }

  @Test
  void aForgedSucceededEventReusingTheKeyOfARealBuildPostsNoFlagButTheGenuineOneDoes() {
    genuineBuildStarted();
    // another build of the same project carrying the genuine build's variables, key included
    String forged = event("codebuild/state-succeeded.json").replace(REAL_UUID, FORGED_UUID);

    JsonNode refused = Invoke.handle(handler(), forged);
    JsonNode posted = Invoke.handle(handler(), event("codebuild/state-succeeded.json"));

    assertThat(refused.path("outcome").asText()).isEqualTo("ignored");
    assertThat(refused.path("reason").asText())
        .isEqualTo(
            "the build record of "
                + Fixtures.BUILD_KEY
                + " names codebuild build "
                + Fixtures.BUILD_ID
                + ", not pagure-ci-demo:"
                + FORGED_UUID
                + ": not a build this stack started");
    assertThat(posted.path("outcome").asText()).isEqualTo("posted");
    assertThat(flagsPosted()).isOne();
  }

  @Test
  void aBuildWithoutABuildKeyPostsNoFlag() {
    genuineBuildStarted();
    String noKey = event("codebuild/state-succeeded.json").replace(Fixtures.BUILD_KEY, "-");

    JsonNode out = Invoke.handle(handler(), noKey);

    assertThat(out.path("reason").asText())
        .isEqualTo("no PAGURE_BUILD_KEY: not a build this stack started");
    assertThat(flagsPosted()).isZero();
  }

  @Test
  void aRunningEventWhoseRecordIsOnlyClaimedOrFailedPostsNothingAndAsksCodeBuildNothing() {
    records.claim(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA);
    JsonNode claimed = Invoke.handle(handler(), event("codebuild/state-in-progress.json"));
    records.delete(Fixtures.BUILD_KEY);
    records.failed(Fixtures.BUILD_KEY, DELIVERY, Fixtures.SHA, "HEAD_MOVED", "the head moved on");
    JsonNode failed = Invoke.handle(handler(), event("codebuild/state-succeeded.json"));

    assertThat(claimed.path("reason").asText()).contains("says CLAIMED, not STARTED");
    assertThat(failed.path("reason").asText()).contains("says FAILED, not STARTED");
    assertThat(flagsPosted()).isZero();
    aws.wm.verify(0, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
  }

  @Test
  void anEventOfAnotherAccountIsIgnored() {
    genuineBuildStarted();

    JsonNode out =
        Invoke.handle(
            handler(),
            event("codebuild/state-succeeded.json")
                .replace("\"account\": \"123456789012\"", "\"account\": \"210987654321\""));

    assertThat(out.path("reason").asText())
        .startsWith("account 210987654321 is not this function's account");
    assertThat(flagsPosted()).isZero();
  }

  @Test
  void aPipelineExecutionIsPostedOnlyWhenItsRecordNamesThatExecution() {
    Map<String, String> vars = StandIns.pagureVars(aws.pagureUrl());
    vars.put("PAGURE_BUILD_KEY", Fixtures.PIPELINE_BUILD_KEY);
    aws.pipelineExecution("pagure-ci-pipeline", Fixtures.EXECUTION_ID, "Succeeded", vars);

    JsonNode before = Invoke.handle(handler(), event("codepipeline/execution-succeeded.json"));
    records.started(
        Fixtures.PIPELINE_BUILD_KEY, DELIVERY, Fixtures.SHA, "codepipeline", Fixtures.EXECUTION_ID);
    JsonNode after = Invoke.handle(handler(), event("codepipeline/execution-succeeded.json"));

    assertThat(before.path("reason").asText())
        .isEqualTo(
            "no build record for PAGURE_BUILD_KEY "
                + Fixtures.PIPELINE_BUILD_KEY
                + ": not a build this stack started");
    assertThat(after.path("outcome").asText()).isEqualTo("posted");
    assertThat(after.path("status").asText()).isEqualTo("success");
    assertThat(flagsPosted()).isOne();
  }
}
