package io.pagureci.inbound.source;

import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.IOException;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Zips a commit's tree straight from the object database ({@link TreeZipWriter}, within the {@link
 * SourceLimits}) into an {@link S3MultipartOutputStream}: the object in the versioned source
 * bucket, with its version id. Anything that goes wrong aborts the multipart upload; S3 errors and
 * a bucket that returns no version id are {@code UPLOAD_FAILED}.
 */
final class SourceZipUpload {

  private static final Logger log = LoggerFactory.getLogger(SourceZipUpload.class);

  private final S3Client s3;
  private final String bucket;
  private final int partSize;
  private final SourceLimits limits;

  SourceZipUpload(S3Client s3, String bucket, int partSize, SourceLimits limits) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.partSize = partSize;
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  String bucket() {
    return bucket;
  }

  /** Uploads the zip of {@code commit} to {@code key}; the stored version (never null). */
  S3MultipartOutputStream.StoredObject upload(Repository repo, RevCommit commit, String key)
      throws SourceException {
    S3MultipartOutputStream.StoredObject stored = zipAndUpload(repo, commit, key);
    if (stored.versionId() == null
        || stored.versionId().isBlank()
        || stored.versionId().equals("null")) {
      throw new SourceException(
          Kind.UPLOAD_FAILED,
          "S3 returned no version id for s3://"
              + bucket
              + "/"
              + key
              + ": the source bucket must be versioned");
    }
    return stored;
  }

  private S3MultipartOutputStream.StoredObject zipAndUpload(
      Repository repo, RevCommit commit, String key) throws SourceException {
    S3MultipartOutputStream out =
        new S3MultipartOutputStream(s3, bucket, key, "application/zip", partSize);
    try (ObjectReader reader = repo.newObjectReader()) {
      long started = System.nanoTime();
      TreeZipWriter.Summary summary = new TreeZipWriter(limits).write(reader, commit, out);
      long zipped = System.nanoTime();
      S3MultipartOutputStream.StoredObject stored = out.complete();
      log.atInfo()
          .addKeyValue("files", summary.files())
          .addKeyValue("symlinks", summary.symlinks())
          .addKeyValue("skippedGitlinks", summary.skippedGitlinks())
          .addKeyValue("skippedUnsafe", summary.skippedUnsafe())
          .addKeyValue("zipMs", (zipped - started) / 1_000_000)
          .addKeyValue("completeMs", (System.nanoTime() - zipped) / 1_000_000)
          .log("zip written");
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
}
