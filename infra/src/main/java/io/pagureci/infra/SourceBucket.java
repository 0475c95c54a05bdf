package io.pagureci.infra;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The source bucket (docs/protocol.md §4): versioned, private, SSL only, SSE-S3; the worker writes
 * one zip per commit under {@code prefix}, builds read it pinned by version id. Zips expire after
 * {@code expirationDays}, noncurrent versions after {@code noncurrentVersionExpirationDays}.
 */
final class SourceBucket extends StackPart {

  /**
   * @param prefix key prefix of the source zips, ending in {@code /} (Settings checks it)
   * @param autoDeleteObjects test stacks: the bucket is emptied and destroyed with the stack
   */
  record Props(
      String prefix,
      int expirationDays,
      int noncurrentVersionExpirationDays,
      boolean autoDeleteObjects) {}

  private final Bucket bucket;
  private final String prefix;

  SourceBucket(Construct scope, String id, Props props) {
    super(scope, id);
    this.prefix = props.prefix();
    bucket =
        privateBucket(this, "SourceBucket", props.autoDeleteObjects())
            .versioned(true)
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("expire-source-zips")
                        .prefix(prefix)
                        .expiration(Duration.days(props.expirationDays()))
                        .build(),
                    LifecycleRule.builder()
                        .id("expire-noncurrent-versions")
                        .noncurrentVersionExpiration(
                            Duration.days(props.noncurrentVersionExpirationDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .expiredObjectDeleteMarker(true)
                        .build()))
            .build();
    NagSuppressionsPlan.of(this).bucketAccessLogs(bucket);
  }

  /**
   * A bucket only the stack's roles reach (the source zips, a pipeline's artifacts): public access
   * blocked, TLS only, SSE-S3, every object the bucket owner's; retained unless {@code
   * autoDeleteObjects} (then emptied and deleted with the stack).
   */
  static Bucket.Builder privateBucket(Construct scope, String id, boolean autoDeleteObjects) {
    return Bucket.Builder.create(scope, id)
        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
        .enforceSsl(true)
        .encryption(BucketEncryption.S3_MANAGED)
        .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
        .removalPolicy(removalPolicy(autoDeleteObjects))
        .autoDeleteObjects(autoDeleteObjects);
  }

  /** RETAIN, unless the stack's objects are deleted with it. */
  static RemovalPolicy removalPolicy(boolean autoDeleteObjects) {
    return autoDeleteObjects ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  }

  Bucket bucket() {
    return bucket;
  }

  /** The key prefix of the source zips ({@code SOURCE_PREFIX}). */
  String prefix() {
    return prefix;
  }

  /** Every source zip: {@code <bucket>/<prefix>*}. */
  String zipsArn() {
    return bucket.arnForObjects(prefix + "*");
  }

  /** The key the build target's placeholder source points at (never written). */
  String placeholderKey() {
    return prefix + "placeholder.zip";
  }

  /**
   * Locating the bucket, as CodeBuild's S3 source does before it reads ({@code s3:GetBucketAcl},
   * {@code s3:GetBucketLocation} on the bucket alone; no listing).
   */
  PolicyStatement locateBucket() {
    return Statements.allow(
        "LocateSourceBucket",
        List.of("s3:GetBucketAcl", "s3:GetBucketLocation"),
        List.of(bucket.getBucketArn()));
  }

  /** Reading any zip under the prefix, pinned by version id. */
  PolicyStatement readZips() {
    return readZips(List.of(prefix + "*"));
  }

  /**
   * Reading the zips under the given key patterns (each starting with the prefix), pinned by
   * version id.
   */
  PolicyStatement readZips(List<String> keyPatterns) {
    return Statements.allow(
        "ReadSourceZips",
        List.of("s3:GetObject", "s3:GetObjectVersion"),
        keyPatterns.stream().map(bucket::arnForObjects).toList());
  }
}
