package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

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
    assertThat(get(key, stored.versionId())).containsExactly("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
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

    assertThatThrownBy(() -> out.write(TestRepos.randomBytes(PART + 1, 4)))
        .isInstanceOf(S3MultipartOutputStream.UploadFailedException.class);
    assertThat(failing.abortCalls).isEqualTo(1);
    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class);
    out.close();
    assertThat(failing.abortCalls).isEqualTo(1);
  }

  private static S3MultipartOutputStream stream(S3Client client, String key) {
    return new S3MultipartOutputStream(client, BUCKET, key, "application/octet-stream", PART);
  }

  private static byte[] get(String key, String versionId) {
    return s3.client().getObjectAsBytes(g -> g.bucket(BUCKET).key(key).versionId(versionId)).asByteArray();
  }

  private String key() {
    return "stream/" + System.nanoTime() + "-" + keys++;
  }
}
