package io.pagureci.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.testkit.FunctionProcess;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * AWS's JSON APIs the functions call — Secrets Manager ({@code secretsmanager.*}), CodeBuild
 * ({@code CodeBuild_20161006.*}), CloudWatch Logs ({@code Logs_20140328.GetLogEvents}) and
 * EventBridge ({@code AWSEvents.PutEvents}, the request events; every entry accepted) — as one
 * in-process WireMock on 127.0.0.1, matched on {@code X-Amz-Target}. The functions reach it through
 * {@code AWS_ENDPOINT_URL_<SERVICE>}.
 */
final class AwsStandIn implements AutoCloseable {

  static final String AMZ_JSON = "application/x-amz-json-1.1";
  static final String PUT_EVENTS = "AWSEvents.PutEvents";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WireMockServer wm;
  private final Map<String, StubMapping> buildStubs = new ConcurrentHashMap<>();

  AwsStandIn() {
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().jettyStopTimeout(0L));
    wm.start();
    wm.stubFor(
        target(PUT_EVENTS)
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", AMZ_JSON)
                    .withBody("{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"e-1\"}]}")));
  }

  /** {@code http://127.0.0.1:<port>} */
  String endpoint() {
    return "http://127.0.0.1:" + wm.port();
  }

  private static MappingBuilder target(String target) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  private static ResponseDefinitionBuilder amzJson(JsonNode body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", AMZ_JSON)
        .withBody(body.toString());
  }

  /** {@code GetSecretValue} of {@code id} answers {@code secretString}. */
  void secret(String id, String secretString) {
    wm.stubFor(
        target("secretsmanager.GetSecretValue")
            .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
            .willReturn(
                amzJson(
                    JSON.createObjectNode()
                        .put(
                            "ARN",
                            "arn:aws:secretsmanager:"
                                + FunctionProcess.REGION
                                + ":"
                                + FunctionProcess.ACCOUNT
                                + ":secret:"
                                + id
                                + "-AbCdEf")
                        .put("Name", id)
                        .put("SecretString", secretString)
                        .put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1")
                        .put("CreatedDate", 1.7957822E9)
                        .set("VersionStages", JSON.createArrayNode().add("AWSCURRENT")))));
  }

  /** The next {@code StartBuild} starts build {@code <project>:<uuid>} number {@code number}. */
  void startBuildStarts(String project, String uuid, int number, Instant at) {
    wm.stubFor(
        target("CodeBuild_20161006.StartBuild")
            .willReturn(amzJson(started(project, uuid, number, at))));
  }

  /**
   * A {@code StartBuild} of {@code project} (and only of it) starts build {@code <project>:<uuid>}:
   * one stand-in for several CodeBuild projects (the routing table's targets).
   */
  void startBuildOf(String project, String uuid, int number, Instant at) {
    wm.stubFor(
        target("CodeBuild_20161006.StartBuild")
            .withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
            .atPriority(1)
            .willReturn(amzJson(started(project, uuid, number, at))));
  }

  /** Every {@code StartBuild} of {@code project} is refused (the account's build limit). */
  void startBuildRefused(String project) {
    wm.stubFor(
        target("CodeBuild_20161006.StartBuild")
            .withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
            .atPriority(1)
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", AMZ_JSON)
                    .withBody(
                        "{\"__type\":\"AccountLimitExceededException\",\"message\":\"too many"
                            + " builds\"}")));
  }

  private static ObjectNode started(String project, String uuid, int number, Instant at) {
    String id = project + ":" + uuid;
    ObjectNode root = JSON.createObjectNode();
    ObjectNode b = root.putObject("build");
    b.put("id", id)
        .put(
            "arn",
            "arn:aws:codebuild:"
                + FunctionProcess.REGION
                + ":"
                + FunctionProcess.ACCOUNT
                + ":build/"
                + id)
        .put("buildNumber", number)
        .put("startTime", at.getEpochSecond())
        .put("currentPhase", "QUEUED")
        .put("buildStatus", "IN_PROGRESS")
        .put("projectName", project)
        .put("initiator", "pagure-ci-inbound")
        .put("buildComplete", false)
        .put("timeoutInMinutes", 60)
        .put("queuedTimeoutInMinutes", 480);
    b.putArray("phases")
        .addObject()
        .put("phaseType", "SUBMITTED")
        .put("phaseStatus", "SUCCEEDED")
        .put("startTime", at.getEpochSecond())
        .put("endTime", at.getEpochSecond())
        .put("durationInSeconds", 0);
    return root;
  }

  /** {@code StopBuild} takes the stop of a running build (CodeBuild answers the build, STOPPED). */
  void stopBuildStops() {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("build").put("buildStatus", "IN_PROGRESS").put("currentPhase", "BUILD");
    wm.stubFor(target("CodeBuild_20161006.StopBuild").willReturn(amzJson(root)));
  }

  /** {@code BatchGetBuilds} of this build answers what the build looks like now. */
  void buildIs(SimulatedBuild build) {
    // one stub per build, replaced as the build moves on
    StubMapping previous = buildStubs.remove(build.arn());
    if (previous != null) {
      wm.removeStub(previous);
    }
    buildStubs.put(
        build.arn(),
        wm.stubFor(
            target("CodeBuild_20161006.BatchGetBuilds")
                .withRequestBody(matchingJsonPath("$.ids[0]", equalTo(build.arn())))
                .willReturn(amzJson(build.batchGetBuilds()))));
  }

  /**
   * CloudWatch Logs' {@code GetLogEvents} of {@code group}/{@code stream} answers {@code lines},
   * one event each, as one page read backwards from the end (the next backward page is empty).
   */
  void logEvents(String group, String stream, List<String> lines, Instant at) {
    ObjectNode page = JSON.createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode events = page.putArray("events");
    long t = at.toEpochMilli();
    for (String l : lines) {
      events.addObject().put("timestamp", t).put("message", l + "\n").put("ingestionTime", t + 300);
      t += 5;
    }
    page.put("nextForwardToken", "f/" + t).put("nextBackwardToken", "b/start");
    wm.stubFor(
        target(GET_LOG_EVENTS)
            .withRequestBody(matchingJsonPath("$.logGroupName", equalTo(group)))
            .withRequestBody(matchingJsonPath("$.logStreamName", equalTo(stream)))
            .withRequestBody(
                matchingJsonPath(
                    "$.nextToken", com.github.tomakehurst.wiremock.client.WireMock.absent()))
            .willReturn(amzJson(page)));
    wm.stubFor(
        target(GET_LOG_EVENTS)
            .withRequestBody(matchingJsonPath("$.nextToken", equalTo("b/start")))
            .willReturn(
                amzJson(
                    JSON.createObjectNode()
                        .<ObjectNode>set("events", JSON.createArrayNode())
                        .put("nextForwardToken", "f/start")
                        .put("nextBackwardToken", "b/start"))));
  }

  static final String GET_LOG_EVENTS = "Logs_20140328.GetLogEvents";

  /** The calls of one API ({@code X-Amz-Target}) received so far, in order. */
  List<LoggedRequest> calls(String target) {
    return wm.findAll(
        postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
  }

  void resetRequests() {
    wm.resetRequests();
  }

  @Override
  public void close() {
    wm.stop();
  }
}
