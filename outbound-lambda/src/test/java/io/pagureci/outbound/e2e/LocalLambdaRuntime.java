package io.pagureci.outbound.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A small local Lambda Runtime API (JDK HttpServer on 127.0.0.1) driving a function's deployable
 * jar under the real {@code aws-lambda-java-runtime-interface-client} in a child JVM, the way
 * Lambda's Java runtime does: the jar is extracted into a task root (the child's working directory
 * and {@code LAMBDA_TASK_ROOT}; extracted once per test JVM), the runtime client loads the handler
 * from there, polls {@code /next}, and posts responses or errors. Self-contained (JDK + the runtime
 * client on the test classpath), so other modules can reuse it for a cross-module end-to-end test.
 *
 * <pre>
 * try (LocalLambdaRuntime fn = LocalLambdaRuntime.start(jar, "pkg.Handler::handleRequest", env, logFile)) {
 *     LocalLambdaRuntime.Invocation r = fn.invoke("{...}", Duration.ofSeconds(30));
 * }
 * </pre>
 */
public final class LocalLambdaRuntime implements AutoCloseable {
  private static final String PREFIX = "/2018-06-01/runtime/";
  private static final String RIC_MAIN =
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  /**
   * The outcome of one invocation: a response body, or an error ({@code errorType} + JSON body).
   */
  public record Invocation(String requestId, String body, String errorType) {
    public boolean failed() {
      return errorType != null;
    }
  }

  private record Pending(String requestId, byte[] event, long deadlineMillis) {}

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "local-lambda-runtime");
            t.setDaemon(true);
            return t;
          });
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<Invocation>> results = new ConcurrentHashMap<>();
  private final CompletableFuture<String> initError = new CompletableFuture<>();
  private final CompletableFuture<String> exited = new CompletableFuture<>();
  private final Path taskRoot;
  private final Path log;
  private volatile boolean closed;
  private Process process;

  private LocalLambdaRuntime(Path taskRoot, Path log) throws IOException {
    this.taskRoot = taskRoot;
    this.log = log;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext(PREFIX, this::route);
    server.start();
  }

  /**
   * Extracts {@code functionJar} into a temporary task root and starts the runtime interface client
   * on it.
   *
   * @param env the function's environment (configuration, {@code AWS_REGION}, endpoint overrides,
   *     fake credentials); no variable of the calling process that starts with {@code AWS_} is
   *     inherited
   * @param log file receiving the function's stdout and stderr
   */
  public static LocalLambdaRuntime start(
      Path functionJar, String handler, Map<String, String> env, Path log) {
    try {
      LocalLambdaRuntime runtime = new LocalLambdaRuntime(taskRoot(functionJar), log);
      runtime.launch(handler, env);
      return runtime;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch(String handler, Map<String, String> env) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                runtimeClasspath(),
                RIC_MAIN,
                handler));
    // the runtime client loads the handler from its working directory (Lambda: /var/task) and
    // lib/*.jar
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(taskRoot.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("LAMBDA_") || k.startsWith("_"));
    e.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + server.getAddress().getPort());
    e.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    e.put("_HANDLER", handler);
    e.put("AWS_LAMBDA_FUNCTION_NAME", "local-function");
    e.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    e.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
    e.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/local-function");
    e.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
    e.putAll(env);
    process = pb.start();
    process
        .onExit()
        .thenAccept(p -> exited.complete("the function process exited with " + p.exitValue()));
  }

  /** The runtime interface client and what it needs, as found on this JVM's classpath. */
  private static String runtimeClasspath() {
    List<String> jars = new ArrayList<>();
    for (String cls :
        List.of(
            RIC_MAIN,
            "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
            "com.amazonaws.services.lambda.runtime.Context",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal")) {
      try {
        Class<?> c = Class.forName(cls, false, LocalLambdaRuntime.class.getClassLoader());
        jars.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (ClassNotFoundException | URISyntaxException e) {
        throw new IllegalStateException(
            "the runtime interface client is not on the test classpath", e);
      }
    }
    return String.join(java.io.File.pathSeparator, jars);
  }

  private static final Map<String, Path> TASK_ROOTS = new ConcurrentHashMap<>();

  /**
   * The jar extracted once per JVM (and jar version) into a temporary task root, removed at JVM
   * exit.
   */
  private static Path taskRoot(Path jar) throws IOException {
    String key = jar.toAbsolutePath() + "@" + Files.getLastModifiedTime(jar).toMillis();
    try {
      return TASK_ROOTS.computeIfAbsent(
          key,
          k -> {
            try {
              Path root = Files.createTempDirectory("lambda-task-root");
              Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
              unzip(jar, root);
              return root;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static void unzip(Path jar, Path root) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
      for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
        Path target = root.resolve(entry.getName()).normalize();
        if (!target.startsWith(root)) {
          throw new IOException("zip entry outside the task root: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
        }
      }
    }
  }

  /** Queues one event and waits for the function's response or error. */
  public Invocation invoke(String event, Duration timeout) {
    String id = UUID.randomUUID().toString();
    CompletableFuture<Invocation> result = new CompletableFuture<>();
    results.put(id, result);
    queue.add(
        new Pending(
            id,
            event.getBytes(StandardCharsets.UTF_8),
            System.currentTimeMillis() + timeout.toMillis()));
    try {
      return CompletableFuture.anyOf(result, initError, exited)
          .thenApply(
              o -> {
                if (o instanceof Invocation i) {
                  return i;
                }
                throw new IllegalStateException("the function failed: " + o);
              })
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "no answer from the function for " + id + " (log: " + log + ")", e);
    } finally {
      results.remove(id);
    }
  }

  /** The init error the runtime client reported, if it reports one within {@code timeout}. */
  public String awaitInitError(Duration timeout) {
    try {
      return (String)
          CompletableFuture.anyOf(
                  initError,
                  exited.thenApply(
                      m -> {
                        throw new IllegalStateException(m);
                      }))
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("no init error reported (log: " + log + ")", e);
    }
  }

  private void route(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath().substring(PREFIX.length());
      byte[] body = x.getRequestBody().readAllBytes();
      if (path.equals("invocation/next") && x.getRequestMethod().equals("GET")) {
        next(x);
      } else if (path.equals("init/error")) {
        initError.complete(
            x.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type")
                + " "
                + new String(body, StandardCharsets.UTF_8));
        reply(x, 202, "{\"status\":\"OK\"}");
      } else if (path.startsWith("invocation/")
          && (path.endsWith("/response") || path.endsWith("/error"))) {
        String id = path.substring("invocation/".length(), path.lastIndexOf('/'));
        boolean error = path.endsWith("/error");
        String errorType =
            error
                ? String.valueOf(
                    x.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"))
                : null;
        CompletableFuture<Invocation> f = results.get(id);
        if (f != null) {
          f.complete(new Invocation(id, new String(body, StandardCharsets.UTF_8), errorType));
        }
        reply(x, 202, "{\"status\":\"OK\"}");
      } else {
        reply(x, 404, "{\"errorMessage\":\"unknown path\"}");
      }
    }
  }

  private void next(HttpExchange x) throws IOException {
    Pending p = null;
    while (p == null && !closed) {
      try {
        p = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (p == null) {
      return;
    }
    var h = x.getResponseHeaders();
    h.set("Content-Type", "application/json"); // the native client crashes without it
    h.set("Lambda-Runtime-Aws-Request-Id", p.requestId());
    h.set("Lambda-Runtime-Deadline-Ms", Long.toString(p.deadlineMillis()));
    h.set(
        "Lambda-Runtime-Invoked-Function-Arn",
        "arn:aws:lambda:eu-west-1:123456789012:function:local-function");
    h.set(
        "Lambda-Runtime-Trace-Id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    x.sendResponseHeaders(200, p.event().length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(p.event());
    }
  }

  private static void reply(HttpExchange x, int status, String json) throws IOException {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  /** What the function wrote to stdout/stderr so far. */
  public String output() {
    try (InputStream in = Files.newInputStream(log)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    closed = true;
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.stop(0);
    executor.shutdownNow();
  }

  private static void deleteQuietly(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // temporary directory
    }
  }
}
