package io.pagureci.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.testkit.FunctionProcess;
import io.pagureci.testkit.LocalLambdaRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbound jar's contract with the Lambda runtime, through the real runtime interface client: a
 * configuration it cannot use is an init error naming the variable; a status pagure does not take
 * is an invocation error (so EventBridge's async invoke retries and then goes to the on-failure
 * destination), and the same execution environment goes on serving the next event; an event that is
 * not a build event is answered, not retried.
 */
class OutboundUnderTheRuntimeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";
  private static final String TOKEN_SECRET = "pagure-ci/pagure-token";
  private static final String TOKEN =
      "E2EQX7TOKENVN3K8J2M5P9R4T6W1Y0ZB7C3D5F8G2H4J6K9L1M3N5P7Q9R2S4T6V";
  private static final String SHA = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";

  static Path work;

  static PagureStandIn pagure;
  static AwsStandIn aws;
  static FunctionProcess outbound;

  @BeforeAll
  static void start() throws IOException {
    work = WorkDirs.fresh(OutboundUnderTheRuntimeIT.class);
    pagure = new PagureStandIn();
    aws = new AwsStandIn();
    aws.secret(TOKEN_SECRET, TOKEN);
    outbound =
        FunctionProcess.start(
            new FunctionProcess.Spec("pagure-ci-outbound", jar(), HANDLER, env()),
            Files.createDirectories(work.resolve("outbound")));
  }

  @AfterAll
  static void stop() {
    if (outbound != null) {
      outbound.close();
    }
    aws.close();
    pagure.close();
  }

  private static Path jar() {
    return Path.of(
        System.getProperty("outbound.function.jar", "../outbound-lambda/target/function.jar"));
  }

  private static Map<String, String> env() {
    Map<String, String> env = new TreeMap<>();
    env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    env.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    env.put("AWS_ENDPOINT_URL_CODEPIPELINE", aws.endpoint());
    env.put("PAGURE_URL", pagure.baseUri().toString());
    env.put("PAGURE_TOKEN_SECRET_ID", TOKEN_SECRET);
    env.put("RETRY_MAX_ATTEMPTS", "2");
    env.put("RETRY_BASE_DELAY_MILLIS", "10");
    return env;
  }

  /** The StartBuild request the inbound function sends for {@link #SHA} (PR #4 of demo). */
  private static JsonNode startBuild() {
    ObjectNode start =
        JSON.createObjectNode()
            .put("projectName", "pagure-ci-demo")
            .put("sourceTypeOverride", "S3")
            .put("sourceLocationOverride", "pagure-ci-source/source/demo/pr/4/" + SHA + ".zip")
            .put("sourceVersion", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY");
    ArrayNode vars = start.putArray("environmentVariablesOverride");
    Map.of(
            "PAGURE_INSTANCE",
            pagure.baseUri().toString(),
            "PAGURE_PROJECT",
            "demo",
            "PAGURE_SOURCE_PROJECT",
            "demo",
            "PAGURE_BRANCH",
            "feature-same",
            "PAGURE_TARGET_BRANCH",
            "master",
            "PAGURE_COMMIT",
            SHA,
            "PAGURE_PR_ID",
            "4",
            "PAGURE_CAUSE",
            "4",
            "PAGURE_TRIGGER",
            "pull-request",
            "PAGURE_ORIGIN",
            "webhook")
        .forEach(
            (k, v) -> vars.addObject().put("name", k).put("value", v).put("type", "PLAINTEXT"));
    return start;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aConfigurationWithoutTheTokenSecretIsAnInitErrorNamingTheVariable() throws IOException {
    Map<String, String> env = new TreeMap<>(env());
    env.remove("PAGURE_TOKEN_SECRET_ID");

    assertThatThrownBy(
            () ->
                FunctionProcess.start(
                    new FunctionProcess.Spec(
                        "pagure-ci-outbound-misconfigured", jar(), HANDLER, env),
                    Files.createDirectories(work.resolve("misconfigured"))))
        .hasMessageContaining("function init failed")
        .hasMessageContaining("PAGURE_TOKEN_SECRET_ID");
  }

  @Test
  void aFlagPagureRefusesIsAnInvocationErrorAndTheEnvironmentServesTheNextEvent()
      throws IOException {
    pagure.resetRequests();
    SimulatedBuild build =
        new SimulatedBuild(startBuild(), SimulatedBuild.newUuid(), 12, Instant.now());
    pagure.flagApiAnswers("pr_flag_json_numeric_percent"); // pagure's 500 to a numeric JSON percent

    LocalLambdaRuntime.Result failed = outbound.invoke(build.finish("SUCCEEDED"));

    assertThat(failed)
        .isInstanceOfSatisfying(
            LocalLambdaRuntime.FunctionError.class,
            e -> {
              assertThat(e.errorType()).isEqualTo("Runtime.UserException");
              JsonNode error = read(e.body());
              assertThat(error.path("errorType").asText()).endsWith("ReportFailedException");
              assertThat(error.path("errorMessage").asText())
                  .contains("after 2 attempts")
                  .doesNotContain(TOKEN);
            });
    assertThat(outbound.isAlive()).isTrue();

    pagure.flagApiAnswers("commit_flag_pr_head_form");
    JsonNode posted = JSON.readTree(outbound.invokeOk(build.stateChange()));

    assertThat(posted.path("outcome").asText()).isEqualTo("posted");
    assertThat(posted.path("status").asText()).isEqualTo("success");
    assertThat(pagure.flagRequests())
        .hasSize(3)
        .allSatisfy(r -> assertThat(r.getUrl()).isEqualTo("/api/0/demo/c/" + SHA + "/flag"));
    assertThat(outbound.output()).contains("\"decision\":\"failed\"").doesNotContain(TOKEN);
  }

  @Test
  void anEventThatIsNotABuildEventIsAnsweredNotRetried() throws IOException {
    JsonNode answer =
        JSON.readTree(
            outbound.invokeOk(
                "{\"version\":\"0\",\"id\":\"x\","
                    + "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"detail\":{}}"));

    assertThat(answer.path("outcome").asText()).isEqualTo("dropped");
  }
}
