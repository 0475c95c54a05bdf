package io.pagureci.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * Every cdk-nag suppression of the stack, in one place. Each names the one resource, the one rule
 * and — for the granular IAM5 rule — the one finding ({@code appliesTo}) it covers, with the
 * reason. A new wildcard anywhere else is therefore still reported (NagChecksTest proves it).
 */
final class NagSuppressionsPlan extends Construct {

  private static final String CDK_S3_READ =
      "CDK's standard S3 read grant (%s): read-only, scoped to the one object key or bucket named in the"
          + " statement; the wildcard only covers the variants of the same read API (e.g."
          + " GetObjectVersion, GetBucketLocation).";
  private static final String CDK_ARTIFACT_RW =
      "CDK's standard grant on the pipeline's own artifact bucket, which holds nothing but this"
          + " pipeline's artifacts (%s).";

  private static final String ID = "NagSuppressionsPlan";

  private final List<Runnable> deferred = new ArrayList<>();

  private NagSuppressionsPlan(Stack stack) {
    super(stack, ID);
  }

  /** The plan of {@code scope}'s stack (created on first use; it holds no resources). */
  static NagSuppressionsPlan of(IConstruct scope) {
    Stack stack = Stack.of(scope);
    IConstruct existing = stack.getNode().tryFindChild(ID);
    return existing instanceof NagSuppressionsPlan plan ? plan : new NagSuppressionsPlan(stack);
  }

  void bucketAccessLogs(Bucket bucket) {
    later(
        () ->
            suppress(
                bucket.getNode().getDefaultChild(),
                "AwsSolutions-S1",
                "Server access logs would need a second bucket for short-lived objects written only by this"
                    + " stack's roles; every upload is logged by the worker function (one JSON line per"
                    + " decision) and CloudTrail S3 data events can be enabled for an audit trail."));
  }

  void onFailureQueueIsTheDeadLetterQueue(Queue queue) {
    later(
        () ->
            suppress(
                queue.getNode().getDefaultChild(),
                "AwsSolutions-SQS3",
                "This queue is itself the dead-letter (on-failure) destination of the outbound function;"
                    + " a queue behind it would add nothing. Its depth raises an alarm."));
  }

  void workDeadLetterQueue(Queue queue) {
    later(
        () ->
            suppress(
                queue.getNode().getDefaultChild(),
                "AwsSolutions-SQS3",
                "This queue is itself the dead-letter queue of the work queue (redrive policy"
                    + " maxReceiveCount = workMaxAttempts); a queue behind it would add nothing. Its depth"
                    + " raises an alarm."));
  }

  /**
   * The zip key patterns a role reads or writes ({@code <prefix>*}, or those of a build's routing
   * rule's globs): one key per commit, every pattern under the prefix.
   */
  void sourceZipKeys(IConstruct policy, Bucket bucket, List<String> keys) {
    if (policy == null) {
      return;
    }
    later(
        () ->
            suppress(
                policy,
                "AwsSolutions-IAM5",
                "Source zips are keyed <prefix><project>/pr/<id>/<sha>.zip (docs/protocol.md §4): one key per"
                    + " commit, so access is scoped to the prefix — never the whole bucket.",
                sourceObjects(bucket, keys)));
  }

  /** The created project and its role; {@code bucket} is null for a pipeline project. */
  void codeBuildProject(Project project, Role role, Bucket bucket, List<String> keys) {
    later(
        () -> {
          String projectRef = "<" + logicalId(project) + ">";
          suppress(
              project.getNode().getDefaultChild(),
              "AwsSolutions-CB4",
              "The project produces no artifacts and reads its source from an SSE-S3 bucket; CodeBuild"
                  + " encrypts its own storage with the AWS managed key. A customer managed key would add"
                  + " cost (and a key policy to keep) without narrowing who can read anything.");
          IConstruct policy = role.getNode().tryFindChild("DefaultPolicy");
          suppress(
              policy,
              "AwsSolutions-IAM5",
              "Test reports (a buildspec's reports: section), limited to report groups named after this"
                  + " project (<project>-*), which CodeBuild creates per report.",
              "Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/"
                  + projectRef
                  + "-*");
          if (bucket == null) {
            return;
          }
          suppress(
              policy,
              "AwsSolutions-IAM5",
              "Builds read the zip the worker names per build (sourceLocationOverride +"
                  + " version id): one key per commit under the source prefix (docs/protocol.md §4).",
              sourceObjects(bucket, keys));
        });
  }

  void pipeline(
      Pipeline pipeline, Role sourceRole, Bucket artifacts, Bucket source, List<String> keys) {
    later(
        () -> {
          String artifactObjects = "Resource::<" + logicalId(artifacts) + ".Arn>/*";
          IConstruct sourcePolicy = sourceRole.getNode().tryFindChild("DefaultPolicy");
          suppress(
              sourcePolicy,
              "AwsSolutions-IAM5",
              CDK_S3_READ.formatted("S3SourceAction"),
              "Action::s3:GetObject*",
              "Action::s3:GetBucket*",
              "Action::s3:List*");
          suppress(
              sourcePolicy,
              "AwsSolutions-IAM5",
              CDK_ARTIFACT_RW.formatted("the source action stores the source artifact there"),
              "Action::s3:DeleteObject*",
              "Action::s3:Abort*",
              artifactObjects);
          suppress(
              sourcePolicy,
              "AwsSolutions-IAM5",
              "AllowOverrideForS3ObjectKey: each execution names its own zip under the source prefix"
                  + " (one key per commit, docs/protocol.md §4).",
              sourceObjects(source, keys));
          IConstruct pipelinePolicy = pipeline.getRole().getNode().tryFindChild("DefaultPolicy");
          suppress(
              pipelinePolicy,
              "AwsSolutions-IAM5",
              CDK_ARTIFACT_RW.formatted("the pipeline passes artifacts between its stages"),
              "Action::s3:GetObject*",
              "Action::s3:GetBucket*",
              "Action::s3:List*",
              "Action::s3:DeleteObject*",
              "Action::s3:Abort*",
              artifactObjects);
        });
  }

  /** The build role (created or existing) reads its input artifact in the artifact bucket. */
  void pipelineArtifactsForBuildRole(IConstruct policy, Bucket artifacts) {
    later(
        () ->
            suppress(
                policy,
                "AwsSolutions-IAM5",
                "The pipeline's own artifact bucket holds nothing but this pipeline's artifacts, one"
                    + " object per execution; the build reads (s3:GetObject, s3:GetObjectVersion) its"
                    + " input artifact there, nothing else.",
                "Resource::<" + logicalId(artifacts) + ".Arn>/*"));
  }

  void lambdaRuntime(Function fn) {
    later(
        () ->
            suppress(
                fn.getNode().getDefaultChild(),
                "AwsSolutions-L1",
                "The functions are compiled for (--release 21) and tested on Java 21, an LTS runtime Lambda"
                    + " supports; moving to java25 is a deliberate, tested change, not a side effect of a deploy."));
  }

  void alarmTopic(Topic topic) {
    later(
        () ->
            suppress(
                topic.getNode().getDefaultChild(),
                "AwsSolutions-SNS2",
                "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and"
                    + " alarm notifications carry no secrets; publishing requires SSL (enforceSSL)."));
  }

  void secretRotation(Secret secret) {
    later(
        () ->
            suppress(
                secret.getNode().getDefaultChild(),
                "AwsSolutions-SMG4",
                "The value is issued by or shared with pagure (API token, project web-hook key, CI"
                    + " credentials); Secrets Manager cannot change it on pagure's side, so it is rotated by"
                    + " hand (docs/deploy.md)."));
  }

  /** Adds every recorded suppression; called once the stack's constructs all exist. */
  void apply() {
    deferred.forEach(Runnable::run);
    deferred.clear();
  }

  private void later(Runnable r) {
    deferred.add(r);
  }

  /**
   * The logical id of a construct's CloudFormation resource, as cdk-nag names it in findings: the
   * flat stack's id under a {@link StackPart} (also before {@link
   * PagureCiStack#applyFlatLogicalIds} has set it), the element's own otherwise.
   */
  static String logicalId(IConstruct c) {
    CfnElement element = c instanceof CfnElement e ? e : (CfnElement) c.getNode().getDefaultChild();
    Stack stack = Stack.of(c);
    String flat = stack instanceof PagureCiStack ? StackPart.logicalId(stack, element) : null;
    return flat != null ? flat : (String) stack.resolve(element.getLogicalId());
  }

  private static String[] sourceObjects(Bucket bucket, List<String> keys) {
    return keys.stream()
        .map(k -> "Resource::<" + logicalId(bucket) + ".Arn>/" + k)
        .toArray(String[]::new);
  }

  private static void suppress(
      IConstruct resource, String rule, String reason, String... appliesTo) {
    Objects.requireNonNull(resource, rule + ": no resource to suppress on");
    NagPackSuppression.Builder s = NagPackSuppression.builder().id(rule).reason(reason);
    if (appliesTo.length > 0) {
      s.appliesTo(new ArrayList<Object>(Arrays.asList(appliesTo)));
    }
    NagSuppressions.addResourceSuppressions(resource, List.of(s.build()), true);
  }
}
