package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The source bucket on its own: versioning, privacy, expiry, removal, the zip read grant. */
class SourceBucketTest {

  @Test
  void isVersionedPrivateAndExpiresZipsUnderThePrefixOnly() {
    Stack stack = new Stack(new App(), "Test");
    new SourceBucket(stack, "SourceBucket", new SourceBucket.Props("src/", 9, 3, false));
    Template t = Template.fromStack(stack);

    t.hasResource(
        "AWS::S3::Bucket",
        Match.objectLike(
            Map.of(
                "DeletionPolicy",
                "Retain",
                "Properties",
                Match.objectLike(
                    Map.of(
                        "VersioningConfiguration",
                        Map.of("Status", "Enabled"),
                        "PublicAccessBlockConfiguration",
                        Map.of(
                            "BlockPublicAcls", true,
                            "BlockPublicPolicy", true,
                            "IgnorePublicAcls", true,
                            "RestrictPublicBuckets", true),
                        "LifecycleConfiguration",
                        Map.of(
                            "Rules",
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Id",
                                        "expire-source-zips",
                                        "Prefix",
                                        "src/",
                                        "ExpirationInDays",
                                        9)),
                                Match.objectLike(
                                    Map.of(
                                        "Id",
                                        "expire-noncurrent-versions",
                                        "NoncurrentVersionExpiration",
                                        Map.of("NoncurrentDays", 3))))))))));
    t.resourceCountIs("Custom::S3AutoDeleteObjects", 0);
  }

  @Test
  void autoDeleteObjectsDestroysTheBucketWithTheStack() {
    Stack stack = new Stack(new App(), "Test");
    new SourceBucket(stack, "SourceBucket", new SourceBucket.Props("source/", 30, 7, true));
    Template t = Template.fromStack(stack);
    t.hasResource("AWS::S3::Bucket", Match.objectLike(Map.of("DeletionPolicy", "Delete")));
    t.resourceCountIs("Custom::S3AutoDeleteObjects", 1);
  }

  @Test
  void readZipsNamesTheObjectsUnderThePrefixAndNothingElse() {
    Stack stack = new Stack(new App(), "Test");
    SourceBucket source =
        new SourceBucket(stack, "SourceBucket", new SourceBucket.Props("source/", 30, 7, false));
    Object statement = stack.resolve(source.readZips().toStatementJson());
    assertThat(statement.toString())
        .contains("s3:GetObject", "s3:GetObjectVersion", "/source/*")
        .doesNotContain("s3:List", "s3:GetBucket");
    assertThat(source.placeholderKey()).isEqualTo("source/placeholder.zip");
  }
}
