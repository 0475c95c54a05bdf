package io.pagureci.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal Lambda Runtime API on 127.0.0.1 for one function process: events are queued before the
 * process starts, so {@code /next} answers at once, as on a cold invoke. Records when the runtime
 * client first asked for an event (init done) and when each response arrived.
 */
final class MiniRuntime implements AutoCloseable {
  private static final String PREFIX = "/2018-06-01/runtime/";

  record Result(String body, String errorType, long atNanos) {}

  private final HttpServer server;
  private final BlockingQueue<String[]> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<Result> results = new LinkedBlockingQueue<>();
  final CompletableFuture<Long> firstNext = new CompletableFuture<>();
  final CompletableFuture<String> initError = new CompletableFuture<>();
  private volatile boolean closed;

  MiniRuntime() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "mini-runtime");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(PREFIX, this::route);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void enqueue(String event) {
    queue.add(new String[] {UUID.randomUUID().toString(), event});
  }

  Result next(long timeoutMs) throws InterruptedException {
    return results.poll(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void route(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath().substring(PREFIX.length());
      byte[] body = x.getRequestBody().readAllBytes();
      if (path.equals("invocation/next")) {
        firstNext.complete(System.nanoTime());
        String[] p = null;
        while (p == null && !closed) {
          try {
            p = queue.poll(100, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (p == null) {
          return;
        }
        byte[] ev = p[1].getBytes(StandardCharsets.UTF_8);
        var h = x.getResponseHeaders();
        h.set("Content-Type", "application/json");
        h.set("Lambda-Runtime-Aws-Request-Id", p[0]);
        h.set("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
        h.set(
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:bench");
        h.set(
            "Lambda-Runtime-Trace-Id",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        x.sendResponseHeaders(200, ev.length);
        try (OutputStream out = x.getResponseBody()) {
          out.write(ev);
        }
      } else if (path.equals("init/error")) {
        initError.complete(new String(body, StandardCharsets.UTF_8));
        reply(x);
      } else if (path.endsWith("/response") || path.endsWith("/error")) {
        long now = System.nanoTime();
        results.add(
            new Result(
                new String(body, StandardCharsets.UTF_8),
                path.endsWith("/error")
                    ? String.valueOf(
                        x.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type"))
                    : null,
                now));
        reply(x);
      } else {
        x.sendResponseHeaders(404, -1);
      }
    }
  }

  private static void reply(HttpExchange x) throws IOException {
    byte[] b = "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(202, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
  }
}
