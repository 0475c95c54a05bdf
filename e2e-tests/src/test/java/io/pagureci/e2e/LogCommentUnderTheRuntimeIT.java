package io.pagureci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.testsupport.DynaliteServer;
import io.pagureci.testkit.FunctionProcess;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code LOG_ACCESS=comment} as deployed: the outbound jar under the real Lambda runtime interface
 * client, its build record written by the worker's own adapter ({@code DynamoDbBuildClaims}) into
 * dynalite, CloudWatch Logs / CodeBuild / Secrets Manager as WireMock, pagure's flag and comment
 * API as WireMock answering what pagure answers. A PR build fails in BUILD: its events — the phase
 * change, the final state change, and that state change delivered again (EventBridge is
 * at-least-once) — leave one failure flag and exactly one comment with the redacted tail of the
 * BUILD phase.
 */
class LogCommentUnderTheRuntimeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";
  private static final String TOKEN_SECRET = "pagure-ci/pagure-token";
  private static final String RECORDS_TABLE = "pagure-ci-build-records";
  private static final String PROJECT = "pagure-ci-demo";
  private static final String TOKEN =
      "E2EQX7TOKENVN3K8J2M5P9R4T6W1Y0ZB7C3D5F8G2H4J6K9L1M3N5P7Q9R2S4T6V";
  private static final String SHA = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
  private static final String BUILD_KEY =
      "5e1d4b9a2c6f8e0d3a5b7c9e1f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f81";
  private static final String DELIVERY = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
  private static final String ACCESS_KEY_ID = "AKIAE2ELOGTAILKEY000";
  private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYE2ELOGTAIL";

  static Path work;
  static PagureStandIn pagure;
  static AwsStandIn aws;
  static DynaliteServer dynamo;
  static FunctionProcess outbound;

  @BeforeAll
  static void start() throws Exception {
    work = WorkDirs.fresh(LogCommentUnderTheRuntimeIT.class);
    pagure = new PagureStandIn();
    pagure.flagApiAnswers("commit_flag_pr_head_form");
    pagure.commentApiAnswers("pr_comment_added");
    aws = new AwsStandIn();
    aws.secret(TOKEN_SECRET, "{\"token\": \"" + TOKEN + "\"}");
    dynamo = DynaliteServer.start();
    dynamo.createTable(RECORDS_TABLE);
    Map<String, String> env = new TreeMap<>();
    env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    env.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    env.put("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", aws.endpoint());
    env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
    env.put("PAGURE_URL", pagure.baseUri().toString());
    env.put("PAGURE_TOKEN_SECRET_ID", TOKEN_SECRET);
    env.put("CODEBUILD_PROJECTS", PROJECT);
    env.put("TARGET_NAME", "ci");
    env.put("BUILD_RECORDS_TABLE", RECORDS_TABLE);
    env.put("ACCOUNT_ID", FunctionProcess.ACCOUNT);
    env.put("LOG_ACCESS", "comment");
    env.put("LOG_TAIL_LINES", "12");
    outbound =
        FunctionProcess.start(
            new FunctionProcess.Spec("pagure-ci-outbound", jar(), HANDLER, env),
            Files.createDirectories(work.resolve("outbound")));
  }

  @AfterAll
  static void stop() {
    if (outbound != null) {
      outbound.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {aws, dynamo, pagure}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the others
      }
    }
  }

  private static Path jar() {
    return Path.of(
        System.getProperty("outbound.function.jar", "../outbound-lambda/target/function.jar"));
  }

  /** The StartBuild request the worker sends for {@link #SHA} (PR #3 of demo, build key set). */
  private static JsonNode startBuild() {
    ObjectNode start =
        JSON.createObjectNode()
            .put("projectName", PROJECT)
            .put("sourceTypeOverride", "S3")
            .put("sourceLocationOverride", "pagure-ci-source/source/demo/pr/3/" + SHA + ".zip")
            .put("sourceVersion", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY");
    ArrayNode vars = start.putArray("environmentVariablesOverride");
    Map<String, String> v = new TreeMap<>();
    v.put("PAGURE_INSTANCE", pagure.baseUri().toString());
    v.put("PAGURE_PROJECT", "demo");
    v.put("PAGURE_SOURCE_PROJECT", "demo");
    v.put("PAGURE_BRANCH", "feature-same");
    v.put("PAGURE_TARGET_BRANCH", "master");
    v.put("PAGURE_COMMIT", SHA);
    v.put("PAGURE_PR_ID", "3");
    v.put("PAGURE_CAUSE", "3");
    v.put("PAGURE_TRIGGER", "pull-request");
    v.put("PAGURE_ORIGIN", "webhook");
    v.put("PAGURE_DELIVERY_ID", DELIVERY);
    v.put("PAGURE_BUILD_KEY", BUILD_KEY);
    v.forEach((k, x) -> vars.addObject().put("name", k).put("value", x).put("type", "PLAINTEXT"));
    return start;
  }

  /** What the worker writes: its claim of the key, then STARTED with the build. */
  private static void workerStarted(SimulatedBuild build) throws Exception {
    DynamoDbBuildClaims claims =
        new DynamoDbBuildClaims(dynamo.client(), RECORDS_TABLE, Duration.ofSeconds(900), 30);
    BuildClaims.Claim claim = claims.claim(BUILD_KEY, DELIVERY, SHA, Instant.now());
    assertThat(claim).isInstanceOf(BuildClaims.Claimed.class);
    claims.started(
        (BuildClaims.Claimed) claim,
        new StartedBuild("codebuild", build.id()),
        new PackagedSource(
            "pagure-ci-source",
            "source/demo/pr/3/" + SHA + ".zip",
            "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
            2048,
            null),
        Instant.now());
  }

  /** CodeBuild's log of a build that failed in BUILD, with a key pair the build printed. */
  private static List<String> failingLog() {
    List<String> log = new ArrayList<>();
    log.add("[Container] 2026/12/07 02:00:00.000000 Entering phase PRE_BUILD");
    log.add("[Container] 2026/12/07 02:00:01.000000 Phase complete: PRE_BUILD State: SUCCEEDED");
    log.add("[Container] 2026/12/07 02:00:01.100000 Entering phase BUILD");
    log.add("[Container] 2026/12/07 02:00:01.200000 Running command make check");
    for (int i = 1; i <= 20; i++) {
      log.add("check " + i + " ok");
    }
    log.add("debug: AWS_ACCESS_KEY_ID=" + ACCESS_KEY_ID + " AWS_SECRET=" + SECRET_KEY);
    log.add("FAIL: test_widget_renders (expected 3, got 4)");
    log.add("[Container] 2026/12/07 02:00:09.000000 Command did not exit successfully make check");
    log.add("[Container] 2026/12/07 02:00:09.000100 Phase complete: BUILD State: FAILED");
    log.add(
        "[Container] 2026/12/07 02:00:09.000200 Phase context status code: COMMAND_EXECUTION_ERROR"
            + " Message: Error while executing command: make check. Reason: exit status 2");
    log.add("[Container] 2026/12/07 02:00:09.100000 Entering phase POST_BUILD");
    log.add("uploading nothing");
    return log;
  }

  @Test
  void aFailingBuildLeavesOneFailureFlagAndExactlyOneCommentWithTheRedactedTail() throws Exception {
    SimulatedBuild build =
        new SimulatedBuild(startBuild(), SimulatedBuild.newUuid(), 21, Instant.now());
    workerStarted(build);
    aws.logEvents("/aws/codebuild/" + PROJECT, uuid(build), failingLog(), Instant.now());
    while (!build.currentPhase().equals("BUILD")) {
      build.completePhase("SUCCEEDED");
    }
    String buildFailed = build.completePhase("FAILED");
    aws.buildIs(build);
    JsonNode running = JSON.readTree(outbound.invokeOk(buildFailed));
    assertThat(running.path("outcome").asText()).as(running.toString()).isEqualTo("posted");
    assertThat(pagure.commentRequests()).as("no comment from a running event").isEmpty();

    String finalEvent = build.finish("FAILED");
    aws.buildIs(build);
    JsonNode finished = JSON.readTree(outbound.invokeOk(finalEvent));
    JsonNode redelivered = JSON.readTree(outbound.invokeOk(finalEvent));

    assertThat(finished.path("status").asText()).isEqualTo("failure");
    assertThat(redelivered.path("status").asText()).isEqualTo("failure");
    List<LoggedRequest> comments = pagure.commentRequests();
    assertThat(comments).hasSize(1);
    LoggedRequest post = comments.getFirst();
    assertThat(post.getUrl()).isEqualTo("/api/0/demo/pull-request/3/comment");
    assertThat(post.getHeader("Authorization")).isEqualTo("token " + TOKEN);
    String body = post.getBodyAsString();
    assertThat(body).startsWith("comment=");
    String comment = URLDecoder.decode(body.substring("comment=".length()), StandardCharsets.UTF_8);
    assertThat(comment)
        .startsWith("**ci · failed in BUILD after ")
        .contains("The last 12 lines of the BUILD phase")
        .contains("debug: AWS_ACCESS_KEY_ID=[redacted] AWS_SECRET=[redacted]")
        .contains("FAIL: test_widget_renders (expected 3, got 4)")
        .contains("Phase context status code: COMMAND_EXECUTION_ERROR")
        .doesNotContain(ACCESS_KEY_ID)
        .doesNotContain(SECRET_KEY)
        .doesNotContain("check 12 ok")
        .doesNotContain("uploading nothing")
        .endsWith("<!-- pagure-ci-aws:log-tail:" + build.id() + " -->\n");
    // the ledger says posted; the log says so, once, and never holds the token or the key
    Map<String, AttributeValue> item =
        dynamo
            .client()
            .getItem(
                g ->
                    g.tableName(RECORDS_TABLE)
                        .key(Map.of("id", AttributeValue.fromS("logcomment/" + build.id())))
                        .consistentRead(true))
            .item();
    assertThat(item.get("state").s()).isEqualTo("POSTED");
    String output = outbound.output();
    assertThat(output)
        .contains("\"decision\":\"comment-posted\"")
        .contains("\"decision\":\"comment-already-posted\"")
        .doesNotContain(TOKEN)
        .doesNotContain(SECRET_KEY);
    assertThat(aws.calls(AwsStandIn.GET_LOG_EVENTS)).hasSize(1);
  }

  private static String uuid(SimulatedBuild build) {
    return build.id().substring(build.id().indexOf(':') + 1);
  }
}
