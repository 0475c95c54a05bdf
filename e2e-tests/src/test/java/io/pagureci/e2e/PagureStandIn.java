package io.pagureci.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pagureci.inbound.testsupport.GitHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * pagure, as both functions see it, on one origin ({@code http://127.0.0.1:<port>/}, the configured
 * {@code PAGURE_URL}): a small reverse proxy (JDK {@link HttpServer}) forwards git smart HTTP
 * ({@code <fullname>.git/...}) to the real JGit server and everything else — the flag API ({@code
 * /api/0/...}) — to a WireMock stub answering with what a real pagure 5.14 answered (the captures
 * in {@code testdata/pagure/flags}). The proxy passes bodies and content encodings through
 * untouched (no decompression, no re-encoding), so JGit's client and server see each other's bytes,
 * as through pagure's own web server.
 */
public final class PagureStandIn implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "content-length",
          "expect",
          "host",
          "keep-alive",
          "transfer-encoding",
          "upgrade",
          "te",
          "trailer",
          "proxy-connection");

  private final WireMockServer wm;
  private StubMapping flagStub;
  private final URI gitBase;
  private final HttpServer front;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "pagure-front");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** pagure whose git repositories are served by {@code git}. */
  public PagureStandIn(GitHttpServer git) {
    this(git.baseUri());
  }

  /** pagure's API only (git requests are 404s). */
  public PagureStandIn() {
    this((URI) null);
  }

  private PagureStandIn(URI gitBase) {
    this.gitBase = gitBase;
    wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().jettyStopTimeout(0L));
    wm.start();
    try {
      front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      wm.stop();
      throw new UncheckedIOException(e);
    }
    front.setExecutor(executor);
    front.createContext("/", this::forward);
    front.start();
  }

  /** {@code http://127.0.0.1:<port>/} */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + front.getAddress().getPort() + "/");
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      URI base =
          gitBase != null && path.matches("/.+\\.git/.*")
              ? gitBase
              : URI.create(wm.baseUrl() + "/");
      URI target = base.resolve(path.substring(1) + (query == null ? "" : "?" + query));
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target)
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                  values.forEach(v -> request.header(name, v));
                }
              });
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                  exchange.getResponseHeaders().put(name, values);
                }
              });
      byte[] out = response.body();
      exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        exchange.getResponseBody().write(out);
      }
    }
  }

  /** The flag API of every project answers as pagure did for {@code flagCase}. */
  public void flagApiAnswers(String flagCase) {
    if (flagStub != null) {
      wm.removeStub(flagStub);
    }
    flagStub = wm.stubFor(post(urlPathMatching("/api/0/.+/flag")).willReturn(captured(flagCase)));
  }

  /**
   * pagure's pull-request comment API ({@code POST /api/0/<project>/pull-request/<id>/comment})
   * answers as {@code comments/<commentCase>} says (written from pagure's source, not captured:
   * testdata/pagure/comments/README.md).
   */
  public void commentApiAnswers(String commentCase) {
    wm.stubFor(post(urlPathMatching(COMMENT_PATH)).willReturn(answer("comments", commentCase)));
  }

  /** The comment-API requests received so far, in order. */
  public List<LoggedRequest> commentRequests() {
    return wm.findAll(
        com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
            urlPathMatching(COMMENT_PATH)));
  }

  private static final String COMMENT_PATH = "/api/0/.+/pull-request/[0-9]+/comment";

  /** The flag-API requests received so far, in order. */
  public List<LoggedRequest> flagRequests() {
    return wm.findAll(anyRequestedFor(urlPathMatching("/api/0/.*")));
  }

  public void resetRequests() {
    wm.resetRequests();
  }

  /**
   * pagure's captured answer ({@code flags/<case>/response.json} of the captures) as a WireMock
   * response.
   */
  static ResponseDefinitionBuilder captured(String flagCase) {
    return answer("flags", flagCase);
  }

  /** The answer of {@code <dir>/<case>/response.json} of the pagure test data. */
  private static ResponseDefinitionBuilder answer(String dir, String fixtureCase) {
    JsonNode r = capture(dir, fixtureCase, "response.json");
    return aResponse()
        .withStatus(r.path("status_code").asInt())
        .withHeader("Content-Type", r.path("headers").path("Content-Type").asText())
        .withHeader("Server", r.path("headers").path("Server").asText())
        .withBody(r.get("json").toString());
  }

  static JsonNode capture(String flagCase, String file) {
    return capture("flags", flagCase, file);
  }

  private static JsonNode capture(String dir, String fixtureCase, String file) {
    String root = System.getProperty("pagure.fixtures");
    if (root == null) {
      throw new IllegalStateException(
          "system property pagure.fixtures is not set (run through Maven)");
    }
    try {
      return JSON.readTree(Path.of(root, dir, fixtureCase, file).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    front.stop(0);
    executor.shutdownNow();
    client.close();
    wm.stop();
  }
}
