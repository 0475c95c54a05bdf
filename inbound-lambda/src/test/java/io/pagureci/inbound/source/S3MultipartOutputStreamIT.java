package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

class S3MultipartOutputStreamIT {

  private static final String BUCKET = "multipart-stream-it";
  private static final int PART = S3MultipartOutputStream.MIN_PART_SIZE;
  private static S3Server s3;
  private int keys;

  @BeforeAll
  static void start() {
    s3 = S3Server.shared();
    s3.createVersionedBucket(BUCKET);
  }

  @AfterEach
  void noUploadLeft() {
    assertThat(s3.client().listMultipartUploads(l -> l.bucket(BUCKET)).uploads()).isEmpty();
  }

  @Test
  void objectSmallerThanOnePartIsOnePutWithAVersionId() throws IOException {
    String key = key();
    S3MultipartOutputStream.StoredObject stored;
    try (S3MultipartOutputStream out = stream(s3.client(), key)) {
      out.write("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      stored = out.complete();
    }

    assertThat(stored.versionId()).isNotBlank();
    assertThat(stored.bytes()).isEqualTo(5);
    assertThat(get(key, stored.versionId()))
        .containsExactly("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void exactlyOnePartIsStillOnePutAndTwoPartsAndABitRoundTrip() throws IOException {
    byte[] one = TestRepos.randomBytes(PART, 1);
    String k1 = key();
    S3MultipartOutputStream.StoredObject s1;
    try (S3MultipartOutputStream out = stream(s3.client(), k1)) {
      out.write(one);
      s1 = out.complete();
    }
    assertThat(get(k1, s1.versionId())).isEqualTo(one);

    byte[] more = TestRepos.randomBytes(2 * PART + 123, 2);
    String k2 = key();
    S3MultipartOutputStream.StoredObject s2;
    try (S3MultipartOutputStream out = stream(s3.client(), k2)) {
      for (int i = 0; i < more.length; i += 1000) { // odd-sized writes across part boundaries
        out.write(more, i, Math.min(1000, more.length - i));
      }
      s2 = out.complete();
    }
    assertThat(s2.bytes()).isEqualTo(more.length);
    assertThat(get(k2, s2.versionId())).isEqualTo(more);
  }

  @Test
  void closingWithoutCompleteAbortsAndStoresNothing() throws IOException {
    String key = key();
    try (S3MultipartOutputStream out = stream(s3.client(), key)) {
      out.write(TestRepos.randomBytes(PART + 10, 3)); // a part is already uploaded
      assertThat(s3.client().listMultipartUploads(l -> l.bucket(BUCKET)).uploads()).hasSize(1);
    }

    assertThat(s3.client().listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).contents()).isEmpty();
  }

  @Test
  void failedPartAbortsTheUploadAndTheStreamIsClosedForWriting() {
    FailingS3Client failing = new FailingS3Client(s3.client(), 1);
    S3MultipartOutputStream out = stream(failing, key());

    // parts 1 and 2 are uploaded in the background; part 1's failure surfaces when the writer
    // needs a third buffer and waits for the oldest part
    assertThatThrownBy(() -> out.write(TestRepos.randomBytes(3 * PART + 1, 4)))
        .isInstanceOf(S3MultipartOutputStream.UploadFailedException.class)
        .hasMessageContaining("injected failure on part 1");
    assertThat(failing.abortCalls).isEqualTo(1);
    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
    out.close();
    assertThat(failing.abortCalls).isEqualTo(1);
  }

  @Test
  void failureOfTheLastPartSurfacesInComplete() throws IOException {
    FailingS3Client failing = new FailingS3Client(s3.client(), 2);
    String key = key();
    S3MultipartOutputStream out = stream(failing, key);
    out.write(TestRepos.randomBytes(PART + 1, 5));

    assertThatThrownBy(out::complete)
        .isInstanceOf(S3MultipartOutputStream.UploadFailedException.class)
        .hasMessageContaining("injected failure on part 2");
    assertThat(failing.abortCalls).isEqualTo(1);
    assertThat(s3.client().listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).contents()).isEmpty();
  }

  @Test
  void theWriterFillsTheNextPartWhileOneIsUploaded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    S3Client slow =
        new FailingS3Client(s3.client(), -1) {
          @Override
          public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            started.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.uploadPart(r, body);
          }
        };
    byte[] data = TestRepos.randomBytes(2 * PART + 7, 6);
    String key = key();
    Thread safety =
        new Thread(
            () -> { // a synchronous upload would block the write: fail, don't hang
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                return;
              }
              release.countDown();
            });
    safety.setDaemon(true);
    safety.start();
    try (S3MultipartOutputStream out = stream(slow, key)) {
      out.write(data, 0, 2 * PART); // part 1 is handed over; part 2 fills while part 1 is blocked
      assertThat(release.getCount())
          .as("the write returned while part 1 was still being sent")
          .isEqualTo(1);
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(out.bytesWritten()).isEqualTo(2L * PART);
      release.countDown();
      safety.interrupt();
      out.write(data, 2 * PART, 7);
      S3MultipartOutputStream.StoredObject stored = out.complete();
      assertThat(get(key, stored.versionId())).isEqualTo(data);
    }
  }

  @Test
  void twoPartsAreUploadedAtOnceAndAThirdWaitsForTheOldest() throws Exception {
    CountDownLatch bothStarted = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger concurrent =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger maxConcurrent =
        new java.util.concurrent.atomic.AtomicInteger();
    S3Client slow =
        new FailingS3Client(s3.client(), -1) {
          @Override
          public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            bothStarted.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
            return super.uploadPart(r, body);
          }
        };
    byte[] data = TestRepos.randomBytes(4 * PART + 3, 8);
    String key = key();
    try (S3MultipartOutputStream out = stream(slow, key)) {
      out.write(data, 0, 3 * PART); // parts 1 and 2 handed over, part 3 buffered
      assertThat(bothStarted.await(5, TimeUnit.SECONDS))
          .as("both parts in flight at once")
          .isTrue();
      release.countDown();
      out.write(data, 3 * PART, PART + 3);
      S3MultipartOutputStream.StoredObject stored = out.complete();
      assertThat(get(key, stored.versionId())).isEqualTo(data);
    }
    assertThat(maxConcurrent.get()).isEqualTo(S3MultipartOutputStream.DEFAULT_MAX_IN_FLIGHT);
  }

  @Test
  void abortWaitsForThePartInFlightAndLeavesNoUpload() throws Exception {
    CountDownLatch inUpload = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    FailingS3Client slow =
        new FailingS3Client(s3.client(), -1) {
          @Override
          public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            inUpload.countDown();
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              // abort interrupts the uploader: still send the part, as a blocking socket write
              // would
            }
            UploadPartResponse up = super.uploadPart(r, body);
            finished.incrementAndGet();
            return up;
          }
        };
    String key = key();
    S3MultipartOutputStream out = stream(slow, key);
    out.write(TestRepos.randomBytes(PART + 1, 7));
    inUpload.await();

    out.close(); // abort while part 1 is being sent

    assertThat(finished.get()).isEqualTo(1);
    assertThat(slow.abortCalls).isEqualTo(1);
    assertThat(s3.client().listObjectsV2(l -> l.bucket(BUCKET).prefix(key)).contents()).isEmpty();
    // and @AfterEach: no multipart upload left
  }

  private static S3MultipartOutputStream stream(S3Client client, String key) {
    return new S3MultipartOutputStream(client, BUCKET, key, "application/octet-stream", PART);
  }

  private static byte[] get(String key, String versionId) {
    return s3.client()
        .getObjectAsBytes(g -> g.bucket(BUCKET).key(key).versionId(versionId))
        .asByteArray();
  }

  private String key() {
    return "stream/" + System.nanoTime() + "-" + keys++;
  }
}
