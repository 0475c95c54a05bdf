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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The whole product, as deployed: the three functions — accept ({@code InboundHandler}) and worker
 * ({@code WorkerHandler}) from the inbound jar, outbound from its own — each in its own JVM under
 * the real Lambda runtime interface client, with every other system a real local server — pagure
 * (git over smart HTTP by JGit, its flag API by WireMock), S3 (S3Mock, versioned), SQS (ElasticMQ,
 * the work queue), DynamoDB (dynalite, the build records), Secrets Manager, CodeBuild and
 * EventBridge's {@code PutEvents} (WireMock). The test plays the AWS services that connect the
 * functions: the function URL (a real pagure delivery becomes a payload 2.0 event), the work
 * queue's SQS event source mapping (receive → SQS event → worker → delete what it did not report
 * failed) and EventBridge (the build's state and phase events, carrying the variables of the
 * captured {@code StartBuild}; the accept function's QUEUED request events are only captured).
 */
class PullRequestToFlagsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "pagure-ci-source-" + FunctionProcess.ACCOUNT;
  private static final String CODEBUILD_PROJECT = "pagure-ci-demo";
  private static final String HOOK_KEYS_SECRET = "pagure-ci/hook-keys";
  private static final String TOKEN_SECRET = "pagure-ci/pagure-token";
  private static final String RECORDS_TABLE = "pagure-ci-build-records";
  private static final String EVENT_BUS = "pagure-ci";

  /** The demo project's web-hook key of the captures (a throw-away value). */
  private static final String DEMO_HOOK_KEY =
      PagureFixtures.webhook("pull-request.new-1").hookKey();

  /** A pagure API token (64 characters, as pagure makes them); must never reach a log. */
  private static final String TOKEN =
      "E2EQX7TOKENVN3K8J2M5P9R4T6W1Y0ZB7C3D5F8G2H4J6K9L1M3N5P7Q9R2S4T6V";

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
  static Future<S3Server> s3Started;
  static FunctionProcess outbound;

  @BeforeAll
  static void start() throws Exception {
    work = WorkDirs.fresh(PullRequestToFlagsIT.class);
    long t0 = System.nanoTime();
    // S3Mock (Spring Boot) is the slowest to start: let it start while the rest comes up
    ExecutorService starter = Executors.newSingleThreadExecutor();
    s3Started =
        starter.submit(
            () -> {
              S3Server server = S3Server.start();
              server.createVersionedBucket(BUCKET);
              return server;
            });
    starter.shutdown();
    repos = TestRepos.create(work.resolve("repos"));
    git = GitHttpServer.start(repos.root());
    pagure = new PagureStandIn(git);
    pagure.flagApiAnswers("commit_flag_pr_head_form");
    aws = new AwsStandIn();
    aws.secret(HOOK_KEYS_SECRET, "{\"demo\": \"" + DEMO_HOOK_KEY + "\"}");
    aws.secret(TOKEN_SECRET, "{\"token\": \"" + TOKEN + "\"}");
    sqs = new SqsStandIn();
    dynamo = DynaliteServer.start();
    dynamo.createTable(RECORDS_TABLE);

    Map<String, String> outboundEnv = new TreeMap<>();
    outboundEnv.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    outboundEnv.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    outboundEnv.put("AWS_ENDPOINT_URL_CODEPIPELINE", aws.endpoint());
    outboundEnv.put("PAGURE_URL", pagure.baseUri().toString());
    outboundEnv.put("PAGURE_TOKEN_SECRET_ID", TOKEN_SECRET);
    outboundEnv.put("CODEBUILD_PROJECTS", CODEBUILD_PROJECT);
    // the name PR authors read on the flag, not the (generated) CodeBuild project name
    outboundEnv.put("TARGET_NAME", "ci");
    // request events (queued / error): the build record says whether the build already started
    outboundEnv.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
    outboundEnv.put("BUILD_RECORDS_TABLE", RECORDS_TABLE);
    outboundEnv.put("ACCOUNT_ID", FunctionProcess.ACCOUNT);
    outbound =
        FunctionProcess.start(
            new FunctionProcess.Spec(
                "pagure-ci-outbound",
                jar("outbound.function.jar"),
                "io.pagureci.outbound.OutboundHandler::handleRequest",
                outboundEnv),
            Files.createDirectories(work.resolve("outbound")));

    s3 = s3Started.get(2, TimeUnit.MINUTES);
    System.out.printf("servers and outbound up: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    Map<String, String> inboundEnv = new TreeMap<>();
    inboundEnv.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    inboundEnv.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_CODEBUILD", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_CODEPIPELINE", aws.endpoint());
    inboundEnv.put("PAGURE_URL", pagure.baseUri().toString());
    inboundEnv.put("ALLOWED_PROJECTS", "demo,rpms/*");
    // this run is about the path from delivery to flags, for anyone's PR; who may make us build
    // (the approve/members defaults, pagure's API asked by the worker) is ContributorPolicyIT's
    inboundEnv.put("CONTRIBUTOR_POLICY", "all");
    inboundEnv.put("REBUILD_POLICY", "all");
    inboundEnv.put("HOOK_KEYS_SECRET_ID", HOOK_KEYS_SECRET);
    inboundEnv.put("SOURCE_BUCKET", BUCKET);
    inboundEnv.put("BUILD_TARGET", "codebuild");
    inboundEnv.put("CODEBUILD_PROJECT", CODEBUILD_PROJECT);
    inboundEnv.put("S3_FORCE_PATH_STYLE", "true");
    inboundEnv.put("REF_WAIT_SECONDS", "4");
    inboundEnv.put("GIT_TIMEOUT_SECONDS", "10");
    inboundEnv.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_EVENTBRIDGE", aws.endpoint());
    inboundEnv.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
    inboundEnv.put("WORK_QUEUE_URL", sqs.queueUrl());
    inboundEnv.put("EVENT_BUS_NAME", EVENT_BUS);
    inboundEnv.put("BUILD_RECORDS_TABLE", RECORDS_TABLE);
    // two functions of one jar, as the stack deploys them: same configuration, other handler
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
    System.out.printf("everything up: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
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
        f.close(); // its log stays in target/e2e/
      }
    }
    if (s3 == null && s3Started != null) {
      try {
        s3 =
            s3Started.get(2, TimeUnit.MINUTES); // a start that failed half-way: stop what did start
      } catch (Exception e) {
        // nothing to stop
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
    git.clearRequests();
    if (sqs.messageCount() > 0) {
      sqs.purge(); // what an earlier, failed case left
    }
  }

  // ------------------------------------------------------------------ the cases

  @Test
  void aForkPullRequestBuildsAndEndsAsASuccessFlagOnItsHeadCommit() throws Exception {
    String sha = repos.forkPrHead();
    String buildUuid = SimulatedBuild.newUuid();
    Instant startedAt = Instant.now();
    aws.startBuildStarts(CODEBUILD_PROJECT, buildUuid, 7, startedAt);

    // pagure → function URL → accept: queued, nothing built yet
    JsonNode answer =
        JSON.readTree(
            accept.invokeOk(
                FunctionUrlEvents.delivery(
                    "pull-request.new-1", pagure.baseUri(), forkPr(), DEMO_HOOK_KEY)));

    assertThat(answer.path("statusCode").asInt()).as(answer.toString()).isEqualTo(202);
    assertThat(answer.path("headers").path("content-type").asText()).isEqualTo("application/json");
    JsonNode body = JSON.readTree(answer.path("body").asText());
    String deliveryId = body.path("id").asText();
    String buildKey = body.path("buildKey").asText();
    assertThat(body.path("status").asText()).isEqualTo("queued");
    assertThat(deliveryId).isNotBlank();
    assertThat(body.path("commit").asText()).isEqualTo(sha);
    assertThat(buildKey).matches("[0-9a-f]{64}");
    assertThat(sqs.messageCount()).isEqualTo(1);
    assertThat(aws.calls("CodeBuild_20161006.StartBuild")).isEmpty();
    assertThat(
            s3.client()
                .listObjectVersions(b -> b.bucket(BUCKET).prefix("source/demo/pr/1/"))
                .versions())
        .isEmpty();
    // ... and asked EventBridge for the "queued" flag
    List<LoggedRequest> puts = aws.calls(AwsStandIn.PUT_EVENTS);
    assertThat(puts).hasSize(1);
    JsonNode entries = JSON.readTree(puts.getFirst().getBodyAsString()).path("Entries");
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).path("Source").asText()).isEqualTo("pagure-ci-aws");
    assertThat(entries.get(0).path("DetailType").asText()).isEqualTo("Build Request State Change");
    assertThat(entries.get(0).path("EventBusName").asText()).isEqualTo(EVENT_BUS);
    JsonNode detail = JSON.readTree(entries.get(0).path("Detail").asText());
    assertThat(detail.path("state").asText()).isEqualTo("QUEUED");
    assertThat(detail.path("deliveryId").asText()).isEqualTo(deliveryId);
    assertThat(detail.path("buildKey").asText()).isEqualTo(buildKey);
    assertThat(detail.at("/target/system").asText()).isEqualTo("codebuild");
    assertThat(detail.at("/target/name").asText()).isEqualTo(CODEBUILD_PROJECT);
    assertThat(detail.at("/variables/PAGURE_COMMIT").asText()).isEqualTo(sha);

    // EventBridge → outbound: the "queued" flag on the head commit, before any build exists
    JsonNode queuedOutcome = JSON.readTree(outbound.invokeOk(eventBridgeEnvelope(entries.get(0))));
    assertThat(queuedOutcome.path("outcome").asText())
        .as(queuedOutcome.toString())
        .isEqualTo("posted");
    // ... and said so in a JSON line of the same schema, with the delivery id as a field
    assertThat(jsonLines(outbound))
        .anySatisfy(
            l -> {
              assertThat(l.path("decision").asText()).isEqualTo("posted");
              assertThat(l.path("deliveryId").asText()).isEqualTo(deliveryId);
              assertThat(l.path("requestId").asText()).isNotBlank();
              assertThat(l.path("coldStart").isBoolean()).isTrue();
            });
    List<LoggedRequest> queuedFlags = pagure.flagRequests();
    assertThat(queuedFlags).hasSize(1);
    assertThat(queuedFlags.getFirst().getUrl()).isEqualTo("/api/0/demo/c/" + sha + "/flag");
    Map<String, String> queuedForm = form(queuedFlags.getFirst().getBodyAsString());
    assertThat(queuedForm)
        .containsEntry("status", "pending")
        .containsEntry("username", "pagure-ci/ci")
        .containsEntry("comment", "ci · queued — waiting for a build slot");
    assertThat(queuedForm.get("url")).isEqualTo(pagure.baseUri() + "demo/pull-request/1");
    pagure.resetRequests();

    // the event source mapping → worker: fetch, zip, upload, StartBuild; the message is done
    work();
    assertThat(sqs.messageCount()).isZero();
    String key = "source/demo/pr/1/" + sha + ".zip";

    // the tree of exactly that commit went to S3, as one version of the PR's key
    List<ObjectVersion> versions =
        s3.client()
            .listObjectVersions(b -> b.bucket(BUCKET).prefix("source/demo/pr/1/"))
            .versions();
    assertThat(versions).extracting(ObjectVersion::key).containsExactly(key);
    String version = versions.getFirst().versionId();
    Map<String, String> files =
        unzip(
            s3.client()
                .getObjectAsBytes(b -> b.bucket(BUCKET).key(key).versionId(version))
                .asByteArray());
    assertThat(files)
        .containsEntry("fork.txt", "from bob's fork\n")
        .containsEntry("bin/run.sh", "#!/bin/sh\necho built by bob\n")
        .doesNotContainKey("empty.txt");
    assertThat(files.keySet()).noneMatch(n -> n.equals(".git") || n.startsWith(".git/"));
    // the commit from bob's fork, the trusted buildspec from the target's master
    assertThat(git.requests())
        .contains("POST /forks/bob/demo.git/git-upload-pack", "POST /demo.git/git-upload-pack")
        .allSatisfy(r -> assertThat(r).containsAnyOf(" /forks/bob/demo.git/", " /demo.git/"));

    // the exact StartBuild request
    List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
    assertThat(starts).hasSize(1);
    assertThat(starts.getFirst().getHeader("Authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=ASIAE2ETESTE2ETEST00/")
        .contains("/" + FunctionProcess.REGION + "/codebuild/aws4_request");
    JsonNode start = JSON.readTree(starts.getFirst().getBodyAsString());
    assertThat(fieldNames(start))
        .containsExactlyInAnyOrder(
            "projectName",
            "sourceTypeOverride",
            "sourceLocationOverride",
            "sourceVersion",
            "environmentVariablesOverride",
            "idempotencyToken",
            "buildspecOverride");
    assertThat(start.path("projectName").asText()).isEqualTo(CODEBUILD_PROJECT);
    assertThat(start.path("sourceTypeOverride").asText()).isEqualTo("S3");
    assertThat(start.path("sourceLocationOverride").asText()).isEqualTo(BUCKET + "/" + key);
    assertThat(start.path("sourceVersion").asText()).isEqualTo(version);
    assertThat(start.path("idempotencyToken").asText()).isEqualTo(buildKey);
    assertThat(start.path("buildspecOverride").asText()).isEqualTo(TestRepos.MASTER_BUILDSPEC);
    assertThat(start.path("environmentVariablesOverride"))
        .allSatisfy(v -> assertThat(v.path("type").asText()).isEqualTo("PLAINTEXT"));
    assertThat(variables(start))
        .containsOnly(
            Map.entry("PAGURE_INSTANCE", pagure.baseUri().toString()),
            Map.entry("PAGURE_PROJECT", "demo"),
            Map.entry("PAGURE_SOURCE_PROJECT", "forks/bob/demo"),
            Map.entry("PAGURE_BRANCH", "feature"),
            Map.entry("PAGURE_TARGET_BRANCH", "master"),
            Map.entry("PAGURE_COMMIT", sha),
            Map.entry("PAGURE_PR_ID", "1"),
            Map.entry("PAGURE_PR_UID", "d56aae16d99a415e8feb939dfeb1a419"),
            Map.entry("PAGURE_CAUSE", "1"),
            Map.entry("PAGURE_TRIGGER", "pull-request"),
            Map.entry("PAGURE_ORIGIN", "webhook"),
            Map.entry("PAGURE_DELIVERY_ID", deliveryId),
            Map.entry("PAGURE_BUILD_KEY", buildKey));

    // the build record says which build and which source the key started
    Map<String, AttributeValue> record =
        dynamo
            .client()
            .getItem(
                g ->
                    g.tableName(RECORDS_TABLE)
                        .key(Map.of("id", AttributeValue.fromS("build/" + buildKey)))
                        .consistentRead(true))
            .item();
    assertThat(record).as("build record").isNotEmpty();
    assertThat(record.get("state").s()).isEqualTo("STARTED");
    assertThat(record.get("deliveryId").s()).isEqualTo(deliveryId);
    assertThat(record.get("commit").s()).isEqualTo(sha);
    assertThat(record.get("target").s()).isEqualTo("codebuild");
    assertThat(record.get("buildId").s()).isEqualTo(CODEBUILD_PROJECT + ":" + buildUuid);
    assertThat(record.get("bucket").s()).isEqualTo(BUCKET);
    assertThat(record.get("key").s()).isEqualTo(key);
    assertThat(record.get("versionId").s()).isEqualTo(version);

    // one delivery id from the URL through the queue: both functions' log lines carry it
    assertLogsCarry(deliveryId);

    // CodeBuild runs it: EventBridge → outbound, once per event
    SimulatedBuild build = new SimulatedBuild(start, buildUuid, 7, startedAt);
    List<JsonNode> outcomes = new ArrayList<>();
    outcomes.add(deliver(build, build.stateChange()));
    while (!build.currentPhase().equals("BUILD")) {
      outcomes.add(deliver(build, build.completePhase("SUCCEEDED")));
    }
    String lateBuildPhaseEvent = build.completePhase("SUCCEEDED");
    outcomes.add(deliver(build, build.finish("SUCCEEDED")));
    // EventBridge does not keep order: the BUILD phase event arrives after the final state
    outcomes.add(deliver(build, lateBuildPhaseEvent));

    // pagure ends with one flag on the head commit, updated in place up to success
    List<LoggedRequest> flags = pagure.flagRequests();
    assertThat(outcomes).extracting(o -> o.path("outcome").asText()).containsOnly("posted");
    assertThat(flags).hasSize(outcomes.size());
    List<Map<String, String>> forms = new ArrayList<>();
    for (LoggedRequest r : flags) {
      assertThat(r.getMethod().getName()).isEqualTo("POST");
      assertThat(r.getUrl()).isEqualTo("/api/0/demo/c/" + sha + "/flag");
      assertThat(r.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
      assertThat(r.getHeader("Authorization")).isEqualTo("token " + TOKEN);
      forms.add(form(r.getBodyAsString()));
    }
    assertThat(forms)
        .extracting(f -> f.get("status"))
        .containsExactly(
            "pending", "pending", "pending", "pending", "pending", "pending", "pending", "success",
            "success");
    assertThat(forms)
        .extracting(f -> f.get("comment"))
        .containsExactly(
            // each phase takes 3 s; the times are CodeBuild's own
            "ci · SUBMITTED · 0s",
            "ci · QUEUED 1/9 · 3s",
            "ci · PROVISIONING 2/9 · 6s",
            "ci · DOWNLOAD_SOURCE 3/9 · 9s",
            "ci · INSTALL 4/9 · 12s",
            "ci · PRE_BUILD 5/9 · 15s",
            "ci · BUILD 6/9 · 18s",
            "ci · passed in 30s",
            // the late BUILD phase event: CodeBuild says it finished, with the same duration
            "ci · passed in 30s");
    assertThat(forms).extracting(f -> Integer.parseInt(f.get("percent"))).isSorted();
    String uid = forms.getFirst().get("uid");
    assertThat(uid)
        .isNotBlank()
        .hasSizeLessThanOrEqualTo(32)
        .as("the queued flag is the flag the build's events update")
        .isEqualTo(queuedForm.get("uid"));
    assertThat(forms)
        .allSatisfy(
            f -> {
              assertThat(f.get("uid")).isEqualTo(uid);
              assertThat(f.get("username")).isEqualTo("pagure-ci/ci");
              assertThat(f.get("url")).contains("/codebuild/").contains(buildUuid);
            });
    assertThat(forms.getLast())
        .containsEntry("status", "success")
        .containsEntry("percent", "100")
        .containsEntry("comment", "ci · passed in 30s");

    // only the non-final events were checked with CodeBuild (before posting, and once more after
    // posting pending while the build still ran); the token was read once
    int nonFinal = outcomes.size() - 1;
    assertThat(aws.calls("CodeBuild_20161006.BatchGetBuilds"))
        .hasSizeBetween(nonFinal, 2 * nonFinal)
        .allSatisfy(
            r ->
                assertThat(JSON.readTree(r.getBodyAsString()).at("/ids/0").asText())
                    .isEqualTo(build.arn()));
    assertThat(aws.calls("secretsmanager.GetSecretValue"))
        .filteredOn(r -> r.getBodyAsString().contains(TOKEN_SECRET))
        .hasSizeLessThanOrEqualTo(1);
    assertSecretsStayOutOfTheLogs();
  }

  @Test
  void aBuildThatFailsInItsBuildPhaseEndsAsAFailureFlag() throws Exception {
    String sha = repos.sameRepoPrHead();
    String buildUuid = SimulatedBuild.newUuid();
    Instant startedAt = Instant.now();
    aws.startBuildStarts(CODEBUILD_PROJECT, buildUuid, 8, startedAt);

    String deliveryId =
        queued(
            FunctionUrlEvents.delivery(
                "pull-request.updated-2",
                pagure.baseUri(),
                Map.of("b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", sha),
                DEMO_HOOK_KEY));
    work();
    assertLogsCarry(deliveryId);
    List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
    assertThat(starts).hasSize(1);
    SimulatedBuild build =
        new SimulatedBuild(
            JSON.readTree(starts.getFirst().getBodyAsString()), buildUuid, 8, startedAt);
    deliver(build, build.stateChange());
    while (!build.currentPhase().equals("BUILD")) {
      deliver(build, build.completePhase("SUCCEEDED"));
    }
    deliver(build, build.completePhase("FAILED"));
    JsonNode last = deliver(build, build.finish("FAILED"));

    assertThat(last.path("status").asText()).isEqualTo("failure");
    List<LoggedRequest> flags = pagure.flagRequests();
    assertThat(flags)
        .allSatisfy(
            r -> {
              assertThat(r.getUrl()).isEqualTo("/api/0/demo/c/" + sha + "/flag");
              assertThat(r.getHeader("Authorization")).isEqualTo("token " + TOKEN);
            });
    Map<String, String> lastFlag = form(flags.getLast().getBodyAsString());
    assertThat(lastFlag)
        .containsEntry("status", "failure")
        .containsEntry("comment", "ci · failed in BUILD after 30s")
        .doesNotContainKey("percent");
    assertThat(flags)
        .extracting(r -> form(r.getBodyAsString()).get("uid"))
        .containsOnly(lastFlag.get("uid"));
    assertSecretsStayOutOfTheLogs();
  }

  @Test
  void aRebuildCommentBuildsTheSameCommitAgainAndTheSameFlagFollowsTheNewBuild() throws Exception {
    // PR #9 (the captured fork PR, renumbered so no other case has built it)
    String sha = repos.forkPrHead();
    Map<String, String> opened = new LinkedHashMap<>(forkPr());
    opened.put("\"id\": 1,", "\"id\": 9,");
    Map<String, String> rebuild =
        Map.of(
            "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
            sha,
            "\"branch_from\": \"feature-fork\"",
            "\"branch_from\": \"feature\"",
            "\"id\": 1,",
            "\"id\": 9,");
    String firstUuid = SimulatedBuild.newUuid();
    aws.startBuildStarts(CODEBUILD_PROJECT, firstUuid, 10, Instant.now());
    queued(
        FunctionUrlEvents.delivery("pull-request.new-1", pagure.baseUri(), opened, DEMO_HOOK_KEY));
    work();
    SimulatedBuild firstBuild =
        new SimulatedBuild(
            JSON.readTree(aws.calls("CodeBuild_20161006.StartBuild").getLast().getBodyAsString()),
            firstUuid,
            10,
            Instant.now());
    deliver(firstBuild, firstBuild.stateChange());
    deliver(firstBuild, firstBuild.finish("SUCCEEDED"));

    // someone comments pagure's rebuild phrase (pagure's "Rerun CI" button posts the same)
    String secondUuid = SimulatedBuild.newUuid();
    aws.startBuildStarts(CODEBUILD_PROJECT, secondUuid, 11, Instant.now());
    String secondDelivery =
        queued(
            FunctionUrlEvents.delivery(
                "pull-request.comment.added-6", pagure.baseUri(), rebuild, DEMO_HOOK_KEY));
    work();
    assertLogsCarry(secondDelivery);
    List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
    assertThat(starts).hasSize(2);
    JsonNode firstStart = JSON.readTree(starts.get(0).getBodyAsString());
    JsonNode secondStart = JSON.readTree(starts.get(1).getBodyAsString());
    assertThat(secondStart.path("idempotencyToken").asText())
        .isNotEqualTo(firstStart.path("idempotencyToken").asText());
    assertThat(variables(secondStart)).containsEntry("PAGURE_DELIVERY_ID", secondDelivery);
    assertThat(variables(secondStart))
        .containsEntry("PAGURE_COMMIT", sha)
        .containsEntry("PAGURE_PR_ID", "9")
        .containsEntry("PAGURE_TRIGGER", "rebuild");
    assertThat(variables(firstStart))
        .containsEntry("PAGURE_COMMIT", sha)
        .containsEntry("PAGURE_TRIGGER", "pull-request");

    SimulatedBuild secondBuild = new SimulatedBuild(secondStart, secondUuid, 11, Instant.now());
    deliver(secondBuild, secondBuild.stateChange());
    while (!secondBuild.currentPhase().equals("BUILD")) {
      secondBuild.completePhase("SUCCEEDED"); // this case does not send the setup phases' events
    }
    deliver(secondBuild, secondBuild.completePhase("FAILED"));
    deliver(secondBuild, secondBuild.finish("FAILED"));

    // one flag on the commit: success, back to pending for the rebuild, then the rebuild's failure
    List<Map<String, String>> forms =
        pagure.flagRequests().stream()
            .peek(r -> assertThat(r.getUrl()).isEqualTo("/api/0/demo/c/" + sha + "/flag"))
            .map(r -> form(r.getBodyAsString()))
            .toList();
    assertThat(forms)
        .extracting(f -> f.get("status"))
        .containsExactly("pending", "success", "pending", "pending", "failure");
    assertThat(forms).extracting(f -> f.get("uid")).containsOnly(forms.getFirst().get("uid"));
    assertThat(forms.get(1).get("comment")).isEqualTo("ci · passed in 30s");
    assertThat(forms.getLast().get("comment")).isEqualTo("ci · failed in BUILD after 30s");
    assertSecretsStayOutOfTheLogs();
  }

  @Test
  void aSecondPushStopsTheFirstBuildWhoseFlagEndsCanceledSupersededAndTheSecondIsReported()
      throws Exception {
    // PR #12: the captured same-repo PR #2, renumbered so no other case has built its heads
    String first = repos.sameRepoPrHead();
    aws.stopBuildStops();
    String firstUuid = SimulatedBuild.newUuid();
    aws.startBuildStarts(CODEBUILD_PROJECT, firstUuid, 21, Instant.now());
    queued(
        FunctionUrlEvents.delivery(
            "pull-request.updated-2",
            pagure.baseUri(),
            Map.of("b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", first, "\"id\": 2,", "\"id\": 12,"),
            DEMO_HOOK_KEY));
    work();
    SimulatedBuild firstBuild =
        new SimulatedBuild(
            JSON.readTree(aws.calls("CodeBuild_20161006.StartBuild").getLast().getBodyAsString()),
            firstUuid,
            21,
            Instant.now());
    deliver(firstBuild, firstBuild.stateChange());
    while (!firstBuild.currentPhase().equals("BUILD")) {
      deliver(firstBuild, firstBuild.completePhase("SUCCEEDED"));
    }

    // the author pushes again while the first build runs
    String second =
        repos.commit(
            TestRepos.TARGET,
            "feature-same",
            Map.of("again.txt", io.pagureci.inbound.testsupport.TestFile.file("pushed again\n")),
            "push again");
    try {
      String secondUuid = SimulatedBuild.newUuid();
      aws.startBuildStarts(CODEBUILD_PROJECT, secondUuid, 22, Instant.now());
      queued(
          FunctionUrlEvents.delivery(
              "pull-request.rebased-2",
              pagure.baseUri(),
              Map.of(
                  "5b7fb6a5283339c279fa8caf0c10e76aa215cd33", second, "\"id\": 2,", "\"id\": 12,"),
              DEMO_HOOK_KEY));
      work();

      // the worker started the second build and stopped exactly the first
      List<LoggedRequest> starts = aws.calls("CodeBuild_20161006.StartBuild");
      assertThat(starts).hasSize(2);
      List<LoggedRequest> stops = aws.calls("CodeBuild_20161006.StopBuild");
      assertThat(stops)
          .singleElement()
          .satisfies(
              r ->
                  assertThat(JSON.readTree(r.getBodyAsString()).path("id").asText())
                      .isEqualTo(firstBuild.id()));

      // CodeBuild stops it in BUILD: its own STOPPED events reach outbound
      deliver(firstBuild, firstBuild.completePhase("STOPPED"));
      JsonNode stopped = deliver(firstBuild, firstBuild.finish("STOPPED"));
      assertThat(stopped.path("status").asText()).isEqualTo("canceled");

      SimulatedBuild secondBuild =
          new SimulatedBuild(
              JSON.readTree(starts.getLast().getBodyAsString()), secondUuid, 22, Instant.now());
      deliver(secondBuild, secondBuild.stateChange());
      deliver(secondBuild, secondBuild.finish("SUCCEEDED"));

      // what the PR shows: the first commit's flag ends canceled, saying by what; the second passes
      Map<String, List<Map<String, String>>> byCommit = new LinkedHashMap<>();
      for (LoggedRequest r : pagure.flagRequests()) {
        byCommit.computeIfAbsent(r.getUrl(), u -> new ArrayList<>()).add(form(r.getBodyAsString()));
      }
      List<Map<String, String>> firstFlags = byCommit.get("/api/0/demo/c/" + first + "/flag");
      List<Map<String, String>> secondFlags = byCommit.get("/api/0/demo/c/" + second + "/flag");
      assertThat(byCommit).hasSize(2);
      assertThat(firstFlags.getLast())
          .containsEntry("status", "canceled")
          .containsEntry("username", "pagure-ci/ci");
      assertThat(firstFlags.getLast().get("comment"))
          .startsWith("ci · canceled — superseded by " + second.substring(0, 7) + " (stopped in ");
      assertThat(firstFlags)
          .extracting(f -> f.get("uid"))
          .containsOnly(firstFlags.get(0).get("uid"));
      assertThat(secondFlags.getLast())
          .containsEntry("status", "success")
          .containsEntry("comment", "ci · passed in 30s");
      assertThat(secondFlags)
          .extracting(f -> f.get("status"))
          .as("the second build is never canceled")
          .doesNotContain("canceled");
      assertSecretsStayOutOfTheLogs();
    } finally {
      repos.setRef(TestRepos.TARGET, "refs/heads/feature-same", first);
    }
  }

  @Test
  void aDeliveryWithABadSignatureIsRefusedAndNothingIsQueuedFetchedStoredOrBuilt()
      throws Exception {
    Map<String, String> pr5 = new LinkedHashMap<>(forkPr());
    pr5.put("\"id\": 1,", "\"id\": 5,");
    String event =
        FunctionUrlEvents.delivery(
            "pull-request.new-1",
            pagure.baseUri(),
            pr5,
            "ANOTHERKEYANOTHERKEYANOTHERKEYANOTHERKEY");
    int outboundInvocations = outbound.invocations();
    int workerInvocations = worker.invocations();

    JsonNode answer = JSON.readTree(accept.invokeOk(event));

    assertThat(answer.path("statusCode").asInt()).isEqualTo(401);
    assertThat(JSON.readTree(answer.path("body").asText()).path("code").asText())
        .isEqualTo("UNAUTHENTICATED");
    assertThat(sqs.messageCount()).isZero();
    assertThat(sqs.deliverTo(worker)).isNull();
    assertThat(worker.invocations()).isEqualTo(workerInvocations);
    assertThat(aws.calls(AwsStandIn.PUT_EVENTS)).isEmpty();
    assertThat(git.requestCount()).isZero();
    assertThat(
            s3.client()
                .listObjectVersions(b -> b.bucket(BUCKET).prefix("source/demo/pr/5/"))
                .versions())
        .isEmpty();
    assertThat(aws.calls("CodeBuild_20161006.StartBuild")).isEmpty();
    assertThat(pagure.flagRequests()).isEmpty();
    assertThat(outbound.invocations()).isEqualTo(outboundInvocations);
    assertSecretsStayOutOfTheLogs();
  }

  // ------------------------------------------------------------------ helpers

  /** PR #1 of the capture is bob's fork PR: map it onto the local fork PR. */
  private static Map<String, String> forkPr() {
    return Map.of(
        "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f",
        repos.forkPrHead(),
        "\"branch_from\": \"feature-fork\"",
        "\"branch_from\": \"feature\"");
  }

  /**
   * pagure → function URL → accept: {@code 202 {"status":"queued","id":...}}, one work item; the
   * delivery id.
   */
  private static String queued(String event) throws IOException {
    int before = sqs.messageCount();
    JsonNode answer = JSON.readTree(accept.invokeOk(event));
    assertThat(answer.path("statusCode").asInt()).as(answer.toString()).isEqualTo(202);
    JsonNode body = JSON.readTree(answer.path("body").asText());
    assertThat(body.path("status").asText()).as(body.toString()).isEqualTo("queued");
    assertThat(body.path("id").asText()).isNotBlank();
    assertThat(sqs.messageCount()).isEqualTo(before + 1);
    return body.path("id").asText();
  }

  /**
   * The event source mapping delivers the queued work item to the worker, which reports no failure.
   */
  private static SqsStandIn.Batch work() throws IOException {
    SqsStandIn.Batch batch = sqs.deliverTo(worker);
    assertThat(batch).as("a queued work item").isNotNull();
    assertThat(batch.messages()).hasSize(1);
    assertThat(batch.messages().getFirst().attributesAsStrings())
        .containsEntry("ApproximateReceiveCount", "1");
    assertThat(batch.failedIds()).as(batch.answer().toString() + "; " + worker.logFile()).isEmpty();
    return batch;
  }

  /**
   * The accept and the worker function both logged JSON lines with this delivery id as a top-level
   * field, next to the invocation's request id and cold-start flag; the worker's packager lines
   * (written while the item was worked on) carry it too.
   */
  private static void assertLogsCarry(String deliveryId) {
    String needle = "\"deliveryId\":\"" + deliveryId + "\"";
    for (FunctionProcess f : List.of(accept, worker)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!f.output().contains(needle) && System.nanoTime() < deadline) {
        pause(50); // the line is written before the answer, but the file may lag a moment
      }
      List<JsonNode> lines =
          jsonLines(f).stream()
              .filter(l -> l.path("deliveryId").asText().equals(deliveryId))
              .toList();
      assertThat(lines).as(f.logFile().toString()).isNotEmpty();
      assertThat(lines)
          .as("%s: the decision line", f.logFile())
          .anySatisfy(l -> assertThat(l.path("decision").isTextual()).isTrue());
      for (JsonNode l : lines) {
        assertThat(l.path("requestId").asText()).as(l.toString()).isNotBlank();
        assertThat(l.path("coldStart").isBoolean()).as(l.toString()).isTrue();
      }
    }
    assertThat(jsonLines(worker))
        .filteredOn(l -> l.path("deliveryId").asText().equals(deliveryId))
        .anySatisfy(
            l -> {
              assertThat(l.path("message").asText()).isEqualTo("source packaged");
              assertThat(l.path("fetchMs").isIntegralNumber()).isTrue();
            });
  }

  /**
   * Every line a function wrote is one JSON object in Lambda's JSON log shape (docs/deploy.md,
   * Logs) — except the JVM's own notices before any code runs.
   */
  private static List<JsonNode> jsonLines(FunctionProcess f) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : f.output().split("\n")) {
      if (line.isBlank()
          || line.startsWith("Picked up JAVA_TOOL_OPTIONS")
          || line.startsWith("WARNING: ")) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        throw new AssertionError(f.logFile() + ": not a JSON line: " + line, e);
      }
      assertThat(n.isObject()).as(line).isTrue();
      assertThat(n.path("timestamp").asText())
          .as(line)
          .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      assertThat(n.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(n.path("functionName").asText()).as(line).isEqualTo(f.name());
      lines.add(n);
    }
    return lines;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * CodeBuild's current view of the build is what BatchGetBuilds says; then EventBridge invokes the
   * outbound.
   */
  /** What EventBridge hands the outbound function for a captured {@code PutEvents} entry. */
  private static String eventBridgeEnvelope(JsonNode entry) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode e = JSON.createObjectNode();
    e.put("version", "0");
    e.put("id", java.util.UUID.randomUUID().toString());
    e.put("detail-type", entry.path("DetailType").asText());
    e.put("source", entry.path("Source").asText());
    e.put("account", FunctionProcess.ACCOUNT);
    e.put("time", Instant.now().toString());
    e.put("region", FunctionProcess.REGION);
    e.putArray("resources");
    e.set("detail", JSON.readTree(entry.path("Detail").asText()));
    return JSON.writeValueAsString(e);
  }

  private static JsonNode deliver(SimulatedBuild build, String event) throws IOException {
    aws.buildIs(build);
    return JSON.readTree(outbound.invokeOk(event));
  }

  private static void assertSecretsStayOutOfTheLogs() {
    for (FunctionProcess f : List.of(accept, worker, outbound)) {
      assertThat(jsonLines(f)).as(f.logFile().toString()).isNotEmpty();
      assertThat(f.output())
          .as(f.logFile().toString())
          .isNotBlank()
          .doesNotContain(TOKEN)
          .doesNotContain(DEMO_HOOK_KEY);
    }
  }

  /** The {@code environmentVariablesOverride} of a StartBuild request, by name. */
  private static Map<String, String> variables(JsonNode startBuild) {
    Map<String, String> variables = new LinkedHashMap<>();
    for (JsonNode v : startBuild.path("environmentVariablesOverride")) {
      variables.put(v.path("name").asText(), v.path("value").asText());
    }
    return variables;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return fields;
  }

  private static Map<String, String> unzip(byte[] zip) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (!e.isDirectory()) {
          files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }
}
