package io.pagureci.inbound.domain;

import java.util.Objects;
import java.util.Optional;

/**
 * The zip of one commit's tree as stored in S3.
 *
 * @param bucket source bucket
 * @param key object key
 * @param versionId S3 object version id (the bucket is versioned)
 * @param bytes size of the zip
 * @param buildspecText the trusted buildspec read from the target branch, or {@code null}
 */
public record PackagedSource(
    String bucket, String key, String versionId, long bytes, String buildspecText) {
  public PackagedSource {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(versionId, "versionId");
  }

  public Optional<String> buildspec() {
    return Optional.ofNullable(buildspecText);
  }
}
