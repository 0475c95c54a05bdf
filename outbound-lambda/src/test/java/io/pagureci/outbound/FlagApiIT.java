package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.pagureci.outbound.testing.StandIns.awsCalls;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.outbound.domain.ReportFailedException;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.FormEncoder;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handler wired by DependencyFactory (real SDK clients, real HTTP) against WireMock as pagure
 * and AWS.
 */
class FlagApiIT {
  /** The project token of the captures (throw-away value of the capture server). */
  private static final String TOKEN =
      Fixtures.flag("flags/commit_flag_pr_head_form", "request.json")
          .path("headers")
          .path("Authorization")
          .asText()
          .substring("token ".length());

  private static final String COMMIT_FLAG_PATH = "/api/0/demo/c/" + Fixtures.SHA + "/flag";

  private StandIns aws;

  @BeforeEach
  void start() {
    aws = new StandIns();
    aws.secret(TOKEN);
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private OutboundHandler handler(Map<String, String> extra) {
    Map<String, String> env = aws.env();
    env.putAll(extra);
    return new OutboundHandler(DependencyFactory.create(env));
  }

  private OutboundHandler handler() {
    return handler(Map.of());
  }

  private String event(String fixture) {
    return Fixtures.event(fixture, aws.pagureUrl());
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return fields;
  }

  private List<LoggedRequest> flagRequests() {
    return aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/.*")));
  }

  /**
   * The capture's body with our values for the fields that must differ, in the capture's order and
   * encoding.
   */
  private static String captureBodyWith(String flagCase, Map<String, String> ours) {
    String body = Fixtures.flag("flags/" + flagCase, "request.json").path("body").asText();
    StringBuilder out = new StringBuilder();
    for (String pair : body.split("&")) {
      String key = pair.substring(0, pair.indexOf('='));
      if (key.equals("uid") && ours.containsKey("percent") && !body.contains("&percent=")) {
        out.append("&percent=").append(FormEncoder.encode(ours.get("percent")));
      }
      String value =
          ours.containsKey(key)
              ? FormEncoder.encode(ours.get(key))
              : pair.substring(key.length() + 1);
      out.append(out.isEmpty() ? "" : "&").append(key).append('=').append(value);
    }
    return out.toString();
  }

  @Test
  void postsATerminalBuildAsTheCapturedCommitFlagRequest() {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    OutboundHandler handler =
        handler(
            Map.of(
                "FLAG_USERNAME",
                "CI Lambda",
                "BUILD_URL_TEMPLATE",
                "https://ci.example.test/job/{pagureProject}/1/"));

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("success");
    List<LoggedRequest> sent = flagRequests();
    assertThat(sent).hasSize(1);
    LoggedRequest r = sent.get(0);
    JsonNode capture = Fixtures.flag("flags/commit_flag_pr_head_form", "request.json");
    assertThat(r.getUrl()).isEqualTo(capture.path("path").asText());
    assertThat(r.getHeader("Authorization"))
        .isEqualTo(capture.path("headers").path("Authorization").asText());
    assertThat(r.getHeader("Content-Type"))
        .isEqualTo(capture.path("headers").path("Content-Type").asText());
    assertThat(r.getHeader("User-Agent")).isEqualTo("pagure-ci-aws-outbound/1");
    String uid = out.path("uid").asText();
    assertThat(uid).hasSize(32);
    assertThat(r.getBodyAsString())
        .isEqualTo(
            captureBodyWith(
                "commit_flag_pr_head_form",
                Map.of(
                    "comment",
                    "build · passed in 30s",
                    "status",
                    "success",
                    "percent",
                    "100",
                    "uid",
                    uid)));
    assertThat(form(r.getBodyAsString()))
        .containsExactly(
            Map.entry("username", "CI Lambda"),
            Map.entry("comment", "build · passed in 30s"),
            Map.entry("url", "https://ci.example.test/job/demo/1/"),
            Map.entry("status", "success"),
            Map.entry("percent", "100"),
            Map.entry("uid", uid));
    aws.wm.verify(0, awsCalls("CodeBuild_20161006.BatchGetBuilds"));
  }

  @Test
  void usesThePullRequestEndpointLikeTheCapturedPrFlag() {
    aws.wm.stubFor(
        post("/api/0/demo/pull-request/1/flag")
            .willReturn(captured("pr_flag_success_same_uid_form")));
    OutboundHandler handler =
        handler(
            Map.of(
                "FLAG_ENDPOINT",
                "pull-request",
                "FLAG_USERNAME",
                "CI Lambda",
                "BUILD_URL_TEMPLATE",
                "https://ci.example.test/job/{pagureProject}/1/"));

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

    LoggedRequest r = flagRequests().get(0);
    JsonNode capture = Fixtures.flag("flags/pr_flag_success_same_uid_form", "request.json");
    assertThat(r.getUrl()).isEqualTo(capture.path("path").asText());
    assertThat(r.getBodyAsString())
        .isEqualTo(
            captureBodyWith(
                "pr_flag_success_same_uid_form",
                Map.of("comment", "build · passed in 30s", "uid", out.path("uid").asText())));
  }

  @Test
  void confirmsARunningBuildWithCodeBuildAndPostsPendingWithTheDefaultConsoleUrl() {
    aws.build(
        Fixtures.BUILD_ARN,
        "IN_PROGRESS",
        "BUILD",
        List.of(new String[] {"SUBMITTED", "SUCCEEDED"}, new String[] {"BUILD"}),
        StandIns.pagureVars(aws.pagureUrl()));
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));

    JsonNode out = Invoke.handle(handler(), event("codebuild/state-in-progress.json"));

    assertThat(out.path("status").asText()).isEqualTo("pending");
    // once to confirm the build still runs, once more after posting pending (the build may have
    // finished)
    aws.wm.verify(
        2,
        awsCalls("CodeBuild_20161006.BatchGetBuilds")
            .withRequestBody(matchingJsonPath("$.ids[0]", equalTo(Fixtures.BUILD_ARN))));
    Map<String, String> fields = form(flagRequests().get(0).getBodyAsString());
    assertThat(fields)
        .containsEntry("username", "pagure-ci/build")
        // started 12:28:00 (CodeBuild), the event's time 12:28:41 is the latest known moment
        .containsEntry("comment", "build · BUILD 6/9 · 41s")
        .containsEntry("status", "pending")
        .containsEntry("percent", "60")
        .containsEntry(
            "url",
            "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/123456789012"
                + "/projects/pagure-ci-demo/build/pagure-ci-demo%3A6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44/"
                + "?region=eu-west-1");
  }

  @Test
  void aLatePhaseEventOfAFinishedBuildPostsTheFinalStatus() {
    aws.build(
        Fixtures.BUILD_ARN,
        "FAILED",
        "COMPLETED",
        List.of(
            new String[] {"SUBMITTED", "SUCCEEDED"},
            new String[] {"DOWNLOAD_SOURCE", "CLIENT_ERROR"},
            new String[] {"COMPLETED"}),
        StandIns.pagureVars(aws.pagureUrl()));
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));

    JsonNode out = Invoke.handle(handler(), event("codebuild/phase-pre-build-completed.json"));

    assertThat(out.path("status").asText()).isEqualTo("error");
    assertThat(form(flagRequests().get(0).getBodyAsString()))
        // CodeBuild's endTime, not the late event's time
        .containsEntry("comment", "build · error in DOWNLOAD_SOURCE (CLIENT_ERROR) after 1m00s")
        .doesNotContainKey("percent");
  }

  @Test
  void readsPipelineVariablesAndFlagsANamespacedProject() {
    Map<String, String> vars = StandIns.pagureVars(aws.pagureUrl());
    vars.put("PAGURE_PROJECT", "rpms/widget");
    vars.put("PAGURE_PR_ID", "-");
    vars.put("PAGURE_PR_UID", "-");
    aws.pipelineExecution(
        "pagure-ci-pipeline", "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55", "InProgress", vars);
    aws.wm.stubFor(
        post("/api/0/rpms/widget/c/" + Fixtures.SHA + "/flag")
            .willReturn(captured("commit_flag_pr_head_form")));

    JsonNode out =
        Invoke.handle(
            handler(Map.of("PIPELINE_NAMES", "pagure-ci-pipeline")),
            event("codepipeline/execution-started.json"));

    assertThat(out.path("status").asText()).isEqualTo("pending");
    // the variables and state, then a second look after posting pending
    aws.wm.verify(
        2,
        awsCalls("CodePipeline_20150709.GetPipelineExecution")
            .withRequestBody(matchingJsonPath("$.pipelineName", equalTo("pagure-ci-pipeline"))));
    assertThat(form(flagRequests().get(0).getBodyAsString()))
        .containsEntry("username", "pagure-ci/build")
        .containsEntry("comment", "build · running · 0s")
        .containsEntry(
            "url",
            "https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
                + "pagure-ci-pipeline/executions/4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55/timeline?region=eu-west-1");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "commit_flag_malformed_hash, 404 ENOCOMMIT",
    "pr_flag_nonexistent_project, 404 ENOPROJECT",
    "pr_flag_invalid_status, 400 EINVALIDREQ",
    "pr_flag_invalid_url, 400 EINVALIDREQ",
    "pr_flag_nonexistent_pr, 404 ENOREQ"
  })
  void throwsWithoutRetryingWhenPagureRejectsTheFlag(String flagCase, String answer) {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured(flagCase)));
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .isInstanceOfSatisfying(
            ReportFailedException.class,
            e -> {
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage())
                  .contains("pagure rejected POST " + COMMIT_FLAG_PATH + ": " + answer)
                  .doesNotContain(TOKEN);
            });
    assertThat(flagRequests()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"commit_flag_token_without_acl", "pr_flag_expired_token", "pr_flag_invalid_token"})
  void rereadsTheSecretOnceOn401AndThrowsWhenTheTokenIsUnchanged(String flagCase) {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured(flagCase)));
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .isInstanceOf(ReportFailedException.class)
        .hasMessageContaining("401 EINVALIDTOK");
    aws.wm.verify(2, awsCalls("secretsmanager.GetSecretValue"));
    assertThat(flagRequests()).hasSize(1);
  }

  @Test
  void usesTheRotatedTokenAfterA401() {
    String rotated = "ROTATED" + TOKEN.substring(7);
    aws.wm.stubFor(
        StandIns.aws("secretsmanager.GetSecretValue")
            .inScenario("rotation")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("rotated")
            .willReturn(StandIns.amzJson(StandIns.secretValue(TOKEN))));
    aws.wm.stubFor(
        StandIns.aws("secretsmanager.GetSecretValue")
            .inScenario("rotation")
            .whenScenarioStateIs("rotated")
            .willReturn(
                StandIns.amzJson(StandIns.secretValue("{\"token\": \"" + rotated + "\"}"))));
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .withHeader("Authorization", equalTo("token " + TOKEN))
            .willReturn(captured("pr_flag_expired_token")));
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .withHeader("Authorization", equalTo("token " + rotated))
            .willReturn(captured("commit_flag_pr_head_form")));
    OutboundHandler handler = handler();

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));
    Invoke.handle(handler, event("codebuild/state-failed-in-build.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    aws.wm.verify(2, awsCalls("secretsmanager.GetSecretValue"));
    assertThat(flagRequests())
        .extracting(r -> r.getHeader("Authorization"))
        .containsExactly("token " + TOKEN, "token " + rotated, "token " + rotated);
  }

  @Test
  void retriesPagure5xxAnd429WithBackOff() {
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .inScenario("flaky")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("429")
            .willReturn(captured("pr_flag_json_numeric_percent")));
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .inScenario("flaky")
            .whenScenarioStateIs("429")
            .willSetStateTo("ok")
            .willReturn(
                captured("pr_flag_invalid_token").withStatus(429).withHeader("Retry-After", "0")));
    aws.wm.stubFor(
        post(COMMIT_FLAG_PATH)
            .inScenario("flaky")
            .whenScenarioStateIs("ok")
            .willReturn(captured("commit_flag_pr_head_form")));

    JsonNode out = Invoke.handle(handler(), event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    List<LoggedRequest> sent = flagRequests();
    assertThat(sent).hasSize(3);
    assertThat(sent)
        .extracting(LoggedRequest::getBodyAsString)
        .containsOnly(sent.get(0).getBodyAsString());
    aws.wm.verify(1, awsCalls("secretsmanager.GetSecretValue"));
  }

  @Test
  void givesUpAfterTheConfiguredAttemptsAndThrowsARetryableFailure() {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("pr_flag_json_numeric_percent")));
    OutboundHandler handler = handler(Map.of("RETRY_MAX_ATTEMPTS", "3"));

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .isInstanceOfSatisfying(
            ReportFailedException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.httpStatus()).isEqualTo(500);
              assertThat(e.getMessage())
                  .contains("after 3 attempts")
                  .contains("A fatal error occured");
            });
    assertThat(flagRequests()).hasSize(3);
  }

  @Test
  void stopsRetryingWhenTheInvocationHasNoTimeLeftForAnotherAttempt() {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("pr_flag_json_numeric_percent")));
    OutboundHandler handler =
        handler(
            Map.of(
                "RETRY_MAX_ATTEMPTS",
                "10",
                "RETRY_BASE_DELAY_MILLIS",
                "400",
                "PAGURE_TIMEOUT_SECONDS",
                "1"));
    long start = System.nanoTime();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json"), 4_500))
        .isInstanceOfSatisfying(
            ReportFailedException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).contains("no time left in this invocation");
            });

    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isLessThan(java.time.Duration.ofMillis(4_500));
    assertThat(flagRequests()).hasSizeBetween(1, 3);
  }

  @Test
  void cachesTheTokenAcrossEvents() {
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    OutboundHandler handler = handler();

    for (String f :
        List.of(
            "codebuild/state-succeeded.json",
            "codebuild/state-failed-in-build.json",
            "codebuild/state-stopped.json",
            "codebuild/state-timed-out.json")) {
      Invoke.handle(handler, event(f));
    }

    aws.wm.verify(1, awsCalls("secretsmanager.GetSecretValue"));
    assertThat(flagRequests())
        .extracting(r -> form(r.getBodyAsString()).get("status"))
        .containsExactly("success", "failure", "canceled", "failure");
  }

  @Test
  void throwsWhenCodeBuildCannotBeAskedAndPostsNothing() {
    aws.wm.stubFor(
        StandIns.aws("CodeBuild_20161006.BatchGetBuilds")
            .willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", StandIns.AMZ_JSON)
                    .withBody(
                        "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform:"
                            + " codebuild:BatchGetBuilds\"}")));
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-in-progress.json")))
        .hasMessageContaining("codebuild:BatchGetBuilds");
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void throwsWhenTheSecretCannotBeReadWithoutPosting() {
    aws.wm.resetAll();
    aws.wm.stubFor(
        StandIns.aws("secretsmanager.GetSecretValue")
            .willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", StandIns.AMZ_JSON)
                    .withBody(
                        "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't"
                            + " find the specified secret.\"}")));
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .hasMessageContaining("can't find the specified secret");
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void aTokenMapGivesTheFlagsProjectTheTokenOfItsFirstMatchingGlob() {
    aws.wm.resetAll();
    aws.secret("{\"rpms/*\": \"rpms-token\", \"de*\": \"" + TOKEN + "\", \"**\": \"rest\"}");
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));

    JsonNode out = Invoke.handle(handler(), event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(flagRequests())
        .singleElement()
        .satisfies(r -> assertThat(r.getHeader("Authorization")).isEqualTo("token " + TOKEN));
  }

  @Test
  void aTokenMapWithoutTheFlagsProjectPostsNothingAndSaysWhichProjectNeverWhichToken() {
    aws.wm.resetAll();
    aws.secret("{\"rpms/*\": \"RPMSTOKEN\", \"infra/**\": \"INFRATOKEN\"}");
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .isInstanceOf(io.pagureci.outbound.domain.TokenProvider.NoTokenException.class)
        .hasMessageContaining("no token for project 'demo'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TOKEN"));
    assertThat(flagRequests()).isEmpty();
  }

  @Test
  void aMalformedTokenMapPostsNothingAndNeverQuotesTheSecret() {
    aws.wm.resetAll();
    aws.secret("{\"demo\": \"DEMOTOKEN\", \"demo\": \"OTHERTOKEN\"}");
    OutboundHandler handler = handler();

    assertThatThrownBy(() -> Invoke.handle(handler, event("codebuild/state-succeeded.json")))
        .hasMessageContaining("pagure token secret")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TOKEN"));
    assertThat(flagRequests()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"codebuild/state-succeeded-foreign-build.json", "codebuild/state-succeeded.json"})
  void ignoresBuildsThatAreNotOursWithoutCallingAnything(String fixture) {
    OutboundHandler handler = handler(Map.of("CODEBUILD_PROJECTS", "some-other-project"));

    JsonNode out = Invoke.handle(handler, event(fixture));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void ignoresBuildsOfAnotherPagureInstance() {
    JsonNode out = Invoke.handle(handler(), Fixtures.event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(out.path("reason").asText()).contains("PAGURE_INSTANCE");
    assertThat(flagRequests()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "codebuild/state-succeeded.bad-no-build-id.json",
        "codebuild/state-in-progress.bad-truncated.json",
        "codepipeline/execution-started.bad-stage-event.json",
        "codebuild/state-timed-out.bad-array.json"
      })
  void dropsMalformedEventsWithoutRetries(String fixture) {
    JsonNode out = Invoke.handle(handler(), event(fixture));

    assertThat(out.path("outcome").asText()).isEqualTo("dropped");
    assertThat(aws.wm.getAllServeEvents()).isEmpty();
  }

  @Test
  void aPipelineWithoutPagureVariablesIsIgnored() {
    aws.pipelineExecution(
        "pagure-ci-pipeline",
        "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
        "Succeeded",
        Map.of("STAGE", "prod"));

    JsonNode out = Invoke.handle(handler(), event("codepipeline/execution-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("ignored");
    assertThat(flagRequests()).isEmpty();
  }
}
