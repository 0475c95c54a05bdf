package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real wiring builds each client on first use: a terminal CodeBuild event (its build record,
 * the secret, the pagure POST) builds the DynamoDB and Secrets Manager clients but never the
 * CodeBuild or CodePipeline client — since provenance (docs/outbound.md), build events need the
 * DynamoDB client too —, and a request event builds DynamoDB's but no build service's.
 */
class LazyClientsIT {
  private static final String COMMIT_FLAG_PATH = "/api/0/demo/c/" + Fixtures.SHA + "/flag";
  private static final String GET_ITEM = "DynamoDB_20120810.GetItem";

  private StandIns aws;

  @BeforeEach
  void start() {
    aws = new StandIns();
    aws.secret("LAZYCLIENTSTESTTOKEN");
    aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    aws.startedRecord(Fixtures.BUILD_KEY, "codebuild", Fixtures.BUILD_ID);
  }

  @AfterEach
  void stop() {
    aws.close();
  }

  private String event(String fixture) {
    return Fixtures.event(fixture, aws.pagureUrl());
  }

  /** The stack's environment with the build records configured (WireMock plays DynamoDB here). */
  private Map<String, String> env() {
    Map<String, String> env = aws.env();
    env.put("BUILD_RECORDS_TABLE", "PagureCi-BuildRecordsTable-AbCdEf123456");
    return env;
  }

  @Test
  void initBuildsNoClient() {
    DependencyFactory factory = DependencyFactory.fromEnv(env());
    factory.wire();

    assertThat(factory.secretsManagerBuilt()).isFalse();
    assertThat(factory.codeBuildBuilt()).isFalse();
    assertThat(factory.codePipelineBuilt()).isFalse();
    assertThat(factory.dynamoDbBuilt()).isFalse();
  }

  @Test
  void aTerminalCodeBuildEventBuildsTheDynamoDbAndSecretsManagerClientsButNoBuildServiceClient() {
    DependencyFactory factory = DependencyFactory.fromEnv(env());
    OutboundHandler handler = new OutboundHandler(factory.wire());

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    aws.wm.verify(1, StandIns.awsCalls(GET_ITEM));
    assertThat(factory.secretsManagerBuilt()).isTrue();
    assertThat(factory.dynamoDbBuilt()).as("the build record is read: one GetItem").isTrue();
    assertThat(factory.codeBuildBuilt()).isFalse();
    assertThat(factory.codePipelineBuilt()).isFalse();
  }

  @Test
  void withoutBuildRecordsATerminalCodeBuildEventBuildsOnlyTheSecretsManagerClient() {
    DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
    OutboundHandler handler = new OutboundHandler(factory.wire());

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(factory.secretsManagerBuilt()).isTrue();
    assertThat(factory.dynamoDbBuilt()).isFalse();
    assertThat(factory.codeBuildBuilt()).isFalse();
  }

  @Test
  void aRequestEventBuildsTheDynamoDbClientButNoBuildServiceClient() {
    // no item: DynamoDB answers GetItem with an empty object
    aws.wm.stubFor(
        StandIns.aws(GET_ITEM)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody("{}")));
    DependencyFactory factory = DependencyFactory.fromEnv(env());
    OutboundHandler handler = new OutboundHandler(factory.wire());

    JsonNode out = Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(out.path("status").asText()).isEqualTo("pending");
    aws.wm.verify(2, StandIns.awsCalls(GET_ITEM));
    assertThat(factory.dynamoDbBuilt()).isTrue();
    assertThat(factory.secretsManagerBuilt()).isTrue();
    assertThat(factory.codeBuildBuilt()).isFalse();
    assertThat(factory.codePipelineBuilt()).isFalse();
  }

  @Test
  void aRunningCodeBuildEventBuildsTheCodeBuildClientButNotCodePipelines() {
    aws.build(
        Fixtures.BUILD_ARN,
        "IN_PROGRESS",
        "BUILD",
        List.<String[]>of(new String[] {"SUBMITTED", "SUCCEEDED"}, new String[] {"BUILD"}),
        StandIns.pagureVars(aws.pagureUrl()));
    DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
    OutboundHandler handler = new OutboundHandler(factory.wire());

    JsonNode out = Invoke.handle(handler, event("codebuild/state-in-progress.json"));

    assertThat(out.path("status").asText()).isEqualTo("pending");
    assertThat(factory.codeBuildBuilt()).isTrue();
    assertThat(factory.codePipelineBuilt()).isFalse();
  }

  @Test
  void aDroppedEventBuildsNoClient() {
    DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
    OutboundHandler handler = new OutboundHandler(factory.wire());

    JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.bad-no-build-id.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("dropped");
    assertThat(factory.secretsManagerBuilt()).isFalse();
    assertThat(factory.codeBuildBuilt()).isFalse();
    assertThat(factory.codePipelineBuilt()).isFalse();
  }

  @Test
  void aConfigurationErrorStillFailsAtInit() {
    Map<String, String> env = aws.env();
    env.remove("PAGURE_URL");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DependencyFactory.fromEnv(env))
        .hasMessageContaining("PAGURE_URL");
  }
}
