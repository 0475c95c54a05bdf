package io.pagureci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.inbound.testsupport.DynaliteServer;
import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestRepos;
import io.pagureci.testkit.FunctionProcess;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One stack, two build targets (issue 14): the three functions under the runtime interface client
 * with {@code ROUTES} — project {@code demo} builds on CodeBuild projects {@code Rpmbuild-demo}
 * ({@code rpmbuild}, the target branch's buildspec) and {@code Lint-demo} ({@code lint}, the
 * commit's own) — and a pagure token map. A pull request gets two work items, two builds and two
 * flags ({@code pagure-ci/rpmbuild}, {@code pagure-ci/lint}) that finish independently; when one
 * target's build cannot start, only its flag says so.
 */
class TwoTargetsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "pagure-ci-source-" + FunctionProcess.ACCOUNT;
  private static final String RPMBUILD = "Rpmbuild-demo";
  private static final String LINT = "Lint-demo";
  private static final String ROUTES =
      "{\"rules\":[{\"match\":[\"demo\"],\"targets\":["
          + "{\"name\":\"rpmbuild\",\"system\":\"codebuild\",\"resource\":\""
          + RPMBUILD
          + "\",\"trustedBuildspecPath\":\"buildspec.yml\"},"
          + "{\"name\":\"lint\",\"system\":\"codebuild\",\"resource\":\""
          + LINT
          + "\"}]}]}";
  private static final String HOOK_KEYS_SECRET = "pagure-ci/hook-keys";
  private static final String TOKEN_SECRET = "pagure-ci/pagure-token";
  private static final String RECORDS_TABLE = "pagure-ci-build-records";
  private static final String DEMO_HOOK_KEY =
      PagureFixtures.webhook("pull-request.new-1").hookKey();

  /** demo's project token (a project API key with commit_flag), in a token map. */
  private static final String TOKEN =
      "E2EQX7TWOTARGETSK8J2M5P9R4T6W1Y0ZB7C3D5F8G2H4J6K9L1M3N5P7Q9R2S4TV";

  static Path work;
  static TestRepos repos;
  static GitHttpServer git;
  static PagureStandIn pagure;
  static S3Server s3;
  static AwsStandIn aws;
  static SqsStandIn sqs;
  static DynaliteServer dynamo;
  static FunctionProcess accept;
  static FunctionProcess worker;
  static FunctionProcess outbound;

  @BeforeAll
  static void start() throws Exception {
    work = WorkDirs.fresh(TwoTargetsIT.class);
    s3 = S3Server.start();
    s3.createVersionedBucket(BUCKET);
    repos = TestRepos.create(work.resolve("repos"));
    git = GitHttpServer.start(repos.root());
    pagure = new PagureStandIn(git);
    pagure.flagApiAnswers("commit_flag_pr_head_form");
    aws = new AwsStandIn();
    aws.secret(HOOK_KEYS_SECRET, "{\"demo\": \"" + DEMO_HOOK_KEY + "\"}");
    aws.secret(TOKEN_SECRET, "{\"rpms/*\": \"OTHERTOKEN\", \"demo\": \"" + TOKEN + "\"}");
    sqs = new SqsStandIn();
    dynamo = DynaliteServer.start();
    dynamo.createTable(RECORDS_TABLE);

    Map<String, String> outboundEnv = new TreeMap<>();
    outboundEnv.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    outboundEnv.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    outboundEnv.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
    outboundEnv.put("PAGURE_URL", pagure.baseUri().toString());
    outboundEnv.put("PAGURE_TOKEN_SECRET_ID", TOKEN_SECRET);
    outboundEnv.put("BUILD_RECORDS_TABLE", RECORDS_TABLE);
    outboundEnv.put("ACCOUNT_ID", FunctionProcess.ACCOUNT);
    outboundEnv.put("ROUTES", ROUTES);
    outbound =
        FunctionProcess.start(
            new FunctionProcess.Spec(
                "pagure-ci-outbound",
                jar("outbound.function.jar"),
                "io.pagureci.outbound.OutboundHandler::handleRequest",
                outboundEnv),
            Files.createDirectories(work.resolve("outbound")));

    Map<String, String> inboundEnv = new TreeMap<>();
    inboundEnv.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    inboundEnv.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
    inboundEnv.put("PAGURE_URL", pagure.baseUri().toString());
    inboundEnv.put("ROUTES", ROUTES);
    inboundEnv.put("CONTRIBUTOR_POLICY", "all");
    inboundEnv.put("REBUILD_POLICY", "all");
    inboundEnv.put("HOOK_KEYS_SECRET_ID", HOOK_KEYS_SECRET);
    inboundEnv.put("SOURCE_BUCKET", BUCKET);
    inboundEnv.put("S3_FORCE_PATH_STYLE", "true");
    inboundEnv.put("REF_WAIT_SECONDS", "4");
    inboundEnv.put("GIT_TIMEOUT_SECONDS", "10");
    inboundEnv.put("WORK_QUEUE_URL", sqs.queueUrl());
    inboundEnv.put("BUILD_RECORDS_TABLE", RECORDS_TABLE);
    inboundEnv.put("WORK_MAX_ATTEMPTS", "2");
    inboundEnv.put("RETRY_BASE_SECONDS", "1");
    inboundEnv.put("RETRY_MAX_SECONDS", "1");
    accept =
        FunctionProcess.start(
            new FunctionProcess.Spec(
                "pagure-ci-accept",
                jar("inbound.function.jar"),
                "io.pagureci.inbound.InboundHandler::handleRequest",
                inboundEnv),
            Files.createDirectories(work.resolve("accept")));
    worker =
        FunctionProcess.start(
            new FunctionProcess.Spec(
                "pagure-ci-worker",
                jar("inbound.function.jar"),
                "io.pagureci.inbound.WorkerHandler::handleRequest",
                inboundEnv),
            Files.createDirectories(work.resolve("worker")));
  }

  private static Path jar(String property) {
    String path = System.getProperty(property);
    if (path == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set (run through Maven)");
    }
    return Path.of(path);
  }

  @AfterAll
  static void stop() {
    for (FunctionProcess f : new FunctionProcess[] {accept, worker, outbound}) {
      if (f != null) {
        f.close();
      }
    }
    for (AutoCloseable c : new AutoCloseable[] {aws, s3, sqs, dynamo, pagure, git}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the others
      }
    }
  }

  @BeforeEach
  void resetRequests() {
    pagure.resetRequests();
    aws.resetRequests();
    if (sqs.messageCount() > 0) {
      sqs.purge();
    }
  }

  @Test
  void aPullRequestGetsTwoBuildsAndTwoFlagsThatFinishIndependently() throws Exception {
    Instant at = Instant.now();
    String rpmUuid = SimulatedBuild.newUuid();
    String lintUuid = SimulatedBuild.newUuid();
    aws.startBuildOf(RPMBUILD, rpmUuid, 3, at);
    aws.startBuildOf(LINT, lintUuid, 9, at);

    JsonNode body = queued(forkPr(1));
    assertThat(body.at("/targets/0/name").asText()).isEqualTo("rpmbuild");
    assertThat(body.at("/targets/1/name").asText()).isEqualTo("lint");
    assertThat(sqs.messageCount()).isEqualTo(2);

    // the two "queued" flags: one per target, each under its own name
    List<JsonNode> entries = putEventEntries();
    assertThat(entries).hasSize(2);
    for (JsonNode e : entries) {
      assertThat(JSON.readTree(outbound.invokeOk(envelope(e))).path("outcome").asText())
          .isEqualTo("posted");
    }
    List<Map<String, String>> queuedFlags = forms(pagure.flagRequests());
    assertThat(queuedFlags)
        .extracting(f -> f.get("username"), f -> f.get("comment"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "pagure-ci/rpmbuild", "rpmbuild · queued — waiting for a build slot"),
            org.assertj.core.groups.Tuple.tuple(
                "pagure-ci/lint", "lint · queued — waiting for a build slot"));
    String rpmUid = queuedFlags.get(0).get("uid");
    String lintUid = queuedFlags.get(1).get("uid");
    assertThat(rpmUid).isNotEqualTo(lintUid);
    assertThat(pagure.flagRequests())
        .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("token " + TOKEN));
    pagure.resetRequests();

    // the worker: both items in one batch, each started on its own project with its own key
    SqsStandIn.Batch batch = sqs.deliverTo(worker);
    assertThat(batch.messages()).hasSize(2);
    assertThat(batch.failedIds()).as(worker.logFile().toString()).isEmpty();
    List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
    assertThat(starts).hasSize(2);
    Map<String, JsonNode> byProject = new HashMap<>();
    for (LoggedRequest s : starts) {
      JsonNode start = JSON.readTree(s.getBodyAsString());
      byProject.put(start.path("projectName").asText(), start);
    }
    assertThat(byProject.keySet()).containsExactlyInAnyOrder(RPMBUILD, LINT);
    assertThat(byProject.get(RPMBUILD).path("idempotencyToken").asText())
        .isEqualTo(body.at("/targets/0/buildKey").asText());
    assertThat(byProject.get(LINT).path("idempotencyToken").asText())
        .isEqualTo(body.at("/targets/1/buildKey").asText());
    assertThat(byProject.get(RPMBUILD).path("buildspecOverride").asText())
        .as("rpmbuild: the target branch's buildspec")
        .isEqualTo(TestRepos.MASTER_BUILDSPEC);
    assertThat(byProject.get(LINT).has("buildspecOverride")).as("lint: the commit's own").isFalse();

    // rpmbuild passes while lint is still building; then lint fails
    SimulatedBuild rpm = new SimulatedBuild(byProject.get(RPMBUILD), rpmUuid, 3, at);
    SimulatedBuild lint = new SimulatedBuild(byProject.get(LINT), lintUuid, 9, at);
    deliver(lint, lint.stateChange());
    deliver(rpm, rpm.stateChange());
    deliver(rpm, rpm.finish("SUCCEEDED"));
    while (!lint.currentPhase().equals("BUILD")) {
      deliver(lint, lint.completePhase("SUCCEEDED"));
    }
    deliver(lint, lint.finish("FAILED"));

    List<Map<String, String>> flags = forms(pagure.flagRequests());
    Map<String, Map<String, String>> lastByUid = new LinkedHashMap<>();
    flags.forEach(f -> lastByUid.put(f.get("uid"), f));
    assertThat(lastByUid.keySet())
        .as("each build updates its own queued flag, no third flag")
        .containsExactlyInAnyOrder(rpmUid, lintUid);
    assertThat(lastByUid.get(rpmUid))
        .containsEntry("username", "pagure-ci/rpmbuild")
        .containsEntry("status", "success");
    assertThat(lastByUid.get(lintUid))
        .containsEntry("username", "pagure-ci/lint")
        .containsEntry("status", "failure");
    assertThat(lastByUid.get(lintUid).get("comment")).startsWith("lint · failed");
    assertThat(flags.stream().filter(f -> f.get("uid").equals(rpmUid)).toList())
        .as("rpmbuild's flag did not move after it passed")
        .last()
        .satisfies(f -> assertThat(f.get("status")).isEqualTo("success"));
    assertThat(outbound.output()).doesNotContain(TOKEN).doesNotContain("OTHERTOKEN");
  }

  @Test
  void whenOneTargetsBuildCannotStartOnlyItsFlagSaysSoAndTheOtherBuilds() throws Exception {
    aws.startBuildOf(RPMBUILD, SimulatedBuild.newUuid(), 4, Instant.now());
    aws.startBuildRefused(LINT);

    JsonNode body = queued(forkPr(7));
    String lintKey = body.at("/targets/1/buildKey").asText();

    SqsStandIn.Batch first = sqs.deliverTo(worker);
    assertThat(first.failedIds()).as("lint is retried").hasSize(1);
    Thread.sleep(1_500); // the back-off (RETRY_BASE_SECONDS 1)
    SqsStandIn.Batch second = sqs.deliverTo(worker);
    assertThat(second).as("lint's second and last attempt").isNotNull();
    assertThat(second.messages()).hasSize(1);

    List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
    assertThat(starts.stream().filter(s -> s.getBodyAsString().contains(RPMBUILD)).count())
        .as("rpmbuild started once")
        .isEqualTo(1);
    assertThat(starts.stream().filter(s -> s.getBodyAsString().contains(LINT)).count())
        .isEqualTo(2);
    List<JsonNode> errors =
        putEventEntries().stream()
            .filter(e -> detail(e).path("state").asText().equals("ERROR"))
            .toList();
    assertThat(errors).hasSize(1);
    JsonNode error = detail(errors.get(0));
    assertThat(error.path("buildKey").asText()).isEqualTo(lintKey);
    assertThat(error.at("/target/label").asText()).isEqualTo("lint");

    pagure.resetRequests();
    assertThat(JSON.readTree(outbound.invokeOk(envelope(errors.get(0)))).path("outcome").asText())
        .isEqualTo("posted");
    assertThat(forms(pagure.flagRequests()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f).containsEntry("username", "pagure-ci/lint");
              assertThat(f).containsEntry("status", "error");
              assertThat(f.get("comment")).startsWith("lint · could not start the build");
            });
  }

  // ------------------------------------------------------------------ helpers

  /** bob's fork PR (the capture's PR #1) as PR {@code id} (its own build keys). */
  private static String forkPr(int id) {
    return FunctionUrlEvents.delivery(
        "pull-request.new-1",
        pagure.baseUri(),
        Map.of(
            "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f",
            repos.forkPrHead(),
            "\"branch_from\": \"feature-fork\"",
            "\"branch_from\": \"feature\"",
            "\"id\": 1,",
            "\"id\": " + id + ","),
        DEMO_HOOK_KEY);
  }

  private static JsonNode queued(String event) throws IOException {
    JsonNode answer = JSON.readTree(accept.invokeOk(event));
    assertThat(answer.path("statusCode").asInt()).as(answer.toString()).isEqualTo(202);
    JsonNode body = JSON.readTree(answer.path("body").asText());
    assertThat(body.path("status").asText()).as(body.toString()).isEqualTo("queued");
    return body;
  }

  private static List<JsonNode> putEventEntries() throws IOException {
    List<JsonNode> entries = new ArrayList<>();
    for (LoggedRequest r : aws.calls(AwsStandIn.PUT_EVENTS)) {
      JSON.readTree(r.getBodyAsString()).path("Entries").forEach(entries::add);
    }
    return entries;
  }

  private static JsonNode detail(JsonNode entry) {
    try {
      return JSON.readTree(entry.path("Detail").asText());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String envelope(JsonNode entry) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode e = JSON.createObjectNode();
    e.put("version", "0");
    e.put("id", java.util.UUID.randomUUID().toString());
    e.put("detail-type", entry.path("DetailType").asText());
    e.put("source", entry.path("Source").asText());
    e.put("account", FunctionProcess.ACCOUNT);
    e.put("time", Instant.now().toString());
    e.put("region", FunctionProcess.REGION);
    e.putArray("resources");
    e.set("detail", detail(entry));
    return JSON.writeValueAsString(e);
  }

  private static void deliver(SimulatedBuild build, String event) throws IOException {
    aws.buildIs(build);
    JsonNode out = JSON.readTree(outbound.invokeOk(event));
    assertThat(out.path("outcome").asText()).as(out.toString()).isEqualTo("posted");
  }

  private static List<Map<String, String>> forms(List<LoggedRequest> requests) {
    List<Map<String, String>> out = new ArrayList<>();
    for (LoggedRequest r : requests) {
      Map<String, String> fields = new LinkedHashMap<>();
      for (String pair : r.getBodyAsString().split("&")) {
        String[] kv = pair.split("=", 2);
        fields.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
      out.add(fields);
    }
    return out;
  }
}
