package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.Bucket;

/** The worker on its own: function, alias, event source mapping, role, variables, alarm. */
class BuildWorkerTest {

  /** A stack holding a worker and what it is given. */
  private record Fixture(
      Stack stack,
      BuildWorker worker,
      WorkQueue queue,
      Bucket bucket,
      IProject project,
      IPipeline pipeline,
      IEventBus bus,
      BuildRecords records) {
    Template template() {
      return Template.fromStack(stack);
    }

    Object r(Object token) {
      return stack.resolve(token);
    }
  }

  private static Fixture fixture(
      boolean viaPipeline, boolean snapStart, Map<String, String> environment) {
    Stack stack = new Stack(new App(), "Test");
    Bucket bucket = new Bucket(stack, "Sources");
    WorkQueue queue = new WorkQueue(stack, "WorkQueue", new WorkQueue.Props(300, 8, 1800, null));
    IProject project = Project.fromProjectName(stack, "Project", "builds");
    IPipeline pipeline =
        viaPipeline
            ? Pipeline.fromPipelineArn(
                stack, "Pipeline", "arn:aws:codepipeline:eu-west-1:123456789012:ci")
            : null;
    IEventBus bus = EventBus.fromEventBusName(stack, "Bus", "default");
    BuildRecords records =
        new BuildRecords(stack, "BuildRecords", new BuildRecords.Props(RemovalPolicy.DESTROY));
    BuildWorker worker =
        new BuildWorker(
            stack,
            "BuildWorker",
            new BuildWorker.Props(
                TestStacks.root().resolve(PagureCiApp.DEFAULT_INBOUND_CODE),
                Architecture.ARM_64,
                3008,
                300,
                512,
                snapStart,
                RetentionDays.TWO_WEEKS,
                RemovalPolicy.DESTROY,
                queue,
                7,
                2,
                bucket,
                "zips/",
                records,
                List.of(
                    viaPipeline
                        ? new BuildWorker.Target("build", project, pipeline, "Source")
                        : BuildWorker.Target.codeBuild("build", project)),
                FlagReporterTest.ROUTES,
                bus,
                environment,
                null,
                FunctionLogging.of("debug", "warn")));
    return new Fixture(stack, worker, queue, bucket, project, pipeline, bus, records);
  }

  private static Fixture fixture() {
    return fixture(
        false,
        true,
        Map.of("PAGURE_URL", "https://pagure.example.org/", "JAVA_TOOL_OPTIONS", "-Xmx128m"));
  }

  @Test
  void theFunctionRunsTheWorkerHandlerOfTheInboundJarWithItsOwnSizesLogsAndSnapStart() {
    Fixture f = fixture();
    f.template()
        .hasResourceProperties(
            "AWS::Lambda::Function",
            Match.objectLike(
                Map.of(
                    "Handler", "io.pagureci.inbound.WorkerHandler::handleRequest",
                    "Runtime", "java21",
                    "Architectures", List.of("arm64"),
                    "MemorySize", 3008,
                    "Timeout", 300,
                    "EphemeralStorage", Map.of("Size", 512),
                    "SnapStart", Map.of("ApplyOn", "PublishedVersions"),
                    "Role", f.r(f.worker().role().getRoleArn()),
                    "LoggingConfig",
                        Map.of("LogGroup", f.r(f.worker().logGroup().getLogGroupName())))));
    f.template().hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 14));
    f.template()
        .hasResource("AWS::Logs::LogGroup", Match.objectLike(Map.of("DeletionPolicy", "Delete")));
  }

  @Test
  void theQueueFeedsTheLiveAliasInBatchesWithItemFailuresAndAConcurrencyCap() {
    Fixture f = fixture();
    Template t = f.template();
    t.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    t.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Map.of(
            "EventSourceArn", f.r(f.queue().queue().getQueueArn()),
            "FunctionName", aliasArn(f),
            "BatchSize", 2,
            "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
            "ScalingConfig", Map.of("MaximumConcurrency", 7)));
    t.hasResourceProperties(
        "AWS::Lambda::Alias",
        Match.objectLike(
            Map.of(
                "Name", "live",
                "FunctionName", f.r(f.worker().function().getFunctionName()),
                "FunctionVersion", f.r(f.worker().function().getCurrentVersion().getVersion()))));
  }

  @Test
  void withoutSnapStartTheMappingStillInvokesTheAlias() {
    Fixture f = fixture(false, false, Map.of());
    f.template()
        .hasResourceProperties(
            "AWS::Lambda::Function",
            Match.objectLike(Map.of("Handler", BuildWorker.HANDLER, "SnapStart", Match.absent())));
    f.template()
        .hasResourceProperties(
            "AWS::Lambda::EventSourceMapping",
            Match.objectLike(Map.of("FunctionName", aliasArn(f))));
  }

  @Test
  void
      theRoleMayConsumeTheQueueWriteUnderThePrefixListOnlyTheRecordsStartTheProjectAndPutOnlyRequestEvents() {
    Fixture f = fixture();
    f.template()
        .hasResourceProperties(
            "AWS::IAM::Policy",
            Map.of(
                "Roles", List.of(f.r(f.worker().role().getRoleName())),
                "PolicyName", Match.anyValue(),
                "PolicyDocument",
                    Map.of(
                        "Version",
                        "2012-10-17",
                        "Statement",
                        List.of(
                            sid(
                                "WriteOwnLogs",
                                List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                                f.r(f.worker().logGroup().getLogGroupArn())),
                            sid(
                                "WriteSourceZips",
                                List.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
                                f.r(f.bucket().arnForObjects("zips/*"))),
                            sid(
                                "WriteBuildRecords",
                                List.of(
                                    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
                                f.r(f.records().table().getTableArn())),
                            sid(
                                "StartBuild",
                                "codebuild:StartBuild",
                                f.r(f.project().getProjectArn())),
                            putRequestEvents(f),
                            // the event source mapping's own grant, on this queue only
                            Map.of(
                                "Effect",
                                "Allow",
                                "Resource",
                                f.r(f.queue().queue().getQueueArn()),
                                "Action",
                                List.of(
                                    "sqs:ReceiveMessage",
                                    "sqs:ChangeMessageVisibility",
                                    "sqs:GetQueueUrl",
                                    "sqs:DeleteMessage",
                                    "sqs:GetQueueAttributes"))))));
    f.template()
        .hasResourceProperties(
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
                                            "Principal",
                                            Map.of("Service", "lambda.amazonaws.com")))))),
                    "ManagedPolicyArns", Match.absent())));
  }

  @Test
  void aPipelineTargetIsStartedAndNamedInsteadOfTheProject() {
    Fixture f = fixture(true, true, Map.of());
    f.template()
        .hasResourceProperties(
            "AWS::IAM::Policy",
            Match.objectLike(
                Map.of(
                    "Roles", List.of(f.r(f.worker().role().getRoleName())),
                    "PolicyDocument",
                        Match.objectLike(
                            Map.of(
                                "Statement",
                                Match.arrayWith(
                                    List.of(
                                        sid(
                                            "StartPipelineExecution",
                                            "codepipeline:StartPipelineExecution",
                                            "arn:aws:codepipeline:eu-west-1:123456789012:ci"))))))));
    assertThat(f.template().toJSON().toString()).doesNotContain("codebuild:StartBuild");
    assertThat(f.worker().environment())
        .containsEntry("ROUTES", FlagReporterTest.ROUTES)
        .containsEntry("PIPELINE_SOURCE_ACTION", "Source")
        .containsEntry("PIPELINE_OVERRIDE_S3_KEY", "true")
        .doesNotContainKeys("BUILD_TARGET", "PIPELINE_NAME", "CODEBUILD_PROJECT");
  }

  @Test
  void theWorkerIsToldItsQueueAttemptsLeaseBusBucketAndTargetAndGetsTheGivenVariables() {
    Fixture f = fixture();
    assertThat(f.worker().environment())
        .containsOnlyKeys(
            "WORK_QUEUE_URL",
            "WORK_MAX_ATTEMPTS",
            "CLAIM_LEASE_SECONDS",
            "EVENT_BUS_NAME",
            "SOURCE_BUCKET",
            "SOURCE_PREFIX",
            "BUILD_RECORDS_TABLE",
            "ROUTES",
            "PAGURE_URL",
            "JAVA_TOOL_OPTIONS");
    f.template()
        .hasResourceProperties(
            "AWS::Lambda::Function",
            Match.objectLike(
                Map.of(
                    "Environment",
                    Map.of(
                        "Variables",
                        Map.ofEntries(
                            Map.entry("WORK_QUEUE_URL", f.r(f.queue().queue().getQueueUrl())),
                            Map.entry("WORK_MAX_ATTEMPTS", "8"),
                            Map.entry("CLAIM_LEASE_SECONDS", "360"),
                            Map.entry("EVENT_BUS_NAME", "default"),
                            Map.entry("SOURCE_BUCKET", f.r(f.bucket().getBucketName())),
                            Map.entry("SOURCE_PREFIX", "zips/"),
                            Map.entry("BUILD_RECORDS_TABLE", f.r(f.records().tableName())),
                            Map.entry("ROUTES", FlagReporterTest.ROUTES),
                            Map.entry("PAGURE_URL", "https://pagure.example.org/"),
                            Map.entry("JAVA_TOOL_OPTIONS", "-Xmx128m"))))));
  }

  @Test
  void aGivenVariableMayNotOverrideOneTheWorkerSetsFromItsResources() {
    assertThatThrownBy(() -> fixture(false, true, Map.of("SOURCE_BUCKET", "elsewhere")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SOURCE_BUCKET");
  }

  @Test
  void errorsOfTheFunctionRaiseAnAlarm() {
    Fixture f = fixture();
    f.template()
        .hasResourceProperties(
            "AWS::CloudWatch::Alarm",
            Match.objectLike(
                Map.of(
                    "Namespace",
                    "AWS/Lambda",
                    "MetricName",
                    "Errors",
                    "Dimensions",
                    List.of(
                        Map.of(
                            "Name",
                            "FunctionName",
                            "Value",
                            f.r(f.worker().function().getFunctionName()))),
                    "Threshold",
                    1,
                    "ComparisonOperator",
                    "GreaterThanOrEqualToThreshold")));
  }

  /**
   * How the mapping names the alias: {@code <function name>:live}, the name taken from the alias
   * ARN.
   */
  static Object qualifiedName(Object aliasArn) {
    return Map.of(
        "Fn::Join",
        List.of(
            "",
            List.of(
                Map.of("Fn::Select", List.of(6, Map.of("Fn::Split", List.of(":", aliasArn)))),
                ":live")));
  }

  private static Object aliasArn(Fixture f) {
    return qualifiedName(f.r(f.worker().alias().getFunctionArn()));
  }

  private static Map<String, Object> sid(String sid, Object actions, Object resource) {
    return Map.of("Sid", sid, "Effect", "Allow", "Action", actions, "Resource", resource);
  }

  private static Map<String, Object> putRequestEvents(Fixture f) {
    return Map.of(
        "Sid",
        "PutRequestEvents",
        "Effect",
        "Allow",
        "Action",
        "events:PutEvents",
        "Resource",
        f.r(f.bus().getEventBusArn()),
        "Condition",
        Map.of(
            "ForAllValues:StringEquals",
            Map.of(
                "events:source",
                "pagure-ci-aws",
                "events:detail-type",
                "Build Request State Change")));
  }
}
