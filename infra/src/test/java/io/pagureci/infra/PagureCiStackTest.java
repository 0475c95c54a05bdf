package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The default stack (codebuild target, AWS_IAM URL, caller user), resource by resource. */
class PagureCiStackTest {

  private static PagureCiStack stack;
  private static Template template;

  @BeforeAll
  static void synth() {
    stack = TestStacks.stack(Map.of());
    template = TestStacks.template(stack);
  }

  private static Object r(Object token) {
    return stack.resolve(token);
  }

  @Test
  void sourceBucketIsVersionedPrivateEncryptedAndExpiresOldZips() {
    template.hasResourceProperties("AWS::S3::Bucket", Match.objectLike(Map.of(
        "VersioningConfiguration", Map.of("Status", "Enabled"),
        "PublicAccessBlockConfiguration", Map.of(
            "BlockPublicAcls", true, "BlockPublicPolicy", true,
            "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
        "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(
            Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
        "LifecycleConfiguration", Map.of("Rules", List.of(
            Match.objectLike(Map.of("Id", "expire-source-zips", "Prefix", "source/",
                "ExpirationInDays", 30, "Status", "Enabled")),
            Match.objectLike(Map.of("Id", "expire-noncurrent-versions",
                "NoncurrentVersionExpiration", Map.of("NoncurrentDays", 7),
                "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1),
                "ExpiredObjectDeleteMarker", true)))))));
    template.hasResource("AWS::S3::Bucket", Match.objectLike(Map.of(
        "DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain")));
  }

  @Test
  void sourceBucketRefusesRequestsWithoutSsl() {
    template.hasResourceProperties("AWS::S3::BucketPolicy", Match.objectLike(Map.of(
        "Bucket", r(stack.sourceBucket().getBucketName()),
        "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
            Match.objectLike(Map.of(
                "Effect", "Deny", "Action", "s3:*",
                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
  }

  @Test
  void inboundFunctionIsJava21SizedForCloningWithSnapStartAndReservedConcurrency() {
    template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
        "Handler", PagureCiStack.INBOUND_HANDLER,
        "Runtime", "java21",
        "Architectures", List.of("x86_64"),
        "MemorySize", 2048,
        "Timeout", 120,
        "EphemeralStorage", Map.of("Size", 512),
        "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
        "ReservedConcurrentExecutions", 10,
        "LoggingConfig", Map.of("LogGroup", r(stack.inboundFunction().getLogGroup().getLogGroupName())))));
  }

  @Test
  void onlyTheInboundFunctionGetsC2AndABoundedHeap() {
    template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
        "Handler", PagureCiStack.INBOUND_HANDLER,
        "Environment", Map.of("Variables", Match.objectLike(Map.of(
            "JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=4 -XX:+UseSerialGC -Xmx128m"))))));
    assertThat(stack.outboundEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
  }

  @Test
  void inboundJvmOptionsNoneLeavesLambdasOwnFlags() {
    PagureCiStack plain = TestStacks.stack(Map.of("inboundJvmOptions", "none"));
    assertThat(plain.inboundEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
    TestStacks.template(plain).hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
        "Handler", PagureCiStack.INBOUND_HANDLER,
        "Environment", Map.of("Variables", Match.objectLike(Map.of(
            "JAVA_TOOL_OPTIONS", Match.absent()))))));
  }

  @Test
  void logGroupsKeepLogsForTheConfiguredRetention() {
    assertThat(template.findResources("AWS::Logs::LogGroup", Match.objectLike(Map.of(
        "Properties", Map.of("RetentionInDays", 30))))).hasSize(3);
  }

  @Test
  void theUrlIsAwsIamOnAnAliasOfThePublishedVersion() {
    template.resourceCountIs("AWS::Lambda::Url", 1);
    template.hasResourceProperties("AWS::Lambda::Url", Map.of(
        "AuthType", "AWS_IAM",
        "Qualifier", "iam",
        "TargetFunctionArn", r(stack.inboundFunction().getFunctionArn())));
    template.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of(
        "Name", "iam",
        "FunctionVersion", r(stack.inboundFunction().getCurrentVersion().getVersion()))));
    // no resource-based permission opens the function to anyone
    template.resourceCountIs("AWS::Lambda::Permission", 2); // only the two EventBridge rules -> outbound
  }

  @Test
  void inboundRoleHasExactlyItsOwnPermissions() {
    template.hasResourceProperties("AWS::IAM::Policy", Map.of(
        "Roles", List.of(r(stack.inboundRole().getRoleName())),
        "PolicyName", Match.anyValue(),
        "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(
            statement(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                r(stack.inboundFunction().getLogGroup().getLogGroupArn())),
            statement(List.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
                r(stack.sourceBucket().arnForObjects("source/*"))),
            statement("codebuild:StartBuild", r(stack.project().getProjectArn()))))));
    template.hasResourceProperties("AWS::IAM::Role", Match.objectLike(Map.of(
        "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
            "Principal", Map.of("Service", "lambda.amazonaws.com")))))))));
    // no managed policy on any role: every permission is written out here
    assertThat(template.findResources("AWS::IAM::Role", Match.objectLike(Map.of(
        "Properties", Match.objectLike(Map.of("ManagedPolicyArns", Match.anyValue())))))).isEmpty();
  }

  @Test
  void outboundRoleHasExactlyItsOwnPermissions() {
    template.hasResourceProperties("AWS::IAM::Policy", Map.of(
        "Roles", List.of(r(stack.outboundRole().getRoleName())),
        "PolicyName", Match.anyValue(),
        "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(
            statement(List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                r(stack.outboundFunction().getLogGroup().getLogGroupArn())),
            statement("secretsmanager:GetSecretValue", r(stack.pagureTokenSecret().getSecretArn())),
            statement("codebuild:BatchGetBuilds", r(stack.project().getProjectArn())),
            // granted by the on-failure destination itself
            Map.of("Action", List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                "Effect", "Allow", "Resource", r(stack.onFailureQueue().getQueueArn()))))));
  }

  @Test
  void callerUserMayOnlyInvokeTheIamUrlOfThatOneAlias() {
    Object alias = r(stack.aliases().get("iam").getFunctionArn());
    template.resourceCountIs("AWS::IAM::User", 1);
    template.hasResourceProperties("AWS::IAM::Policy", Map.of(
        "Users", List.of(Map.of("Ref", Match.anyValue())),
        "PolicyName", Match.anyValue(),
        "PolicyDocument", Map.of("Version", "2012-10-17", "Statement", List.of(
            Map.of("Action", "lambda:InvokeFunctionUrl", "Effect", "Allow", "Resource", alias,
                "Condition", Map.of("StringEquals", Map.of("lambda:FunctionUrlAuthType", "AWS_IAM"))),
            Map.of("Action", "lambda:InvokeFunction", "Effect", "Allow", "Resource", alias,
                "Condition", Map.of("Bool", Map.of("lambda:InvokedViaFunctionUrl", true)))))));
    // no access key in the template
    template.resourceCountIs("AWS::IAM::AccessKey", 0);
  }

  @Test
  void secretsAreCreatedWithoutAValueInTheTemplate() {
    // default (iam) mode: the inbound function needs no secret; the outbound one its token
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    assertThat(template.findResources("AWS::SecretsManager::Secret", Match.objectLike(Map.of(
        "Properties", Match.objectLike(Map.of("SecretString", Match.anyValue())))))).isEmpty();
  }

  @Test
  void buildProjectUsesAStandardImageAnS3SourceAndItsLogGroup() {
    template.hasResourceProperties("AWS::CodeBuild::Project", Match.objectLike(Map.of(
        "Source", Match.objectLike(Map.of("Type", "S3")),
        "Environment", Match.objectLike(Map.of(
            "Image", "aws/codebuild/standard:7.0", "Type", "LINUX_CONTAINER",
            "ComputeType", "BUILD_GENERAL1_SMALL", "PrivilegedMode", false)),
        "TimeoutInMinutes", 60,
        "LogsConfig", Match.objectLike(Map.of("CloudWatchLogs", Match.objectLike(Map.of("Status", "ENABLED")))))));
  }

  @Test
  void rulesSendThisProjectsStateAndPhaseChangesInThisAccountAndRegionToTheOutboundFunction() {
    Object project = r(stack.project().getProjectName());
    Object target = r(stack.outboundFunction().getFunctionArn());
    for (String type : List.of("CodeBuild Build State Change", "CodeBuild Build Phase Change")) {
      template.hasResourceProperties("AWS::Events::Rule", Match.objectLike(Map.of(
          "EventPattern", Map.of(
              "source", List.of("aws.codebuild"),
              "account", List.of(Map.of("Ref", "AWS::AccountId")),
              "region", List.of(Map.of("Ref", "AWS::Region")),
              "detail-type", List.of(type),
              "detail", Map.of("project-name", List.of(project))),
          "Targets", List.of(Match.objectLike(Map.of("Arn", target))))));
    }
    template.resourceCountIs("AWS::Events::Rule", 2);
  }

  @Test
  void outboundRetriesThenSendsFailuresToAnEncryptedSslOnlyQueue() {
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
        "FunctionName", r(stack.outboundFunction().getFunctionName()),
        "Qualifier", "$LATEST",
        "MaximumRetryAttempts", 2,
        "MaximumEventAgeInSeconds", 3600,
        "DestinationConfig", Map.of("OnFailure", Map.of(
            "Destination", r(stack.onFailureQueue().getQueueArn())))));
    template.hasResourceProperties("AWS::SQS::Queue", Match.objectLike(Map.of("SqsManagedSseEnabled", true)));
    template.hasResourceProperties("AWS::SQS::QueuePolicy", Match.objectLike(Map.of(
        "PolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
            "Effect", "Deny",
            "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))))));
    template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of(
        "Handler", PagureCiStack.OUTBOUND_HANDLER, "Runtime", "java21")));
  }

  @Test
  void alarmsWatchTheQueueAndBothFunctions() {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 3);
    template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
        "MetricName", "ApproximateNumberOfMessagesVisible", "Namespace", "AWS/SQS", "Threshold", 1)));
    template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
        "MetricName", "Errors", "Namespace", "AWS/Lambda",
        "Dimensions", List.of(Map.of("Name", "FunctionName",
            "Value", r(stack.inboundFunction().getFunctionName()))))));
  }

  @Test
  void outputsNameEverythingAnOperatorNeeds() {
    for (String output : List.of("FunctionUrlIam", "CallerUserName", "CallerPrincipalArn",
        "PagureTokenSecretArn", "SourceBucketName", "CodeBuildProjectName", "OutboundOnFailureQueueUrl",
        "InboundLogGroupName", "OutboundLogGroupName", "BuildLogGroupName")) {
      template.hasOutput(output, Match.anyValue());
    }
  }

  static Map<String, Object> statement(Object actions, Object resource) {
    return Map.of("Action", actions, "Effect", "Allow", "Resource", resource, "Sid", Match.anyValue());
  }
}
