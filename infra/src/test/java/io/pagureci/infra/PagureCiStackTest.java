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
    template.hasResourceProperties(
        "AWS::S3::Bucket",
        Match.objectLike(
            Map.of(
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "PublicAccessBlockConfiguration",
                    Map.of(
                        "BlockPublicAcls",
                        true,
                        "BlockPublicPolicy",
                        true,
                        "IgnorePublicAcls",
                        true,
                        "RestrictPublicBuckets",
                        true),
                "BucketEncryption",
                    Map.of(
                        "ServerSideEncryptionConfiguration",
                        List.of(
                            Map.of(
                                "ServerSideEncryptionByDefault",
                                Map.of("SSEAlgorithm", "AES256")))),
                "LifecycleConfiguration",
                    Map.of(
                        "Rules",
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Id",
                                    "expire-source-zips",
                                    "Prefix",
                                    "source/",
                                    "ExpirationInDays",
                                    30,
                                    "Status",
                                    "Enabled")),
                            Match.objectLike(
                                Map.of(
                                    "Id",
                                    "expire-noncurrent-versions",
                                    "NoncurrentVersionExpiration",
                                    Map.of("NoncurrentDays", 7),
                                    "AbortIncompleteMultipartUpload",
                                    Map.of("DaysAfterInitiation", 1),
                                    "ExpiredObjectDeleteMarker",
                                    true)))))));
    template.hasResource(
        "AWS::S3::Bucket",
        Match.objectLike(Map.of("DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain")));
  }

  @Test
  void sourceBucketRefusesRequestsWithoutSsl() {
    template.hasResourceProperties(
        "AWS::S3::BucketPolicy",
        Match.objectLike(
            Map.of(
                "Bucket", r(stack.sourceBucket().getBucketName()),
                "PolicyDocument",
                    Match.objectLike(
                        Map.of(
                            "Statement",
                            Match.arrayWith(
                                List.of(
                                    Match.objectLike(
                                        Map.of(
                                            "Effect",
                                            "Deny",
                                            "Action",
                                            "s3:*",
                                            "Condition",
                                            Map.of(
                                                "Bool",
                                                Map.of("aws:SecureTransport", "false")))))))))));
  }

  @Test
  void acceptFunctionIsJava21WithSnapStartAndReservedConcurrencyAndLambdasDefaultTmp() {
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler",
                PagureCiStack.INBOUND_HANDLER,
                "Runtime",
                "java21",
                "Architectures",
                List.of("x86_64"),
                "MemorySize",
                2048,
                "Timeout",
                120,
                "EphemeralStorage",
                Match.absent(),
                "SnapStart",
                Map.of("ApplyOn", "PublishedVersions"),
                "ReservedConcurrentExecutions",
                10,
                "LoggingConfig",
                Map.of("LogGroup", r(stack.inboundFunction().getLogGroup().getLogGroupName())))));
  }

  @Test
  void workerIsTheInboundJarSizedForCloningWithSnapStart() {
    BuildWorker worker = stack.buildWorker();
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler",
                BuildWorker.HANDLER,
                "Runtime",
                "java21",
                "MemorySize",
                2048,
                "Timeout",
                120,
                "EphemeralStorage",
                Map.of("Size", 512),
                "SnapStart",
                Map.of("ApplyOn", "PublishedVersions"),
                "ReservedConcurrentExecutions",
                Match.absent(),
                "LoggingConfig",
                Map.of("LogGroup", r(worker.logGroup().getLogGroupName())))));
    // the same code asset as the accept function: one jar, two handlers
    assertThat(functionProperties(BuildWorker.HANDLER).get("Code"))
        .isEqualTo(functionProperties(PagureCiStack.INBOUND_HANDLER).get("Code"));
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles", List.of(r(worker.role().getRoleName())),
                "PolicyDocument",
                    Match.objectLike(
                        Map.of(
                            "Statement",
                            Match.arrayWith(
                                List.of(
                                    Policies.statement(
                                        List.of(
                                            "s3:PutObject",
                                            "s3:GetObject",
                                            "s3:AbortMultipartUpload"),
                                        r(stack.sourceBucket().arnForObjects("source/*"))),
                                    Policies.statement(
                                        List.of(
                                            "dynamodb:GetItem",
                                            "dynamodb:PutItem",
                                            "dynamodb:UpdateItem"),
                                        r(stack.buildRecords().table().getTableArn())),
                                    Policies.statement(
                                        "codebuild:StartBuild", r(stack.project().getProjectArn())),
                                    putRequestEvents())))))));
    template.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "EventSourceArn", r(stack.workQueue().queue().getQueueArn()),
            "FunctionName", BuildWorkerTest.qualifiedName(r(worker.alias().getFunctionArn())),
            "BatchSize", 1,
            "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
            "ScalingConfig", Map.of("MaximumConcurrency", 5)));
  }

  @Test
  void workQueueHidesAnItemForSixWorkerTimeoutsAndDeadLettersItAfterEightAttempts() {
    template.hasResourceProperties(
        "AWS::SQS::Queue",
        Match.objectLike(
            Map.of(
                "VisibilityTimeout",
                720,
                "SqsManagedSseEnabled",
                true,
                "RedrivePolicy",
                Map.of(
                    "deadLetterTargetArn",
                    r(stack.workQueue().deadLetterQueue().getQueueArn()),
                    "maxReceiveCount",
                    8))));
    assertThat(stack.workerEnvironment())
        .containsEntry("WORK_MAX_ATTEMPTS", "8")
        .containsEntry("CLAIM_LEASE_SECONDS", "180")
        .containsEntry("RETRY_BASE_SECONDS", "30")
        .containsEntry("RETRY_MAX_SECONDS", "900")
        .containsEntry("MAX_SOURCE_BYTES", "2147483648")
        .containsEntry("MAX_FILE_BYTES", "536870912")
        .containsEntry("MAX_SOURCE_FILES", "200000")
        .containsEntry("MAX_TREE_DEPTH", "64")
        .containsEntry("EVENT_BUS_NAME", "default");
  }

  @Test
  void onlyTheWorkerGetsC2AndABoundedHeap() {
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler",
                BuildWorker.HANDLER,
                "Environment",
                Map.of(
                    "Variables",
                    Match.objectLike(
                        Map.of(
                            "JAVA_TOOL_OPTIONS",
                            "-XX:+TieredCompilation -XX:TieredStopAtLevel=4 -XX:+UseSerialGC -Xmx128m"))))));
    assertThat(stack.inboundEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
    assertThat(stack.outboundEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
  }

  @Test
  void workerJvmOptionsNoneLeavesLambdasOwnFlags() {
    PagureCiStack plain = TestStacks.stack(Map.of("workerJvmOptions", "none"));
    assertThat(plain.workerEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
    TestStacks.template(plain)
        .hasResourceProperties(
            "AWS::Lambda::Function",
            Match.objectLike(
                Map.of(
                    "Handler",
                    BuildWorker.HANDLER,
                    "Environment",
                    Map.of(
                        "Variables",
                        Match.objectLike(Map.of("JAVA_TOOL_OPTIONS", Match.absent()))))));
  }

  @Test
  void logGroupsKeepLogsForTheConfiguredRetention() {
    assertThat(
            template.findResources(
                "AWS::Logs::LogGroup",
                Match.objectLike(Map.of("Properties", Map.of("RetentionInDays", 30)))))
        .hasSize(4);
  }

  @Test
  void theUrlIsAwsIamOnAnAliasOfThePublishedVersion() {
    template.resourceCountIs("AWS::Lambda::Url", 1);
    template.hasResourceProperties(
        "AWS::Lambda::Url",
        Map.of(
            "AuthType", "AWS_IAM",
            "Qualifier", "iam",
            "TargetFunctionArn", r(stack.inboundFunction().getFunctionArn())));
    template.hasResourceProperties(
        "AWS::Lambda::Alias",
        Match.objectLike(
            Map.of(
                "Name",
                "iam",
                "FunctionVersion",
                r(stack.inboundFunction().getCurrentVersion().getVersion()))));
    // no resource-based permission opens the function to anyone
    template.resourceCountIs(
        "AWS::Lambda::Permission", 3); // only the three EventBridge rules -> outbound
  }

  @Test
  void acceptRoleCanOnlyFillTheQueueAnnounceAndReadBuildRecords() {
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Roles", List.of(r(stack.inboundRole().getRoleName())),
            "PolicyName", Match.anyValue(),
            "PolicyDocument",
                Map.of(
                    "Version",
                    "2012-10-17",
                    "Statement",
                    List.of(
                        Policies.statement(
                            List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                            r(stack.inboundFunction().getLogGroup().getLogGroupArn())),
                        Policies.statement(
                            "sqs:SendMessage", r(stack.workQueue().queue().getQueueArn())),
                        putRequestEvents(),
                        readBuildRecords()))));
    // no build start and no source-zip write: a flood on the URL can only fill the queue
    String acceptPolicy =
        template
            .findResources(
                "AWS::IAM::Policy",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(
                            Map.of("Roles", List.of(r(stack.inboundRole().getRoleName())))))))
            .toString();
    assertThat(acceptPolicy)
        .doesNotContain("codebuild:", "codepipeline:", "s3:PutObject", "source/*");
    template.hasResourceProperties(
        "AWS::IAM::Role",
        Match.objectLike(
            Map.of(
                "AssumeRolePolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Principal", Map.of("Service", "lambda.amazonaws.com")))))))));
    // no managed policy on any role: every permission is written out here
    assertThat(
            template.findResources(
                "AWS::IAM::Role",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(Map.of("ManagedPolicyArns", Match.anyValue()))))))
        .isEmpty();
  }

  @Test
  void outboundRoleHasExactlyItsOwnPermissions() {
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Roles", List.of(r(stack.outboundRole().getRoleName())),
            "PolicyName", Match.anyValue(),
            "PolicyDocument",
                Map.of(
                    "Version",
                    "2012-10-17",
                    "Statement",
                    List.of(
                        Policies.statement(
                            List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                            r(stack.outboundFunction().getLogGroup().getLogGroupArn())),
                        Policies.statement(
                            "secretsmanager:GetSecretValue",
                            r(stack.pagureTokenSecret().getSecretArn())),
                        Policies.statement(
                            "codebuild:BatchGetBuilds", r(stack.project().getProjectArn())),
                        readBuildRecords(),
                        // granted by the on-failure destination itself
                        Map.of(
                            "Action",
                            List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"),
                            "Effect",
                            "Allow",
                            "Resource",
                            r(stack.onFailureQueue().getQueueArn()))))));
  }

  @Test
  void callerUserMayOnlyInvokeTheIamUrlOfThatOneAlias() {
    Object alias = r(stack.aliases().get("iam").getFunctionArn());
    template.resourceCountIs("AWS::IAM::User", 1);
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Users", List.of(Map.of("Ref", Match.anyValue())),
            "PolicyName", Match.anyValue(),
            "PolicyDocument",
                Map.of(
                    "Version",
                    "2012-10-17",
                    "Statement",
                    List.of(
                        Map.of(
                            "Action",
                            "lambda:InvokeFunctionUrl",
                            "Effect",
                            "Allow",
                            "Resource",
                            alias,
                            "Condition",
                            Map.of(
                                "StringEquals", Map.of("lambda:FunctionUrlAuthType", "AWS_IAM"))),
                        Map.of(
                            "Action",
                            "lambda:InvokeFunction",
                            "Effect",
                            "Allow",
                            "Resource",
                            alias,
                            "Condition",
                            Map.of("Bool", Map.of("lambda:InvokedViaFunctionUrl", true)))))));
    // no access key in the template
    template.resourceCountIs("AWS::IAM::AccessKey", 0);
  }

  @Test
  void secretsAreCreatedWithoutAValueInTheTemplate() {
    // default (iam) mode: the inbound function needs no secret; the outbound one its token
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    assertThat(
            template.findResources(
                "AWS::SecretsManager::Secret",
                Match.objectLike(
                    Map.of(
                        "Properties", Match.objectLike(Map.of("SecretString", Match.anyValue()))))))
        .isEmpty();
  }

  @Test
  void buildProjectUsesAStandardImageAnS3SourceAndItsLogGroup() {
    template.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(
            Map.of(
                "Source", Match.objectLike(Map.of("Type", "S3")),
                "Environment",
                    Match.objectLike(
                        Map.of(
                            "Image",
                            "aws/codebuild/standard:7.0",
                            "Type",
                            "LINUX_CONTAINER",
                            "ComputeType",
                            "BUILD_GENERAL1_SMALL",
                            "PrivilegedMode",
                            false)),
                "TimeoutInMinutes", 60,
                "ConcurrentBuildLimit", 5,
                "LogsConfig",
                    Match.objectLike(
                        Map.of("CloudWatchLogs", Match.objectLike(Map.of("Status", "ENABLED")))))));
  }

  /**
   * Issue 13 item 6: not CDK's default project grants (s3:GetObject*, s3:GetBucket*, s3:List* on
   * the bucket; the /aws/codebuild/<project> log group with CreateLogGroup) but the zips under the
   * prefix, the bucket's location, the project's own log group and report groups.
   */
  @Test
  void buildRoleReadsOnlyTheZipsUnderThePrefixAndWritesOnlyItsOwnLogGroup() {
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Roles", List.of(r(stack.project().getRole().getRoleName())),
            "PolicyName", Match.anyValue(),
            "PolicyDocument",
                Map.of(
                    "Version",
                    "2012-10-17",
                    "Statement",
                    List.of(
                        Map.of(
                            "Sid",
                            "ReadSourceZips",
                            "Effect",
                            "Allow",
                            "Action",
                            List.of("s3:GetObject", "s3:GetObjectVersion"),
                            "Resource",
                            r(stack.sourceBucket().arnForObjects("source/*"))),
                        Map.of(
                            "Sid",
                            "LocateSourceBucket",
                            "Effect",
                            "Allow",
                            "Action",
                            List.of("s3:GetBucketAcl", "s3:GetBucketLocation"),
                            "Resource",
                            r(stack.sourceBucket().getBucketArn())),
                        Map.of(
                            "Sid",
                            "WriteOwnLogs",
                            "Effect",
                            "Allow",
                            "Action",
                            List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                            "Resource",
                            Map.of(
                                "Fn::GetAtt",
                                List.of(
                                    stack.logicalId(stack.buildLogGroup().orElseThrow()), "Arn"))),
                        Match.objectLike(
                            Map.of(
                                "Sid",
                                "WriteOwnReports",
                                "Action",
                                Match.arrayWith(List.of("codebuild:CreateReport"))))))));
    String all = template.findResources("AWS::IAM::Policy").toString();
    assertThat(all).doesNotContain("s3:List", "s3:GetBucket*", "/aws/codebuild/", "CreateLogGroup");
  }

  @Test
  void rulesSendThisProjectsStateAndPhaseChangesInThisAccountAndRegionToTheOutboundFunction() {
    Object project = r(stack.project().getProjectName());
    Object target = r(stack.outboundFunction().getFunctionArn());
    for (String type : List.of("CodeBuild Build State Change", "CodeBuild Build Phase Change")) {
      template.hasResourceProperties(
          "AWS::Events::Rule",
          Match.objectLike(
              Map.of(
                  "EventPattern",
                      Map.of(
                          "source", List.of("aws.codebuild"),
                          "account", List.of(Map.of("Ref", "AWS::AccountId")),
                          "region", List.of(Map.of("Ref", "AWS::Region")),
                          "detail-type", List.of(type),
                          "detail", Map.of("project-name", List.of(project))),
                  "Targets", List.of(Match.objectLike(Map.of("Arn", target))))));
    }
    template.resourceCountIs("AWS::Events::Rule", 3);
  }

  @Test
  void requestEventsOfThisAccountAndRegionReachTheOutboundFunctionToo() {
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventBusName", "default",
                "EventPattern",
                    Map.of(
                        "source", List.of("pagure-ci-aws"),
                        "account", List.of(Map.of("Ref", "AWS::AccountId")),
                        "region", List.of(Map.of("Ref", "AWS::Region")),
                        "detail-type", List.of("Build Request State Change")),
                "Targets",
                    List.of(
                        Match.objectLike(
                            Map.of("Arn", r(stack.outboundFunction().getFunctionArn())))))));
    assertThat(stack.outboundEnvironment())
        .containsEntry("BUILD_RECORDS_TABLE", stack.buildRecords().tableName());
    assertThat(r(stack.outboundEnvironment().get("ACCOUNT_ID")))
        .isEqualTo(Map.of("Ref", "AWS::AccountId"));
  }

  @Test
  void outboundRetriesThenSendsFailuresToAnEncryptedSslOnlyQueue() {
    template.hasResourceProperties(
        "AWS::Lambda::EventInvokeConfig",
        Map.of(
            "FunctionName",
            r(stack.outboundFunction().getFunctionName()),
            "Qualifier",
            "$LATEST",
            "MaximumRetryAttempts",
            2,
            "MaximumEventAgeInSeconds",
            3600,
            "DestinationConfig",
            Map.of("OnFailure", Map.of("Destination", r(stack.onFailureQueue().getQueueArn())))));
    template.hasResourceProperties(
        "AWS::SQS::Queue", Match.objectLike(Map.of("SqsManagedSseEnabled", true)));
    template.hasResourceProperties(
        "AWS::SQS::QueuePolicy",
        Match.objectLike(
            Map.of(
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Effect",
                                        "Deny",
                                        "Condition",
                                        Map.of(
                                            "Bool",
                                            Map.of("aws:SecureTransport", "false")))))))))));
    template.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(Map.of("Handler", PagureCiStack.OUTBOUND_HANDLER, "Runtime", "java21")));
  }

  @Test
  void alarmsWatchTheQueueAndBothFunctions() {
    template.resourceCountIs("AWS::CloudWatch::Alarm", 6);
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "MetricName",
                "ApproximateNumberOfMessagesVisible",
                "Namespace",
                "AWS/SQS",
                "Threshold",
                1)));
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "MetricName",
                "Errors",
                "Namespace",
                "AWS/Lambda",
                "Dimensions",
                List.of(
                    Map.of(
                        "Name",
                        "FunctionName",
                        "Value",
                        r(stack.inboundFunction().getFunctionName()))))));
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "MetricName",
                "Errors",
                "Namespace",
                "AWS/Lambda",
                "Dimensions",
                List.of(
                    Map.of(
                        "Name",
                        "FunctionName",
                        "Value",
                        r(stack.buildWorker().function().getFunctionName()))))));
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "MetricName",
                "ApproximateNumberOfMessagesVisible",
                "Namespace",
                "AWS/SQS",
                "Dimensions",
                List.of(
                    Map.of(
                        "Name",
                        "QueueName",
                        "Value",
                        r(stack.workQueue().deadLetterQueue().getQueueName()))),
                "ComparisonOperator",
                "GreaterThanThreshold",
                "Threshold",
                0)));
    template.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "MetricName",
                "ApproximateAgeOfOldestMessage",
                "Namespace",
                "AWS/SQS",
                "Dimensions",
                List.of(
                    Map.of(
                        "Name", "QueueName", "Value", r(stack.workQueue().queue().getQueueName()))),
                "Threshold",
                1800)));
  }

  @Test
  void outputsNameEverythingAnOperatorNeeds() {
    for (String output :
        List.of(
            "FunctionUrlIam",
            "CallerUserName",
            "CallerPrincipalArn",
            "PagureTokenSecretArn",
            "SourceBucketName",
            "CodeBuildProjectName",
            "OutboundOnFailureQueueUrl",
            "InboundLogGroupName",
            "OutboundLogGroupName",
            "BuildLogGroupName",
            "WorkerLogGroupName",
            "WorkQueueUrl",
            "WorkDeadLetterQueueArn",
            "WorkDeadLetterQueueUrl")) {
      template.hasOutput(output, Match.anyValue());
    }
  }

  private static Map<?, ?> functionProperties(String handler) {
    return (Map<?, ?>)
        template
            .findResources(
                "AWS::Lambda::Function",
                Match.objectLike(
                    Map.of("Properties", Match.objectLike(Map.of("Handler", handler)))))
            .values()
            .iterator()
            .next()
            .get("Properties");
  }

  private static Map<String, Object> readBuildRecords() {
    return Map.of(
        "Sid",
        "ReadBuildRecords",
        "Effect",
        "Allow",
        "Action",
        "dynamodb:GetItem",
        "Resource",
        r(stack.buildRecords().table().getTableArn()));
  }

  @Test
  void buildRecordsAreAnOnDemandTableWithTtlAndPointInTimeRecoveryThatEveryFunctionIsToldAbout() {
    template.resourceCountIs("AWS::DynamoDB::Table", 1);
    template.hasResourceProperties(
        "AWS::DynamoDB::Table",
        Map.of(
            "KeySchema", List.of(Map.of("AttributeName", "id", "KeyType", "HASH")),
            "AttributeDefinitions", List.of(Map.of("AttributeName", "id", "AttributeType", "S")),
            "BillingMode", "PAY_PER_REQUEST",
            "TimeToLiveSpecification", Map.of("AttributeName", "expiresAt", "Enabled", true),
            "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
            "SSESpecification", Map.of("SSEEnabled", true)));
    Object table = r(stack.buildRecords().tableName());
    assertThat(r(stack.inboundEnvironment().get("BUILD_RECORDS_TABLE"))).isEqualTo(table);
    assertThat(r(stack.outboundEnvironment().get("BUILD_RECORDS_TABLE"))).isEqualTo(table);
    assertThat(r(stack.worker().environment().get("BUILD_RECORDS_TABLE"))).isEqualTo(table);
    assertThat(stack.worker().environment()).containsEntry("RECORD_TTL_DAYS", "30");
    // only the worker writes: the accept and outbound roles get GetItem and nothing else of the
    // table
    String acceptPolicy =
        template
            .findResources(
                "AWS::IAM::Policy",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(
                            Map.of("Roles", List.of(r(stack.inboundRole().getRoleName())))))))
            .toString();
    assertThat(acceptPolicy)
        .doesNotContain("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:*");
  }

  private static Map<String, Object> putRequestEvents() {
    return Map.of(
        "Sid",
        "PutRequestEvents",
        "Effect",
        "Allow",
        "Action",
        "events:PutEvents",
        "Resource",
        r(stack.eventBus().getEventBusArn()),
        "Condition",
        Map.of(
            "ForAllValues:StringEquals",
            Map.of(
                "events:source",
                "pagure-ci-aws",
                "events:detail-type",
                "Build Request State Change")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyFunctionLogsInLambdasJsonFormatAtTheConfiguredLevels() {
    Map<String, Map<String, Object>> javaFunctions =
        template.findResources(
            "AWS::Lambda::Function",
            Match.objectLike(Map.of("Properties", Match.objectLike(Map.of("Runtime", "java21")))));
    assertThat(javaFunctions).hasSize(3); // accept, worker, outbound
    for (Map<String, Object> fn : javaFunctions.values()) {
      // (next to the LogGroup each function already had)
      assertThat((Map<Object, Object>) ((Map<?, ?>) fn.get("Properties")).get("LoggingConfig"))
          .containsEntry("LogFormat", "JSON")
          .containsEntry("ApplicationLogLevel", "INFO")
          .containsEntry("SystemLogLevel", "INFO")
          .containsKey("LogGroup");
    }
    Template quiet =
        TestStacks.template(TestStacks.stack(Map.of("logLevel", "warn", "systemLogLevel", "WARN")));
    Map<String, Map<String, Object>> quietFunctions =
        quiet.findResources(
            "AWS::Lambda::Function",
            Match.objectLike(Map.of("Properties", Match.objectLike(Map.of("Runtime", "java21")))));
    assertThat(quietFunctions).hasSize(3);
    for (Map<String, Object> fn : quietFunctions.values()) {
      // (next to the LogGroup each function already had)
      assertThat((Map<Object, Object>) ((Map<?, ?>) fn.get("Properties")).get("LoggingConfig"))
          .containsEntry("LogFormat", "JSON")
          .containsEntry("ApplicationLogLevel", "WARN")
          .containsEntry("SystemLogLevel", "WARN")
          .containsKey("LogGroup");
    }
  }
}
