package io.pagureci.inbound.source;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.IOException;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TooLargeObjectInPackException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * pagure's git endpoint, as the packager talks to it: the clone URL of a project ({@code
 * <base><fullname>.git}), a ref's tip from the ref advertisement alone, and a depth-1 fetch of one
 * ref, each over a transport with the git timeout on its sockets and no tags.
 */
final class PagureGitRemote {

  private final URI pagureBaseUrl;
  private final int timeoutSeconds;
  private final long maxFileBytes;

  /**
   * @param pagureBaseUrl pagure's base URL, absolute, with a trailing slash
   * @param timeoutSeconds connect and read timeout of each git HTTP request
   * @param maxFileBytes the limit a fetch stops at (for the message of {@code SOURCE_TOO_LARGE})
   */
  PagureGitRemote(URI pagureBaseUrl, int timeoutSeconds, long maxFileBytes) {
    this.pagureBaseUrl = Objects.requireNonNull(pagureBaseUrl, "pagureBaseUrl");
    this.timeoutSeconds = timeoutSeconds;
    this.maxFileBytes = maxFileBytes;
  }

  /** The commit a remote ref points at (peeled), or null if the repo or the ref is not there. */
  ObjectId lookUp(Repository repo, RepoRef ref) throws SourceException {
    URIish uri = cloneUri(ref.projectFullname());
    try (Transport transport = open(repo, uri);
        FetchConnection connection = transport.openFetch()) {
      Ref remote = connection.getRef(ref.ref());
      if (remote == null) {
        return null;
      }
      return remote.getPeeledObjectId() != null ? remote.getPeeledObjectId() : remote.getObjectId();
    } catch (NoRemoteRepositoryException e) {
      return null;
    } catch (TransportException e) {
      throw gitFailed(uri, e);
    } catch (org.eclipse.jgit.errors.NotSupportedException e) {
      throw new SourceException(Kind.GIT_FAILED, "unsupported clone URL " + uri, e);
    }
  }

  /** Shallow-fetches {@code ref} into {@code localRef}; the fetched id, or null if it vanished. */
  ObjectId fetch(Repository repo, RepoRef ref, String localRef) throws SourceException {
    URIish uri = cloneUri(ref.projectFullname());
    try (Transport transport = open(repo, uri)) {
      transport.setDepth(1);
      transport.fetch(
          NullProgressMonitor.INSTANCE, List.of(new RefSpec("+" + ref.ref() + ":" + localRef)));
      Ref local = repo.exactRef(localRef);
      return local == null ? null : local.getObjectId();
    } catch (TransportException e) {
      if (causedBy(e, TooLargeObjectInPackException.class)) {
        throw new SourceException(
            Kind.SOURCE_TOO_LARGE,
            "a file of "
                + ref.ref()
                + " of "
                + ref.projectFullname()
                + " is larger than the "
                + TreeZipWriter.inWords(maxFileBytes, InboundConfig.MAX_FILE_BYTES)
                + " a file may have",
            e);
      }
      // The ref may have been deleted between the look-up and the fetch: that is "not there".
      if (lookUp(repo, ref) == null) {
        return null;
      }
      throw gitFailed(uri, e);
    } catch (IOException e) {
      throw new SourceException(Kind.GIT_FAILED, "local repository error: " + e.getMessage(), e);
    }
  }

  private Transport open(Repository repo, URIish uri) throws TransportException {
    Transport transport;
    try {
      transport = Transport.open(repo, uri);
    } catch (org.eclipse.jgit.errors.NotSupportedException e) {
      throw new TransportException(uri, "unsupported transport", e);
    }
    if (transport instanceof TransportHttp http) {
      // The same connect/read timeouts, set on the sockets: Transport.setTimeout would also wrap
      // the pack stream in JGit's InterruptTimer, which wakes a timer thread on every read
      // (12 % of the fetch's CPU samples in a profile). -1 = "not set": TransportHttp then keeps
      // the connection's own timeouts (0 would mean "none"); the stalled-server IT guards this.
      http.setHttpConnectionFactory(new TimeoutConnectionFactory(timeoutSeconds * 1000));
      http.setTimeout(-1);
    } else {
      transport.setTimeout(timeoutSeconds);
    }
    transport.setTagOpt(TagOpt.NO_TAGS);
    // No setCheckFetchedObjects(true): its connectivity walk fails on a shallow pack. Unsafe and
    // duplicate names (., .., .git, backslashes, ...) are kept out of the zip by TreeZipWriter.
    transport.setRemoveDeletedRefs(false);
    return transport;
  }

  /** JGit's JDK connections with connect and read timeouts on every connection it opens. */
  private static final class TimeoutConnectionFactory extends JDKHttpConnectionFactory {
    private final int millis;

    TimeoutConnectionFactory(int millis) {
      this.millis = millis;
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
      return withTimeouts(super.create(url));
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
      return withTimeouts(super.create(url, proxy));
    }

    private HttpConnection withTimeouts(HttpConnection connection) {
      connection.setConnectTimeout(millis);
      connection.setReadTimeout(millis);
      return connection;
    }
  }

  private URIish cloneUri(String fullname) {
    return new URIish(toUrl(pagureBaseUrl.resolve(fullname + ".git")));
  }

  private static URL toUrl(URI uri) {
    try {
      return uri.toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("bad clone URL", e);
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static SourceException gitFailed(URIish uri, TransportException e) {
    return new SourceException(
        Kind.GIT_FAILED, "git fetch from " + uri + " failed: " + e.getMessage(), e);
  }
}
