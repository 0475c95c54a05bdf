package io.pagureci.inbound.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.inbound.domain.BuildStopper;
import io.pagureci.inbound.domain.BuildStopper.Stop;
import io.pagureci.inbound.domain.CurrentHeads.Build;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;

/**
 * {@link CodeBuildStopper} and {@link CodePipelineStopper} against WireMock speaking the two
 * services' JSON protocols: the exact request, and each answer a stop can get — taken, finished
 * first, transient, refused for good.
 */
class BuildStoppersIT {

  private static final String STOP_BUILD = "CodeBuild_20161006.StopBuild";
  private static final String STOP_EXECUTION = "CodePipeline_20150709.StopPipelineExecution";
  private static final Build BUILD =
      new Build("codebuild", "pagure-ci", "pagure-ci:0d5f3c1e-1111", "key", "a".repeat(40));
  private static final Build EXECUTION =
      new Build("codepipeline", "pagure-ci-pipeline", "5a2b7c1e-2222", "key", "a".repeat(40));

  private WireMockServer aws;
  private CodeBuildClient codeBuild;
  private CodePipelineClient codePipeline;

  @BeforeEach
  void start() {
    aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    aws.start();
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
    codeBuild =
        CodeBuildClient.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(URI.create(aws.baseUrl()))
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .build();
    codePipeline =
        CodePipelineClient.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(URI.create(aws.baseUrl()))
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .build();
  }

  @AfterEach
  void stop() {
    codeBuild.close();
    codePipeline.close();
    aws.stop();
  }

  private void answer(String target, int status, String body) {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(target))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(body)));
  }

  @Test
  void codeBuildStopsExactlyTheNamedBuild() throws Exception {
    answer(STOP_BUILD, 200, "{\"build\": {\"id\": \"x\", \"buildStatus\": \"IN_PROGRESS\"}}");

    assertThat(new CodeBuildStopper(codeBuild).stop(BUILD, "superseded by bbbbbbb"))
        .isEqualTo(Stop.STOPPED);
    aws.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(STOP_BUILD))
            .withRequestBody(equalToJson("{\"id\": \"pagure-ci:0d5f3c1e-1111\"}")));
  }

  @Test
  void aCodeBuildBuildThatCompletedKeepsItsResult() throws Exception {
    answer(
        STOP_BUILD,
        400,
        "{\"__type\": \"InvalidInputException\", \"message\": \"Build is not in progress\"}");
    assertThat(new CodeBuildStopper(codeBuild).stop(BUILD, "PR closed"))
        .isEqualTo(Stop.ALREADY_FINISHED);

    answer(STOP_BUILD, 200, "{\"build\": {\"id\": \"x\", \"buildStatus\": \"SUCCEEDED\"}}");
    assertThat(new CodeBuildStopper(codeBuild).stop(BUILD, "PR closed"))
        .isEqualTo(Stop.ALREADY_FINISHED);
  }

  @Test
  void codeBuildFailuresAreTransientOrPermanentAsTheyAre() {
    answer(STOP_BUILD, 503, "{\"__type\": \"ServiceUnavailableException\", \"message\": \"x\"}");
    assertThatThrownBy(() -> new CodeBuildStopper(codeBuild).stop(BUILD, "PR closed"))
        .isInstanceOfSatisfying(
            BuildStopper.StopException.class, e -> assertThat(e.transientFailure()).isTrue())
        .hasMessageContaining("StopBuild of pagure-ci:0d5f3c1e-1111");

    answer(STOP_BUILD, 400, "{\"__type\": \"AccessDeniedException\", \"message\": \"no\"}");
    assertThatThrownBy(() -> new CodeBuildStopper(codeBuild).stop(BUILD, "PR closed"))
        .isInstanceOfSatisfying(
            BuildStopper.StopException.class, e -> assertThat(e.transientFailure()).isFalse());

    answer(STOP_BUILD, 400, "{\"__type\": \"ResourceNotFoundException\", \"message\": \"gone\"}");
    assertThatThrownBy(() -> new CodeBuildStopper(codeBuild).stop(BUILD, "PR closed"))
        .isInstanceOfSatisfying(
            BuildStopper.StopException.class, e -> assertThat(e.transientFailure()).isFalse());
  }

  @Test
  void aPipelineExecutionIsStoppedWithItsReason() throws Exception {
    answer(STOP_EXECUTION, 200, "{\"pipelineExecutionId\": \"5a2b7c1e-2222\"}");

    assertThat(new CodePipelineStopper(codePipeline).stop(EXECUTION, "superseded by bbbbbbb"))
        .isEqualTo(Stop.STOPPED);
    aws.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(STOP_EXECUTION))
            .withRequestBody(
                equalToJson(
                    "{\"pipelineName\": \"pagure-ci-pipeline\", \"pipelineExecutionId\":"
                        + " \"5a2b7c1e-2222\", \"abandon\": false, \"reason\": \"superseded by"
                        + " bbbbbbb\"}")));
  }

  @Test
  void aFinishedOrStoppingExecutionKeepsItsResultAndOtherFailuresAreTold() {
    for (String type :
        new String[] {"PipelineExecutionNotStoppableException", "DuplicatedStopRequestException"}) {
      answer(STOP_EXECUTION, 400, "{\"__type\": \"" + type + "\", \"message\": \"done\"}");
      try {
        assertThat(new CodePipelineStopper(codePipeline).stop(EXECUTION, "PR merged"))
            .as(type)
            .isEqualTo(Stop.ALREADY_FINISHED);
      } catch (BuildStopper.StopException e) {
        throw new AssertionError(type, e);
      }
    }
    answer(STOP_EXECUTION, 400, "{\"__type\": \"PipelineNotFoundException\", \"message\": \"x\"}");
    assertThatThrownBy(() -> new CodePipelineStopper(codePipeline).stop(EXECUTION, "PR merged"))
        .isInstanceOfSatisfying(
            BuildStopper.StopException.class, e -> assertThat(e.transientFailure()).isFalse());
  }
}
