package io.pagureci.outbound.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.StandIns;
import io.pagureci.testkit.FunctionProcess;
import io.pagureci.testkit.LocalLambdaRuntime.FunctionError;
import io.pagureci.testkit.LocalLambdaRuntime.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployable {@code target/function.jar} under the real Lambda runtime interface client, with
 * its handler string, against WireMock as pagure and AWS (endpoints through {@code
 * AWS_ENDPOINT_URL}): one function process (testkit's {@link FunctionProcess}, the harness the
 * e2e-tests use too) serves every test but the init failure.
 */
class FunctionJarIT {
  static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";
  static final String TOKEN = "E2ETOKEN0123456789THROWAWAYVALUE";
  static final Path JAR = Path.of("target/function.jar");

  static StandIns aws;
  static FunctionProcess function;

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>(aws.env());
    env.put("AWS_ENDPOINT_URL", aws.base());
    env.put("AWS_ACCESS_KEY_ID", "AKIDFAKETESTKEY00000");
    env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("BUILD_RECORDS_TABLE", "PagureCi-BuildRecordsTable-AbCdEf123456");
    return env;
  }

  @BeforeAll
  static void start() throws Exception {
    assertThat(JAR).as("run through Maven: package builds the jar before the ITs").exists();
    aws = new StandIns();
    aws.secret(TOKEN);
    aws.wm.stubFor(
        post("/api/0/demo/c/" + Fixtures.SHA + "/flag")
            .willReturn(StandIns.captured("commit_flag_pr_head_form")));
    aws.wm.stubFor(
        post("/api/0/demo/c/" + "0".repeat(40) + "/flag")
            .willReturn(StandIns.captured("commit_flag_malformed_hash")));
    // the fixtures' build is one the worker started: its record, read through the shaded DynamoDB
    // client
    aws.startedRecord(Fixtures.BUILD_KEY, "codebuild", Fixtures.BUILD_ID);
    function =
        FunctionProcess.start(new FunctionProcess.Spec("outbound", JAR, HANDLER, env()), workDir());
  }

  /** An empty directory under target/ for the task root, HOME, the temp dir and the log. */
  static Path workDir() throws IOException {
    Path e2e = Files.createDirectories(Path.of("target/e2e"));
    return Files.createTempDirectory(e2e, "function-");
  }

  @AfterAll
  static void stop() {
    if (function != null) {
      function.close();
    }
    if (aws != null) {
      aws.close();
    }
  }

  @Test
  void turnsAStateChangeIntoAFlag() throws Exception {
    Result r = function.invoke(Fixtures.event("codebuild/state-succeeded.json", aws.pagureUrl()));

    assertThat(r).as(r.body()).isNotInstanceOf(FunctionError.class);
    JsonNode out = Fixtures.JSON.readTree(r.body());
    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("success");
    assertThat(
            aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/demo/c/.*"))).stream()
                .map(q -> q.getHeader("Authorization")))
        .contains("token " + TOKEN);
    assertThat(function.output()).contains("\"decision\":\"posted\"").doesNotContain(TOKEN);
  }

  @Test
  void reportsAPagureRejectionAsAFunctionErrorSoLambdaRetries() {
    String event =
        Fixtures.event("codebuild/state-failed-in-build.json", aws.pagureUrl())
            .replace(Fixtures.SHA, "0".repeat(40));

    Result r = function.invoke(event);

    assertThat(r).isInstanceOf(FunctionError.class);
    assertThat(r.body())
        .contains("ReportFailedException")
        .contains("404 ENOCOMMIT")
        .doesNotContain(TOKEN);
  }

  @Test
  void failsAtInitNamingAMissingVariable() throws IOException {
    Map<String, String> env = env();
    env.remove("PAGURE_TOKEN_SECRET_ID");
    Path workDir = workDir();

    assertThatThrownBy(
            () ->
                FunctionProcess.start(
                    new FunctionProcess.Spec("outbound-init-error", JAR, HANDLER, env), workDir))
        .hasMessageContaining("failed to initialise")
        .hasMessageContaining("PAGURE_TOKEN_SECRET_ID: is required");
  }

  @Test
  void readsTheBuildRecordWithTheShadedDynamoDbClientAndPostsTheQueuedFlag() throws Exception {
    // no item: DynamoDB answers GetItem with an empty object
    // (below the fixture build's own record, StandIns#startedRecord: WireMock's default priority is
    // 5)
    aws.wm.stubFor(
        StandIns.aws("DynamoDB_20120810.GetItem")
            .atPriority(10)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody("{}")));

    Result r =
        function.invoke(Fixtures.event("pagure-ci-aws/queued-pull-request.json", aws.pagureUrl()));

    assertThat(r).as(r.body()).isNotInstanceOf(FunctionError.class);
    assertThat(Fixtures.JSON.readTree(r.body()).path("status").asText()).isEqualTo("pending");
    aws.wm.verify(
        2,
        StandIns.awsCalls("DynamoDB_20120810.GetItem")
            .withRequestBody(matchingJsonPath("$.ConsistentRead", equalTo("true")))
            .withRequestBody(
                matchingJsonPath(
                    "$.TableName", equalTo("PagureCi-BuildRecordsTable-AbCdEf123456"))));
  }

  @Test
  void theJarHoldsNoInboundClassAndNoS3Client() throws IOException {
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      List<String> names = zip.stream().map(ZipEntry::getName).toList();

      assertThat(names)
          .noneMatch(n -> n.startsWith("io/pagureci/inbound/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/s3/"))
          .contains(
              "software/amazon/awssdk/services/dynamodb/DynamoDbClient.class",
              "io/pagureci/outbound/adapters/DynamoDbBuildRecordLookup.class");
    }
  }

  @Test
  void dropsAMalformedEventWithoutAnError() throws Exception {
    Result r = function.invoke(Fixtures.event("codebuild/state-in-progress.bad-truncated.json"));

    assertThat(r).isNotInstanceOf(FunctionError.class);
    assertThat(Fixtures.JSON.readTree(r.body()).path("outcome").asText()).isEqualTo("dropped");
  }
}
