package io.pagureci.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.outbound.DependencyFactory;
import io.pagureci.outbound.OutboundHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmark 4: outbound throughput. 1,000 EventBridge events for 50 CodeBuild builds (per build: 1
 * IN_PROGRESS state change, 17 phase changes, 1 terminal state change and 1 redelivery of it)
 * through one warm handler instance, in-process, against WireMock (plain HTTP on 127.0.0.1) as
 * pagure, Secrets Manager and CodeBuild. Counts the calls each stand-in got.
 *
 * <p>System properties: {@code builds} (50), {@code perBuild} (20), {@code warmup} (200 events
 * first, on other builds, not counted), {@code repoRoot}.
 */
public final class OutboundThroughputBench {

  public static void main(String[] args) throws Exception {
    int builds = Integer.getInteger("builds", 50);
    int perBuild = Integer.getInteger("perBuild", 20);
    int warmup = Integer.getInteger("warmup", 200);
    Path repo = Path.of(System.getProperty("repoRoot", ".")).toAbsolutePath();
    Path events = repo.resolve("outbound-lambda/src/test/resources/events/eventbridge/codebuild");
    String inProgress = Files.readString(events.resolve("state-in-progress.json"));
    String phase = Files.readString(events.resolve("phase-pre-build-completed.json"));
    String succeeded = Files.readString(events.resolve("state-succeeded.json"));
    String failed = Files.readString(events.resolve("state-failed-in-build.json"));

    WireMockServer wm =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(16)
                .jettyStopTimeout(0L));
    wm.start();
    String base = "http://127.0.0.1:" + wm.port();
    ColdStartBench.secret(wm, "pagure-ci/token", "BENCHTOKEN0123456789THROWAWAYVALUE");
    JsonNode r =
        ColdStartBench.JSON.readTree(
            Files.readString(
                repo.resolve("testdata/pagure/flags/commit_flag_pr_head_form/response.json")));
    wm.stubFor(
        post(urlPathMatching("/api/0/.*/flag"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(r.get("json").toString())));
    // any BatchGetBuilds: the build is in progress, with the fixture's PAGURE_* variables
    wm.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.BatchGetBuilds"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(batchGetBuilds(succeeded).toString())));

    System.setProperty("aws.endpointUrl", base);
    System.setProperty("aws.accessKeyId", "AKIDFAKETESTKEY00000");
    System.setProperty("aws.secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", "eu-west-1");
    env.put("PAGURE_URL", base + "/");
    env.put("PAGURE_TOKEN_SECRET_ID", "pagure-ci/token");
    DependencyFactory.Wiring w = DependencyFactory.create(env);
    OutboundHandler handler = new OutboundHandler(w.service(), w.requests(), w.deadline());

    String instance = base + "/";
    List<String> warm =
        events(builds, perBuild, warmup, 1000, instance, inProgress, phase, succeeded, failed);
    List<String> timed =
        events(
            builds, perBuild, builds * perBuild, 0, instance, inProgress, phase, succeeded, failed);
    PrintStream realOut = System.out;
    run(handler, warm, new TreeMap<>());
    wm.resetRequests();
    Map<String, Integer> outcomes = new TreeMap<>();
    long t0 = System.nanoTime();
    run(handler, timed, outcomes);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.setOut(realOut);
    int secrets =
        wm.countRequestsMatching(
                postRequestedFor(urlEqualTo("/"))
                    .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                    .build())
            .getCount();
    int batch =
        wm.countRequestsMatching(
                postRequestedFor(urlEqualTo("/"))
                    .withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.BatchGetBuilds"))
                    .build())
            .getCount();
    int flags =
        wm.countRequestsMatching(postRequestedFor(urlPathMatching("/api/0/.*/flag")).build())
            .getCount();
    int total = wm.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
    PackagingBench.log(
        "%d events (%d builds x %d) in %d ms: %.0f events/s; GetSecretValue %d, BatchGetBuilds %d,"
            + " pagure flag POSTs %d, all requests %d; outcomes %s; load %s",
        timed.size(),
        builds,
        perBuild,
        ms,
        timed.size() * 1000.0 / ms,
        secrets,
        batch,
        flags,
        total,
        outcomes,
        PackagingBench.load());
    Path out =
        Path.of(System.getProperty("out", "benchmarks/target/results/outbound-throughput.json"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(
        out,
        String.format(
            java.util.Locale.ROOT,
            "{\"events\":%d,\"builds\":%d,\"ms\":%d,\"eventsPerSecond\":%.1f,\"getSecretValue\":%d,\"batchGetBuilds\":%d,"
                + "\"flagPosts\":%d,\"outcomes\":\"%s\"}%n",
            timed.size(),
            builds,
            ms,
            timed.size() * 1000.0 / ms,
            secrets,
            batch,
            flags,
            outcomes));
    wm.stop();
    System.exit(0);
  }

  static void run(OutboundHandler handler, List<String> events, Map<String, Integer> outcomes)
      throws Exception {
    for (String e : events) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(
          new ByteArrayInputStream(e.getBytes(StandardCharsets.UTF_8)), out, CONTEXT);
      JsonNode res = ColdStartBench.JSON.readTree(out.toByteArray());
      String k =
          res.path("outcome").asText()
              + (res.has("status") ? ":" + res.path("status").asText() : "");
      outcomes.merge(k, 1, Integer::sum);
    }
  }

  /**
   * Per build: IN_PROGRESS, phases, terminal, terminal again (a redelivery); interleaved across
   * builds.
   */
  static List<String> events(
      int builds,
      int perBuild,
      int count,
      int offset,
      String instance,
      String inProgress,
      String phase,
      String succeeded,
      String failed) {
    List<List<String>> perB = new ArrayList<>();
    for (int b = 0; b < builds; b++) {
      String uuid = String.format("6f1c2b3a-8d4e-4c1f-9a7b-%012d", b + offset);
      String sha = String.format("%040x", b + offset + 1);
      List<String> es = new ArrayList<>();
      es.add(inProgress);
      for (int i = 0; i < perBuild - 3; i++) {
        es.add(phase);
      }
      String terminal = b % 4 == 3 ? failed : succeeded;
      es.add(terminal);
      es.add(terminal);
      List<String> done = new ArrayList<>();
      for (String e : es) {
        done.add(
            e.replace("6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44", uuid)
                .replace("ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e", sha)
                .replace("https://pagure.example.org/", instance));
      }
      perB.add(done);
    }
    List<String> all = new ArrayList<>();
    for (int i = 0; all.size() < count && i < perBuild; i++) {
      for (int b = 0; b < builds && all.size() < count; b++) {
        all.add(perB.get(b).get(i));
      }
    }
    return all;
  }

  static ObjectNode batchGetBuilds(String terminalEvent) throws Exception {
    JsonNode ev = ColdStartBench.JSON.readTree(terminalEvent);
    ObjectNode root = ColdStartBench.JSON.createObjectNode();
    ObjectNode b = root.putArray("builds").addObject();
    String arn = ev.path("detail").path("build-id").asText();
    String id = arn.substring(arn.indexOf(":build/") + 7);
    b.put("id", id)
        .put("arn", arn)
        .put("buildNumber", 42)
        .put("startTime", 1.795782521E9)
        .put("currentPhase", "BUILD")
        .put("buildStatus", "IN_PROGRESS")
        .put("projectName", id.substring(0, id.indexOf(':')))
        .put("initiator", "pagure-ci-inbound")
        .put("buildComplete", false);
    b.putArray("phases").addObject().put("phaseType", "SUBMITTED").put("phaseStatus", "SUCCEEDED");
    ObjectNode envNode =
        b.putObject("environment")
            .put("type", "LINUX_CONTAINER")
            .put("image", "aws/codebuild/amazonlinux-x86_64-standard:5.0")
            .put("computeType", "BUILD_GENERAL1_SMALL");
    ArrayNode vars = envNode.putArray("environmentVariables");
    for (JsonNode v :
        ev.path("detail")
            .path("additional-information")
            .path("environment")
            .path("environment-variables")) {
      vars.addObject()
          .put("name", v.path("name").asText())
          .put("value", v.path("value").asText())
          .put("type", "PLAINTEXT");
    }
    root.putArray("buildsNotFound");
    return root;
  }

  static final Context CONTEXT =
      new Context() {
        @Override
        public String getAwsRequestId() {
          return "bench";
        }

        @Override
        public String getLogGroupName() {
          return "/aws/lambda/bench";
        }

        @Override
        public String getLogStreamName() {
          return "bench";
        }

        @Override
        public String getFunctionName() {
          return "bench";
        }

        @Override
        public String getFunctionVersion() {
          return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
          return "arn:aws:lambda:eu-west-1:123456789012:function:bench";
        }

        @Override
        public CognitoIdentity getIdentity() {
          return null;
        }

        @Override
        public ClientContext getClientContext() {
          return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
          return 60_000;
        }

        @Override
        public int getMemoryLimitInMB() {
          return 512;
        }

        @Override
        public LambdaLogger getLogger() {
          return new LambdaLogger() {
            @Override
            public void log(String message) {}

            @Override
            public void log(byte[] message) {}
          };
        }
      };
}
