package io.pagureci.inbound.source;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Streams bytes to one S3 object with bounded memory: at most {@code 1 + maxInFlight} part buffers
 * ({@code partSize} bytes each). A full buffer is uploaded with {@code UploadPart} on a background
 * thread while the writer fills the next one, so zipping and uploading overlap; at most {@code
 * maxInFlight} parts are in flight (default {@value #DEFAULT_MAX_IN_FLIGHT}), and a writer that
 * fills its buffer while that many are in flight waits for the oldest. Memory does not grow with
 * the object size.
 *
 * <p>A failed part upload surfaces when the writer next waits for that part (at a later part
 * boundary) or in {@link #complete()}, whichever comes first; the upload is then aborted.
 *
 * <p>An object smaller than one part is stored with a single {@code PutObject}. Call {@link
 * #complete()} to finish the object, or {@link #abort()} to drop it (any multipart upload is then
 * aborted, so no parts are left behind). {@link #close()} without {@code complete()} aborts.
 *
 * <p>S3 failures surface as {@link UploadFailedException} (an {@link IOException}, so the stream
 * can sit under other streams).
 */
public final class S3MultipartOutputStream extends OutputStream {

  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(S3MultipartOutputStream.class);

  /** Smallest part S3 accepts (except for the last part). */
  public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

  /** Default number of parts uploaded at the same time. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 2;

  /** Default part size: 8 MiB. */
  public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;

  private static final int MAX_PARTS = 10_000;

  /** How long {@link #abort()} waits for a part upload in flight before aborting anyway. */
  private static final long ABORT_WAIT_SECONDS = 60;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final String contentType;
  private final int partSize;
  private final int maxInFlight;
  private final java.util.ArrayDeque<byte[]> freeBuffers = new java.util.ArrayDeque<>();
  private byte[] buffer;
  private int filled;
  private ExecutorService uploader;

  /** Parts being uploaded, oldest first, with their buffers. */
  private final java.util.ArrayDeque<InFlight> inFlight = new java.util.ArrayDeque<>();

  private record InFlight(Future<CompletedPart> part, byte[] buffer) {}

  private long bytes;
  private String uploadId;
  private final List<CompletedPart> parts = new ArrayList<>();
  private State state = State.OPEN;

  private enum State {
    OPEN,
    COMPLETED,
    ABORTED
  }

  /** The stored object. {@code versionId} is {@code null} when the bucket is not versioned. */
  public record StoredObject(String bucket, String key, String versionId, long bytes) {}

  /** An S3 call failed; the cause is the SDK exception. */
  public static final class UploadFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    UploadFailedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * @param s3 client
   * @param bucket target bucket
   * @param key target key
   * @param contentType content type of the object
   * @param partSize bytes per part, at least {@link #MIN_PART_SIZE}
   */
  public S3MultipartOutputStream(
      S3Client s3, String bucket, String key, String contentType, int partSize) {
    this(s3, bucket, key, contentType, partSize, DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * @param s3 client
   * @param bucket target bucket
   * @param key target key
   * @param contentType content type of the object
   * @param partSize bytes per part, at least {@link #MIN_PART_SIZE}
   * @param maxInFlight parts uploaded at the same time, at least 1
   */
  public S3MultipartOutputStream(
      S3Client s3, String bucket, String key, String contentType, int partSize, int maxInFlight) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.key = Objects.requireNonNull(key, "key");
    this.contentType = Objects.requireNonNull(contentType, "contentType");
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException("partSize must be at least " + MIN_PART_SIZE);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1");
    }
    this.partSize = partSize;
    this.maxInFlight = maxInFlight;
    this.buffer = new byte[partSize];
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (filled == buffer.length) {
      flushPart();
    }
    buffer[filled++] = (byte) b;
    bytes++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    while (len > 0) {
      if (filled == buffer.length) {
        flushPart();
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
      bytes += n;
    }
  }

  /** Bytes written so far. */
  public long bytesWritten() {
    return bytes;
  }

  /**
   * Uploads what is buffered and finishes the object.
   *
   * @return the stored object, with the version id S3 returned ({@code null} if none)
   * @throws UploadFailedException if S3 fails (the upload is then aborted)
   */
  public StoredObject complete() throws IOException {
    ensureOpen();
    try {
      if (uploadId == null) {
        PutObjectResponse put =
            s3.putObject(
                r ->
                    r.bucket(bucket)
                        .key(key)
                        .contentType(contentType)
                        .contentLength((long) filled)
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                body(filled));
        state = State.COMPLETED;
        return new StoredObject(bucket, key, put.versionId(), bytes);
      }
      flushPart();
      while (!inFlight.isEmpty()) {
        awaitOldest();
      }
      long completing = System.nanoTime();
      CompleteMultipartUploadResponse done =
          s3.completeMultipartUpload(
              r ->
                  r.bucket(bucket)
                      .key(key)
                      .uploadId(uploadId)
                      .multipartUpload(m -> m.parts(parts)));
      state = State.COMPLETED;
      uploader.shutdown();
      log.info(
          "multipart upload completed key={} parts={} bytes={} completeCallMs={}",
          key,
          parts.size(),
          bytes,
          (System.nanoTime() - completing) / 1_000_000);
      return new StoredObject(bucket, key, done.versionId(), bytes);
    } catch (SdkException | UploadFailedException e) {
      abort();
      throw e instanceof UploadFailedException u
          ? u
          : new UploadFailedException("S3 upload of " + key + " failed: " + e.getMessage(), e);
    }
  }

  /** Drops the object: aborts the multipart upload if one was started. Idempotent. */
  public void abort() {
    if (state != State.OPEN) {
      return;
    }
    state = State.ABORTED;
    if (uploader != null) {
      // let a part in flight finish (or fail) first: a part stored after the abort would linger
      uploader.shutdownNow();
      try {
        uploader.awaitTermination(ABORT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (uploadId != null) {
      String id = uploadId;
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id));
      } catch (SdkException e) {
        // Nothing more to do here; a bucket lifecycle rule should clean up incomplete uploads.
      }
    }
  }

  /** Aborts unless {@link #complete()} has succeeded. */
  @Override
  public void close() {
    abort();
  }

  private void flushPart() throws IOException {
    if (filled == 0 && (!parts.isEmpty() || !inFlight.isEmpty())) {
      return;
    }
    try {
      if (uploadId == null) {
        uploadId =
            s3.createMultipartUpload(
                    r ->
                        r.bucket(bucket)
                            .key(key)
                            .contentType(contentType)
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32))
                .uploadId();
        uploader =
            Executors.newFixedThreadPool(
                maxInFlight,
                r -> {
                  Thread t = new Thread(r, "s3-part-upload");
                  t.setDaemon(true);
                  return t;
                });
      }
      if (inFlight.size() == maxInFlight) {
        awaitOldest();
      }
      int partNumber = parts.size() + inFlight.size() + 1;
      if (partNumber > MAX_PARTS) {
        throw new UploadFailedException(
            "object too large: more than " + MAX_PARTS + " parts", null);
      }
      String id = uploadId;
      byte[] data = buffer;
      int length = filled;
      Future<CompletedPart> part =
          uploader.submit(
              () -> {
                UploadPartResponse up =
                    s3.uploadPart(
                        r ->
                            r.bucket(bucket)
                                .key(key)
                                .uploadId(id)
                                .partNumber(partNumber)
                                .contentLength((long) length)
                                .checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        body(data, length));
                return CompletedPart.builder()
                    .partNumber(partNumber)
                    .eTag(up.eTag())
                    .checksumCRC32(up.checksumCRC32())
                    .build();
              });
      inFlight.addLast(new InFlight(part, data));
      // fill another buffer while this one is uploaded
      buffer = freeBuffers.isEmpty() ? new byte[partSize] : freeBuffers.removeFirst();
      filled = 0;
    } catch (SdkException e) {
      abort();
      throw new UploadFailedException("S3 upload of " + key + " failed: " + e.getMessage(), e);
    } catch (UploadFailedException e) {
      abort();
      throw e;
    }
  }

  /** Waits for the oldest part in flight and records it; its failure becomes ours. */
  private void awaitOldest() throws UploadFailedException {
    InFlight oldest = inFlight.removeFirst();
    try {
      parts.add(oldest.part().get());
      freeBuffers.addLast(oldest.buffer());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new UploadFailedException(
          "S3 upload of " + key + " failed: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UploadFailedException("S3 upload of " + key + " interrupted", e);
    }
  }

  private RequestBody body(int length) {
    return body(buffer, length);
  }

  private RequestBody body(byte[] data, int length) {
    // no copy of the part: each (re)try reads the buffer afresh
    return RequestBody.fromContentProvider(
        () -> new ByteArrayInputStream(data, 0, length), length, contentType);
  }

  private void ensureOpen() throws IOException {
    if (state != State.OPEN) {
      throw new IOException("stream is " + state.name().toLowerCase(java.util.Locale.ROOT));
    }
  }
}
