package io.pagureci.inbound.source;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import io.pagureci.inbound.domain.SourcePackager;
import io.pagureci.pagure.CommitId;
import io.pagureci.pagure.ProjectName;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link SourcePackager} over git smart HTTP (JGit) and S3.
 *
 * <p>For every call, each step a class of its own: a fresh bare repository ({@link
 * ScratchRepository}) in a temp dir under {@code tempRoot} ({@link WorkDir}); the candidate refs of
 * the plan are looked up round after round until one points at the plan's commit or the plan's wait
 * has passed, and the matching ref is fetched with depth 1 and checked again ({@link
 * CandidateRefPoller}, over {@link PagureGitRemote}); the trusted buildspec (if asked for) is read
 * from the tip of the target branch ({@link TrustedBuildspecReader}); the commit's tree is zipped
 * straight from the object database and streamed to S3 ({@link SourceZipUpload}). The temp dir is
 * deleted whatever happens. This class only checks the plan and runs the steps in order.
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

  private final Path tempRoot;
  private final SourceLimits limits;
  private final CandidateRefPoller refs;
  private final TrustedBuildspecReader buildspecs;
  private final SourceZipUpload upload;

  /**
   * Same as the full constructor with {@link Tuning#DEFAULTS} and {@link SourceLimits#DEFAULTS}.
   */
  public JGitSourcePackager(
      URI pagureBaseUrl, S3Client s3, String bucket, Duration gitTimeout, Path tempRoot) {
    this(pagureBaseUrl, s3, bucket, gitTimeout, tempRoot, Tuning.DEFAULTS, SourceLimits.DEFAULTS);
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
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(bucket, "bucket");
    this.tempRoot = Objects.requireNonNull(tempRoot, "tempRoot");
    Objects.requireNonNull(tuning, "tuning");
    this.limits = Objects.requireNonNull(limits, "limits");
    int timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, gitTimeout.toSeconds()));
    PagureGitRemote remote =
        new PagureGitRemote(pagureBaseUrl, timeoutSeconds, limits.maxFileBytes());
    this.refs = new CandidateRefPoller(remote, tuning.firstRetryDelay(), tuning.maxRetryDelay());
    this.buildspecs = new TrustedBuildspecReader(remote, tuning.maxBuildspecBytes());
    this.upload = new SourceZipUpload(s3, bucket, tuning.partSize(), limits);
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
    WorkDir work;
    try {
      work = WorkDir.create(tempRoot, "pagureci-src-");
    } catch (IOException e) {
      throw new SourceException(Kind.GIT_FAILED, "cannot create a temp dir: " + e.getMessage(), e);
    }
    try (work;
        Repository repo =
            ScratchRepository.create(work.resolve("repo.git"), limits.maxFileBytes())) {
      long started = System.nanoTime();
      RevCommit commit = refs.fetchCommit(repo, plan);
      long fetched = System.nanoTime();
      String buildspec = null;
      if (plan.trustedBuildspec().isPresent()) {
        buildspec = buildspecs.read(repo, plan.trustedBuildspec().get());
      }
      S3MultipartOutputStream.StoredObject stored = upload.upload(repo, commit, objectKey);
      // the figures as fields of the JSON line (docs/deploy.md, Logs)
      log.atInfo()
          .addKeyValue("commit", commit.name())
          .addKeyValue("bucket", upload.bucket())
          .addKeyValue("key", objectKey)
          .addKeyValue("versionId", stored.versionId())
          .addKeyValue("bytes", stored.bytes())
          .addKeyValue("fetchMs", (fetched - started) / 1_000_000)
          .addKeyValue("zipUploadMs", (System.nanoTime() - fetched) / 1_000_000)
          .log("source packaged");
      return new PackagedSource(
          upload.bucket(), objectKey, stored.versionId(), stored.bytes(), buildspec);
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
    return PackagerPriming.run(tempRoot);
  }

  /**
   * The {@link FetchPlan} contract, checked before any git call (a programming error if broken).
   */
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
    plan.trustedBuildspec().ifPresent(source -> validateFullname(source.projectFullname()));
  }

  private static void validateFullname(String fullname) {
    if (!ProjectName.isValid(fullname)) {
      throw new IllegalArgumentException("not a valid project fullname: " + fullname);
    }
  }
}
