package io.pagureci.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.testkit.FunctionProcess;
import io.pagureci.testkit.LocalLambdaRuntime;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Benchmark 3: cold start. A fresh JVM per run runs a function's deployable jar (extracted into a
 * task root, as Lambda does) under the real runtime interface client, with Lambda's JVM flags,
 * against a local Runtime API whose event is already queued, and against stand-ins on loopback over
 * HTTPS (WireMock, a throw-away certificate added to a copy of the JDK's cacerts). Measured from
 * just before the process is started to the arrival of the function's first response.
 *
 * <p>Cases: {@code inbound-unsigned} (a pagure delivery without signature: rejected 401 before any
 * network call), {@code inbound-badsig} (a wrong signature: the hook-key secret is read over TLS,
 * then 401), {@code outbound-flag} (a CodeBuild SUCCEEDED event: token secret read + flag POST to
 * pagure). Variants: {@code default} (the JDK's own CDS archive), {@code appcds} (a dynamic AppCDS
 * archive from a training run: -XX:ArchiveClassesAtExit / -XX:SharedArchiveFile) and {@code aot}
 * (JDK 25 AOT cache: -XX:AOTCacheOutput / -XX:AOTCache).
 *
 * <p>System properties: {@code runs} (10), {@code cases}, {@code variants}, {@code inboundJar},
 * {@code outboundJar}, {@code repoRoot} (for fixtures), {@code dir} (work dir), {@code extraFlags}
 * (added to every function JVM, e.g. for a class-loading log).
 */
public final class ColdStartBench {
  static final List<String> LAMBDA_FLAGS =
      List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /**
   * Options added after Lambda's flags for the inbound cases (later flags win), empty by default:
   * every inbound case runs the accept function (the one behind the URLs), and the stack sets no
   * JAVA_TOOL_OPTIONS on it — {@code workerJvmOptions} goes to the worker only. {@code
   * -DinboundFlags="..."} measures other options, e.g. the worker's default (infra
   * Settings.DEFAULT_INBOUND_JVM_OPTIONS).
   */
  static final String INBOUND_JVM_OPTIONS = "";

  static final String FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:bench";
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  static final java.time.Duration WORK_VISIBILITY = java.time.Duration.ofSeconds(720);
  static WireMockServer stubs;
  static io.pagureci.inbound.testsupport.SqsServer sqs;
  static io.pagureci.inbound.testsupport.DynaliteServer dynamo;

  record Case(
      String name,
      Path taskRoot,
      String handler,
      int memoryMb,
      Map<String, String> env,
      String event,
      String expect) {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 10);
    List<String> cases =
        List.of(
            System.getProperty("cases", "inbound-unsigned,inbound-badsig,outbound-flag")
                .split(","));
    List<String> variants =
        List.of(System.getProperty("variants", "default,appcds,aot").split(","));
    Path repo = Path.of(System.getProperty("repoRoot", ".")).toAbsolutePath();
    Path inboundJar =
        Path.of(System.getProperty("inboundJar", "inbound-lambda/target/function.jar"))
            .toAbsolutePath();
    Path outboundJar =
        Path.of(System.getProperty("outboundJar", "outbound-lambda/target/function.jar"))
            .toAbsolutePath();
    Path dir =
        Files.createDirectories(
            Path.of(System.getProperty("dir", "/tmp/pagureci-bench/coldstart")));
    String java = ProcessHandle.current().info().command().orElse("java");

    log(
        "jars: inbound %.1f MiB, outbound %.1f MiB; java %s; load %s",
        Files.size(inboundJar) / 1048576.0,
        Files.size(outboundJar) / 1048576.0,
        System.getProperty("java.vm.version"),
        PackagingBench.load());
    Tls tls = Tls.create(dir);
    WireMockServer wm =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .httpDisabled(true)
                .httpsPort(0)
                .keystorePath(tls.keyStore().toString())
                .keystorePassword(tls.password())
                .keyManagerPassword(tls.password())
                .keystoreType("PKCS12")
                .containerThreads(16)
                .jettyStopTimeout(0L));
    wm.start();
    stubs = wm;
    String base = "https://127.0.0.1:" + wm.httpsPort();
    stub(wm, repo);

    Path inRoot = taskRoot(inboundJar, dir.resolve("task-inbound"));
    Path outRoot = taskRoot(outboundJar, dir.resolve("task-outbound"));
    Map<String, Case> all = new LinkedHashMap<>();
    Map<String, String> inEnv = awsEnv(base);
    inEnv.put("PAGURE_URL", "http://127.0.0.1:5000/");
    inEnv.put("ALLOWED_PROJECTS", "demo");
    // the figures of docs/performance.md were taken before the contributor policy: anyone's PR
    // builds
    inEnv.put("CONTRIBUTOR_POLICY", "all");
    inEnv.put("REBUILD_POLICY", "all");
    inEnv.put("HOOK_KEYS_SECRET_ID", "hook-keys");
    inEnv.put("SOURCE_BUCKET", "src-bucket");
    inEnv.put("CODEBUILD_PROJECT", "pagure-ci");
    // required since the accept/work split; a rejected request never reaches them
    inEnv.put("WORK_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/work");
    inEnv.put("BUILD_RECORDS_TABLE", "records");
    Path delivery = repo.resolve("testdata/pagure/webhooks/pull-request.new-1");
    all.put(
        "inbound-unsigned",
        new Case(
            "inbound-unsigned",
            inRoot,
            "io.pagureci.inbound.InboundHandler::handleRequest",
            2048,
            inEnv,
            functionUrlEvent(delivery, null),
            "\"statusCode\":401"));
    if (cases.contains("inbound-queued")) {
      // the accept path to its end: build-records GetItem (dynalite), SendMessage (ElasticMQ), then
      // the QUEUED PutEvents (WireMock, HTTPS); both stand-ins speak plain HTTP on loopback
      sqs = io.pagureci.inbound.testsupport.SqsServer.start();
      dynamo = io.pagureci.inbound.testsupport.DynaliteServer.start();
      dynamo.createTable("records");
      String queue = sqs.createWorkQueue("work", 8, WORK_VISIBILITY).url();
      wm.stubFor(
          post(urlEqualTo("/"))
              .withHeader("X-Amz-Target", equalTo("AWSEvents.PutEvents"))
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withHeader("Content-Type", "application/x-amz-json-1.1")
                      .withBody(
                          "{\"FailedEntryCount\": 0, \"Entries\": [{\"EventId\": \"11710aed-b79e-4468-a20b-bb3c0c3b4860\"}]}")));
      Map<String, String> qEnv = new LinkedHashMap<>(inEnv);
      qEnv.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
      qEnv.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
      qEnv.put("WORK_QUEUE_URL", queue);
      qEnv.put("BUILD_RECORDS_TABLE", "records");
      // the delivery is signed once, at the start of the benchmark: allow it to age over the runs
      qEnv.put("MAX_DELIVERY_AGE_SECONDS", "86400");
      all.put(
          "inbound-queued",
          new Case(
              "inbound-queued",
              inRoot,
              "io.pagureci.inbound.InboundHandler::handleRequest",
              2048,
              qEnv,
              signedFunctionUrlEvent(delivery, "0123456789abcdef0123456789abcdef"),
              "\"statusCode\":202"));
    }
    all.put(
        "inbound-badsig",
        new Case(
            "inbound-badsig",
            inRoot,
            "io.pagureci.inbound.InboundHandler::handleRequest",
            2048,
            inEnv,
            functionUrlEvent(delivery, "0".repeat(64)),
            "\"statusCode\":401"));
    Map<String, String> outEnv = awsEnv(base);
    outEnv.put("PAGURE_URL", base + "/");
    outEnv.put("PAGURE_TOKEN_SECRET_ID", "pagure-ci/token");
    String event =
        Files.readString(
                repo.resolve(
                    "outbound-lambda/src/test/resources/events/eventbridge/codebuild/state-succeeded.json"))
            .replace("https://pagure.example.org/", base + "/");
    all.put(
        "outbound-flag",
        new Case(
            "outbound-flag",
            outRoot,
            "io.pagureci.outbound.OutboundHandler::handleRequest",
            512,
            outEnv,
            event,
            "\"outcome\":\"posted\""));

    Map<String, List<long[]>> results = new LinkedHashMap<>();
    for (String c : cases) {
      Case cs = all.get(c);
      Map<String, List<String>> extra = new LinkedHashMap<>();
      for (String v : variants) {
        switch (v) {
          case "default" -> extra.put(v, List.of("-Xshare:auto"));
          case "appcds" -> {
            Path jsa = dir.resolve(c + ".jsa");
            Files.deleteIfExists(jsa);
            train(java, cs, List.of("-XX:ArchiveClassesAtExit=" + jsa), tls);
            extra.put(v, List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:auto"));
            log("%s: AppCDS archive %.1f MiB", c, Files.size(jsa) / 1048576.0);
          }
          case "aot" -> {
            Path aot = dir.resolve(c + ".aot");
            Files.deleteIfExists(aot);
            train(java, cs, List.of("-XX:AOTCacheOutput=" + aot), tls);
            extra.put(v, List.of("-XX:AOTCache=" + aot));
            log("%s: AOT cache %.1f MiB", c, Files.size(aot) / 1048576.0);
          }
          default -> throw new IllegalArgumentException(v);
        }
      }
      // one untimed run of each variant: page cache and the stand-in warm
      for (String v : variants) {
        once(java, cs, extra.get(v), tls);
      }
      for (int i = 0; i < runs; i++) {
        List<String> order = new ArrayList<>(variants);
        if (i % 2 == 1) {
          Collections.reverse(order);
        }
        for (String v : order) {
          long[] r = once(java, cs, extra.get(v), tls);
          results.computeIfAbsent(c + " " + v, k -> new ArrayList<>()).add(r);
          log(
              "%s %-7s run %d: init %4d ms, first response %4d ms%s (load %s)",
              c,
              v,
              i + 1,
              r[0],
              r[1],
              r[2] >= 0 ? String.format(Locale.ROOT, ", QUEUED PutEvents at %4d ms", r[2]) : "",
              PackagingBench.load());
        }
      }
    }
    wm.stop();
    if (sqs != null) {
      sqs.close();
      dynamo.close();
    }
    StringBuilder json = new StringBuilder("{");
    results.forEach(
        (k, list) -> {
          long init = PackagingBench.median(list.stream().map(a -> a[0]).toList());
          long first = PackagingBench.median(list.stream().map(a -> a[1]).toList());
          long min = list.stream().mapToLong(a -> a[1]).min().orElse(0);
          long max = list.stream().mapToLong(a -> a[1]).max().orElse(0);
          long queued = PackagingBench.median(list.stream().map(a -> a[2]).toList());
          long queuedMax = list.stream().mapToLong(a -> a[2]).max().orElse(-1);
          log(
              "SUMMARY %-24s median init %4d ms, median first response %4d ms (min %d, max %d, n=%d)%s",
              k,
              init,
              first,
              min,
              max,
              list.size(),
              queued >= 0
                  ? String.format(
                      Locale.ROOT, "; QUEUED PutEvents median %d ms, max %d ms", queued, queuedMax)
                  : "");
          json.append(
              String.format(
                  Locale.ROOT,
                  "\"%s\":{\"initMedianMs\":%d,\"firstResponseMedianMs\":%d,\"min\":%d,\"max\":%d,\"n\":%d,\"queuedEventMedianMs\":%d,\"queuedEventMaxMs\":%d},",
                  k,
                  init,
                  first,
                  min,
                  max,
                  list.size(),
                  queued,
                  queuedMax));
        });
    if (json.length() > 1) {
      json.setLength(json.length() - 1);
    }
    Path out = Path.of(System.getProperty("out", "benchmarks/target/results/coldstart.json"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json.append("}\n").toString());
    System.exit(0);
  }

  static void stub(WireMockServer wm, Path repo) throws IOException {
    secret(wm, "hook-keys", "{\"demo\": \"0123456789abcdef0123456789abcdef\"}");
    secret(wm, "pagure-ci/token", "BENCHTOKEN0123456789THROWAWAYVALUE");
    JsonNode r =
        JSON.readTree(
            Files.readString(
                repo.resolve("testdata/pagure/flags/commit_flag_pr_head_form/response.json")));
    JsonNode body = r.get("json");
    wm.stubFor(
        post(urlPathMatching("/api/0/.*/flag"))
            .willReturn(
                aResponse()
                    .withStatus(r.path("status_code").asInt())
                    .withHeader("Content-Type", r.path("headers").path("Content-Type").asText())
                    .withBody(
                        body != null && !body.isNull()
                            ? body.toString()
                            : r.path("text").asText())));
  }

  static void secret(WireMockServer wm, String id, String value) {
    ObjectNode body =
        JSON.createObjectNode()
            .put("ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + id + "-AbCdEf")
            .put("Name", id)
            .put("SecretString", value)
            .put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1")
            .put("CreatedDate", 1.7957822E9);
    body.putArray("VersionStages").add("AWSCURRENT");
    wm.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
            .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(body.toString())));
  }

  static Map<String, String> awsEnv(String base) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AWS_REGION", "eu-west-1");
    env.put("AWS_DEFAULT_REGION", "eu-west-1");
    env.put("AWS_ENDPOINT_URL", base);
    env.put("AWS_ACCESS_KEY_ID", "ASIAE2ETESTE2ETEST00");
    env.put("AWS_SECRET_ACCESS_KEY", "bench-fake-secret-access-key-00000000000");
    env.put("AWS_SESSION_TOKEN", "bench-fake-session-token");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  /** A function-URL (payload 2.0) event for a captured pagure delivery; signature null = none. */
  static String functionUrlEvent(Path delivery, String signature) throws IOException {
    String body = Files.readString(delivery.resolve("body.json"));
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> h :
        JSON.readTree(Files.readString(delivery.resolve("headers.json"))).properties()) {
      headers.put(h.getKey(), h.getValue().asText());
    }
    return FunctionUrlEvents.post(
        headers, body, signature, "11111111-2222-3333-4444-555555555555", 1795780800000L);
  }

  /** The capture with a fresh timestamp, signed with {@code key} (HMAC-SHA256). */
  static String signedFunctionUrlEvent(Path delivery, String key) throws IOException {
    String body =
        Files.readString(delivery.resolve("body.json"))
            .replaceFirst(
                "\"timestamp\": \\d+",
                "\"timestamp\": " + java.time.Instant.now().getEpochSecond());
    ObjectNode e =
        (ObjectNode) JSON.readTree(functionUrlEvent(delivery, FaultBench.hmac(key, body)));
    e.put("body", body);
    return JSON.writeValueAsString(e);
  }

  static void train(String java, Case c, List<String> flags, Tls tls) throws Exception {
    try (LocalLambdaRuntime rt = LocalLambdaRuntime.start(FUNCTION_ARN, Duration.ofSeconds(60))) {
      CompletableFuture<LocalLambdaRuntime.Result> answer = rt.submit(c.event());
      Process p = start(java, c, flags, tls, rt, "train");
      check(c, answer, 120_000, p);
      p.destroy(); // SIGTERM: the JVM exits normally and writes the archive
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("training run did not exit");
      }
    }
  }

  /**
   * {init ms, first response ms, QUEUED PutEvents ms (-1: none)}, all from just before the process
   * start
   */
  static long[] once(String java, Case c, List<String> flags, Tls tls) throws Exception {
    try (LocalLambdaRuntime rt = LocalLambdaRuntime.start(FUNCTION_ARN, Duration.ofSeconds(60))) {
      CompletableFuture<LocalLambdaRuntime.Result> answer = rt.submit(c.event());
      stubs.resetRequests();
      long wall0 = System.currentTimeMillis();
      long t0 = System.nanoTime();
      Process p = start(java, c, flags, tls, rt, "run");
      LocalLambdaRuntime.Result r = check(c, answer, 60_000, p);
      long init = rt.readyAtNanos() == -1 ? -1 : (rt.readyAtNanos() - t0) / 1_000_000;
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      long queued =
          stubs.getAllServeEvents().stream()
              .filter(e -> "AWSEvents.PutEvents".equals(e.getRequest().getHeader("X-Amz-Target")))
              .mapToLong(e -> e.getRequest().getLoggedDate().getTime() - wall0)
              .min()
              .orElse(-1);
      return new long[] {init, (rt.resultAtNanos(r.requestId()) - t0) / 1_000_000, queued};
    }
  }

  /** The function's answer within {@code timeoutMs}, if it is the case's expected response. */
  static LocalLambdaRuntime.Result check(
      Case c, CompletableFuture<LocalLambdaRuntime.Result> answer, long timeoutMs, Process p)
      throws IOException, InterruptedException {
    String got;
    LocalLambdaRuntime.Result r = null;
    try {
      r = answer.get(timeoutMs, TimeUnit.MILLISECONDS);
      got = r.toString();
    } catch (ExecutionException e) {
      got = String.valueOf(e.getCause());
    } catch (TimeoutException e) {
      got = "none within " + timeoutMs + " ms";
    }
    if (r instanceof LocalLambdaRuntime.Response
        && r.body().replace(" ", "").contains(c.expect())) {
      return r;
    }
    p.destroyForcibly();
    throw new IllegalStateException(
        c.name()
            + ": unexpected answer "
            + got
            + "\nlog:\n"
            + Files.readString(c.taskRoot().resolveSibling(c.name() + ".log")));
  }

  static Process start(
      String java, Case c, List<String> flags, Tls tls, LocalLambdaRuntime rt, String tag)
      throws IOException, URISyntaxException {
    Path home = Files.createDirectories(c.taskRoot().resolveSibling("home"));
    Path tmp = Files.createDirectories(c.taskRoot().resolveSibling("tmp"));
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.addAll(LAMBDA_FLAGS);
    cmd.add("-XX:MaxRAM=" + c.memoryMb() + "m");
    String inbound = System.getProperty("inboundFlags", INBOUND_JVM_OPTIONS).trim();
    if (c.name().startsWith("inbound") && !inbound.isEmpty()) {
      cmd.addAll(List.of(inbound.split("\\s+")));
    }
    cmd.addAll(flags);
    String extra = System.getProperty("extraFlags", "").trim();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Djava.io.tmpdir=" + tmp,
            "-Djavax.net.ssl.trustStore=" + tls.trustStore(),
            "-Djavax.net.ssl.trustStorePassword=" + tls.password(),
            "-cp",
            FunctionProcess.runtimeClassPath(),
            RIC_MAIN,
            c.handler()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(c.taskRoot().toFile())
            .redirectErrorStream(true)
            .redirectOutput(c.taskRoot().resolveSibling(c.name() + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    env.put("HOME", home.toString());
    env.put("LAMBDA_TASK_ROOT", c.taskRoot().toString());
    env.put("_HANDLER", c.handler());
    env.put("AWS_LAMBDA_RUNTIME_API", rt.address());
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
    env.put("AWS_LAMBDA_FUNCTION_NAME", "bench-" + c.name());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(c.memoryMb()));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench");
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench-" + tag);
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    // the stack's LoggingConfig (JSON, application level INFO); -DlogFormat=TEXT: Lambda's default
    String logFormat = System.getProperty("logFormat", "JSON");
    env.put("AWS_LAMBDA_LOG_FORMAT", logFormat);
    if (logFormat.equals("JSON")) {
      env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
    }
    env.putAll(c.env());
    return pb.start();
  }

  static Path taskRoot(Path jar, Path root) throws IOException {
    if (Files.exists(root)) {
      PackagingBench.deleteTree(root);
    }
    Files.createDirectories(root);
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        Path t = root.resolve(e.getName()).normalize();
        if (!t.startsWith(root)) {
          throw new IOException("bad entry " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(t);
        } else {
          Files.createDirectories(t.getParent());
          Files.copy(zip, t);
        }
      }
    }
    return root;
  }

  static void log(String fmt, Object... args) {
    PackagingBench.log(fmt, args);
  }
}
