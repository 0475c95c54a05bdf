package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.outbound.domain.PagureBuild;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
    assertThat(SecretsManagerTokenProvider.parse(secret)).isEqualTo(token);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"tok\": \"SECRETVALUE\"}",
        "{\"token\": 5}",
        "{SECRETVALUE",
        "SECRET VALUE"
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
