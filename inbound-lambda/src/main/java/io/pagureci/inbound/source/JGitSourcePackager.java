package io.pagureci.inbound.source;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.BuildspecSource;
import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import io.pagureci.inbound.domain.SourcePackager;
import io.pagureci.pagure.CommitId;
import io.pagureci.pagure.ProjectName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TooLargeObjectInPackException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PackParser;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link SourcePackager} over git smart HTTP (JGit) and S3.
 *
 * <p>For every call: a fresh bare repository in a temp dir under {@code tempRoot}; the candidate
 * refs of the plan are looked up (ref advertisement only) round after round until one points at the
 * plan's commit or the plan's wait has passed; the matching ref is fetched with depth 1 and checked
 * again; the trusted buildspec (if asked for) is read from the tip of the target branch; the
 * commit's tree is zipped straight from the object database and streamed to S3 through an {@link
 * S3MultipartOutputStream}. The temp dir is deleted whatever happens.
 *
 * <p>Failures map to {@link SourceException.Kind}: a missing ref or repository is "not there yet"
 * ({@code COMMIT_NOT_FOUND} once the wait has passed), a ref at another commit is {@code
 * HEAD_MOVED}, HTTP or pack errors are {@code GIT_FAILED}, S3 errors {@code UPLOAD_FAILED} (any
 * multipart upload is aborted first), an unversioned bucket is {@code UPLOAD_FAILED} too. A commit
 * over the {@link SourceLimits} is {@code SOURCE_TOO_LARGE}: a file over {@code maxFileBytes} stops
 * the fetch at that object's header (before it is inflated), the other limits stop the zip writer
 * before it reads the entry that breaks them; the upload is then aborted. A path longer than a zip
 * entry name is {@code PATH_TOO_LONG}, a directory listing too big to read {@code
 * DIRECTORY_TOO_LARGE}.
 *
 * <p>Input that breaks the {@link FetchPlan} contract (a commit that is not lower-case hex, a
 * project fullname that is not a plain pagure path, an invalid ref name) is a programming error:
 * {@link IllegalArgumentException}, before any git call.
 *
 * <p>Creating an instance configures JGit for the whole process (see {@link JGitEnvironment}: no
 * user or system git config, native SHA-1, no blocking file-system probe).
 */
public final class JGitSourcePackager implements SourcePackager {

  private static final Logger log = LoggerFactory.getLogger(JGitSourcePackager.class);

  private static final String LOCAL_CANDIDATE = "refs/pagureci/candidate/";
  private static final String LOCAL_BUILDSPEC = "refs/pagureci/buildspec";

  /**
   * Small knobs.
   *
   * @param partSize S3 part size in bytes (at least 5 MiB)
   * @param firstRetryDelay pause after the first round that found no matching ref
   * @param maxRetryDelay the pause doubles up to this
   * @param maxBuildspecBytes a larger buildspec is refused ({@code BUILDSPEC_MISSING})
   */
  public record Tuning(
      int partSize, Duration firstRetryDelay, Duration maxRetryDelay, int maxBuildspecBytes) {

    /** 8 MiB parts, 250 ms doubling to 2 s, buildspec up to 256 KiB. */
    public static final Tuning DEFAULTS =
        new Tuning(
            S3MultipartOutputStream.DEFAULT_PART_SIZE,
            Duration.ofMillis(250),
            Duration.ofSeconds(2),
            256 * 1024);

    public Tuning {
      if (partSize < S3MultipartOutputStream.MIN_PART_SIZE) {
        throw new IllegalArgumentException(
            "partSize must be at least " + S3MultipartOutputStream.MIN_PART_SIZE);
      }
      Objects.requireNonNull(firstRetryDelay, "firstRetryDelay");
      Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
      if (firstRetryDelay.isNegative()
          || firstRetryDelay.isZero()
          || maxRetryDelay.compareTo(firstRetryDelay) < 0) {
        throw new IllegalArgumentException("need 0 < firstRetryDelay <= maxRetryDelay");
      }
      if (maxBuildspecBytes < 1) {
        throw new IllegalArgumentException("maxBuildspecBytes must be positive");
      }
    }

    /** These knobs with another part size. */
    public Tuning withPartSize(int bytes) {
      return new Tuning(bytes, firstRetryDelay, maxRetryDelay, maxBuildspecBytes);
    }
  }

  private final URI pagureBaseUrl;
  private final S3Client s3;
  private final String bucket;
  private final int timeoutSeconds;
  private final Path tempRoot;
  private final Tuning tuning;
  private final SourceLimits limits;

  /**
   * Same as the full constructor with {@link Tuning#DEFAULTS} and {@link SourceLimits#DEFAULTS}.
   */
  public JGitSourcePackager(
      URI pagureBaseUrl, S3Client s3, String bucket, Duration gitTimeout, Path tempRoot) {
    this(pagureBaseUrl, s3, bucket, gitTimeout, tempRoot, Tuning.DEFAULTS);
  }

  /** Same as the full constructor with {@link SourceLimits#DEFAULTS}. */
  public JGitSourcePackager(
      URI pagureBaseUrl,
      S3Client s3,
      String bucket,
      Duration gitTimeout,
      Path tempRoot,
      Tuning tuning) {
    this(pagureBaseUrl, s3, bucket, gitTimeout, tempRoot, tuning, SourceLimits.DEFAULTS);
  }

  /**
   * @param pagureBaseUrl pagure's base URL, normalised with a trailing slash (clone URL = {@code
   *     <base><fullname>.git})
   * @param s3 client, built once at init
   * @param bucket the versioned source bucket
   * @param gitTimeout connect and read timeout of each git HTTP request (whole seconds, at least 1)
   * @param tempRoot where per-call temp dirs are made (e.g. {@code /tmp}); created if missing
   * @param tuning small knobs
   * @param limits what one commit may make us fetch and zip
   */
  public JGitSourcePackager(
      URI pagureBaseUrl,
      S3Client s3,
      String bucket,
      Duration gitTimeout,
      Path tempRoot,
      Tuning tuning,
      SourceLimits limits) {
    Objects.requireNonNull(pagureBaseUrl, "pagureBaseUrl");
    if (!pagureBaseUrl.isAbsolute() || !pagureBaseUrl.getRawPath().endsWith("/")) {
      throw new IllegalArgumentException("pagureBaseUrl must be absolute and end with '/'");
    }
    this.pagureBaseUrl = pagureBaseUrl;
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, gitTimeout.toSeconds()));
    this.tempRoot = Objects.requireNonNull(tempRoot, "tempRoot");
    this.tuning = Objects.requireNonNull(tuning, "tuning");
    this.limits = Objects.requireNonNull(limits, "limits");
    JGitEnvironment.configureOnce();
  }

  /**
   * The packager for the inbound function: base URL, bucket, git timeout and source limits from
   * {@code config}, default {@link Tuning}.
   */
  public static JGitSourcePackager fromConfig(InboundConfig config, S3Client s3, Path tempRoot) {
    return new JGitSourcePackager(
        config.pagureUrl(),
        s3,
        config.sourceBucket(),
        config.gitTimeout(),
        tempRoot,
        Tuning.DEFAULTS,
        config.sourceLimits());
  }

  @Override
  public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(objectKey, "objectKey");
    validate(plan);
    Path work;
    try {
      Files.createDirectories(tempRoot);
      work = Files.createTempDirectory(tempRoot, "pagureci-src-");
    } catch (IOException e) {
      throw new SourceException(Kind.GIT_FAILED, "cannot create a temp dir: " + e.getMessage(), e);
    }
    try {
      try (Repository repo = newBareRepository(work.resolve("repo.git"), limits.maxFileBytes())) {
        long started = System.nanoTime();
        RevCommit commit = fetchCommit(repo, plan);
        long fetched = System.nanoTime();
        String buildspec = null;
        if (plan.trustedBuildspec().isPresent()) {
          buildspec = readBuildspec(repo, plan.trustedBuildspec().get());
        }
        S3MultipartOutputStream.StoredObject stored = zipAndUpload(repo, commit, objectKey);
        if (stored.versionId() == null
            || stored.versionId().isBlank()
            || stored.versionId().equals("null")) {
          throw new SourceException(
              Kind.UPLOAD_FAILED,
              "S3 returned no version id for s3://"
                  + bucket
                  + "/"
                  + objectKey
                  + ": the source bucket must be versioned");
        }
        log.info(
            "source packaged commit={} bucket={} key={} versionId={} bytes={} fetchMs={} zipUploadMs={}",
            commit.name(),
            bucket,
            objectKey,
            stored.versionId(),
            stored.bytes(),
            (fetched - started) / 1_000_000,
            (System.nanoTime() - fetched) / 1_000_000);
        return new PackagedSource(bucket, objectKey, stored.versionId(), stored.bytes(), buildspec);
      }
    } finally {
      deleteRecursively(work);
    }
  }

  /**
   * SnapStart priming: runs the packaging path once without any network, so its classes are loaded
   * and its hot loops compiled before the snapshot. A small repository (text files, an
   * incompressible file, a blob above {@link TreeZipWriter#PARALLEL_LIMIT}, an executable, a
   * symlink, a subdirectory) is written to a temp dir, fetched with depth 1 through JGit's local
   * transport into a fresh bare repository (the same upload-pack negotiation, pack parser and
   * indexer as over HTTP) and zipped by the zip writer into a counting stream. Nothing is uploaded
   * and nothing is kept; the temp dir is deleted.
   *
   * @return the size of the zip that was produced (and dropped)
   * @throws IOException if the temp dir or the local repositories cannot be written
   */
  public long prime() throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(tempRoot);
    Path work = Files.createTempDirectory(tempRoot, "pagureci-prime-");
    try {
      Path sourceDir = work.resolve("source.git");
      try (Repository source = newBareRepository(sourceDir, SourceLimits.DEFAULTS.maxFileBytes())) {
        PrimingRepository.fill(source, "refs/heads/main");
      } catch (SourceException e) {
        throw new IOException(e.getMessage(), e);
      }
      // the default limits, not the configured ones: priming's own repository is what it is
      try (Repository repo =
              newBareRepository(work.resolve("repo.git"), SourceLimits.DEFAULTS.maxFileBytes());
          Transport transport =
              Transport.open(repo, new URIish(sourceDir.toAbsolutePath().toString()))) {
        transport.setDepth(1);
        transport.setTagOpt(TagOpt.NO_TAGS);
        transport.fetch(
            NullProgressMonitor.INSTANCE,
            List.of(new RefSpec("+refs/heads/main:" + LOCAL_CANDIDATE + 0)));
        Ref fetched = repo.exactRef(LOCAL_CANDIDATE + 0);
        long[] bytes = {0};
        OutputStream counting =
            new OutputStream() {
              @Override
              public void write(int b) {
                bytes[0]++;
              }

              @Override
              public void write(byte[] b, int off, int len) {
                bytes[0] += len;
              }
            };
        try (RevWalk walk = new RevWalk(repo);
            ObjectReader reader = repo.newObjectReader()) {
          new TreeZipWriter().write(reader, walk.parseCommit(fetched.getObjectId()), counting);
        }
        log.info(
            "packager primed zipBytes={} ms={}",
            bytes[0],
            (System.nanoTime() - started) / 1_000_000);
        return bytes[0];
      } catch (SourceException | java.net.URISyntaxException e) {
        throw new IOException(e.getMessage(), e);
      }
    } finally {
      deleteRecursively(work);
    }
  }

  // ---------------------------------------------------------------- fetching

  private RevCommit fetchCommit(Repository repo, FetchPlan plan) throws SourceException {
    ObjectId want = ObjectId.fromString(plan.commit());
    long deadline = System.nanoTime() + plan.waitForRef().toNanos();
    Duration delay = tuning.firstRetryDelay();
    List<RepoRef> candidates = plan.candidates();
    int rounds = 0;
    while (true) {
      rounds++;
      String moved = null;
      for (int i = 0; i < candidates.size(); i++) {
        RepoRef candidate = candidates.get(i);
        ObjectId tip = lookUp(repo, candidate);
        if (tip == null) {
          continue;
        }
        if (tip.equals(want)) {
          ObjectId fetched = fetchRef(repo, candidate, LOCAL_CANDIDATE + i);
          if (want.equals(fetched)) {
            try (RevWalk walk = new RevWalk(repo)) {
              log.info(
                  "commit found project={} ref={} commit={} rounds={}",
                  candidate.projectFullname(),
                  candidate.ref(),
                  want.name(),
                  rounds);
              return walk.parseCommit(want);
            } catch (IOException e) {
              throw new SourceException(
                  Kind.GIT_FAILED, "fetched commit " + want.name() + " is unreadable", e);
            }
          }
          tip = fetched; // moved between the look-up and the fetch (or vanished)
          if (tip == null) {
            continue;
          }
        }
        moved =
            candidate.ref()
                + " of "
                + candidate.projectFullname()
                + " points at "
                + tip.name()
                + ", not at "
                + want.name();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (moved != null) {
          log.info("head moved commit={} detail={}", want.name(), moved);
          throw new SourceException(Kind.HEAD_MOVED, moved);
        }
        throw new SourceException(
            Kind.COMMIT_NOT_FOUND,
            "no candidate ref ("
                + describe(candidates)
                + ") showed up within "
                + plan.waitForRef().toMillis()
                + " ms");
      }
      sleep(Math.min(delay.toNanos(), left));
      delay = delay.multipliedBy(2);
      if (delay.compareTo(tuning.maxRetryDelay()) > 0) {
        delay = tuning.maxRetryDelay();
      }
    }
  }

  /** The commit a remote ref points at (peeled), or null if the repo or the ref is not there. */
  private ObjectId lookUp(Repository repo, RepoRef ref) throws SourceException {
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
  private ObjectId fetchRef(Repository repo, RepoRef ref, String localRef) throws SourceException {
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
                + TreeZipWriter.inWords(limits.maxFileBytes(), InboundConfig.MAX_FILE_BYTES)
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

  // ---------------------------------------------------------------- buildspec

  private String readBuildspec(Repository repo, BuildspecSource source) throws SourceException {
    String branchRef =
        source.branch().startsWith("refs/") ? source.branch() : "refs/heads/" + source.branch();
    if (!Repository.isValidRefName(branchRef)) {
      throw new SourceException(
          Kind.BUILDSPEC_MISSING, "not a valid branch name: " + source.branch());
    }
    validateFullname(source.projectFullname());
    RepoRef ref = new RepoRef(source.projectFullname(), branchRef);
    String where = source.path() + " on " + branchRef + " of " + source.projectFullname();
    ObjectId tip = lookUp(repo, ref) == null ? null : fetchRef(repo, ref, LOCAL_BUILDSPEC);
    if (tip == null) {
      throw new SourceException(
          Kind.BUILDSPEC_MISSING, "no buildspec: " + where + " (no such branch)");
    }
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit commit = walk.parseCommit(tip);
      try (TreeWalk tw = TreeWalk.forPath(repo, source.path(), commit.getTree())) {
        if (tw == null) {
          throw new SourceException(Kind.BUILDSPEC_MISSING, "no buildspec: " + where);
        }
        FileMode mode = tw.getFileMode(0);
        if (!FileMode.REGULAR_FILE.equals(mode) && !FileMode.EXECUTABLE_FILE.equals(mode)) {
          throw new SourceException(
              Kind.BUILDSPEC_MISSING, "buildspec is not a regular file: " + where);
        }
        ObjectLoader loader = repo.open(tw.getObjectId(0));
        if (loader.getSize() > tuning.maxBuildspecBytes()) {
          throw new SourceException(
              Kind.BUILDSPEC_MISSING,
              "buildspec is larger than " + tuning.maxBuildspecBytes() + " bytes: " + where);
        }
        try (InputStream in = loader.openStream()) {
          return new String(in.readNBytes(tuning.maxBuildspecBytes()), StandardCharsets.UTF_8);
        }
      }
    } catch (LargeObjectException e) {
      // TreeWalk.forPath reads the trees on the way to the file whole
      throw new SourceException(
          Kind.DIRECTORY_TOO_LARGE,
          "cannot read "
              + where
              + ": a directory on"
              + " its path has too many entries (a git tree of "
              + JGitEnvironment.STREAM_FILE_THRESHOLD
              + " bytes or more, about 25,000 entries with short names)",
          e);
    } catch (IOException e) {
      throw new SourceException(Kind.GIT_FAILED, "cannot read " + where + ": " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- zip + upload

  private S3MultipartOutputStream.StoredObject zipAndUpload(
      Repository repo, RevCommit commit, String key) throws SourceException {
    S3MultipartOutputStream out =
        new S3MultipartOutputStream(s3, bucket, key, "application/zip", tuning.partSize());
    try (ObjectReader reader = repo.newObjectReader()) {
      long started = System.nanoTime();
      TreeZipWriter.Summary summary = new TreeZipWriter(limits).write(reader, commit, out);
      long zipped = System.nanoTime();
      S3MultipartOutputStream.StoredObject stored = out.complete();
      log.info(
          "zip written files={} symlinks={} skippedGitlinks={} skippedUnsafe={} zipMs={} completeMs={}",
          summary.files(),
          summary.symlinks(),
          summary.skippedGitlinks(),
          summary.skippedUnsafe(),
          (zipped - started) / 1_000_000,
          (System.nanoTime() - zipped) / 1_000_000);
      return stored;
    } catch (S3MultipartOutputStream.UploadFailedException e) {
      throw new SourceException(Kind.UPLOAD_FAILED, e.getMessage(), e);
    } catch (IOException e) {
      throw new SourceException(
          Kind.GIT_FAILED, "cannot read the tree of " + commit.name() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // S3 SDK errors arrive as UploadFailedException; anything else came from JGit or the zip
      throw new SourceException(Kind.GIT_FAILED, "packaging " + commit.name() + " failed: " + e, e);
    } finally {
      out.abort(); // no-op once complete() succeeded
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A new bare repository whose pack parser refuses an object over {@code maxObjectBytes} (it reads
   * the size from the object's header, before inflating it): a fetch stops there ({@link
   * TooLargeObjectInPackException}).
   */
  private static Repository newBareRepository(Path gitDir, long maxObjectBytes)
      throws SourceException {
    try {
      FileRepository repo =
          new SizeLimitedRepository(
              new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().setup(),
              maxObjectBytes);
      repo.create(true);
      StoredConfig config = repo.getConfig();
      config.setString("protocol", null, "version", "0"); // pagure answers v0 anyway
      config.setBoolean("core", null, "logallrefupdates", false);
      config.save();
      return repo;
    } catch (IOException e) {
      throw new SourceException(
          Kind.GIT_FAILED, "cannot create a temp repository: " + e.getMessage(), e);
    }
  }

  /** A file repository whose object inserters parse packs with a limit on the object size. */
  private static final class SizeLimitedRepository extends FileRepository {
    private final long maxObjectBytes;

    SizeLimitedRepository(FileRepositoryBuilder options, long maxObjectBytes) throws IOException {
      super(options);
      this.maxObjectBytes = maxObjectBytes;
    }

    @Override
    public ObjectInserter newObjectInserter() {
      ObjectInserter inserter = super.newObjectInserter();
      return new ObjectInserter.Filter() {
        @Override
        protected ObjectInserter delegate() {
          return inserter;
        }

        @Override
        public PackParser newPackParser(InputStream in) throws IOException {
          PackParser parser = super.newPackParser(in);
          parser.setMaxObjectSizeLimit(maxObjectBytes);
          return parser;
        }
      };
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

  private URIish cloneUri(String fullname) {
    return new URIish(toUrl(pagureBaseUrl.resolve(fullname + ".git")));
  }

  private static java.net.URL toUrl(URI uri) {
    try {
      return uri.toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException("bad clone URL", e);
    }
  }

  private static void validate(FetchPlan plan) {
    if (!CommitId.isValid(plan.commit())) {
      throw new IllegalArgumentException("commit must be a lower-case hex sha: " + plan.commit());
    }
    for (RepoRef ref : plan.candidates()) {
      validateFullname(ref.projectFullname());
      if (!Repository.isValidRefName(ref.ref())) {
        throw new IllegalArgumentException("not a valid ref name: " + ref.ref());
      }
    }
  }

  private static void validateFullname(String fullname) {
    if (!ProjectName.isValid(fullname)) {
      throw new IllegalArgumentException("not a valid project fullname: " + fullname);
    }
  }

  private static SourceException gitFailed(URIish uri, TransportException e) {
    return new SourceException(
        Kind.GIT_FAILED, "git fetch from " + uri + " failed: " + e.getMessage(), e);
  }

  private static String describe(List<RepoRef> refs) {
    StringBuilder sb = new StringBuilder();
    for (RepoRef r : refs) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(r.projectFullname()).append(' ').append(r.ref());
    }
    return sb.toString();
  }

  private static void sleep(long nanos) throws SourceException {
    try {
      Thread.sleep(Duration.ofNanos(Math.max(0, nanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException(Kind.GIT_FAILED, "interrupted while waiting for the ref", e);
    }
  }

  /**
   * Deletes {@code dir} and everything under it. A file that vanishes meanwhile is fine; a pass
   * that fails (a file appeared in a directory being deleted) is retried twice before giving up
   * with a warning, so one racing writer cannot leave the temp dir behind.
   */
  private static void deleteRecursively(Path dir) {
    IOException last = null;
    for (int attempt = 0; attempt < 3 && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(50L << attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      try {
        Files.walkFileTree(
            dir,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                  throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                  return FileVisitResult.CONTINUE;
                }
                throw e;
              }

              @Override
              public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
              }
            });
        last = null;
      } catch (NoSuchFileException e) {
        last = null; // the directory itself is gone
      } catch (IOException e) {
        last = e;
      }
    }
    if (last != null) {
      log.warn("temp dir not fully deleted dir={} error={}", dir, last.toString());
    }
  }
}
