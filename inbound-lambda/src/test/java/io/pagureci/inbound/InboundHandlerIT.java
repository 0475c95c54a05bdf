package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The inbound handler end to end against real local servers: pagure's git over smart HTTP (JGit),
 * S3 (S3Mock, versioned bucket) and WireMock as Secrets Manager, CodeBuild and CodePipeline. The
 * real SDK clients are built by {@link DependencyFactory} and pointed at the stand-ins only through
 * the SDK's own endpoint settings. Deliveries are the real pagure captures, re-pointed at the
 * local git server and its commits and re-signed with the project's key.
 */
class InboundHandlerIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUCKET = "handler-it-source";
  private static final String DEMO_KEY = "YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";

  @TempDir static Path reposDir;
  @TempDir Path scratch;

  static TestRepos repos;
  static GitHttpServer git;
  static S3Server s3;
  static WireMockServer aws;

  @BeforeAll
  static void startServers() {
    repos = TestRepos.create(reposDir);
    git = GitHttpServer.start(repos.root());
    s3 = S3Server.shared();
    s3.createVersionedBucket(BUCKET);
    aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    aws.start();
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", "AKIDTESTTESTTEST");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    System.setProperty("aws.endpointUrlS3", s3.endpoint().toString());
    System.setProperty("aws.endpointUrlSecretsManager", aws.baseUrl());
    System.setProperty("aws.endpointUrlCodeBuild", aws.baseUrl());
    System.setProperty("aws.endpointUrlCodePipeline", aws.baseUrl());
  }

  @AfterAll
  static void stopServers() {
    for (String p : List.of("aws.region", "aws.accessKeyId", "aws.secretAccessKey", "aws.endpointUrlS3",
        "aws.endpointUrlSecretsManager", "aws.endpointUrlCodeBuild", "aws.endpointUrlCodePipeline")) {
      System.clearProperty(p);
    }
    aws.stop();
    s3.close();
    git.close();
  }

  @BeforeEach
  void resetStubs() {
    aws.resetAll();
    git.clearRequests();
    git.setFault(GitHttpServer.Fault.NONE);
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
        .withRequestBody(equalToJson("{\"SecretId\": \"hook-keys\"}"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody(JSON.createObjectNode().put("ARN", "arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-keys")
                .put("Name", "hook-keys").put("SecretString", "{\"demo\": \"" + DEMO_KEY + "\"}").toString())));
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"build\": {\"id\": \"pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001\","
                + " \"arn\": \"arn:aws:codebuild:us-east-1:111122223333:build/pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001\","
                + " \"buildStatus\": \"IN_PROGRESS\"}}")));
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodePipeline_20150709.StartPipelineExecution"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"pipelineExecutionId\": \"5a2b7c1e-1111-2222-3333-444455556666\"}")));
  }

  private Map<String, String> env(String... overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", git.baseUri().toString());
    env.put("ALLOWED_PROJECTS", "demo,rpms/*");
    env.put("HOOK_KEYS_SECRET_ID", "hook-keys");
    env.put("SOURCE_BUCKET", BUCKET);
    env.put("CODEBUILD_PROJECT", "pagure-ci");
    env.put("S3_FORCE_PATH_STYLE", "true");
    env.put("REF_WAIT_SECONDS", "4");
    env.put("GIT_TIMEOUT_SECONDS", "5");
    for (int i = 0; i < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return env;
  }

  private InboundHandler handler(String... overrides) {
    Map<String, String> env = env(overrides);
    return new InboundHandler(new DependencyFactory(
        io.pagureci.inbound.config.InboundConfig.fromEnv(env), scratch.resolve("tmp")));
  }

  /**
   * A real capture, re-pointed at the local pagure: its instance URL, head sha and source branch
   * replaced in the raw bytes (pagure's own formatting is kept), then re-signed with the key.
   */
  private static APIGatewayV2HTTPEvent delivery(String fixture, Map<String, String> replacements) {
    PagureFixtures.Delivery d = PagureFixtures.webhook(fixture);
    String body = new String(d.body(), StandardCharsets.US_ASCII)
        .replace("http://127.0.0.1:5000/", git.baseUri().toString())
        .replaceFirst("\"timestamp\": \\d+", "\"timestamp\": " + java.time.Instant.now().getEpochSecond());
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      body = body.replace(r.getKey(), r.getValue());
    }
    Map<String, String> headers = new TreeMap<>(d.headers());
    headers.put("x-pagure-signature-256", hmac(DEMO_KEY, body));
    return event(headers, body, null);
  }

  private static APIGatewayV2HTTPEvent event(Map<String, String> headers, String body, String iamArn) {
    APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = null;
    if (iamArn != null) {
      authorizer = APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
          .withIam(APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(iamArn).build()).build();
    }
    return APIGatewayV2HTTPEvent.builder()
        .withVersion("2.0").withRawPath("/").withHeaders(headers).withBody(body).withIsBase64Encoded(false)
        .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("req-" + System.nanoTime())
            .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath("/").build())
            .withAuthorizer(authorizer).build())
        .build();
  }

  private static String hmac(String key, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PR #1 of the capture is bob's fork PR: map it onto the local fork PR. */
  private static Map<String, String> forkPr() {
    return Map.of("ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f", repos.forkPrHead(),
        "\"branch_from\": \"feature-fork\"", "\"branch_from\": \"feature\"");
  }

  private static JsonNode body(APIGatewayV2HTTPResponse response) throws IOException {
    assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
    return JSON.readTree(response.getBody());
  }

  private List<ObjectVersion> sourceObjects() {
    ListObjectVersionsResponse r = s3.client().listObjectVersions(b -> b.bucket(BUCKET).prefix("source/demo/"));
    return r.versions().stream().filter(v -> v.key().endsWith(".zip")).toList();
  }

  private static String idempotencyToken(LoggedRequest request) {
    try {
      return JSON.readTree(request.getBodyAsString()).get("idempotencyToken").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int buildRecords() {
    return s3.client().listObjectsV2(b -> b.bucket(BUCKET).prefix("source/.builds/")).contents().size();
  }

  private List<LoggedRequest> awsCalls(String target) {
    return aws.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
  }

  private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> entries = new TreeMap<>();
    try (ZipFile zf = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : java.util.Collections.list(zf.getEntries())) {
        if (!e.isDirectory()) {
          entries.put(e.getName(), zf.getInputStream(e).readAllBytes());
        }
      }
    }
    return entries;
  }

  @Test
  void aForkPullRequestBecomesAZipOfExactlyThatCommitAndAStartedBuild() throws Exception {
    String sha = repos.forkPrHead();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", forkPr()));

    JsonNode answer = body(response);
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(answer.get("status").asText()).isEqualTo("accepted");
    assertThat(answer.get("commit").asText()).isEqualTo(sha);
    assertThat(answer.at("/build/target").asText()).isEqualTo("codebuild");
    assertThat(answer.at("/build/id").asText()).isEqualTo("pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001");
    String key = "source/demo/pr/1/" + sha + ".zip";
    assertThat(answer.at("/source/key").asText()).isEqualTo(key);
    String version = answer.at("/source/version").asText();
    assertThat(version).isNotBlank();

    // the stored object is the tree of exactly that commit, without .git
    byte[] zip = s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key(key).versionId(version)).asByteArray();
    Map<String, byte[]> files = unzip(zip);
    assertThat(files.keySet()).noneMatch(n -> n.startsWith(".git/") || n.contains("/.git/") || n.equals(".git"));
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
    List<LoggedRequest> starts = awsCalls("CodeBuild_20161006.StartBuild");
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
    assertThat(vars).containsEntry("PAGURE_INSTANCE", git.baseUri().toString())
        .containsEntry("PAGURE_PROJECT", "demo").containsEntry("PAGURE_SOURCE_PROJECT", "forks/bob/demo")
        .containsEntry("PAGURE_BRANCH", "feature").containsEntry("PAGURE_TARGET_BRANCH", "master")
        .containsEntry("PAGURE_COMMIT", sha).containsEntry("PAGURE_PR_ID", "1")
        .containsEntry("PAGURE_CAUSE", "1").containsEntry("PAGURE_TRIGGER", "pull-request")
        .containsEntry("PAGURE_ORIGIN", "webhook").containsKey("PAGURE_PR_UID");
    assertThat(scratch.resolve("tmp")).satisfiesAnyOf(
        p -> assertThat(Files.exists(p)).isFalse(),
        p -> assertThat(Files.list(p)).isEmpty());
  }

  @Test
  void aDuplicateDeliveryFetchesUploadsAndStartsNothing() throws Exception {
    InboundHandler handler = handler();
    APIGatewayV2HTTPEvent event = delivery("pull-request.updated-2",
        Map.of("b6f9612ac23a7b45a45a6b91c8e2a3e62fafc7c7", repos.sameRepoPrHead()));
    APIGatewayV2HTTPResponse first = FunctionUrl.invoke(handler, event);
    int gitCalls = git.requestCount();
    int objects = sourceObjects().size();

    APIGatewayV2HTTPResponse second = FunctionUrl.invoke(handler, event);

    assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(202);
    assertThat(second.getStatusCode()).isEqualTo(202);
    JsonNode dup = body(second);
    assertThat(dup.get("status").asText()).isEqualTo("duplicate");
    assertThat(dup.at("/build/id").asText()).isEqualTo(body(first).at("/build/id").asText());
    assertThat(git.requestCount()).isEqualTo(gitCalls);
    assertThat(sourceObjects()).hasSize(objects);
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).hasSize(1);
  }

  @Test
  void aPullRefThatAppearsOnlyLaterStillBuildsTheRightCommit() throws Exception {
    // PR #3 from a fork branch that is gone; pagure syncs refs/pull/3/head a second later
    String sha = repos.forkPrHead();
    repos.deleteRef(TestRepos.TARGET, "refs/pull/3/head");
    CompletableFuture<Void> sync = repos.later(Duration.ofSeconds(1),
        () -> repos.syncPullRef(TestRepos.TARGET, 3, TestRepos.FORK, "feature"));
    Map<String, String> pr3 = new HashMap<>(forkPr());
    pr3.put("\"id\": 1,", "\"id\": 3,");
    pr3.put("\"branch_from\": \"feature-fork\"", "\"branch_from\": \"deleted-branch\"");

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", pr3));

    sync.join();
    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    assertThat(body(response).get("commit").asText()).isEqualTo(sha);
    assertThat(body(response).at("/source/key").asText()).isEqualTo("source/demo/pr/3/" + sha + ".zip");
    assertThat(git.requests()).anyMatch(r -> r.contains("/demo.git/"));
  }

  @Test
  void aHeadThatMovedOnIsRejectedAndNothingIsStarted() throws Exception {
    // the web-hook names the old head; the fork branch and refs/pull/1/head point elsewhere
    String stale = repos.masterHead();
    int objects = sourceObjects().size();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler("REF_WAIT_SECONDS", "1"), delivery("pull-request.new-1",
        Map.of("ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f", stale,
            "\"branch_from\": \"feature-fork\"", "\"branch_from\": \"feature\"")));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(409);
    assertThat(body(response).get("code").asText()).isEqualTo("HEAD_MOVED");
    assertThat(sourceObjects()).hasSize(objects);
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).isEmpty();
  }

  @Test
  void snapStartPrimingWithTheRealDependenciesTouchesNoServerAndLeavesNoFiles() throws Exception {
    int objects = sourceObjects().size();
    aws.resetRequests();
    InboundHandler handler = handler();

    handler.beforeCheckpoint(null); // builds the clients, primes the packager and the request path

    assertThat(git.requestCount()).isZero();
    assertThat(aws.getAllServeEvents()).isEmpty();
    assertThat(sourceObjects()).hasSize(objects);
    try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(scratch.resolve("tmp"))) {
      assertThat(left).as("priming's temp repositories are gone").isEmpty();
    }
  }

  @Test
  void aForgedDeliveryTouchesNoServer() throws Exception {
    APIGatewayV2HTTPEvent event = delivery("pull-request.new-1", forkPr());
    event.getHeaders().put("x-pagure-signature-256", hmac("another-key-entirely-000000000000000000", event.getBody()));
    int objects = sourceObjects().size();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), event);

    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(body(response).get("code").asText()).isEqualTo("BAD_SIGNATURE");
    assertThat(git.requestCount()).isZero();
    assertThat(sourceObjects()).hasSize(objects);
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).isEmpty();
  }

  @Test
  void aCiWebhookStartsACodePipelineExecutionPinnedToTheObjectVersion() throws Exception {
    String sha = repos.sameRepoPrHead();
    ObjectNode doc = JSON.createObjectNode().put("protocol", "pagure-ci-webhook").put("version", 1)
        .put("trigger", "pull-request").put("instance", git.baseUri().toString()).put("project", "demo")
        .put("source_project", "demo").put("source_branch", "feature-same").put("target_branch", "master")
        .put("commit", sha).put("cause", "2");
    doc.putObject("pull_request").put("id", 2).put("uid", "e7ab6a26905845cfbb7d2e44fec5a588");

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler("BUILD_TARGET", "codepipeline", "PIPELINE_NAME", "pagure-ci-pipeline",
        "SOURCE_PREFIX", "pipeline/")
        , event(new HashMap<>(Map.of("content-type", "application/json")), doc.toString(),
            "arn:aws:iam::111122223333:user/pagure-ci"));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    JsonNode answer = body(response);
    assertThat(answer.at("/build/target").asText()).isEqualTo("codepipeline");
    assertThat(answer.at("/build/id").asText()).isEqualTo("5a2b7c1e-1111-2222-3333-444455556666");
    List<LoggedRequest> starts = awsCalls("CodePipeline_20150709.StartPipelineExecution");
    assertThat(starts).hasSize(1);
    JsonNode start = JSON.readTree(starts.getFirst().getBodyAsString());
    assertThat(start.get("name").asText()).isEqualTo("pagure-ci-pipeline");
    assertThat(start.get("clientRequestToken").asText()).matches("[0-9a-f]{64}");
    ArrayNode revisions = (ArrayNode) start.get("sourceRevisions");
    assertThat(revisions).hasSize(2);
    assertThat(revisions.get(0).get("actionName").asText()).isEqualTo("Source");
    assertThat(revisions.get(0).get("revisionType").asText()).isEqualTo("S3_OBJECT_VERSION_ID");
    assertThat(revisions.get(0).get("revisionValue").asText()).isEqualTo(answer.at("/source/version").asText());
    assertThat(revisions.get(1).get("revisionType").asText()).isEqualTo("S3_OBJECT_KEY");
    assertThat(revisions.get(1).get("revisionValue").asText()).isEqualTo("pipeline/demo/pr/2/" + sha + ".zip");
    Map<String, String> vars = new TreeMap<>();
    start.get("variables").forEach(v -> vars.put(v.get("name").asText(), v.get("value").asText()));
    assertThat(vars).containsEntry("PAGURE_COMMIT", sha).containsEntry("PAGURE_ORIGIN", "ci-webhook")
        .containsEntry("PAGURE_PR_ID", "2");
    assertThat(start.has("buildspecOverride")).isFalse();
    assertThat(awsCalls("secretsmanager.GetSecretValue")).as("IAM callers need no secret").isEmpty();
  }

  @Test
  void secretsManagerDownIsA503AndNothingIsFetched() throws Exception {
    aws.resetAll();
    aws.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(500)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody("{\"__type\": \"InternalServiceError\", \"message\": \"boom\"}")));

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).isEqualTo(503);
    assertThat(body(response).get("code").asText()).isEqualTo("SECRETS_UNAVAILABLE");
    assertThat(git.requestCount()).isZero();
  }

  @Test
  void codeBuildRefusingTheBuildIsA502WithWhatItSaid() throws Exception {
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"__type\": \"ResourceNotFoundException\", \"message\": \"Project cannot be found\"}")));

    Map<String, String> pr7 = new HashMap<>(forkPr());
    pr7.put("\"id\": 1,", "\"id\": 7,");
    int objectsBefore = sourceObjects().size();
    int recordsBefore = buildRecords();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", pr7));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(502);
    assertThat(body(response).get("code").asText()).isEqualTo("BUILD_START_FAILED");
    assertThat(body(response).get("error").asText()).contains("ResourceNotFoundException");
    // the zip was stored (a retry re-uses the key), but no build record claims a build
    assertThat(sourceObjects()).hasSize(objectsBefore + 1);
    assertThat(buildRecords()).isEqualTo(recordsBefore);
  }

  @Test
  void codeBuildThrottlingIsRetriedWithTheSameIdempotencyToken() throws Exception {
    String throttled = "{\"__type\": \"ThrottlingException\", \"message\": \"Rate exceeded\"}";
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
        .inScenario("throttle").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(throttled))
        .willSetStateTo("once"));
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
        .inScenario("throttle").whenScenarioStateIs("once")
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(throttled))
        .willSetStateTo("twice"));
    Map<String, String> pr8 = new HashMap<>(forkPr());
    pr8.put("\"id\": 1,", "\"id\": 8,");

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", pr8));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(202);
    List<LoggedRequest> starts = awsCalls("CodeBuild_20161006.StartBuild");
    assertThat(starts).hasSize(3);
    assertThat(starts.stream().map(InboundHandlerIT::idempotencyToken).distinct())
        .hasSize(1);
  }

  @Test
  void codeBuildFailingPersistentlyIsA502AfterTheSdkRetries() throws Exception {
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
        .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"__type\": \"ServiceUnavailableException\", \"message\": \"try later\"}")));
    Map<String, String> pr9 = new HashMap<>(forkPr());
    pr9.put("\"id\": 1,", "\"id\": 9,");
    int recordsBefore = buildRecords();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler(), delivery("pull-request.new-1", pr9));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(502);
    assertThat(body(response).get("code").asText()).isEqualTo("BUILD_START_FAILED");
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).hasSizeGreaterThan(1);
    assertThat(buildRecords()).as("no record: a resend builds").isEqualTo(recordsBefore);
  }

  @Test
  void codePipelineThrottlingPersistentlyIsA502AndNoBuildRecord() throws Exception {
    aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodePipeline_20150709.StartPipelineExecution"))
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"__type\": \"ThrottlingException\", \"message\": \"Rate exceeded\"}")));
    String sha = repos.sameRepoPrHead();
    ObjectNode doc = JSON.createObjectNode().put("protocol", "pagure-ci-webhook").put("version", 1)
        .put("trigger", "rebuild").put("instance", git.baseUri().toString()).put("project", "demo")
        .put("source_project", "demo").put("source_branch", "feature-same").put("target_branch", "master")
        .put("commit", sha).put("cause", "2");
    doc.putObject("pull_request").put("id", 2).put("uid", "e7ab6a26905845cfbb7d2e44fec5a588");
    int recordsBefore = s3.client().listObjectsV2(b -> b.bucket(BUCKET).prefix("throttled/.builds/")).contents().size();

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler("BUILD_TARGET", "codepipeline", "PIPELINE_NAME", "pagure-ci-pipeline",
        "SOURCE_PREFIX", "throttled/")
        , event(new HashMap<>(Map.of("content-type", "application/json")), doc.toString(),
            "arn:aws:iam::111122223333:user/pagure-ci"));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(502);
    assertThat(body(response).get("code").asText()).isEqualTo("BUILD_START_FAILED");
    assertThat(body(response).get("error").asText()).contains("ThrottlingException");
    List<LoggedRequest> starts = awsCalls("CodePipeline_20150709.StartPipelineExecution");
    assertThat(starts).as("the SDK retried").hasSizeGreaterThan(1);
    assertThat(starts.stream().map(r -> r.getBodyAsString().replaceAll(".*\"clientRequestToken\":\"([0-9a-f]+)\".*", "$1"))
        .distinct()).hasSize(1);
    assertThat(s3.client().listObjectsV2(b -> b.bucket(BUCKET).prefix("throttled/.builds/")).contents())
        .hasSize(recordsBefore);
  }

  @Test
  void aPullRequestOverASourceLimitIsA422NamingTheLimitAndNothingIsStoredOrStarted() throws Exception {
    Map<String, String> pr10 = new HashMap<>(forkPr());
    pr10.put("\"id\": 1,", "\"id\": 10,");
    int objects = sourceObjects().size();

    APIGatewayV2HTTPResponse response =
        FunctionUrl.invoke(handler("MAX_SOURCE_FILES", "3"), delivery("pull-request.new-1", pr10));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(422);
    assertThat(body(response).get("code").asText()).isEqualTo("SOURCE_TOO_LARGE");
    assertThat(body(response).get("error").asText())
        .isEqualTo("the tree has more than 3 files and directories (MAX_SOURCE_FILES)");
    assertThat(sourceObjects()).hasSize(objects);
    assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).isEmpty();
    try (java.util.stream.Stream<Path> left = Files.list(scratch.resolve("tmp"))) {
      assertThat(left).as("temp dir").isEmpty();
    }
  }

  @Test
  void theGitServerFailingIsA502() throws Exception {
    git.setFault(GitHttpServer.Fault.DROP_CONNECTION);

    APIGatewayV2HTTPResponse response = FunctionUrl.invoke(handler("REF_WAIT_SECONDS", "1")
        , delivery("pull-request.new-1", forkPr()));

    assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(502);
    assertThat(body(response).get("code").asText()).isEqualTo("GIT_FETCH_FAILED");
    assertThat(awsCalls("CodeBuild_20161006.StartBuild")).isEmpty();
  }
}
