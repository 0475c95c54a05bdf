package io.pagureci.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.pagureci.inbound.DependencyFactory;
import io.pagureci.inbound.InboundHandler;
import io.pagureci.inbound.WorkerHandler;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * "Accept at once, build for sure" (docs/performance.md, section "Accept, queue, work"): the real
 * accept function ({@link InboundHandler}) and worker ({@link WorkerHandler}), each built by {@link
 * DependencyFactory} with the real SDK clients, in this JVM, against the ITs' stand-ins: pagure's
 * git ({@link GitHttpServer}) and S3 ({@link S3Server}) behind a {@link FaultProxy} each, ElasticMQ
 * ({@link SqsServer}, work queue + DLQ, real visibility timeouts), dynalite ({@link
 * DynaliteServer}) and WireMock as Secrets Manager, CodeBuild and EventBridge (a 30 % random fault
 * stub in front of GetSecretValue and StartBuild). This class plays Lambda's SQS event source
 * mapping: {@code workers} threads, each one worker instance, receive, invoke, delete what is not
 * in {@code batchItemFailures}.
 *
 * <p>System properties: {@code deliveries} (1000), {@code faultRate} (0.3), {@code timeScale} (30:
 * every production duration of the retry path divided by it — back-off base 30 s → 1 s, cap 900 s →
 * 30 s, secret TTL 300 s → 10 s, the 5-minute git outage → 10 s), {@code workers} (5 = the stack's
 * workerMaxConcurrency), {@code acceptInstances} (4), {@code paceMs} (20: one delivery every 20
 * ms), {@code outageAtSec} (5: after the first delivery), {@code quiet} (300: deliveries of the
 * fault-free warm phase), {@code seed}, {@code repoRoot}, {@code out}, {@code dir}.
 */
public final class FaultBench {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";
  static final String BUCKET = "fault-bench-source";
  static final String START_BUILD = "CodeBuild_20161006.StartBuild";
  static final String PUT_EVENTS = "AWSEvents.PutEvents";
  static final String GET_SECRET = "secretsmanager.GetSecretValue";
  static final int MAX_ATTEMPTS = 8;
  static final Set<String> BUILD_TOPICS =
      Set.of(
          "pull-request.new",
          "pull-request.updated",
          "pull-request.rebased",
          "pull-request.reopened");

  /** A delivery as sent: the function URL event minus its request id; what the answer must be. */
  record Delivery(int slot, String capture, String expect, String eventTemplate, Integer dupOf) {}

  /** What happened to one delivery. */
  record Answer(
      int slot,
      int status,
      String outcome,
      String buildKey,
      String deliveryId,
      long startWallMs,
      long nanos,
      boolean first) {}

  /** Draws true with probability {@code rate}: the fault stubs' extra matcher. */
  static final class Chance implements ValueMatcher<Request> {
    final SplittableRandom random;
    volatile double rate;

    Chance(long seed, double rate) {
      this.random = new SplittableRandom(seed);
      this.rate = rate;
    }

    @Override
    public MatchResult match(Request value) {
      synchronized (random) {
        return MatchResult.of(random.nextDouble() < rate);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int n = Integer.getInteger("deliveries", 1000);
    double rate = Double.parseDouble(System.getProperty("faultRate", "0.3"));
    double scale = Double.parseDouble(System.getProperty("timeScale", "30"));
    int workers = Integer.getInteger("workers", 5);
    int acceptInstances = Integer.getInteger("acceptInstances", 4);
    long paceMs = Long.getLong("paceMs", 20);
    long outageAtSec = Long.getLong("outageAtSec", 5);
    int quiet = Integer.getInteger("quiet", 300);
    long seed = Long.getLong("seed", 7);
    Path repoRoot = Path.of(System.getProperty("repoRoot", ".")).toAbsolutePath();
    Path dir =
        Files.createDirectories(Path.of(System.getProperty("dir", "/tmp/pagureci-bench/faults")));
    System.setProperty("pagure.fixtures", repoRoot.resolve("testdata/pagure").toString());
    long backoffBase = Math.max(1, Math.round(30 / scale));
    long backoffMax = Math.max(1, Math.round(900 / scale));
    long secretTtl = Math.max(1, Math.round(300 / scale));
    long outageMs = Math.round(300_000 / scale);
    long window = 0;
    for (int a = 1; a < MAX_ATTEMPTS; a++) {
      window += Math.min(backoffBase << (a - 1), backoffMax);
    }
    log(
        "FaultBench: %d deliveries, fault rate %.2f, time scale 1/%.0f (back-off %d s .. %d s, %d attempts,"
            + " retry window %d s; git outage %d ms; secret TTL %d s), %d workers, %d accept instances; load %s",
        n,
        rate,
        scale,
        backoffBase,
        backoffMax,
        MAX_ATTEMPTS,
        window,
        outageMs,
        secretTtl,
        workers,
        acceptInstances,
        PackagingBench.load());

    // ---- stand-ins
    Path run = Files.createTempDirectory(dir, "run");
    TestRepos repos = TestRepos.create(Files.createDirectories(run.resolve("repos")));
    GitHttpServer git = GitHttpServer.start(repos.root());
    S3Server s3 = S3Server.start();
    s3.createVersionedBucket(BUCKET);
    SqsServer sqs = SqsServer.start();
    DynaliteServer dynamo = DynaliteServer.start();
    dynamo.createTable("records");
    WireMockServer aws =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(40)
                .jettyStopTimeout(0L));
    aws.start();
    // a "git call" = one git operation (ls-remote or fetch), which always starts with GET info/refs
    FaultProxy gitProxy =
        new FaultProxy(
            "git",
            git.baseUri(),
            500,
            "text/plain",
            "injected failure",
            ex ->
                ex.getRequestMethod().equals("GET")
                    && ex.getRequestURI().getPath().endsWith("/info/refs"),
            seed + 1);
    FaultProxy s3Proxy =
        new FaultProxy(
            "s3",
            URI(s3.endpoint() + "/"),
            503,
            "application/xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request"
                + " rate.</Message><RequestId>injected</RequestId></Error>",
            ex -> true,
            seed + 2);
    gitProxy.rate = rate;
    s3Proxy.rate = rate;
    // P(throttle) = rate/2, then P(500 | not throttled) so that the two add up to rate
    Chance throttle = new Chance(seed + 3, rate / 2);
    Chance fail = new Chance(seed + 4, rate / 2 / (1 - rate / 2));
    stub(aws, throttle, fail);
    SqsServer.Queues queues = sqs.createWorkQueue("work", MAX_ATTEMPTS, Duration.ofSeconds(30));

    System.setProperty("aws.region", "us-east-1");
    System.setProperty("aws.accessKeyId", DynaliteServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    System.setProperty("aws.endpointUrlS3", strip(s3Proxy.baseUri().toString()));
    System.setProperty("aws.endpointUrlDynamoDb", dynamo.endpoint().toString());
    System.setProperty("aws.endpointUrlSqs", sqs.endpoint().toString());
    for (String service : List.of("SecretsManager", "CodeBuild", "CodePipeline", "EventBridge")) {
      System.setProperty("aws.endpointUrl" + service, aws.baseUrl());
    }
    String pagure = gitProxy.baseUri().toString();
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", pagure);
    env.put("ALLOWED_PROJECTS", "demo,rpms/*");
    // the figures of docs/performance.md were taken before the contributor policy: anyone's PR
    // builds
    env.put("CONTRIBUTOR_POLICY", "all");
    env.put("REBUILD_POLICY", "all");
    env.put("HOOK_KEYS_SECRET_ID", "hook-keys");
    env.put("SOURCE_BUCKET", BUCKET);
    env.put("SOURCE_PREFIX", "bench/");
    env.put("CODEBUILD_PROJECT", "pagure-ci");
    env.put("S3_FORCE_PATH_STYLE", "true");
    env.put("REF_WAIT_SECONDS", "2");
    env.put("GIT_TIMEOUT_SECONDS", "10");
    env.put("WORK_QUEUE_URL", queues.url());
    env.put("BUILD_RECORDS_TABLE", "records");
    env.put("EVENT_BUS_NAME", "default");
    env.put("WORK_MAX_ATTEMPTS", Integer.toString(MAX_ATTEMPTS));
    env.put("RETRY_BASE_SECONDS", Long.toString(backoffBase));
    env.put("RETRY_MAX_SECONDS", Long.toString(backoffMax));
    env.put("CLAIM_LEASE_SECONDS", "60");
    env.put("SECRETS_TTL_SECONDS", Long.toString(secretTtl));
    AtomicInteger instance = new AtomicInteger();
    java.util.function.Supplier<DependencyFactory> factory =
        () ->
            new DependencyFactory(
                InboundConfig.fromEnv(env),
                QueueConfig.fromEnv(env),
                mkdirs(run.resolve("tmp-" + instance.incrementAndGet())));

    // ---- deliveries
    List<Delivery> deliveries = deliveries(n, pagure, repos, seed, 1000);
    Map<String, Long> mix = new TreeMap<>();
    deliveries.forEach(d -> mix.merge(d.dupOf() != null ? "duplicate" : d.expect(), 1L, Long::sum));
    log("mix: %s", mix);

    // ---- workers (the event source mapping)
    AtomicLong invocations = new AtomicLong();
    AtomicLong failedItems = new AtomicLong();
    List<Thread> workerThreads = new ArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    for (int w = 0; w < workers; w++) {
      WorkerHandler worker = new WorkerHandler(factory.get());
      Thread t =
          Thread.ofPlatform()
              .name("worker-" + w)
              .start(
                  () -> {
                    while (!stop.get()) {
                      try {
                        List<Message> ms =
                            sqs.client()
                                .receiveMessage(
                                    b ->
                                        b.queueUrl(queues.url())
                                            .maxNumberOfMessages(1)
                                            .waitTimeSeconds(1)
                                            .messageSystemAttributeNames(
                                                MessageSystemAttributeName
                                                    .APPROXIMATE_RECEIVE_COUNT))
                                .messages();
                        if (ms.isEmpty()) {
                          continue;
                        }
                        invocations.incrementAndGet();
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        worker.handleRequest(
                            new ByteArrayInputStream(
                                sqsEvent(ms, queues.arn()).getBytes(StandardCharsets.UTF_8)),
                            out,
                            null);
                        List<String> failed = new ArrayList<>();
                        for (JsonNode f :
                            JSON.readTree(out.toByteArray()).get("batchItemFailures")) {
                          failed.add(f.get("itemIdentifier").asText());
                        }
                        failedItems.addAndGet(failed.size());
                        for (Message m : ms) {
                          if (!failed.contains(m.messageId())) {
                            sqs.client()
                                .deleteMessage(
                                    b -> b.queueUrl(queues.url()).receiptHandle(m.receiptHandle()));
                          }
                        }
                      } catch (Exception e) {
                        // the mapping would see a function error: the batch returns after its
                        // visibility timeout
                        log("worker invocation failed: %s", e);
                      }
                    }
                  });
      workerThreads.add(t);
    }

    // ---- accept: acceptInstances senders, one delivery every paceMs
    Map<Integer, Answer> answers = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime() + 200_000_000L;
    List<Thread> senders = new ArrayList<>();
    for (int a = 0; a < acceptInstances; a++) {
      InboundHandler handler = new InboundHandler(factory.get());
      senders.add(
          Thread.ofPlatform()
              .name("accept-" + a)
              .start(
                  () -> {
                    boolean first = true;
                    for (int i; (i = next.getAndIncrement()) < deliveries.size(); ) {
                      sleepUntil(t0 + i * paceMs * 1_000_000L);
                      Answer r = accept(handler, deliveries.get(i), "d" + i);
                      // an instance's first request (new clients, first secret read, first JIT) is
                      // not "warm"
                      answers.put(
                          i,
                          first
                              ? new Answer(
                                  r.slot(),
                                  r.status(),
                                  r.outcome(),
                                  r.buildKey(),
                                  r.deliveryId(),
                                  r.startWallMs(),
                                  r.nanos(),
                                  true)
                              : r);
                      first = false;
                    }
                  }));
    }
    Thread outage =
        Thread.ofPlatform()
            .name("outage")
            .start(
                () -> {
                  sleepUntil(t0 + outageAtSec * 1_000_000_000L);
                  gitProxy.outage = true;
                  log("git outage on (load %s)", PackagingBench.load());
                  sleepUntil(t0 + outageAtSec * 1_000_000_000L + outageMs * 1_000_000L);
                  gitProxy.outage = false;
                  log("git outage off after %d ms (load %s)", outageMs, PackagingBench.load());
                });
    for (Thread s : senders) {
      s.join();
    }
    outage.join();
    log(
        "all %d deliveries answered after %.1f s (load %s)",
        answers.size(), (System.nanoTime() - t0) / 1e9, PackagingBench.load());
    long drainStart = System.nanoTime();
    int empty = 0;
    while (empty < 3 && System.nanoTime() - drainStart < 1_800_000_000_000L) {
      Thread.sleep(1000);
      int depth = sqs.depth(queues.url());
      empty = depth == 0 ? empty + 1 : 0;
      if ((System.nanoTime() - drainStart) / 1_000_000_000L % 10 == 0) {
        log(
            "work queue depth %d, %d invocations, %d items failed so far (load %s)",
            depth, invocations.get(), failedItems.get(), PackagingBench.load());
      }
    }
    stop.set(true);
    for (Thread t : workerThreads) {
      t.join();
    }
    double totalSec = (System.nanoTime() - t0) / 1e9;
    log(
        "work queue drained %.1f s after the first delivery: %d invocations, %d items failed (retried);"
            + " load %s",
        totalSec, invocations.get(), failedItems.get(), PackagingBench.load());

    // ---- accounting
    Map<String, Object> result = new LinkedHashMap<>();
    result.put(
        "config",
        Map.of(
            "deliveries",
            n,
            "faultRate",
            rate,
            "timeScale",
            scale,
            "workers",
            workers,
            "acceptInstances",
            acceptInstances,
            "backoffBaseSec",
            backoffBase,
            "backoffMaxSec",
            backoffMax,
            "attempts",
            MAX_ATTEMPTS,
            "retryWindowSec",
            window,
            "outageMs",
            outageMs));
    result.put("mix", mix);
    account(deliveries, answers, aws, sqs, queues, result);
    result.put(
        "injected",
        Map.of(
            "gitInfoRefsSelected",
            gitProxy.selected.get(),
            "gitInjected",
            gitProxy.injected.get(),
            "gitOutageAnswers",
            gitProxy.outageAnswers.get(),
            "gitForwarded",
            gitProxy.forwarded.get(),
            "s3Requests",
            s3Proxy.selected.get(),
            "s3Injected",
            s3Proxy.injected.get()));
    log(
        "injected: git %d of %d info/refs (+%d answers during the outage), S3 %d of %d requests",
        gitProxy.injected.get(),
        gitProxy.selected.get(),
        gitProxy.outageAnswers.get(),
        s3Proxy.injected.get(),
        s3Proxy.selected.get());
    result.put(
        "faultRunLatency",
        latency("fault run (warm, with faults, contended)", answers.values(), aws));
    result.put("drainSec", totalSec);

    // ---- quiet warm phase: no faults, no workers running, one warm accept instance, one at a time
    gitProxy.rate = 0;
    s3Proxy.rate = 0;
    throttle.rate = 0;
    fail.rate = 0;
    aws.resetRequests();
    InboundHandler warm = new InboundHandler(factory.get());
    List<Delivery> quietDeliveries = deliveries(quiet, pagure, repos, seed + 100, 100_000);
    for (int i = 0; i < 20; i++) {
      accept(
          warm, quietDeliveries.get(i % quietDeliveries.size()), "w" + i); // warm-up, not counted
    }
    aws.resetRequests();
    Map<Integer, Answer> quietAnswers = new LinkedHashMap<>();
    for (Delivery d : quietDeliveries) {
      if (d.dupOf() == null) {
        quietAnswers.put(d.slot(), accept(warm, d, "q" + d.slot()));
        Thread.sleep(20);
      }
    }
    result.put(
        "quietLatency", latency("quiet (warm, no faults, no workers)", quietAnswers.values(), aws));
    log("load at the end: %s", PackagingBench.load());

    Path out = Path.of(System.getProperty("out", "benchmarks/target/results/faults.json"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
    gitProxy.close();
    s3Proxy.close();
    aws.stop();
    dynamo.close();
    sqs.close();
    git.close();
    s3.close();
    System.exit(0);
  }

  // ------------------------------------------------------------------------------------------

  static void stub(WireMockServer aws, Chance throttle, Chance fail) {
    aws.stubFor(
        post(urlEqualTo("/"))
            .atPriority(5)
            .withHeader("X-Amz-Target", equalTo(GET_SECRET))
            .willReturn(
                json(
                    200,
                    JSON.createObjectNode()
                        .put(
                            "ARN", "arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-keys")
                        .put("Name", "hook-keys")
                        .put("SecretString", hookKeys())
                        .toString())));
    aws.stubFor(
        post(urlEqualTo("/"))
            .atPriority(5)
            .withHeader("X-Amz-Target", equalTo(START_BUILD))
            .willReturn(
                json(
                    200,
                    "{\"build\": {\"id\": \"pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001\","
                        + " \"arn\": \"arn:aws:codebuild:us-east-1:111122223333:build/pagure-ci:0d5f3c1e-aaaa-bbbb-cccc-000000000001\","
                        + " \"buildStatus\": \"IN_PROGRESS\"}}")));
    aws.stubFor(
        post(urlEqualTo("/"))
            .atPriority(5)
            .withHeader("X-Amz-Target", equalTo(PUT_EVENTS))
            .willReturn(
                json(
                    200,
                    "{\"FailedEntryCount\": 0, \"Entries\": [{\"EventId\": \"11710aed-b79e-4468-a20b-bb3c0c3b4860\"}]}")));
    // the faults: a share `rate` of GetSecretValue and StartBuild, half throttling (400), half a
    // 500
    for (String target : List.of(GET_SECRET, START_BUILD)) {
      aws.stubFor(
          post(urlEqualTo("/"))
              .atPriority(1)
              .withHeader("X-Amz-Target", equalTo(target))
              .andMatching(throttle)
              .willReturn(
                  json(
                      400,
                      "{\"__type\": \"ThrottlingException\", \"message\": \"Rate exceeded\"}")));
      aws.stubFor(
          post(urlEqualTo("/"))
              .atPriority(2)
              .withHeader("X-Amz-Target", equalTo(target))
              .andMatching(fail)
              .willReturn(
                  json(500, "{\"__type\": \"InternalFailure\", \"message\": \"injected\"}")));
    }
  }

  /** The hook-keys secret: every captured project's key (forks have their own). */
  static String hookKeys() {
    ObjectNode keys = JSON.createObjectNode();
    for (PagureFixtures.Delivery d : PagureFixtures.webhooks()) {
      keys.put(d.project(), d.hookKey());
    }
    return keys.toString();
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(
      int status, String body) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody(body);
  }

  /**
   * {@code n} deliveries: ≈ 10 % exact duplicates of an earlier buildable one (the same bytes, a
   * new function URL request), ≈ 60 % buildable captures (each under its own PR id from {@code
   * firstPr}, so each is its own build key), the rest the non-building captures in turn.
   */
  static List<Delivery> deliveries(int n, String pagure, TestRepos repos, long seed, int firstPr)
      throws Exception {
    List<PagureFixtures.Delivery> buildable = new ArrayList<>();
    List<PagureFixtures.Delivery> other = new ArrayList<>();
    for (PagureFixtures.Delivery d : PagureFixtures.webhooks()) {
      (expect(d).equals("queued") ? buildable : other).add(d);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Delivery> out = new ArrayList<>();
    List<Integer> buildableSlots = new ArrayList<>();
    int b = 0;
    int o = 0;
    long now = java.time.Instant.now().getEpochSecond();
    for (int i = 0; i < n; i++) {
      double x = rnd.nextDouble();
      if (x < 0.10 && buildableSlots.size() > 5) {
        Delivery orig = out.get(buildableSlots.get(rnd.nextInt(buildableSlots.size())));
        out.add(
            new Delivery(
                i, orig.capture(), "queued-or-duplicate", orig.eventTemplate(), orig.slot()));
      } else if (x < 0.70) {
        PagureFixtures.Delivery d = buildable.get(b++ % buildable.size());
        out.add(
            new Delivery(i, d.name(), "queued", event(d, pagure, repos, firstPr + i, now), null));
        buildableSlots.add(i);
      } else {
        PagureFixtures.Delivery d = other.get(o++ % other.size());
        out.add(new Delivery(i, d.name(), expect(d), event(d, pagure, repos, 0, now), null));
      }
    }
    return out;
  }

  /** The documented answer for a capture (WebhookReplayTest's rule, BUILD_BRANCHES unset). */
  static String expect(PagureFixtures.Delivery d) throws Exception {
    JsonNode body = JSON.readTree(d.body());
    String topic = body.get("topic").asText();
    JsonNode pr = body.path("msg").path("pullrequest");
    if (d.project().startsWith("forks/")) {
      return "ignored"; // a fork's own web-hook (docs/protocol.md §1.A)
    }
    boolean open = pr.path("status").asText().equals("Open");
    if (BUILD_TOPICS.contains(topic) && open) {
      return "queued";
    }
    if (topic.equals("pull-request.comment.added") && open) {
      JsonNode comments = pr.path("comments");
      String last = comments.get(comments.size() - 1).path("comment").asText();
      if (last.strip().toLowerCase(Locale.ROOT).equals("pretty please pagure-ci rebuild")) {
        return "queued";
      }
    }
    return "ignored";
  }

  /**
   * The capture re-pointed at the local pagure (instance URL, fresh timestamp; for a buildable one
   * also the head sha and source branch of the local PR, and PR id {@code prId}), re-signed, as a
   * function URL event; {@code @@REQUEST_ID@@} stands for the request id.
   */
  static String event(PagureFixtures.Delivery d, String pagure, TestRepos repos, int prId, long now)
      throws Exception {
    String body =
        new String(d.body(), StandardCharsets.US_ASCII)
            .replace("http://127.0.0.1:5000/", pagure)
            .replaceFirst("\"timestamp\": \\d+", "\"timestamp\": " + now);
    if (prId > 0) {
      JsonNode pr = JSON.readTree(d.body()).at("/msg/pullrequest");
      boolean fork = pr.path("repo_from").path("fullname").asText().startsWith("forks/");
      body =
          body.replace(
                  pr.get("commit_stop").asText(),
                  fork ? repos.forkPrHead() : repos.sameRepoPrHead())
              .replace(
                  "\"branch_from\": \"" + pr.get("branch_from").asText() + "\"",
                  "\"branch_from\": \"" + (fork ? "feature" : "feature-same") + "\"")
              .replace("\"id\": " + pr.get("id").asInt() + ",", "\"id\": " + prId + ",");
    }
    // each capture's own project key
    return FunctionUrlEvents.post(
        d.headers(), body, hmac(d.hookKey(), body), "@@REQUEST_ID@@", now * 1000);
  }

  static Answer accept(InboundHandler handler, Delivery d, String requestId) {
    byte[] event =
        d.eventTemplate().replace("@@REQUEST_ID@@", requestId).getBytes(StandardCharsets.UTF_8);
    long wall = System.currentTimeMillis();
    long t = System.nanoTime();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(new ByteArrayInputStream(event), out, null);
      long nanos = System.nanoTime() - t;
      JsonNode r = JSON.readTree(out.toByteArray());
      JsonNode body = JSON.readTree(r.get("body").asText());
      return new Answer(
          d.slot(),
          r.get("statusCode").asInt(),
          body.has("status") ? body.get("status").asText() : body.path("code").asText(),
          body.has("buildKey") ? body.get("buildKey").asText() : null,
          requestId,
          wall,
          nanos,
          false);
    } catch (Exception e) {
      return new Answer(
          d.slot(), -1, "exception " + e, null, requestId, wall, System.nanoTime() - t, false);
    }
  }

  static void account(
      List<Delivery> deliveries,
      Map<Integer, Answer> answers,
      WireMockServer aws,
      SqsServer sqs,
      SqsServer.Queues queues,
      Map<String, Object> result)
      throws Exception {
    // answers vs what the captures must get
    Map<String, Long> byAnswer = new TreeMap<>();
    List<String> unexpected = new ArrayList<>();
    Map<String, List<Answer>> acceptedByKey = new LinkedHashMap<>();
    int refused = 0;
    for (Delivery d : deliveries) {
      Answer a = answers.get(d.slot());
      String got = a.status() + " " + a.outcome();
      byAnswer.merge(
          (d.dupOf() != null ? "duplicate delivery → " : d.expect() + " capture → ") + got,
          1L,
          Long::sum);
      boolean ok =
          switch (d.expect()) {
            case "queued" -> a.status() == 202 && a.outcome().equals("queued");
            case "queued-or-duplicate" ->
                a.status() == 202
                    && (a.outcome().equals("queued") || a.outcome().equals("duplicate"));
            case "403" -> a.status() == 403;
            default -> a.outcome().equals("ignored"); // answered 202 {"status": "ignored", ...}
          };
      if (a.buildKey() != null) {
        acceptedByKey.computeIfAbsent(a.buildKey(), k -> new ArrayList<>()).add(a);
      }
      if (!ok) {
        if (a.status() == 503) {
          refused++;
        } else if (unexpected.size() < 20) {
          unexpected.add(
              d.capture() + " (slot " + d.slot() + ", expected " + d.expect() + "): " + got);
        }
      }
    }
    log("answers: %s", byAnswer);
    log(
        "503 answers (explicit refusals, pagure does not retry): %d; other unexpected answers: %s",
        refused, unexpected);
    result.put("answers", byAnswer);
    result.put("refused503", refused);
    result.put("unexpectedAnswers", unexpected);

    // builds started (StartBuild answered 200) and StartBuild attempts, per idempotency token
    Map<String, Integer> started = new HashMap<>();
    Map<String, Integer> startAttempts = new HashMap<>();
    Map<String, Long> queuedAt = new HashMap<>();
    Map<String, JsonNode> errors = new HashMap<>();
    long secretCalls = 0;
    long secretFaults = 0;
    long startFaults = 0;
    for (ServeEvent ev : aws.getAllServeEvents()) {
      String target = ev.getRequest().getHeader("X-Amz-Target");
      int status = ev.getResponse().getStatus();
      if (START_BUILD.equals(target)) {
        String token =
            JSON.readTree(ev.getRequest().getBodyAsString()).get("idempotencyToken").asText();
        startAttempts.merge(token, 1, Integer::sum);
        if (status == 200) {
          started.merge(token, 1, Integer::sum);
        } else {
          startFaults++;
        }
      } else if (GET_SECRET.equals(target)) {
        secretCalls++;
        secretFaults += status == 200 ? 0 : 1;
      } else if (PUT_EVENTS.equals(target) && status == 200) {
        for (JsonNode e : JSON.readTree(ev.getRequest().getBodyAsString()).get("Entries")) {
          JsonNode detail = JSON.readTree(e.get("Detail").asText());
          String state = detail.path("state").asText();
          if (state.equals("QUEUED")) {
            queuedAt.merge(
                detail.path("deliveryId").asText(),
                ev.getRequest().getLoggedDate().getTime(),
                Math::min);
          } else if (state.equals("ERROR")) {
            errors.putIfAbsent(detail.path("buildKey").asText(), detail);
          }
        }
      }
    }
    // the DLQ
    List<String> dlqKeys = new ArrayList<>();
    for (List<Message> ms;
        !(ms = sqs.receive(queues.dlqUrl(), Duration.ofSeconds(1))).isEmpty(); ) {
      for (Message m : ms) {
        dlqKeys.add(JSON.readTree(m.body()).path("buildKey").asText());
        sqs.client()
            .deleteMessage(b -> b.queueUrl(queues.dlqUrl()).receiptHandle(m.receiptHandle()));
      }
    }
    int built = 0;
    int errored = 0;
    int duplicateBuilds = 0;
    int lost = 0;
    int erroredThenBuilt = 0;
    List<String> lostKeys = new ArrayList<>();
    Map<String, Long> errorCodes = new TreeMap<>();
    for (String key : acceptedByKey.keySet()) {
      int s = started.getOrDefault(key, 0);
      JsonNode err = errors.get(key);
      if (s > 1) {
        duplicateBuilds++;
      }
      if (s >= 1) {
        built++;
        if (err != null) {
          erroredThenBuilt++;
        }
      } else if (err != null) {
        errored++;
        errorCodes.merge(
            err.path("code").asText() + " after " + err.path("attempts").asText() + " attempts",
            1L,
            Long::sum);
      } else {
        lost++;
        if (lostKeys.size() < 10) {
          lostKeys.add(key);
        }
      }
    }
    long startedOutside =
        started.keySet().stream().filter(k -> !acceptedByKey.containsKey(k)).count();
    long dlqWithoutError = dlqKeys.stream().filter(k -> !errors.containsKey(k)).count();
    int acceptedDeliveries = acceptedByKey.values().stream().mapToInt(List::size).sum();
    log(
        "OUTCOME %d deliveries accepted (202 queued / 200 duplicate) for %d distinct build keys: %d built (exactly"
            + " one StartBuild answered 200), %d ERROR event and no build (%s), %d built more than once, %d lost;"
            + " %d keys got an ERROR and later a build; %d builds for keys never accepted",
        acceptedDeliveries,
        acceptedByKey.size(),
        built,
        errored,
        errorCodes,
        duplicateBuilds,
        lost,
        erroredThenBuilt,
        startedOutside);
    log(
        "StartBuild requests %d (%d answered with an injected fault, SDK retries with the same token), builds"
            + " started %d; GetSecretValue %d (%d faults); DLQ %d items (%d without an ERROR event)",
        startAttempts.values().stream().mapToInt(Integer::intValue).sum(),
        startFaults,
        started.values().stream().mapToInt(Integer::intValue).sum(),
        secretCalls,
        secretFaults,
        dlqKeys.size(),
        dlqWithoutError);
    if (!lostKeys.isEmpty()) {
      log("lost keys (first 10): %s", lostKeys);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("acceptedDeliveries", acceptedDeliveries);
    o.put("distinctBuildKeys", acceptedByKey.size());
    o.put("built", built);
    o.put("errored", errored);
    o.put("errorCodes", errorCodes);
    o.put("builtMoreThanOnce", duplicateBuilds);
    o.put("lost", lost);
    o.put("erroredThenBuilt", erroredThenBuilt);
    o.put("buildsForKeysNeverAccepted", startedOutside);
    o.put("startBuildRequests", startAttempts.values().stream().mapToInt(Integer::intValue).sum());
    o.put("startBuildInjectedFaults", startFaults);
    o.put("getSecretValue", secretCalls);
    o.put("getSecretValueFaults", secretFaults);
    o.put("dlq", dlqKeys.size());
    o.put("dlqWithoutErrorEvent", dlqWithoutError);
    long queuedMissing =
        answers.values().stream()
            .filter(a -> a.status() == 202)
            .filter(a -> !queuedAt.containsKey(a.deliveryId()))
            .count();
    o.put("queuedAnswersWithoutQueuedEvent", queuedMissing);
    result.put("outcome", o);
  }

  /** p50/p99/max of the accept answer and of web-hook → QUEUED PutEvents (WireMock's log time). */
  static Map<String, Object> latency(
      String label, java.util.Collection<Answer> answers, WireMockServer aws) throws Exception {
    Map<String, Long> queuedAt = new HashMap<>();
    for (ServeEvent ev : aws.getAllServeEvents()) {
      if (PUT_EVENTS.equals(ev.getRequest().getHeader("X-Amz-Target"))
          && ev.getResponse().getStatus() == 200) {
        for (JsonNode e : JSON.readTree(ev.getRequest().getBodyAsString()).get("Entries")) {
          JsonNode detail = JSON.readTree(e.get("Detail").asText());
          if (detail.path("state").asText().equals("QUEUED")) {
            queuedAt.merge(
                detail.path("deliveryId").asText(),
                ev.getRequest().getLoggedDate().getTime(),
                Math::min);
          }
        }
      }
    }
    List<Long> firsts =
        answers.stream().filter(Answer::first).map(a -> a.nanos() / 1_000_000).toList();
    answers = answers.stream().filter(a -> !a.first()).toList();
    long[] all = answers.stream().mapToLong(a -> a.nanos() / 1000).sorted().toArray();
    long[] queued =
        answers.stream()
            .filter(a -> a.status() == 202)
            .mapToLong(a -> a.nanos() / 1000)
            .sorted()
            .toArray();
    long[] toEvent =
        answers.stream()
            .filter(a -> queuedAt.containsKey(a.deliveryId()))
            .mapToLong(a -> queuedAt.get(a.deliveryId()) - a.startWallMs())
            .sorted()
            .toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instanceFirstRequestsMs", firsts);
    m.put("all", pct(all, 1000.0));
    m.put("queued", pct(queued, 1000.0));
    m.put("webhookToQueuedEventMs", pct(toEvent, 1.0));
    log(
        "LATENCY %s: each accept instance's first request %s ms (not counted); accept answer, all %d: %s; 202 queued %d: %s; web-hook → QUEUED PutEvents %d: %s (load %s)",
        label,
        firsts,
        all.length,
        m.get("all"),
        queued.length,
        m.get("queued"),
        toEvent.length,
        m.get("webhookToQueuedEventMs"),
        PackagingBench.load());
    return m;
  }

  static Map<String, Object> pct(long[] sorted, double div) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (sorted.length == 0) {
      return m;
    }
    m.put("n", sorted.length);
    m.put("p50ms", round(sorted[(int) Math.ceil(0.50 * sorted.length) - 1] / div));
    m.put("p90ms", round(sorted[(int) Math.ceil(0.90 * sorted.length) - 1] / div));
    m.put("p99ms", round(sorted[(int) Math.ceil(0.99 * sorted.length) - 1] / div));
    m.put("maxms", round(sorted[sorted.length - 1] / div));
    return m;
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  static String sqsEvent(List<Message> messages, String arn) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode records = root.putArray("Records");
    for (Message m : messages) {
      ObjectNode r = records.addObject();
      r.put("messageId", m.messageId());
      r.put("receiptHandle", m.receiptHandle());
      r.put("body", m.body());
      ObjectNode attributes = r.putObject("attributes");
      attributes.put(
          "ApproximateReceiveCount",
          m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
      attributes.put("SentTimestamp", Long.toString(System.currentTimeMillis()));
      r.putObject("messageAttributes");
      r.put("md5OfBody", m.md5OfBody());
      r.put("eventSource", "aws:sqs");
      r.put("eventSourceARN", arn);
      r.put("awsRegion", "us-east-1");
    }
    return root.toString();
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

  static void sleepUntil(long nanoTime) {
    long d;
    while ((d = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(d / 1_000_000, (int) (d % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static java.net.URI URI(String s) {
    return java.net.URI.create(s);
  }

  static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  static void log(String fmt, Object... args) {
    PackagingBench.log(fmt, args);
  }

  private FaultBench() {}
}
