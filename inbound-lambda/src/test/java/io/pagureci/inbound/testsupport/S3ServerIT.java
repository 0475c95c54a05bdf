package io.pagureci.inbound.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/** Proves the stand-in does what the source packager's tests rely on. */
class S3ServerIT {

  private static S3Server s3;

  @BeforeAll
  static void start() {
    s3 = S3Server.shared();
    s3.createVersionedBucket("versioned");
  }

  @Test
  void putObjectReturnsDistinctVersionIdsAndOldVersionsStayReadable() {
    S3Client c = s3.client();
    String v1 =
        c.putObject(p -> p.bucket("versioned").key("k"), RequestBody.fromString("one")).versionId();
    String v2 =
        c.putObject(p -> p.bucket("versioned").key("k"), RequestBody.fromString("two")).versionId();

    assertThat(v1).isNotBlank().isNotEqualTo("null");
    assertThat(v2).isNotBlank().isNotEqualTo(v1);
    assertThat(
            c.getObjectAsBytes(g -> g.bucket("versioned").key("k").versionId(v1))
                .asString(StandardCharsets.UTF_8))
        .isEqualTo("one");
    assertThat(
            c.getObjectAsBytes(g -> g.bucket("versioned").key("k"))
                .asString(StandardCharsets.UTF_8))
        .isEqualTo("two");
  }

  @Test
  void multipartCompleteReturnsVersionIdAndAbortLeavesNoUpload() {
    S3Client c = s3.client();
    String id = c.createMultipartUpload(m -> m.bucket("versioned").key("mp")).uploadId();
    byte[] part1 = new byte[5 * 1024 * 1024];
    String e1 =
        c.uploadPart(
                u -> u.bucket("versioned").key("mp").uploadId(id).partNumber(1),
                RequestBody.fromBytes(part1))
            .eTag();
    String e2 =
        c.uploadPart(
                u -> u.bucket("versioned").key("mp").uploadId(id).partNumber(2),
                RequestBody.fromString("tail"))
            .eTag();
    assertThat(c.listMultipartUploads(l -> l.bucket("versioned")).uploads()).hasSize(1);
    String version =
        c.completeMultipartUpload(
                m ->
                    m.bucket("versioned")
                        .key("mp")
                        .uploadId(id)
                        .multipartUpload(
                            u ->
                                u.parts(
                                    CompletedPart.builder().partNumber(1).eTag(e1).build(),
                                    CompletedPart.builder().partNumber(2).eTag(e2).build())))
            .versionId();
    assertThat(version).isNotBlank();
    assertThat(
            c.getObjectAsBytes(g -> g.bucket("versioned").key("mp").versionId(version))
                .asByteArray())
        .hasSize(part1.length + 4);

    String other = c.createMultipartUpload(m -> m.bucket("versioned").key("aborted")).uploadId();
    c.uploadPart(
        u -> u.bucket("versioned").key("aborted").uploadId(other).partNumber(1),
        RequestBody.fromString("x"));
    c.abortMultipartUpload(a -> a.bucket("versioned").key("aborted").uploadId(other));
    assertThat(c.listMultipartUploads(l -> l.bucket("versioned")).uploads()).isEmpty();
  }

  @Test
  void listensOnLoopbackOnly() {
    assertThat(s3.endpoint().getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void unversionedBucketGivesNoVersionId() {
    s3.createUnversionedBucket("plain-bucket");
    String v =
        s3.client()
            .putObject(p -> p.bucket("plain-bucket").key("k"), RequestBody.fromString("x"))
            .versionId();
    assertThat(v == null || v.equals("null")).as("version id " + v).isTrue();
  }

  @Test
  void creatingAnExistingBucketAgainIsFine() {
    s3.createVersionedBucket("versioned");
    assertThat(s3.client().getBucketVersioning(b -> b.bucket("versioned")).statusAsString())
        .isEqualTo("Enabled");
  }
}
