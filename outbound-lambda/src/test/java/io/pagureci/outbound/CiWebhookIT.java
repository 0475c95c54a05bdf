package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.outbound.domain.ReportFailedException;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import io.pagureci.outbound.testing.StatusSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REPORTER=ci-webhook: the JSON status document, the CI token in a header, against WireMock. */
class CiWebhookIT {
  private static final String CI_TOKEN = "CITOKEN0123456789THROWAWAY";
  private static final String PATH = "/api/0/ci/webhook/demo";

  private StandIns aws;
  private OutboundHandler handler;

  @BeforeEach
  void start() {
    aws = new StandIns();
    aws.secret("{\"token\": \"" + CI_TOKEN + "\"}");
    Map<String, String> env = aws.env();
    env.put("REPORTER", "ci-webhook");
    handler = new OutboundHandler(DependencyFactory.create(env));
    aws.wm.stubFor(
        post(PATH)
            .willReturn(
                aResponse()
                    .withStatus(202)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\": \"Status recorded\"}")));
    aws.build(
        Fixtures.BUILD_ARN,
        "IN_PROGRESS",
        "INSTALL",
        List.of(new String[] {"SUBMITTED", "SUCCEEDED"}, new String[] {"INSTALL"}),
        StandIns.pagureVars(aws.pagureUrl()));
    aws.pipelineExecution(
        "pagure-ci-pipeline",
        "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
        "Succeeded",
        StandIns.pagureVars(aws.pagureUrl()));
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private List<LoggedRequest> sent() {
    return aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/.*")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "codebuild/state-in-progress.json",
        "codebuild/phase-pre-build-completed.json",
        "codebuild/state-succeeded.json",
        "codebuild/state-failed-in-build.json",
        "codebuild/state-failed-client-error.json",
        "codebuild/state-stopped.json",
        "codebuild/state-timed-out.json",
        "codepipeline/execution-started.json",
        "codepipeline/execution-succeeded.json",
        "codepipeline/execution-failed.json",
        "codepipeline/execution-superseded.json"
      })
  void postsADocumentThatFollowsTheSchemaWithTheTokenInTheHeaderOnly(String fixture)
      throws Exception {
    JsonNode out = Invoke.handle(handler, Fixtures.event(fixture, aws.pagureUrl()));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    List<LoggedRequest> sent = sent();
    assertThat(sent).hasSize(1);
    LoggedRequest r = sent.get(0);
    assertThat(r.getUrl()).isEqualTo(PATH).doesNotContain(CI_TOKEN);
    assertThat(r.getHeader("Authorization")).isEqualTo("token " + CI_TOKEN);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/json");
    JsonNode doc = Fixtures.JSON.readTree(r.getBodyAsString());
    assertThat(StatusSchema.violations(doc)).isEmpty();
    assertThat(r.getBodyAsString()).doesNotContain(CI_TOKEN);
    assertThat(doc.path("instance").asText()).isEqualTo(aws.pagureUrl());
    assertThat(doc.path("commit").asText()).isEqualTo(Fixtures.SHA);
    assertThat(doc.path("flag").path("uid").asText()).isEqualTo(out.path("uid").asText());
  }

  @Test
  void aSucceededCodeBuildDocumentSaysSo() throws Exception {
    Invoke.handle(handler, Fixtures.event("codebuild/state-succeeded.json", aws.pagureUrl()));

    JsonNode doc = Fixtures.JSON.readTree(sent().get(0).getBodyAsString());
    assertThat(doc.path("flag").path("status").asText()).isEqualTo("success");
    assertThat(doc.path("flag").path("percent").asInt()).isEqualTo(100);
    assertThat(doc.path("flag").path("username").asText()).isEqualTo("pagure-ci/build");
    assertThat(doc.path("flag").path("comment").asText()).isEqualTo("build · passed in 30s");
    assertThat(doc.path("pull_request").path("id").asInt()).isEqualTo(1);
    assertThat(doc.path("pull_request").path("uid").asText())
        .isEqualTo("b4cbb5d7a5c5491fbc5bb7b9fbd4d2f5");
    assertThat(doc.path("trigger").asText()).isEqualTo("pull-request");
    assertThat(doc.path("build").path("system").asText()).isEqualTo("codebuild");
    assertThat(doc.path("build").path("id").asText()).isEqualTo(Fixtures.BUILD_ARN);
    assertThat(doc.path("build").path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(doc.path("build").path("finished").asBoolean()).isTrue();
  }

  @Test
  void aRejectionSaysWhatPagureAnswered() {
    aws.wm.stubFor(post(PATH).willReturn(StandIns.captured("pr_flag_nonexistent_project")));

    assertThatThrownBy(
            () ->
                Invoke.handle(
                    handler, Fixtures.event("codebuild/state-succeeded.json", aws.pagureUrl())))
        .isInstanceOf(ReportFailedException.class)
        .hasMessageContaining("404 ENOPROJECT: Project not found")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(CI_TOKEN));
  }
}
