package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PagureTokens;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.BuildPhase;

class AdapterPartsTest {
  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  private static PagureBuild build(String project, Long pr) {
    return new PagureBuild(
        "https://pagure.example.org/", project, null, null, null, SHA, pr, null, null, null, null);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "demo, demo",
    "rpms/widget, rpms/widget",
    "forks/bob/demo, fork/bob/demo",
    "forks/bob/rpms/widget, fork/bob/rpms/widget",
    "c++, c%2B%2B"
  })
  void buildsTheApiPathOfAProject(String fullname, String path) {
    assertThat(PagureFlagApi.apiPath(fullname)).isEqualTo(path);
  }

  @Test
  void choosesTheFlagEndpoint() {
    PagureFlagApi commit = new PagureFlagApi("https://pagure.example.org/", false, null);
    PagureFlagApi pr = new PagureFlagApi("https://pagure.example.org/", true, null);

    assertThat(commit.uri(build("rpms/widget", 7L)))
        .hasToString("https://pagure.example.org/api/0/rpms/widget/c/" + SHA + "/flag");
    assertThat(pr.uri(build("rpms/widget", 7L)))
        .hasToString("https://pagure.example.org/api/0/rpms/widget/pull-request/7/flag");
    assertThat(pr.uri(build("rpms/widget", null)))
        .hasToString("https://pagure.example.org/api/0/rpms/widget/c/" + SHA + "/flag");
  }

  @Test
  void postsTheCiWebhookToTheProjectWithoutTheToken() {
    assertThat(
            new PagureCiWebhook("https://pagure.example.org/", null).uri(build("rpms/widget", 7L)))
        .hasToString("https://pagure.example.org/api/0/ci/webhook/rpms/widget");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "tok3n|tok3n",
        "'  tok3n\n'|tok3n",
        "{\"token\": \"tok3n\"}|tok3n",
        "{\"token\": \"tok3n\", \"note\": \"x\"}|tok3n"
      })
  void readsTheTokenFromEitherSecretFormat(String secret, String token) {
    assertThat(SecretsManagerTokenProvider.parse(secret).forProject("any/project"))
        .isEqualTo(token);
    assertThat(SecretsManagerTokenProvider.parse(secret).forProject("forks/x/y"))
        .as("one token for all")
        .isEqualTo(token);
  }

  @Test
  void aMapOfProjectGlobsGivesEachProjectTheTokenOfItsFirstMatchInWrittenOrder() {
    PagureTokens tokens =
        SecretsManagerTokenProvider.parse(
            "{\"rpms/special\": \"t-special\", \"rpms/*\": \"t-rpms\", \"**\": \"t-rest\"}");

    assertThat(tokens.forProject("rpms/special")).isEqualTo("t-special");
    assertThat(tokens.forProject("rpms/bash")).isEqualTo("t-rpms");
    assertThat(tokens.forProject("rpms/a/b")).as("* is one segment").isEqualTo("t-rest");
    assertThat(tokens.forProject("forks/bob/rpms/bash")).isEqualTo("t-rest");
    assertThat(tokens.toString()).doesNotContain("t-");
  }

  @Test
  void aProjectNoGlobMatchesHasNoTokenAndTheFailureNamesItButNoToken() {
    PagureTokens tokens = SecretsManagerTokenProvider.parse("{\"rpms/*\": \"SECRETVALUE\"}");

    assertThatThrownBy(() -> tokens.forProject("infra/ansible"))
        .isInstanceOf(io.pagureci.outbound.domain.TokenProvider.NoTokenException.class)
        .hasMessageContaining("no token for project 'infra/ansible'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"))
        .satisfies(
            e ->
                assertThat(((io.pagureci.outbound.domain.ReportFailedException) e).retryable())
                    .isFalse());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"token\": 5}",
        "{SECRETVALUE",
        "SECRET VALUE",
        "{}",
        "{\"rpms/*\": 5}",
        "{\"rpms/[\": \"SECRETVALUE\"}",
        "{\" \": \"SECRETVALUE\"}",
        "{\"rpms/*\": \"SECRET VALUE\"}",
        "{\"rpms/*\": \"SECRETVALUE\", \"rpms/*\": \"SECRETOTHER\"}",
        "{\"rpms/*\": \"SECRETVALUE\"} {\"SECRET\": 1}"
      })
  void rejectsUnusableSecretsWithoutQuotingThem(String secret) {
    assertThatThrownBy(() -> SecretsManagerTokenProvider.parse(secret))
        .isInstanceOf(IllegalStateException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
  }

  @Test
  void describesPagureErrorsByCodeAndMessage() {
    assertThat(
            PagureHttp.describe(
                404, "{\"error\": \"Project not found\", \"error_code\": \"ENOPROJECT\"}"))
        .isEqualTo("404 ENOPROJECT: Project not found");
    assertThat(
            PagureHttp.describe(
                400,
                "{\"error\": \"Invalid or incomplete input submitted\", "
                    + "\"error_code\": \"EINVALIDREQ\", \"errors\": {\"url\": [\"Invalid input.\"]}}"))
        .isEqualTo(
            "400 EINVALIDREQ: Invalid or incomplete input submitted {\"url\":[\"Invalid input.\"]}");
    assertThat(PagureHttp.describe(500, "<html>\n<title>500</title>" + "x".repeat(1000)))
        .startsWith("500: <html> <title>500</title>")
        .hasSizeLessThan(320);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "InProgress, IN_PROGRESS",
    "Succeeded, SUCCEEDED",
    "Cancelled, CANCELED",
    "Stopping, STOPPING",
    "Superseded, SUPERSEDED",
    "Failed, FAILED",
    "Stopped, STOPPED"
  })
  void translatesPipelineApiStatusesToEventStates(String api, String event) {
    assertThat(CodePipelineStatusLookup.eventState(api)).isEqualTo(event);
  }

  private static final Instant T0 = Instant.parse("2026-11-27T12:28:00Z");

  @Test
  void aRunningCodeBuildAnswerGivesItsStartAndLatestPhaseTime() {
    Build running =
        Build.builder()
            .buildStatus("IN_PROGRESS")
            .currentPhase("BUILD")
            .buildNumber(42L)
            .startTime(T0)
            .phases(
                BuildPhase.builder()
                    .phaseType("SUBMITTED")
                    .phaseStatus("SUCCEEDED")
                    .startTime(T0)
                    .endTime(T0.plusSeconds(3))
                    .build(),
                BuildPhase.builder().phaseType("BUILD").startTime(T0.plusSeconds(134)).build())
            .build();

    BuildState state = CodeBuildStatusLookup.snapshot(running).state();

    assertThat(state.started()).isEqualTo(T0);
    assertThat(state.at()).isEqualTo(T0.plusSeconds(134));
    assertThat(state.phases().get(0).end()).isEqualTo(T0.plusSeconds(3));
  }

  @Test
  void aFinishedCodeBuildAnswerEndsAtItsEndTimeElseAtCompleted() {
    Build.Builder done =
        Build.builder()
            .buildStatus("SUCCEEDED")
            .startTime(T0)
            .phases(
                BuildPhase.builder()
                    .phaseType("BUILD")
                    .phaseStatus("SUCCEEDED")
                    .startTime(T0)
                    .endTime(T0.plusSeconds(200))
                    .build(),
                BuildPhase.builder().phaseType("COMPLETED").startTime(T0.plusSeconds(242)).build());

    assertThat(
            CodeBuildStatusLookup.snapshot(done.endTime(T0.plusSeconds(243)).build())
                .state()
                .elapsed())
        .isEqualTo(Duration.ofSeconds(243));
    assertThat(CodeBuildStatusLookup.snapshot(done.endTime(null).build()).state().elapsed())
        .isEqualTo(Duration.ofSeconds(242));
    assertThat(
            CodeBuildStatusLookup.snapshot(
                    Build.builder().buildStatus("FAILED").startTime(T0).build())
                .state()
                .elapsed())
        .isNull();
  }

  @Test
  void backOffGrowsExponentiallyWithJitterAndIsBounded() {
    RetryPolicy policy = new RetryPolicy(4, Duration.ofMillis(200));

    for (int i = 0; i < 100; i++) {
      assertThat(policy.delayAfter(1).toMillis()).isBetween(100L, 200L);
      assertThat(policy.delayAfter(2).toMillis()).isBetween(200L, 400L);
      assertThat(policy.delayAfter(3).toMillis()).isBetween(400L, 800L);
      assertThat(policy.delayAfter(30).toMillis()).isBetween(2500L, 5000L);
    }
    assertThat(policy.maxTotalDelay()).isEqualTo(Duration.ofMillis(1400));
  }
}
