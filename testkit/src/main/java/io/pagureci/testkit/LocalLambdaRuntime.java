package io.pagureci.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of the AWS Lambda Runtime API (version 2018-06-01) a runtime interface client talks to,
 * on 127.0.0.1 and a random port: a JDK {@link HttpServer} that hands queued invocations to the
 * function process and collects their results.
 *
 * <ul>
 *   <li>{@code GET /2018-06-01/runtime/invocation/next} blocks until an invocation is queued, then
 *       answers 200 with the event as body and the headers {@code Lambda-Runtime-Aws-Request-Id},
 *       {@code Lambda-Runtime-Deadline-Ms}, {@code Lambda-Runtime-Invoked-Function-Arn}, {@code
 *       Lambda-Runtime-Trace-Id} and {@code Content-Type: application/json} (the RIC's native
 *       client crashes on a reply without a content type).
 *   <li>{@code POST /2018-06-01/runtime/invocation/<id>/response} and {@code .../<id>/error}
 *       complete that invocation (202).
 *   <li>{@code POST /2018-06-01/runtime/init/error}: the function failed to initialise (202); every
 *       waiting and later invocation fails with that error.
 * </ul>
 *
 * Like Lambda, one function process handles one invocation at a time; invocations are served in the
 * order they were queued. For timing (the cold-start benchmark), the API notes the {@link
 * System#nanoTime()} at which the function first asked for an invocation ({@link #readyAtNanos()})
 * and at which each result arrived ({@link #resultAtNanos(String)}), taken as the request comes in.
 */
public final class LocalLambdaRuntime implements AutoCloseable {

  /** What an invocation ended with. */
  public sealed interface Result {
    String requestId();

    /** The response or error document the function posted. */
    String body();
  }

  /** The function returned: {@code body} is its (serialised) answer. */
  public record Response(String requestId, String body) implements Result {}

  /**
   * The function threw: {@code errorType} is the {@code Lambda-Runtime-Function-Error-Type} header,
   * {@code body} the error document ({@code errorMessage}, {@code errorType}, {@code stackTrace}).
   */
  public record FunctionError(String requestId, String errorType, String body) implements Result {}

  /** The function could not initialise (its init error document). */
  public static final class InitErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InitErrorException(String errorType, String body) {
      super("function init failed: " + errorType + " " + body);
    }
  }

  private static final String PREFIX = "/2018-06-01/runtime/";
  private static final Pattern RESULT =
      Pattern.compile(PREFIX + "invocation/([A-Za-z0-9-]+)/(response|error)");

  private record Invocation(String requestId, byte[] payload, CompletableFuture<Result> result) {}

  private final String functionArn;
  private final Duration timeout;
  private final HttpServer server;
  private final ExecutorService executor;
  private final BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
  private final Map<String, Invocation> inFlight = new ConcurrentHashMap<>();
  private final List<String> requestIds = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> firstNext = new CompletableFuture<>();
  private final Map<String, Long> resultNanos = new ConcurrentHashMap<>();
  private volatile long readyNanos = -1;
  private volatile InitErrorException initError;
  private volatile boolean closed;

  private LocalLambdaRuntime(String functionArn, Duration timeout) throws IOException {
    this.functionArn = functionArn;
    this.timeout = timeout;
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "lambda-runtime-api");
              t.setDaemon(true);
              return t;
            });
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext(PREFIX, this::handle);
    server.start();
  }

  /**
   * Starts the API on 127.0.0.1.
   *
   * @param functionArn the {@code Lambda-Runtime-Invoked-Function-Arn} of every invocation
   * @param timeout the function timeout (gives {@code Lambda-Runtime-Deadline-Ms})
   */
  public static LocalLambdaRuntime start(String functionArn, Duration timeout) {
    try {
      return new LocalLambdaRuntime(functionArn, timeout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The value of {@code AWS_LAMBDA_RUNTIME_API}: {@code 127.0.0.1:<port>}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues one invocation; the future completes when the function posts its result. */
  public CompletableFuture<Result> submit(String event) {
    Objects.requireNonNull(event, "event");
    CompletableFuture<Result> result = new CompletableFuture<>();
    if (initError != null) {
      result.completeExceptionally(initError);
      return result;
    }
    queue.add(
        new Invocation(
            UUID.randomUUID().toString(), event.getBytes(StandardCharsets.UTF_8), result));
    return result;
  }

  /** Completes when the function first asked for an invocation, i.e. its init is done. */
  public CompletableFuture<Void> ready() {
    return firstNext;
  }

  /**
   * The {@link System#nanoTime()} at which the function first asked for an invocation (its init was
   * done then), or -1 while it has not.
   */
  public long readyAtNanos() {
    return readyNanos;
  }

  /**
   * The {@link System#nanoTime()} at which the function's response or error for {@code requestId}
   * arrived, or -1 while none has.
   */
  public long resultAtNanos(String requestId) {
    return resultNanos.getOrDefault(requestId, -1L);
  }

  /** The request ids handed to the function so far, in order. */
  public List<String> requestIds() {
    return List.copyOf(requestIds);
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
    IllegalStateException stopped = new IllegalStateException("runtime API stopped");
    queue.forEach(i -> i.result().completeExceptionally(stopped));
    inFlight.values().forEach(i -> i.result().completeExceptionally(stopped));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      byte[] body = exchange.getRequestBody().readAllBytes();
      Matcher result = RESULT.matcher(path);
      if (method.equals("GET") && path.equals(PREFIX + "invocation/next")) {
        next(exchange);
      } else if (method.equals("POST") && result.matches()) {
        complete(exchange, result.group(1), result.group(2).equals("error"), body);
      } else if (method.equals("POST") && path.equals(PREFIX + "init/error")) {
        initError(exchange, body);
      } else {
        send(exchange, 404, "{\"errorMessage\":\"unknown path\",\"errorType\":\"NotFound\"}");
      }
    }
  }

  private void next(HttpExchange exchange) throws IOException {
    if (readyNanos == -1) {
      readyNanos = System.nanoTime();
    }
    firstNext.complete(null);
    Invocation invocation = null;
    try {
      while (invocation == null && !closed) {
        invocation = queue.poll(200, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (invocation == null) {
      send(exchange, 500, "{\"errorMessage\":\"runtime API stopped\",\"errorType\":\"Stopped\"}");
      return;
    }
    inFlight.put(invocation.requestId(), invocation);
    requestIds.add(invocation.requestId());
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    headers.set("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
    headers.set(
        "Lambda-Runtime-Deadline-Ms",
        Long.toString(System.currentTimeMillis() + timeout.toMillis()));
    headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
    headers.set("Lambda-Runtime-Trace-Id", traceId());
    exchange.sendResponseHeaders(200, invocation.payload().length);
    exchange.getResponseBody().write(invocation.payload());
  }

  private void complete(HttpExchange exchange, String requestId, boolean error, byte[] body)
      throws IOException {
    long at = System.nanoTime();
    Invocation invocation = inFlight.remove(requestId);
    if (invocation == null) {
      send(
          exchange,
          400,
          "{\"errorMessage\":\"unknown or finished request id\",\"errorType\":\"InvalidRequestID\"}");
      return;
    }
    resultNanos.put(requestId, at);
    String text = new String(body, StandardCharsets.UTF_8);
    String errorType = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
    send(exchange, 202, "{\"status\":\"OK\"}");
    invocation
        .result()
        .complete(
            error ? new FunctionError(requestId, errorType, text) : new Response(requestId, text));
  }

  private void initError(HttpExchange exchange, byte[] body) throws IOException {
    String errorType = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
    InitErrorException e =
        new InitErrorException(errorType, new String(body, StandardCharsets.UTF_8));
    initError = e;
    // before the answer: the runtime client exits once it has it, and the caller must see the
    // init error rather than only a process that exited
    firstNext.completeExceptionally(e);
    Invocation waiting;
    while ((waiting = queue.poll()) != null) {
      waiting.result().completeExceptionally(e);
    }
    send(exchange, 202, "{\"status\":\"OK\"}");
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /**
   * An X-Ray trace header as Lambda sends it: {@code Root=1-<epoch hex>-<24
   * hex>;Parent=...;Sampled=0}.
   */
  private static String traceId() {
    HexFormat hex = HexFormat.of();
    byte[] root = new byte[12];
    byte[] parent = new byte[8];
    ThreadLocalRandom.current().nextBytes(root);
    ThreadLocalRandom.current().nextBytes(parent);
    return "Root=1-"
        + Long.toHexString(System.currentTimeMillis() / 1000)
        + "-"
        + hex.formatHex(root)
        + ";Parent="
        + hex.formatHex(parent)
        + ";Sampled=0";
  }
}
