package io.pagureci.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP reverse proxy on 127.0.0.1 in front of a plain-HTTP stand-in (the git
 * server, S3Mock): every request that {@link #faulty} selects is answered by the proxy itself with
 * an error with probability {@link #rate} (a fresh draw per selected request), and every request is
 * answered 503 while {@link #outage} is on; the others are forwarded byte for byte (method, path,
 * query, headers but the hop-by-hop ones, body) and the upstream answer is copied back. Nothing is
 * forwarded for an injected error, so the stand-in never sees a failed call (no side effects of a
 * "lost answer").
 */
final class FaultProxy implements AutoCloseable {

  private static final Set<String> HOP =
      Set.of(
          "host",
          "connection",
          "content-length",
          "expect",
          "upgrade",
          "transfer-encoding",
          "keep-alive",
          "te",
          "trailer",
          "proxy-connection");

  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(32);
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI upstream;
  private final String name;
  private final int errorStatus;
  private final String errorType;
  private final String errorBody;
  private final Predicate<HttpExchange> faulty;
  private final SplittableRandom random;
  volatile double rate;
  volatile boolean outage;
  final AtomicLong forwarded = new AtomicLong();
  final AtomicLong injected = new AtomicLong();
  final AtomicLong outageAnswers = new AtomicLong();
  final AtomicLong selected = new AtomicLong();

  FaultProxy(
      String name,
      URI upstream,
      int errorStatus,
      String errorType,
      String errorBody,
      Predicate<HttpExchange> faulty,
      long seed)
      throws IOException {
    this.name = name;
    this.upstream = upstream;
    this.errorStatus = errorStatus;
    this.errorType = errorType;
    this.errorBody = errorBody;
    this.faulty = faulty;
    this.random = new SplittableRandom(seed);
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/} */
  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private boolean draw() {
    synchronized (random) {
      return random.nextDouble() < rate;
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex;
        InputStream in = ex.getRequestBody()) {
      byte[] body = in.readAllBytes();
      boolean out = outage;
      boolean sel = faulty.test(ex);
      if (sel) {
        selected.incrementAndGet();
      }
      if (out || sel && draw()) {
        {
          (out ? outageAnswers : injected).incrementAndGet();
          byte[] b = errorBody.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", errorType);
          ex.sendResponseHeaders(out ? 503 : errorStatus, b.length);
          ex.getResponseBody().write(b);
          return;
        }
      }
      URI target =
          upstream.resolve(
              ex.getRequestURI().getRawPath()
                  + (ex.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + ex.getRequestURI().getRawQuery()));
      HttpRequest.Builder rb =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofSeconds(60))
              .method(
                  ex.getRequestMethod(),
                  body.length == 0 && !hasBody(ex)
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
        if (HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          continue;
        }
        for (String v : h.getValue()) {
          try {
            rb.header(h.getKey(), v);
          } catch (IllegalArgumentException restricted) {
            // a header the JDK client sets itself
          }
        }
      }
      HttpResponse<byte[]> r;
      try {
        r = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      forwarded.incrementAndGet();
      r.headers()
          .map()
          .forEach(
              (k, vs) -> {
                if (!HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                  ex.getResponseHeaders().put(k, vs);
                }
              });
      byte[] rbody = r.body();
      boolean noBody =
          ex.getRequestMethod().equals("HEAD") || r.statusCode() == 204 || r.statusCode() == 304;
      if (noBody) {
        r.headers()
            .firstValue("content-length")
            .ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
      }
      ex.sendResponseHeaders(r.statusCode(), noBody || rbody.length == 0 ? -1 : rbody.length);
      if (!noBody && rbody.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(rbody);
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println(name + " proxy: " + e);
      throw e;
    }
  }

  private static boolean hasBody(HttpExchange ex) {
    String m = ex.getRequestMethod();
    return m.equals("POST") || m.equals("PUT");
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
