package io.pagureci.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.IBucket;

/**
 * The build records (docs/queue.md §5): one object per build key under
 * {@code <sourcePrefix>.builds/} in the source bucket. The statements every function that reads
 * them needs.
 */
final class BuildRecords {

  private BuildRecords() {}

  /** {@code <sourcePrefix>.builds/}: BUILD_RECORDS_PREFIX of the outbound function. */
  static String prefix(String sourcePrefix) {
    return sourcePrefix + ".builds/";
  }

  /** {@code s3:GetObject} on the records only (not on the source zips). */
  static PolicyStatement read(IBucket bucket, String sourcePrefix) {
    return PolicyStatement.Builder.create()
        .sid("ReadBuildRecords")
        .actions(List.of("s3:GetObject"))
        .resources(List.of(bucket.arnForObjects(prefix(sourcePrefix) + "*")))
        .build();
  }

  /**
   * {@code s3:ListBucket} limited by {@code s3:prefix} to the records: without it S3 answers a GET
   * of a record that does not exist (yet) with 403 instead of 404. S3 evaluates the GET's key as
   * {@code s3:prefix}, so the listing grant covers exactly the keys under the records prefix.
   */
  static PolicyStatement list(IBucket bucket, String sourcePrefix) {
    return PolicyStatement.Builder.create()
        .sid("ListBuildRecords")
        .actions(List.of("s3:ListBucket"))
        .resources(List.of(bucket.getBucketArn()))
        .conditions(Map.of("StringLike", Map.of("s3:prefix", prefix(sourcePrefix) + "*")))
        .build();
  }
}
