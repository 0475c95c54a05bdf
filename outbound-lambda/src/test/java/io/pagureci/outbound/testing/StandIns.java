package io.pagureci.outbound.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-process WireMock on 127.0.0.1 standing in for pagure, Secrets Manager, CodeBuild and
 * CodePipeline. The real SDK clients reach it through the SDK's own endpoint override ({@code
 * aws.endpointUrl}), with fake credentials; everything is restored by {@link #close()}.
 */
public final class StandIns implements AutoCloseable {
  public static final String AMZ_JSON = "application/x-amz-json-1.1";
  public static final String SECRET_ID = "pagure-ci/token";
  private static final List<String> PROPERTIES =
      List.of(
          "aws.endpointUrl",
          "aws.accessKeyId",
          "aws.secretAccessKey",
          "aws.region",
          "aws.sessionToken");

  public final WireMockServer wm;
  private final Map<String, String> saved = new HashMap<>();

  public StandIns(Extension... extensions) {
    wm =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .extensions(extensions)
                .containerThreads(16)
                .jettyStopTimeout(0L));
    wm.start();
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
    System.setProperty("aws.endpointUrl", base());
    System.setProperty("aws.accessKeyId", "AKIDFAKETESTKEY00000");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    System.clearProperty("aws.sessionToken");
    System.setProperty("aws.region", "eu-west-1");
  }

  /** {@code http://127.0.0.1:<port>} */
  public String base() {
    return "http://127.0.0.1:" + wm.port();
  }

  /** pagure's URL (with trailing slash). */
  public String pagureUrl() {
    return base() + "/";
  }

  /** The environment the Lambda would get from the stack, pointing at this stand-in. */
  public Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "eu-west-1");
    env.put("PAGURE_URL", pagureUrl());
    env.put("PAGURE_TOKEN_SECRET_ID", SECRET_ID);
    env.put("RETRY_BASE_DELAY_MILLIS", "5");
    env.put("PAGURE_TIMEOUT_SECONDS", "2");
    return env;
  }

  public static MappingBuilder aws(String target) {
    return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  public static RequestPatternBuilder awsCalls(String target) {
    return postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
  }

  public static ResponseDefinitionBuilder amzJson(JsonNode body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", AMZ_JSON)
        .withBody(body.toString());
  }

  /**
   * DynamoDB (WireMock playing it, where dynalite is not used) answers {@code GetItem} of {@code
   * build/<buildKey>} with the worker's STARTED record of {@code buildId}: the build is one this
   * stack started.
   */
  public void startedRecord(String buildKey, String target, String buildId) {
    ObjectNode item = Fixtures.JSON.createObjectNode();
    ObjectNode body = item.putObject("Item");
    body.putObject("id").put("S", "build/" + buildKey);
    body.putObject("state").put("S", "STARTED");
    body.putObject("target").put("S", target);
    body.putObject("buildId").put("S", buildId);
    wm.stubFor(
        aws("DynamoDB_20120810.GetItem")
            .withRequestBody(matchingJsonPath("$.Key.id.S", equalTo("build/" + buildKey)))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody(item.toString())));
  }

  /** Secrets Manager answers {@code secretString}. */
  public void secret(String secretString) {
    wm.stubFor(
        aws("secretsmanager.GetSecretValue")
            .withRequestBody(matchingJsonPath("$.SecretId", equalTo(SECRET_ID)))
            .willReturn(amzJson(secretValue(secretString))));
  }

  public static ObjectNode secretValue(String secretString) {
    return Fixtures.JSON
        .createObjectNode()
        .put("ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + SECRET_ID + "-AbCdEf")
        .put("Name", SECRET_ID)
        .put("SecretString", secretString)
        .put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1")
        .put("CreatedDate", 1.7957822E9)
        .set("VersionStages", Fixtures.JSON.createArrayNode().add("AWSCURRENT"));
  }

  /** CodeBuild answers BatchGetBuilds for {@code arn}. */
  public void build(
      String arn,
      String status,
      String currentPhase,
      List<String[]> phases,
      Map<String, String> vars) {
    wm.stubFor(
        aws("CodeBuild_20161006.BatchGetBuilds")
            .withRequestBody(matchingJsonPath("$.ids[0]", equalTo(arn)))
            .willReturn(amzJson(batchGetBuilds(arn, status, currentPhase, phases, vars))));
  }

  /** When a stand-in build started (12:28:00 UTC, as the event fixtures say); phases take 30 s. */
  static final double BUILD_START = 1.79578248E9;

  /**
   * The {@code BatchGetBuilds} answer: the build started at {@link #BUILD_START}, phase {@code i}
   * (of the list) from {@code BUILD_START + 30 i} for 30 s, a finished build ends when its last
   * listed phase starts.
   */
  public static ObjectNode batchGetBuilds(
      String arn,
      String status,
      String currentPhase,
      List<String[]> phases,
      Map<String, String> vars) {
    ObjectNode root = Fixtures.JSON.createObjectNode();
    ObjectNode b = root.putArray("builds").addObject();
    String id = arn.substring(arn.indexOf(":build/") + 7);
    b.put("id", id)
        .put("arn", arn)
        .put("buildNumber", 42)
        .put("startTime", BUILD_START)
        .put("currentPhase", currentPhase)
        .put("buildStatus", status)
        .put("projectName", id.substring(0, id.indexOf(':')))
        .put("initiator", "pagure-ci-inbound")
        .put("buildComplete", !status.equals("IN_PROGRESS"));
    if (!status.equals("IN_PROGRESS")) {
      b.put("endTime", BUILD_START + 30 * Math.max(0, phases.size() - 1));
    }
    ArrayNode ph = b.putArray("phases");
    for (int i = 0; i < phases.size(); i++) {
      String[] p = phases.get(i);
      ObjectNode n = ph.addObject().put("phaseType", p[0]).put("startTime", BUILD_START + 30 * i);
      if (p.length > 1 && p[1] != null) {
        n.put("phaseStatus", p[1])
            .put("endTime", BUILD_START + 30 * (i + 1))
            .put("durationInSeconds", 30);
      }
    }
    ObjectNode env =
        b.putObject("environment")
            .put("type", "LINUX_CONTAINER")
            .put("image", "aws/codebuild/amazonlinux-x86_64-standard:5.0")
            .put("computeType", "BUILD_GENERAL1_SMALL");
    ArrayNode ev = env.putArray("environmentVariables");
    vars.forEach((k, v) -> ev.addObject().put("name", k).put("value", v).put("type", "PLAINTEXT"));
    root.putArray("buildsNotFound");
    return root;
  }

  /** CodePipeline answers GetPipelineExecution. */
  public void pipelineExecution(
      String pipeline, String executionId, String status, Map<String, String> vars) {
    wm.stubFor(
        aws("CodePipeline_20150709.GetPipelineExecution")
            .withRequestBody(matchingJsonPath("$.pipelineExecutionId", equalTo(executionId)))
            .willReturn(amzJson(getPipelineExecution(pipeline, executionId, status, vars))));
  }

  public static ObjectNode getPipelineExecution(
      String pipeline, String executionId, String status, Map<String, String> vars) {
    ObjectNode root = Fixtures.JSON.createObjectNode();
    ObjectNode e = root.putObject("pipelineExecution");
    e.put("pipelineName", pipeline)
        .put("pipelineVersion", 3)
        .put("pipelineExecutionId", executionId)
        .put("status", status)
        .put("executionMode", "QUEUED")
        .put("executionType", "STANDARD");
    e.putArray("artifactRevisions")
        .addObject()
        .put("name", "Source")
        .put("revisionId", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY");
    ArrayNode v = e.putArray("variables");
    vars.forEach((k, val) -> v.addObject().put("name", k).put("resolvedValue", val));
    e.putObject("trigger")
        .put("triggerType", "StartPipelineExecution")
        .put("triggerDetail", "arn:aws:sts::123456789012:assumed-role/pagure-ci-inbound/fn");
    return root;
  }

  /** The PAGURE_* variables of the fixtures' build, for {@code instance}. */
  public static Map<String, String> pagureVars(String instance) {
    Map<String, String> v = new HashMap<>();
    v.put("PAGURE_INSTANCE", instance);
    v.put("PAGURE_PROJECT", "demo");
    v.put("PAGURE_SOURCE_PROJECT", "forks/bob/demo");
    v.put("PAGURE_BRANCH", "feature-fork");
    v.put("PAGURE_TARGET_BRANCH", "master");
    v.put("PAGURE_COMMIT", Fixtures.SHA);
    v.put("PAGURE_PR_ID", "1");
    v.put("PAGURE_PR_UID", "b4cbb5d7a5c5491fbc5bb7b9fbd4d2f5");
    v.put("PAGURE_CAUSE", "1");
    v.put("PAGURE_TRIGGER", "pull-request");
    v.put("PAGURE_ORIGIN", "webhook");
    v.put("PAGURE_BUILD_KEY", Fixtures.BUILD_KEY);
    return v;
  }

  /** pagure's captured answer ({@code flags/<case>/response.json}) as a WireMock response. */
  public static ResponseDefinitionBuilder captured(String flagCase) {
    JsonNode r = Fixtures.flag("flags/" + flagCase, "response.json");
    JsonNode json = r.get("json");
    String body = json != null && !json.isNull() ? json.toString() : r.path("text").asText();
    return aResponse()
        .withStatus(r.path("status_code").asInt())
        .withHeader("Content-Type", r.path("headers").path("Content-Type").asText())
        .withHeader("Server", r.path("headers").path("Server").asText())
        .withBody(body);
  }

  @Override
  public void close() {
    wm.stop();
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
  }
}
