package io.pagureci.inbound.testsupport;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.http.server.resolver.AsIsFileService;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.transport.PreUploadHook;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.transport.resolver.FileResolver;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;

/**
 * A git smart-HTTP server that behaves like pagure's own git endpoint: JGit's {@link GitServlet} on
 * Jetty 12 (ee10), on 127.0.0.1 and a random port, serving the bare repositories under a root
 * directory by path: {@code <root>/demo.git} is {@code <baseUri>demo.git}, {@code
 * <root>/forks/bob/demo.git} is {@code <baseUri>forks/bob/demo.git}.
 *
 * <p>Like pagure 5.14 (see shared/fixtures/pagure/git.md): anonymous fetch only (no push); protocol
 * v0 only (the client's {@code Git-Protocol} header is dropped, as pagure's proxy does); every ref
 * is advertised, {@code refs/pull/*} included; only advertised tips can be fetched (no {@code
 * allow-reachable-sha1-in-want}, no {@code allow-tip-sha1-in-want}); an unknown repository is a
 * 404.
 *
 * <p>Every request is logged ({@link #requests()}) so a test can assert that no git call happened.
 * {@link #setFault(Fault)} makes the server fail.
 *
 * <pre>{@code
 * TestRepos repos = TestRepos.create(tempDir);
 * try (GitHttpServer git = GitHttpServer.start(repos.root())) {
 *   URI pagureBase = git.baseUri(); // http://127.0.0.1:PORT/
 * }
 * }</pre>
 */
public final class GitHttpServer implements AutoCloseable {

  /** How the server misbehaves. */
  public enum Fault {
    /** Serve normally. */
    NONE,
    /** Answer every request with HTTP 500. */
    HTTP_500,
    /** Start a response, then drop the connection mid-body. */
    DROP_CONNECTION,
    /**
     * Advertise refs normally, but answer the pack request ({@code POST git-upload-pack}) with a
     * few bytes and then nothing, until the fault is changed (at most 60 s).
     */
    STALL_PACK
  }

  /** Objects up to this size are read whole by the server (its trees, mainly). */
  private static final int SERVER_STREAM_FILE_THRESHOLD = 64 * 1024 * 1024;

  private final Server server = new Server();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile Fault fault = Fault.NONE;
  private volatile URI api;
  private final java.net.http.HttpClient apiClient =
      java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build();
  private URI baseUri;

  private GitHttpServer() {}

  /**
   * Starts serving the bare repositories under {@code root}.
   *
   * @param root directory holding {@code <fullname>.git} bare repositories (they may be created or
   *     changed while the server runs)
   */
  public static GitHttpServer start(Path root) {
    Objects.requireNonNull(root, "root");
    GitHttpServer self = new GitHttpServer();
    Server server = self.server;
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    GitServlet git = new GitServlet();
    git.setRepositoryResolver(new FileResolver<>(root.toFile(), true));
    git.setAsIsFileService(AsIsFileService.DISABLED);
    git.setUploadPackFactory(
        (req, db) -> {
          UploadPack up = new UploadPack(db);
          // pagure's git (C git) reads objects of any size whole; JGit streams an object over the
          // process-wide threshold (1 MiB once the packager has configured JGit) and then cannot
          // walk a tree that big, so this reader takes bigger trees whole, as git does
          up.getRevWalk().getObjectReader().setStreamFileThreshold(SERVER_STREAM_FILE_THRESHOLD);
          // Quick packs for big test blobs: no delta search on objects over 1 MiB.
          PackConfig packConfig = new PackConfig(db);
          packConfig.setBigFileThreshold(1024 * 1024);
          up.setPackConfig(packConfig);
          // git http-backend (stateless): only advertised tips may be wanted, and no
          // allow-*-sha1-in-want capability is advertised
          up.setPreUploadHook(new AdvertisedTipsOnly());
          return up;
        });
    git.setReceivePackFactory(
        (req, db) -> {
          throw new ServiceNotEnabledException();
        });

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder("git", git), "/*");
    context.addFilter(
        new FilterHolder(self.new PagureLike()), "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("git server did not start", e);
    }
    self.baseUri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    return self;
  }

  /** The base URL, with a trailing slash: {@code http://127.0.0.1:PORT/}. */
  public URI baseUri() {
    return baseUri;
  }

  /** The clone URL of a project: {@code <baseUri><fullname>.git}. */
  public URI cloneUri(String fullname) {
    return baseUri.resolve(fullname + ".git");
  }

  /** Requests received so far, as {@code "GET /demo.git/info/refs?service=git-upload-pack"}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Number of requests received so far. */
  public int requestCount() {
    return requests.size();
  }

  /** Forgets the requests received so far. */
  public void clearRequests() {
    requests.clear();
  }

  /**
   * Serves pagure's API ({@code GET /api/...}) from {@code backend} (a WireMock server playing
   * pagure's API), as pagure serves git and its API on one host: the worker finds both under the
   * one configured {@code PAGURE_URL}. {@code null} answers {@code /api/} with 404. Git faults do
   * not apply to the API.
   */
  public void setApi(URI backend) {
    this.api = backend;
  }

  /** From now on, misbehave this way ({@link Fault#NONE} to serve normally again). */
  public void setFault(Fault fault) {
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("git server did not stop", e);
    }
  }

  private final class PagureLike implements Filter {
    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest http = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      String query = http.getQueryString();
      requests.add(
          http.getMethod() + " " + http.getRequestURI() + (query == null ? "" : "?" + query));
      if (http.getRequestURI().startsWith("/api/")) {
        forwardToApi(http, response);
        return;
      }
      switch (fault) {
        case HTTP_500 -> {
          response.sendError(500, "injected failure");
          return;
        }
        case DROP_CONNECTION -> {
          response.setStatus(200);
          response.setContentType("application/x-git-upload-pack-advertisement");
          response.setContentLength(100_000);
          OutputStream out = response.getOutputStream();
          out.write(
              "001e# service=git-upload-pack\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.flush();
          throw new IOException("injected: connection dropped");
        }
        case STALL_PACK -> {
          if (!"POST".equals(http.getMethod())) {
            chain.doFilter(new WithoutGitProtocol(http), response);
            return;
          }
          response.setStatus(200);
          response.setContentType("application/x-git-upload-pack-result");
          OutputStream out = response.getOutputStream();
          out.write("0008NAK\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.flush();
          long until = System.nanoTime() + 60_000_000_000L;
          while (fault == Fault.STALL_PACK && System.nanoTime() < until) {
            try {
              Thread.sleep(50);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
        case NONE -> chain.doFilter(new WithoutGitProtocol(http), response);
      }
    }
  }

  /** Forwards an API GET to the API backend, status, content type and body as they come. */
  private void forwardToApi(HttpServletRequest http, HttpServletResponse response)
      throws IOException {
    URI backend = api;
    if (backend == null || !"GET".equals(http.getMethod())) {
      response.sendError(404, "no pagure API here");
      return;
    }
    String query = http.getQueryString();
    java.net.http.HttpRequest.Builder forward =
        java.net.http.HttpRequest.newBuilder(
                backend.resolve(http.getRequestURI() + (query == null ? "" : "?" + query)))
            .GET();
    for (String name : List.of("Accept", "Authorization", "User-Agent")) {
      String value = http.getHeader(name);
      if (value != null) {
        forward.header(name, value);
      }
    }
    java.net.http.HttpResponse<byte[]> answer;
    try {
      answer =
          apiClient.send(forward.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new IOException("injected by the API backend: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    response.setStatus(answer.statusCode());
    answer.headers().firstValue("Content-Type").ifPresent(response::setContentType);
    response.getOutputStream().write(answer.body());
  }

  /** Refuses any want that is not the tip of an advertised ref, as git http-backend does. */
  private static final class AdvertisedTipsOnly implements PreUploadHook {
    @Override
    public void onBeginNegotiateRound(
        UploadPack up, Collection<? extends ObjectId> wants, int offered)
        throws ServiceMayNotContinueException {
      check(up, wants);
    }

    @Override
    public void onEndNegotiateRound(
        UploadPack up,
        Collection<? extends ObjectId> wants,
        int common,
        int notFound,
        boolean ready) {}

    @Override
    public void onSendPack(
        UploadPack up, Collection<? extends ObjectId> wants, Collection<? extends ObjectId> haves)
        throws ServiceMayNotContinueException {
      check(up, wants);
    }

    private static void check(UploadPack up, Collection<? extends ObjectId> wants)
        throws ServiceMayNotContinueException {
      Set<ObjectId> tips = new HashSet<>();
      for (Ref ref : up.getAdvertisedRefs().values()) {
        tips.add(ref.getObjectId());
        if (ref.getPeeledObjectId() != null) {
          tips.add(ref.getPeeledObjectId());
        }
      }
      for (ObjectId want : wants) {
        if (!tips.contains(want)) {
          throw new ServiceMayNotContinueException(
              "Server does not allow request for unadvertised object " + want.name());
        }
      }
    }
  }

  /** Hides the client's {@code Git-Protocol} header, so the server speaks protocol v0 only. */
  private static final class WithoutGitProtocol extends HttpServletRequestWrapper {
    WithoutGitProtocol(HttpServletRequest request) {
      super(request);
    }

    private static boolean hidden(String name) {
      return "Git-Protocol".equalsIgnoreCase(name);
    }

    @Override
    public String getHeader(String name) {
      return hidden(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return hidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(
          Collections.list(super.getHeaderNames()).stream().filter(n -> !hidden(n)).toList());
    }
  }
}
