package io.pagureci.inbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.QueueConfig;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.inbound.testsupport.DynaliteServer;
import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.SqsServer;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The queued stack on local stand-ins, for {@link InboundHandlerIT} and {@link WorkerHandlerIT}:
 * pagure's git over smart HTTP (JGit), S3 (S3Mock, versioned bucket), SQS (ElasticMQ, a work queue
 * with a dead-letter queue per test), DynamoDB (dynalite, a build-records table per test) and
 * WireMock as Secrets Manager, EventBridge, CodeBuild and CodePipeline. The real SDK clients are
 * built by {@link DependencyFactory} and pointed at the stand-ins only through the SDK's own
 * endpoint settings. Deliveries are the real pagure captures, re-pointed at the local git server
 * and its commits and re-signed with the project's key.
 *
 * <p>The worker is driven the way Lambda's SQS event source mapping drives it: receive from the
 * work queue (with {@code ApproximateReceiveCount}), hand the batch to {@link WorkerHandler} as an
 * SQS event, delete what is not in {@code batchItemFailures}.
 */
abstract class QueueStack {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String BUCKET = "queue-it-source";
  static final String DEMO_KEY = "YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";

  /** = the work queue's maxReceiveCount. */
  static final int MAX_ATTEMPTS = 3;

  static final String START_BUILD = "CodeBuild_20161006.StartBuild";
  static final String START_PIPELINE = "CodePipeline_20150709.StartPipelineExecution";
  static final String PUT_EVENTS = "AWSEvents.PutEvents";
  static final String GET_SECRET = "secretsmanager.GetSecretValue";
  static final String BUILD_ID = "pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001";
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final List<String> PROPERTIES =
      List.of(
          "aws.region",
          "aws.accessKeyId",
          "aws.secretAccessKey",
          "aws.endpointUrlS3",
          "aws.endpointUrlSecretsManager",
          "aws.endpointUrlCodeBuild",
          "aws.endpointUrlCodePipeline",
          "aws.endpointUrlEventBridge",
          "aws.endpointUrlSqs",
          "aws.endpointUrlDynamoDb");

  @TempDir static Path reposDir;
  @TempDir Path scratch;

  static TestRepos repos;
  static GitHttpServer git;
  static S3Server s3;
  static WireMockServer aws;
  static DynaliteServer dynamo;
  static SqsServer sqs;

  /** This test's queues, table and source prefix. */
  SqsServer.Queues queues;

  String table;
  String prefix;

  @BeforeAll
  static void startServers() {
    repos = TestRepos.create(reposDir);
    git = GitHttpServer.start(repos.root());
    s3 = S3Server.shared();
    s3.createVersionedBucket(BUCKET);
    aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    aws.start();
    dynamo = DynaliteServer.start();
    sqs = SqsServer.start();
    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", DynaliteServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    System.setProperty("aws.endpointUrlS3", s3.endpoint().toString());
    System.setProperty("aws.endpointUrlDynamoDb", dynamo.endpoint().toString());
    System.setProperty("aws.endpointUrlSqs", sqs.endpoint().toString());
    for (String service : List.of("SecretsManager", "CodeBuild", "CodePipeline", "EventBridge")) {
      System.setProperty("aws.endpointUrl" + service, aws.baseUrl());
    }
  }

  @AfterAll
  static void stopServers() {
    PROPERTIES.forEach(System::clearProperty);
    sqs.close();
    dynamo.close();
    aws.stop();
    git.close();
    // S3Server.shared() lives as long as the JVM (other classes use it too)
  }

  @BeforeEach
  void freshQueuesAndStubs() {
    int n = SEQ.incrementAndGet();
    queues = sqs.createWorkQueue("work-" + n, MAX_ATTEMPTS, Duration.ofSeconds(1));
    table = "records-" + n;
    dynamo.createTable(table);
    prefix = "t" + n + "/";
    aws.resetAll();
    git.clearRequests();
    git.setFault(GitHttpServer.Fault.NONE);
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(GET_SECRET))
            .withRequestBody(equalToJson("{\"SecretId\": \"hook-keys\"}"))
            .willReturn(
                json(
                    200,
                    JSON.createObjectNode()
                        .put(
                            "ARN", "arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-keys")
                        .put("Name", "hook-keys")
                        .put("SecretString", "{\"demo\": \"" + DEMO_KEY + "\"}")
                        .toString())));
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .willReturn(
                json(
                    200,
                    "{\"build\": {\"id\": \""
                        + BUILD_ID
                        + "\","
                        + " \"arn\": \"arn:aws:codebuild:us-east-1:111122223333:build/"
                        + BUILD_ID
                        + "\","
                        + " \"buildStatus\": \"IN_PROGRESS\"}}")));
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(START_PIPELINE))
            .willReturn(
                json(200, "{\"pipelineExecutionId\": \"5a2b7c1e-1111-2222-3333-444455556666\"}")));
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(PUT_EVENTS))
            .willReturn(
                json(
                    200,
                    "{\"FailedEntryCount\": 0, \"Entries\": [{\"EventId\": \"11710aed-b79e-4468-a20b-bb3c0c3b4860\"}]}")));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody(body);
  }

  Map<String, String> env(String... overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", git.baseUri().toString());
    env.put("ALLOWED_PROJECTS", "demo,rpms/*");
    env.put("HOOK_KEYS_SECRET_ID", "hook-keys");
    env.put("SOURCE_BUCKET", BUCKET);
    env.put("SOURCE_PREFIX", prefix);
    env.put("CODEBUILD_PROJECT", "pagure-ci");
    env.put("S3_FORCE_PATH_STYLE", "true");
    env.put("REF_WAIT_SECONDS", "4");
    env.put("GIT_TIMEOUT_SECONDS", "5");
    env.put("WORK_QUEUE_URL", queues.url());
    env.put("BUILD_RECORDS_TABLE", table);
    env.put("EVENT_BUS_NAME", "default");
    env.put("WORK_MAX_ATTEMPTS", Integer.toString(MAX_ATTEMPTS));
    env.put("RETRY_BASE_SECONDS", "1");
    env.put("RETRY_MAX_SECONDS", "2");
    env.put("CLAIM_LEASE_SECONDS", "60");
    // the behaviour before the contributor policy; ContributorPolicyIT sets its own
    env.put("CONTRIBUTOR_POLICY", "all");
    env.put("REBUILD_POLICY", "all");
    for (int i = 0; i < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return env;
  }

  DependencyFactory factory(String tmp, String... overrides) {
    Map<String, String> env = env(overrides);
    return new DependencyFactory(
        InboundConfig.fromEnv(env), QueueConfig.fromEnv(env), scratch.resolve(tmp));
  }

  InboundHandler handler(String... overrides) {
    return new InboundHandler(factory("accept", overrides));
  }

  /** A worker with its own temporary directory (each Lambda instance has its own /tmp). */
  WorkerHandler worker(String... overrides) {
    return new WorkerHandler(factory("worker-" + SEQ.incrementAndGet(), overrides));
  }

  static APIGatewayV2HTTPResponse deliver(InboundHandler handler, APIGatewayV2HTTPEvent event) {
    return FunctionUrl.invoke(handler, event);
  }

  /**
   * A real capture, re-pointed at the local pagure: its instance URL, head sha and source branch
   * replaced in the raw bytes (pagure's own formatting is kept), then re-signed with the key.
   */
  static APIGatewayV2HTTPEvent delivery(String fixture, Map<String, String> replacements) {
    PagureFixtures.Delivery d = PagureFixtures.webhook(fixture);
    String body =
        new String(d.body(), StandardCharsets.US_ASCII)
            .replace("http://127.0.0.1:5000/", git.baseUri().toString())
            .replaceFirst(
                "\"timestamp\": \\d+",
                "\"timestamp\": " + java.time.Instant.now().getEpochSecond());
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      body = body.replace(r.getKey(), r.getValue());
    }
    Map<String, String> headers = new TreeMap<>(d.headers());
    headers.put("x-pagure-signature-256", hmac(DEMO_KEY, body));
    return event(headers, body, null);
  }

  static APIGatewayV2HTTPEvent event(Map<String, String> headers, String body, String iamArn) {
    APIGatewayV2HTTPEvent.RequestContext.Authorizer authorizer = null;
    if (iamArn != null) {
      authorizer =
          APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
              .withIam(
                  APIGatewayV2HTTPEvent.RequestContext.IAM.builder().withUserArn(iamArn).build())
              .build();
    }
    return APIGatewayV2HTTPEvent.builder()
        .withVersion("2.0")
        .withRawPath("/")
        .withHeaders(headers)
        .withBody(body)
        .withIsBase64Encoded(false)
        .withRequestContext(
            APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRequestId("req-" + System.nanoTime())
                .withHttp(
                    APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                        .withMethod("POST")
                        .withPath("/")
                        .build())
                .withAuthorizer(authorizer)
                .build())
        .build();
  }

  /** A ci-webhook document for the same-repo PR #2, from an IAM caller. */
  static APIGatewayV2HTTPEvent ciWebhook(String trigger) {
    ObjectNode doc =
        JSON.createObjectNode()
            .put("protocol", "pagure-ci-webhook")
            .put("version", 1)
            .put("trigger", trigger)
            .put("instance", git.baseUri().toString())
            .put("project", "demo")
            .put("source_project", "demo")
            .put("source_branch", "feature-same")
            .put("target_branch", "master")
            .put("commit", repos.sameRepoPrHead())
            .put("cause", "2");
    doc.putObject("pull_request").put("id", 2).put("uid", "e7ab6a26905845cfbb7d2e44fec5a588");
    return event(
        new HashMap<>(Map.of("content-type", "application/json")),
        doc.toString(),
        "arn:aws:iam::111122223333:user/pagure-ci");
  }

  static String hmac(String key, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PR #1 of the capture is bob's fork PR: map it onto the local fork PR. */
  static Map<String, String> forkPr() {
    return Map.of(
        "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f",
        repos.forkPrHead(),
        "\"branch_from\": \"feature-fork\"",
        "\"branch_from\": \"feature\"");
  }

  /** The fork PR under another PR id (another build key). */
  static Map<String, String> forkPr(int id) {
    Map<String, String> m = new HashMap<>(forkPr());
    m.put("\"id\": 1,", "\"id\": " + id + ",");
    return m;
  }

  static JsonNode body(APIGatewayV2HTTPResponse response) {
    try {
      return JSON.readTree(response.getBody());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<ObjectVersion> sourceObjects() {
    return s3.client().listObjectVersions(b -> b.bucket(BUCKET).prefix(prefix)).versions();
  }

  static List<LoggedRequest> awsCalls(String target) {
    return aws.findAll(
        postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
  }

  /** The request events sent with PutEvents: each entry, with its Detail parsed into "detail". */
  static List<JsonNode> requestEvents() {
    List<JsonNode> out = new ArrayList<>();
    for (LoggedRequest r : awsCalls(PUT_EVENTS)) {
      try {
        for (JsonNode e : JSON.readTree(r.getBodyAsString()).get("Entries")) {
          ObjectNode entry = ((ObjectNode) e).deepCopy();
          entry.set("detail", JSON.readTree(e.get("Detail").asText()));
          out.add(entry);
        }
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
    return out;
  }

  /**
   * The PutEvents entries distinct by their Detail (the SDK retries a failed PutEvents with the
   * same body).
   */
  static List<JsonNode> distinctRequestEvents() {
    return requestEvents().stream().distinct().toList();
  }

  List<Message> receive(Duration wait) {
    return sqs.receive(queues.url(), wait);
  }

  /** The SQS event Lambda's event source mapping would pass for these messages. */
  String sqsEvent(List<Message> messages) {
    return SqsServer.lambdaEvent(messages, queues.arn());
  }

  /**
   * Invokes the worker with these messages and then does what the event source mapping does:
   * deletes every message that is not in {@code batchItemFailures}. Returns the failed message ids.
   */
  List<String> work(WorkerHandler worker, List<Message> messages) {
    List<String> failed = new ArrayList<>();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      worker.handleRequest(
          new ByteArrayInputStream(sqsEvent(messages).getBytes(StandardCharsets.UTF_8)), out, null);
      for (JsonNode f : JSON.readTree(out.toByteArray()).get("batchItemFailures")) {
        failed.add(f.get("itemIdentifier").asText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Message m : messages) {
      if (!failed.contains(m.messageId())) {
        sqs.client().deleteMessage(b -> b.queueUrl(queues.url()).receiptHandle(m.receiptHandle()));
      }
    }
    return failed;
  }

  /** Receives the one message the last delivery queued and works it; returns the failed ids. */
  List<String> workNext(WorkerHandler worker) {
    List<Message> messages = receive(Duration.ofSeconds(5));
    if (messages.isEmpty()) {
      throw new AssertionError("no message in the work queue");
    }
    return work(worker, messages);
  }
}
