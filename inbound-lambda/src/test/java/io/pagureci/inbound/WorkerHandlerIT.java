package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The worker ({@link WorkerHandler}) with its real adapters — git, S3Mock, dynalite, ElasticMQ,
 * WireMock as CodeBuild / CodePipeline / EventBridge — driven end to end: a delivery through {@link
 * InboundHandler}, the message received from the work queue and handed to the worker as an SQS
 * event, deleted unless it is in {@code batchItemFailures} (what the event source mapping does).
 */
class WorkerHandlerIT extends QueueStack {

  static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> entries = new TreeMap<>();
    try (ZipFile zf =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : java.util.Collections.list(zf.getEntries())) {
        if (!e.isDirectory()) {
          entries.put(e.getName(), zf.getInputStream(e).readAllBytes());
        }
      }
    }
    return entries;
  }

  static String idempotencyToken(LoggedRequest request) {
    try {
      return JSON.readTree(request.getBodyAsString()).get("idempotencyToken").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<JsonNode> errorEvents() {
    return distinctRequestEvents().stream()
        .filter(e -> e.at("/detail/state").asText().equals("ERROR"))
        .toList();
  }

  BuildClaims.Record record(String buildKey) throws Exception {
    return new DynamoDbBuildClaims(dynamo.client(), table, Duration.ofMinutes(15), 30)
        .find(buildKey)
        .orElseThrow();
  }

  private APIGatewayV2HTTPResponse accepted(APIGatewayV2HTTPResponse response) {
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(body(response).get("status").asText()).isEqualTo("queued");
    return response;
  }

  @Test
  void aForkPullRequestBecomesAZipOfExactlyThatCommitAndAStartedBuild() throws Exception {
    String sha = repos.forkPrHead();
    APIGatewayV2HTTPResponse response =
        accepted(deliver(handler(), delivery("pull-request.new-1", forkPr())));
    String buildKey = body(response).get("buildKey").asText();

    List<String> failed = workNext(worker());

    assertThat(failed).isEmpty();
    assertThat(sqs.depth(queues.url())).as("deleted").isZero();
    String key = prefix + "demo/pr/1/" + sha + ".zip";
    List<ObjectVersion> versions = sourceObjects();
    assertThat(versions).singleElement().satisfies(v -> assertThat(v.key()).isEqualTo(key));
    String version = versions.getFirst().versionId();

    // the stored object is the tree of exactly that commit, without .git
    byte[] zip =
        s3.client()
            .getObjectAsBytes(b -> b.bucket(BUCKET).key(key).versionId(version))
            .asByteArray();
    Map<String, byte[]> files = unzip(zip);
    assertThat(files.keySet())
        .noneMatch(n -> n.startsWith(".git/") || n.contains("/.git/") || n.equals(".git"));
    try (var repo = repos.open(TestRepos.FORK)) {
      var walk = new org.eclipse.jgit.treewalk.TreeWalk(repo);
      walk.addTree(repo.parseCommit(org.eclipse.jgit.lib.ObjectId.fromString(sha)).getTree());
      walk.setRecursive(true);
      Map<String, byte[]> expected = new TreeMap<>();
      while (walk.next()) {
        if (walk.getFileMode(0) != org.eclipse.jgit.lib.FileMode.GITLINK) {
          expected.put(walk.getPathString(), repo.open(walk.getObjectId(0)).getBytes());
        }
      }
      assertThat(files.keySet()).isEqualTo(expected.keySet());
      expected.forEach((path, bytes) -> assertThat(files.get(path)).as(path).isEqualTo(bytes));
    }

    // the exact StartBuild request
    List<LoggedRequest> starts = awsCalls(START_BUILD);
    assertThat(starts).hasSize(1);
    JsonNode start = JSON.readTree(starts.getFirst().getBodyAsString());
    assertThat(start.get("projectName").asText()).isEqualTo("pagure-ci");
    assertThat(start.get("sourceTypeOverride").asText()).isEqualTo("S3");
    assertThat(start.get("sourceLocationOverride").asText()).isEqualTo(BUCKET + "/" + key);
    assertThat(start.get("sourceVersion").asText()).isEqualTo(version);
    assertThat(start.get("idempotencyToken").asText()).matches("[0-9a-f]{64}");
    assertThat(start.get("buildspecOverride").asText()).isEqualTo(TestRepos.MASTER_BUILDSPEC);
    Map<String, String> vars = new TreeMap<>();
    for (JsonNode v : start.get("environmentVariablesOverride")) {
      assertThat(v.get("type").asText()).isEqualTo("PLAINTEXT");
      vars.put(v.get("name").asText(), v.get("value").asText());
    }
    assertThat(vars)
        .containsEntry("PAGURE_INSTANCE", git.baseUri().toString())
        .containsEntry("PAGURE_PROJECT", "demo")
        .containsEntry("PAGURE_SOURCE_PROJECT", "forks/bob/demo")
        .containsEntry("PAGURE_BRANCH", "feature")
        .containsEntry("PAGURE_TARGET_BRANCH", "master")
        .containsEntry("PAGURE_COMMIT", sha)
        .containsEntry("PAGURE_PR_ID", "1")
        .containsEntry("PAGURE_CAUSE", "1")
        .containsEntry("PAGURE_TRIGGER", "pull-request")
        .containsEntry("PAGURE_ORIGIN", "webhook")
        .containsKey("PAGURE_PR_UID")
        .containsEntry("PAGURE_BUILD_KEY", start.get("idempotencyToken").asText());

    // the record says which build the key got, with the object version it was started with
    BuildClaims.Record record = record(buildKey);
    assertThat(record.state()).isEqualTo(BuildClaims.State.STARTED);
    assertThat(record.build().id()).isEqualTo(BUILD_ID);
    assertThat(errorEvents()).isEmpty();
  }

  @Test
  void aDuplicateDeliveryBuildsOnce() throws Exception {
    InboundHandler handler = handler();
    byte[] event =
        FunctionUrl.json(
            delivery(
                "pull-request.updated-2",
                Map.of("b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", repos.sameRepoPrHead())));
    accepted(FunctionUrl.invoke(handler, event));
    assertThat(workNext(worker())).isEmpty();
    int gitCalls = git.requestCount();

    // the same delivery again: the build already started, so the URL answers "duplicate" at once
    APIGatewayV2HTTPResponse again = FunctionUrl.invoke(handler, event);

    assertThat(again.getStatusCode()).isEqualTo(202);
    assertThat(body(again).get("status").asText()).isEqualTo("duplicate");
    assertThat(body(again).at("/build/id").asText()).isEqualTo(BUILD_ID);
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(git.requestCount()).isEqualTo(gitCalls);
    assertThat(sourceObjects()).hasSize(1);
    assertThat(awsCalls(START_BUILD)).hasSize(1);
  }

  @Test
  void aPullRefThatAppearsOnlyLaterStillBuildsTheRightCommit() throws Exception {
    // PR #3 from a fork branch that is gone; pagure syncs refs/pull/3/head a second later
    String sha = repos.forkPrHead();
    repos.deleteRef(TestRepos.TARGET, "refs/pull/3/head");
    Map<String, String> pr3 = forkPr(3);
    pr3.put("\"branch_from\": \"feature-fork\"", "\"branch_from\": \"deleted-branch\"");
    accepted(deliver(handler(), delivery("pull-request.new-1", pr3)));
    CompletableFuture<Void> sync =
        repos.later(
            Duration.ofSeconds(1),
            () -> repos.syncPullRef(TestRepos.TARGET, 3, TestRepos.FORK, "feature"));

    List<String> failed = workNext(worker());

    sync.join();
    assertThat(failed).isEmpty();
    assertThat(sourceObjects())
        .singleElement()
        .satisfies(v -> assertThat(v.key()).isEqualTo(prefix + "demo/pr/3/" + sha + ".zip"));
    assertThat(awsCalls(START_BUILD)).hasSize(1);
    assertThat(git.requests()).anyMatch(r -> r.contains("/demo.git/"));
  }

  @Test
  void aHeadThatMovedOnIsReportedAsAnErrorAndNotRetried() throws Exception {
    // the web-hook names the old head; the fork branch and refs/pull/1/head point elsewhere
    String stale = repos.masterHead();
    APIGatewayV2HTTPResponse response =
        accepted(
            deliver(
                handler(),
                delivery(
                    "pull-request.new-1",
                    Map.of(
                        "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f",
                        stale,
                        "\"branch_from\": \"feature-fork\"",
                        "\"branch_from\": \"feature\""))));

    List<String> failed = workNext(worker("REF_WAIT_SECONDS", "1"));

    assertThat(failed).as("permanent: not returned to the queue").isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(sourceObjects()).isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
    List<JsonNode> errors = errorEvents();
    assertThat(errors)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("Source").asText()).isEqualTo("pagure-ci-aws");
              assertThat(e.get("DetailType").asText()).isEqualTo("Build Request State Change");
              assertThat(e.at("/detail/code").asText()).isEqualTo("HEAD_MOVED");
              assertThat(e.at("/detail/buildKey").asText())
                  .isEqualTo(body(response).get("buildKey").asText());
              assertThat(e.at("/detail/variables/PAGURE_COMMIT").asText()).isEqualTo(stale);
              assertThat(e.at("/detail/reason").asText()).contains(stale.substring(0, 7));
              assertThat(e.at("/detail/attempts").asInt()).isEqualTo(1);
            });
    assertThat(record(body(response).get("buildKey").asText()).state())
        .isEqualTo(BuildClaims.State.FAILED);
  }

  @Test
  void aPullRequestOverASourceLimitIsAnErrorNamingTheLimitAndNothingIsStoredOrStarted()
      throws Exception {
    Map<String, String> pr10 = new java.util.HashMap<>(forkPr());
    pr10.put("\"id\": 1,", "\"id\": 10,");
    APIGatewayV2HTTPResponse response =
        accepted(deliver(handler(), delivery("pull-request.new-1", pr10)));

    List<String> failed = workNext(worker("MAX_SOURCE_FILES", "3"));

    assertThat(failed).as("permanent: not returned to the queue").isEmpty();
    assertThat(sourceObjects()).isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(errorEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.at("/detail/code").asText()).isEqualTo("SOURCE_TOO_LARGE");
              assertThat(e.at("/detail/reason").asText())
                  .isEqualTo("the tree has more than 3 files and directories (MAX_SOURCE_FILES)");
              assertThat(e.at("/detail/retry").asText())
                  .isEqualTo("pretty please pagure-ci rebuild");
            });
    assertThat(record(body(response).get("buildKey").asText()).state())
        .isEqualTo(BuildClaims.State.FAILED);
  }

  @Test
  void snapStartPrimingRunsThePackagerOnALocalRepositoryAndTouchesNoServer() throws Exception {
    WorkerHandler worker = worker();
    int gitRequests = git.requestCount();

    worker.beforeCheckpoint(null);

    assertThat(git.requestCount()).as("git requests").isEqualTo(gitRequests);
    assertThat(sourceObjects()).isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
    try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(scratch)) {
      assertThat(
              left.flatMap(
                  d -> {
                    try {
                      return java.nio.file.Files.list(d);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }))
          .as("temp files left by priming")
          .isEmpty();
    }
  }

  @Test
  void aCiWebhookStartsACodePipelineExecutionPinnedToTheObjectVersion() throws Exception {
    String sha = repos.sameRepoPrHead();
    String[] pipeline = {"BUILD_TARGET", "codepipeline", "PIPELINE_NAME", "pagure-ci-pipeline"};
    accepted(deliver(handler(pipeline), ciWebhook("pull-request")));

    assertThat(workNext(worker(pipeline))).isEmpty();

    List<LoggedRequest> starts = awsCalls(START_PIPELINE);
    assertThat(starts).hasSize(1);
    JsonNode start = JSON.readTree(starts.getFirst().getBodyAsString());
    assertThat(start.get("name").asText()).isEqualTo("pagure-ci-pipeline");
    assertThat(start.get("clientRequestToken").asText()).matches("[0-9a-f]{64}");
    String key = prefix + "demo/pr/2/" + sha + ".zip";
    ObjectVersion stored = sourceObjects().getFirst();
    assertThat(stored.key()).isEqualTo(key);
    ArrayNode revisions = (ArrayNode) start.get("sourceRevisions");
    assertThat(revisions).hasSize(2);
    assertThat(revisions.get(0).get("actionName").asText()).isEqualTo("Source");
    assertThat(revisions.get(0).get("revisionType").asText()).isEqualTo("S3_OBJECT_VERSION_ID");
    assertThat(revisions.get(0).get("revisionValue").asText()).isEqualTo(stored.versionId());
    assertThat(revisions.get(1).get("revisionType").asText()).isEqualTo("S3_OBJECT_KEY");
    assertThat(revisions.get(1).get("revisionValue").asText()).isEqualTo(key);
    Map<String, String> vars = new TreeMap<>();
    start.get("variables").forEach(v -> vars.put(v.get("name").asText(), v.get("value").asText()));
    assertThat(vars)
        .containsEntry("PAGURE_COMMIT", sha)
        .containsEntry("PAGURE_ORIGIN", "ci-webhook")
        .containsEntry("PAGURE_PR_ID", "2")
        .containsEntry("PAGURE_BUILD_KEY", start.get("clientRequestToken").asText());
    assertThat(start.has("buildspecOverride")).isFalse();
    assertThat(awsCalls(GET_SECRET)).as("IAM callers need no secret").isEmpty();
    assertThat(awsCalls(START_BUILD)).isEmpty();
  }

  @Test
  void codeBuildRefusingReturnsTheItemWithABackOffAndTheRetryBuildsWithTheSameToken()
      throws Exception {
    // a queue whose own visibility timeout (30 s) is far longer than the back-off (1 s):
    // only ChangeMessageVisibility can make the message visible again this soon
    queues = sqs.createWorkQueue("slow-" + System.nanoTime(), MAX_ATTEMPTS, Duration.ofSeconds(30));
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .inScenario("refuse")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                json(
                    400,
                    "{\"__type\": \"ResourceNotFoundException\", \"message\": \"Project cannot be found\"}"))
            .willSetStateTo("fixed"));
    accepted(deliver(handler(), delivery("pull-request.new-1", forkPr(7))));
    Message first = receive(Duration.ofSeconds(5)).getFirst();

    List<String> failed = work(worker(), List.of(first));
    long returned = System.nanoTime();

    assertThat(failed).containsExactly(first.messageId());
    assertThat(errorEvents()).as("not the last attempt: no error flag").isEmpty();
    assertThat(receive(Duration.ZERO)).as("not visible before the back-off").isEmpty();
    List<Message> again = receive(Duration.ofSeconds(4));
    Duration hidden = Duration.ofNanos(System.nanoTime() - returned);
    assertThat(again)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageId()).isEqualTo(first.messageId());
              assertThat(m.attributes())
                  .containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");
            });
    assertThat(hidden)
        .as("back-off of attempt 1 = RETRY_BASE_SECONDS")
        .isBetween(Duration.ofMillis(800), Duration.ofSeconds(5));

    assertThat(work(worker(), again)).isEmpty();

    List<LoggedRequest> starts = awsCalls(START_BUILD);
    assertThat(starts).hasSize(2);
    assertThat(starts.stream().map(WorkerHandlerIT::idempotencyToken).distinct()).hasSize(1);
    assertThat(sourceObjects())
        .as("the retry packaged again under the same key")
        .allSatisfy(v -> assertThat(v.key()).endsWith("demo/pr/7/" + repos.forkPrHead() + ".zip"));
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void codeBuildThrottlingIsRetriedByTheSdkWithTheSameIdempotencyToken() throws Exception {
    String throttled = "{\"__type\": \"ThrottlingException\", \"message\": \"Rate exceeded\"}";
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(json(400, throttled))
            .willSetStateTo("once"));
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .inScenario("throttle")
            .whenScenarioStateIs("once")
            .willReturn(json(400, throttled))
            .willSetStateTo("twice"));
    accepted(deliver(handler(), delivery("pull-request.new-1", forkPr(8))));

    assertThat(workNext(worker())).isEmpty();

    List<LoggedRequest> starts = awsCalls(START_BUILD);
    assertThat(starts).hasSize(3);
    assertThat(starts.stream().map(WorkerHandlerIT::idempotencyToken).distinct()).hasSize(1);
  }

  @Test
  void codeBuildThrottlingPersistentlyReturnsTheItemAndReleasesTheClaim() throws Exception {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .willReturn(
                json(
                    400, "{\"__type\": \"ThrottlingException\", \"message\": \"Rate exceeded\"}")));
    APIGatewayV2HTTPResponse response =
        accepted(deliver(handler(), delivery("pull-request.new-1", forkPr(9))));
    Message first = receive(Duration.ofSeconds(5)).getFirst();

    List<String> failed = work(worker(), List.of(first));

    assertThat(failed).containsExactly(first.messageId());
    assertThat(awsCalls(START_BUILD)).as("the SDK retried").hasSizeGreaterThan(1);
    BuildClaims.Record record = record(body(response).get("buildKey").asText());
    assertThat(record.state())
        .as("released for the retry, not started")
        .isEqualTo(BuildClaims.State.CLAIMED);
    assertThat(record.leaseUntil()).isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(errorEvents()).isEmpty();
  }

  @Test
  void theGitServerFailingReturnsTheItemAndTheRetryBuilds() throws Exception {
    git.setFault(GitHttpServer.Fault.DROP_CONNECTION);
    accepted(deliver(handler(), delivery("pull-request.new-1", forkPr())));
    WorkerHandler worker = worker("REF_WAIT_SECONDS", "1");

    Message first = receive(Duration.ofSeconds(5)).getFirst();
    assertThat(work(worker, List.of(first))).containsExactly(first.messageId());
    assertThat(awsCalls(START_BUILD)).isEmpty();
    assertThat(errorEvents()).isEmpty();

    git.setFault(GitHttpServer.Fault.NONE);
    List<Message> again = receive(Duration.ofSeconds(4));
    assertThat(again)
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.attributes())
                    .containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2"));
    assertThat(work(worker, again)).isEmpty();
    assertThat(awsCalls(START_BUILD)).hasSize(1);
    assertThat(scratch).isDirectory();
    try (var left = Files.walk(scratch).filter(Files::isRegularFile)) {
      assertThat(left).as("no files left in the workers' temp space").isEmpty();
    }
  }
}
