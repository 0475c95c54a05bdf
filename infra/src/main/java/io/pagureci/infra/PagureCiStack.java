package io.pagureci.infra;

import io.pagureci.infra.Settings.BuildTarget;
import io.pagureci.infra.Settings.Caller;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.codebuild.S3SourceProps;
import software.amazon.awscdk.services.codebuild.Source;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.CfnPipeline;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.StageProps;
import software.amazon.awscdk.services.codepipeline.Variable;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.FromRoleArnOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.User;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionUrl;
import software.amazon.awscdk.services.lambda.FunctionUrlAuthType;
import software.amazon.awscdk.services.lambda.FunctionUrlOptions;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The pagure-ci-aws stack: source bucket, build target (a new or existing CodeBuild project, or a
 * CodePipeline V2), the accept ("inbound") function behind its function URL(s), the {@link
 * WorkQueue} and the {@link BuildWorker} behind it (docs/queue.md), the outbound function fed by
 * EventBridge, secrets, alarms. Every IAM statement names its resources; {@link
 * NagSuppressionsPlan} holds the few cdk-nag suppressions, each with its reason.
 */
public final class PagureCiStack extends Stack {

  /** The accept (inbound) handler, as packaged in inbound-lambda/target/function.jar. */
  public static final String INBOUND_HANDLER = "io.pagureci.inbound.InboundHandler::handleRequest";

  /** The outbound handler, as packaged in outbound-lambda/target/function.jar. */
  public static final String OUTBOUND_HANDLER =
      "io.pagureci.outbound.OutboundHandler::handleRequest";

  /** Name of the pipeline's source action (PIPELINE_SOURCE_ACTION). */
  public static final String PIPELINE_SOURCE_ACTION = "Source";

  /**
   * The build variables of docs/protocol.md §3, declared on the pipeline with default "-";
   * PAGURE_DELIVERY_ID included: the function URL request id of the delivery that asked for the
   * build (the work item's {@code deliveryId}, docs/queue.md §3), and PAGURE_BUILD_KEY: the work
   * item's {@code buildKey}, which outbound checks against the build record before it posts.
   */
  public static final List<String> PAGURE_VARIABLES =
      List.of(
          "PAGURE_INSTANCE",
          "PAGURE_PROJECT",
          "PAGURE_SOURCE_PROJECT",
          "PAGURE_BRANCH",
          "PAGURE_TARGET_BRANCH",
          "PAGURE_COMMIT",
          "PAGURE_PR_ID",
          "PAGURE_PR_UID",
          "PAGURE_CAUSE",
          "PAGURE_TRIGGER",
          "PAGURE_ORIGIN",
          "PAGURE_DELIVERY_ID",
          "PAGURE_BUILD_KEY");

  /** What the stack is built from. */
  public record Props(
      Settings settings, Path inboundCode, Path outboundCode, StackProps stackProps) {
    public Props {
      Objects.requireNonNull(settings);
      Objects.requireNonNull(inboundCode);
      Objects.requireNonNull(outboundCode);
      stackProps = stackProps == null ? StackProps.builder().build() : stackProps;
    }
  }

  private final Settings settings;
  private final Bucket sourceBucket;
  private final IProject project;
  private final Pipeline pipeline;
  private final Function inbound;
  private final Function outbound;
  private final WorkQueue workQueue;
  private final BuildRecords buildRecords;
  private final BuildWorker worker;
  private final IEventBus eventBus;
  private final IAlarmAction alarmAction;

  /** The JVM's own environment variable (not one of the function's configuration variables). */
  public static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";

  private final Map<String, String> inboundEnvironment = new LinkedHashMap<>();
  private final Map<String, String> outboundEnvironment = new LinkedHashMap<>();
  private final Map<String, FunctionUrl> urls = new LinkedHashMap<>();
  private final Map<String, Alias> aliases = new LinkedHashMap<>();
  private final NagSuppressionsPlan nag;
  private IRole existingProjectRole;
  private LogGroup buildLogs;
  private Optional<ISecret> hookKeysSecret = Optional.empty();
  private Optional<ISecret> basicAuthSecret = Optional.empty();
  private ISecret pagureTokenSecret;
  private Queue onFailureQueue;
  private Role inboundRole;
  private Role outboundRole;
  private IGrantable callerPrincipal;

  public PagureCiStack(Construct scope, String id, Props props) {
    super(scope, id, props.stackProps());
    this.settings = props.settings();
    this.nag = new NagSuppressionsPlan(this);
    RemovalPolicy removal =
        settings.autoDeleteObjects() ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // ---- source bucket ------------------------------------------------------------------------
    sourceBucket =
        Bucket.Builder.create(this, "SourceBucket")
            .versioned(true)
            .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
            .enforceSsl(true)
            .encryption(BucketEncryption.S3_MANAGED)
            .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("expire-source-zips")
                        .prefix(settings.sourcePrefix())
                        .expiration(Duration.days(settings.sourceExpirationDays()))
                        .build(),
                    LifecycleRule.builder()
                        .id("expire-noncurrent-versions")
                        .noncurrentVersionExpiration(
                            Duration.days(settings.noncurrentVersionExpirationDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .expiredObjectDeleteMarker(true)
                        .build()))
            .removalPolicy(removal)
            .autoDeleteObjects(settings.autoDeleteObjects())
            .build();
    nag.bucketAccessLogs(sourceBucket);

    // ---- build target ---------------------------------------------------------------------------
    project = buildProject(removal);
    pipeline = settings.buildTarget() == BuildTarget.CODEPIPELINE ? buildPipeline(removal) : null;

    // ---- secrets --------------------------------------------------------------------------------
    Optional<ISecret> hookKeys =
        settings.urlAuth().hasOpenUrl()
            ? Optional.of(
                secret(
                    "HookKeysSecret",
                    settings.hookKeysSecretArn(),
                    "pagure-ci-aws: pagure project web-hook keys, JSON {\"<project fullname>\": \"<key>\"}",
                    null))
            : Optional.empty();
    Optional<ISecret> basicAuth =
        settings.urlAuth().hasOpenUrl()
            ? Optional.of(
                secret(
                    "BasicAuthSecret",
                    settings.basicAuthSecretArn(),
                    "pagure-ci-aws: Basic credentials for ci webhooks on the open URL, JSON {\"username\", \"password\"}",
                    SecretStringGenerator.builder()
                        .secretStringTemplate("{\"username\":\"pagure-ci\"}")
                        .generateStringKey("password")
                        .excludePunctuation(true)
                        .passwordLength(40)
                        .build()))
            : Optional.empty();
    ISecret pagureToken =
        secret(
            "PagureTokenSecret",
            settings.pagureTokenSecretArn(),
            "pagure-ci-aws: pagure API token (ACLs commit_flag / pull_request_flag), the token or {\"token\": ...}",
            null);

    this.hookKeysSecret = hookKeys;
    this.basicAuthSecret = basicAuth;
    this.pagureTokenSecret = pagureToken;

    // ---- alarm topic (the alarms are created with what they watch)
    // -------------------------------
    alarmAction = alarmAction();

    // ---- work queue, accept function, worker (docs/queue.md) ---------------------------------
    eventBus = EventBus.fromEventBusName(this, "DefaultEventBus", "default");
    buildRecords = new BuildRecords(this, "BuildRecords", new BuildRecords.Props(removal));
    workQueue =
        new WorkQueue(
            this,
            "WorkQueue",
            new WorkQueue.Props(
                settings.workerTimeoutSeconds(),
                settings.workMaxAttempts(),
                settings.queueAgeAlarmSeconds(),
                alarmAction));
    nag.workDeadLetterQueue(workQueue.deadLetterQueue());
    inbound = inboundFunction(props.inboundCode(), removal, hookKeys, basicAuth);
    worker =
        new BuildWorker(
            this,
            "BuildWorker",
            new BuildWorker.Props(
                props.inboundCode(),
                architecture(),
                settings.workerMemoryMb(),
                settings.workerTimeoutSeconds(),
                settings.workerEphemeralMb(),
                settings.snapStart(),
                retention(settings.logRetentionDays()),
                removal,
                workQueue,
                settings.workerMaxConcurrency(),
                settings.workerBatchSize(),
                sourceBucket,
                settings.sourcePrefix(),
                buildRecords,
                pipeline == null
                    ? BuildWorker.Target.codeBuild(project)
                    : new BuildWorker.Target(project, pipeline, PIPELINE_SOURCE_ACTION),
                eventBus,
                workerSettingsEnvironment(),
                alarmAction,
                settings.logging()));
    nag.lambdaRuntime(worker.function());
    nag.sourcePrefixWildcard(
        worker.role().getNode().tryFindChild("DefaultPolicy"),
        sourceBucket,
        settings.sourcePrefix());

    // ---- outbound function ----------------------------------------------------------------------
    Queue onFailure =
        Queue.Builder.create(this, "OutboundOnFailureQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(Duration.days(14))
            .build();
    nag.onFailureQueueIsTheDeadLetterQueue(onFailure);
    this.onFailureQueue = onFailure;
    outbound = outboundFunction(props.outboundCode(), removal, pagureToken, onFailure);
    eventRules();

    // ---- alarms ---------------------------------------------------------------------------------
    alarms(onFailure);

    // ---- outputs --------------------------------------------------------------------------------
    urls.forEach(
        (alias, url) ->
            CfnOutput.Builder.create(
                    this, alias.equals("iam") ? "FunctionUrlIam" : "FunctionUrlHmac")
                .description(
                    alias.equals("iam")
                        ? "Inbound function URL, auth AWS_IAM (SigV4-signed ci webhooks)"
                        : "Inbound function URL, auth NONE (pagure project web-hooks; Basic-auth ci webhooks)")
                .value(url.getUrl())
                .build());
    CfnOutput.Builder.create(this, "SourceBucketName").value(sourceBucket.getBucketName()).build();
    CfnOutput.Builder.create(this, "BuildRecordsTableName").value(buildRecords.tableName()).build();
    CfnOutput.Builder.create(this, "CodeBuildProjectName").value(project.getProjectName()).build();
    if (pipeline != null) {
      CfnOutput.Builder.create(this, "PipelineName").value(pipeline.getPipelineName()).build();
    }
    CfnOutput.Builder.create(this, "PagureTokenSecretArn")
        .description("Put the pagure API token here (aws secretsmanager put-secret-value)")
        .value(pagureToken.getSecretArn())
        .build();
    hookKeys.ifPresent(
        s ->
            CfnOutput.Builder.create(this, "HookKeysSecretArn")
                .description("Put {\"<project>\": \"<web-hook key>\"} here")
                .value(s.getSecretArn())
                .build());
    basicAuth.ifPresent(
        s ->
            CfnOutput.Builder.create(this, "BasicAuthSecretArn")
                .description("Basic credentials for ci webhooks on the open URL")
                .value(s.getSecretArn())
                .build());
    CfnOutput.Builder.create(this, "OutboundOnFailureQueueUrl")
        .value(onFailure.getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "InboundLogGroupName")
        .value(inbound.getLogGroup().getLogGroupName())
        .build();
    CfnOutput.Builder.create(this, "OutboundLogGroupName")
        .value(outbound.getLogGroup().getLogGroupName())
        .build();
    CfnOutput.Builder.create(this, "WorkerLogGroupName")
        .value(worker.logGroup().getLogGroupName())
        .build();
    CfnOutput.Builder.create(this, "WorkQueueUrl")
        .description("The work queue between the accept function and the worker")
        .value(workQueue.queue().getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "WorkDeadLetterQueueUrl")
        .description(
            "Work items that failed every attempt: aws sqs receive-message --queue-url <this>")
        .value(workQueue.deadLetterQueue().getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "WorkDeadLetterQueueArn")
        .description("Redrive: aws sqs start-message-move-task --source-arn <this>")
        .value(workQueue.deadLetterQueue().getQueueArn())
        .build();
    if (buildLogs != null) {
      CfnOutput.Builder.create(this, "BuildLogGroupName")
          .value(buildLogs.getLogGroupName())
          .build();
    }
    nag.apply();
  }

  // ---------------------------------------------------------------------------------------------
  // build target

  private IProject buildProject(RemovalPolicy removal) {
    String sourceObjects = sourceBucket.arnForObjects(settings.sourcePrefix() + "*");
    boolean viaPipeline = settings.buildTarget() == BuildTarget.CODEPIPELINE;
    if (settings.existingProjectName().isPresent()) {
      IProject existing =
          Project.fromProjectName(this, "ExistingProject", settings.existingProjectName().get());
      settings
          .existingProjectRoleArn()
          .ifPresent(
              arn -> {
                IRole role =
                    Role.fromRoleArn(
                        this,
                        "ExistingProjectRole",
                        arn,
                        FromRoleArnOptions.builder().mutable(true).build());
                existingProjectRole = role;
                if (viaPipeline) {
                  return; // it reads the pipeline's artifacts instead (buildPipeline)
                }
                role.addToPrincipalPolicy(
                    PolicyStatement.Builder.create()
                        .sid("ReadSourceZips")
                        .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
                        .resources(List.of(sourceObjects))
                        .build());
                role.addToPrincipalPolicy(
                    PolicyStatement.Builder.create()
                        .sid("LocateSourceBucket")
                        .actions(List.of("s3:GetBucketAcl", "s3:GetBucketLocation"))
                        .resources(List.of(sourceBucket.getBucketArn()))
                        .build());
                nag.sourcePrefixWildcard(
                    role.getNode().tryFindChild("Policy"), sourceBucket, settings.sourcePrefix());
              });
      return existing;
    }
    LogGroup logs = logGroup("BuildLogs", removal);
    buildLogs = logs;
    BuildEnvironment environment =
        BuildEnvironment.builder()
            .buildImage(LinuxBuildImage.fromCodeBuildImageId(settings.buildImage()))
            .computeType(computeType(settings.buildComputeType()))
            .privileged(false)
            .build();
    LoggingOptions logging =
        LoggingOptions.builder()
            .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(logs).build())
            .build();
    if (viaPipeline) {
      // Source type CODEPIPELINE: the build reads only its input artifact, never the source bucket.
      PipelineProject created =
          PipelineProject.Builder.create(this, "Build")
              .description(
                  "pagure-ci-aws builds (input: the pipeline's source artifact, one commit)")
              .environment(environment)
              .timeout(Duration.minutes(settings.buildTimeoutMinutes()))
              .logging(logging)
              .build();
      nag.codeBuildProject(created, null, null);
      return created;
    }
    Project created =
        Project.Builder.create(this, "Build")
            .description(
                "pagure-ci-aws builds (source: a zip of one commit, uploaded by the inbound function)")
            // The inbound function overrides location and version per build; this key only makes
            // the
            // project valid and lets a console "Start build" point somewhere sensible.
            .source(
                Source.s3(
                    S3SourceProps.builder()
                        .bucket(sourceBucket)
                        .path(settings.sourcePrefix() + "placeholder.zip")
                        .build()))
            .environment(environment)
            .timeout(Duration.minutes(settings.buildTimeoutMinutes()))
            .logging(logging)
            .build();
    // Builds read any zip under the prefix (the per-build override), pinned by version id.
    created.addToRolePolicy(
        PolicyStatement.Builder.create()
            .sid("ReadSourceZips")
            .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
            .resources(List.of(sourceObjects))
            .build());
    nag.codeBuildProject(created, sourceBucket, settings.sourcePrefix());
    return created;
  }

  private Pipeline buildPipeline(RemovalPolicy removal) {
    Bucket artifacts =
        Bucket.Builder.create(this, "PipelineArtifactBucket")
            .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
            .enforceSsl(true)
            .encryption(BucketEncryption.S3_MANAGED)
            .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("expire-artifacts")
                        .expiration(Duration.days(settings.sourceExpirationDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
            .removalPolicy(removal)
            .autoDeleteObjects(settings.autoDeleteObjects())
            .build();
    nag.bucketAccessLogs(artifacts);

    Role sourceRole =
        Role.Builder.create(this, "PipelineSourceActionRole")
            .assumedBy(new AccountRootPrincipal())
            .description(
                "pagure-ci-aws pipeline source action: reads the commit zip named by the execution")
            .build();
    // AllowOverrideForS3ObjectKey: each execution names its own key under the prefix.
    sourceRole.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadSourceZips")
            .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
            .resources(List.of(sourceBucket.arnForObjects(settings.sourcePrefix() + "*")))
            .build());

    Artifact source = Artifact.artifact("Source");
    S3SourceAction sourceAction =
        S3SourceAction.Builder.create()
            .actionName(PIPELINE_SOURCE_ACTION)
            .bucket(sourceBucket)
            .bucketKey(settings.sourcePrefix() + "placeholder.zip")
            .trigger(S3Trigger.NONE)
            .output(source)
            .role(sourceRole)
            .build();
    Map<String, BuildEnvironmentVariable> buildVariables = new LinkedHashMap<>();
    for (String v : PAGURE_VARIABLES) {
      buildVariables.put(
          v, BuildEnvironmentVariable.builder().value("#{variables." + v + "}").build());
    }
    CodeBuildAction buildAction =
        CodeBuildAction.Builder.create()
            .actionName("Build")
            .project(project)
            .input(source)
            .environmentVariables(buildVariables)
            .build();
    List<Variable> variables =
        PAGURE_VARIABLES.stream()
            .map(
                v ->
                    Variable.Builder.create()
                        .variableName(v)
                        .defaultValue("-")
                        .description(
                            "set by the worker function; '-' = not set (see docs/protocol.md)")
                        .build())
            .toList();
    Pipeline p =
        Pipeline.Builder.create(this, "Pipeline")
            .pipelineType(PipelineType.V2)
            // Several pull requests build at once; each execution pins its own S3 object version.
            .executionMode(ExecutionMode.PARALLEL)
            .artifactBucket(artifacts)
            .crossAccountKeys(false)
            .restartExecutionOnUpdate(false)
            .variables(variables)
            .stages(
                List.of(
                    StageProps.builder().stageName("Source").actions(List.of(sourceAction)).build(),
                    StageProps.builder().stageName("Build").actions(List.of(buildAction)).build()))
            .build();
    CfnPipeline cfn = (CfnPipeline) p.getNode().getDefaultChild();
    cfn.addPropertyOverride("Stages.0.Actions.0.Configuration.AllowOverrideForS3ObjectKey", true);
    nag.pipeline(p, sourceRole, artifacts, sourceBucket, settings.sourcePrefix());
    if (project instanceof Project created) {
      nag.pipelineBuildInput(created, artifacts);
    } else if (existingProjectRole != null) {
      // An imported project's role is not known to CDK: give it the pipeline's input artifacts.
      existingProjectRole.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadPipelineArtifacts")
              .actions(List.of("s3:GetObject", "s3:GetObjectVersion"))
              .resources(List.of(artifacts.arnForObjects("*")))
              .build());
      nag.pipelineArtifactsForExistingRole(
          existingProjectRole.getNode().tryFindChild("Policy"), artifacts);
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // functions

  private Function inboundFunction(
      Path code, RemovalPolicy removal, Optional<ISecret> hookKeys, Optional<ISecret> basicAuth) {
    LogGroup logs = logGroup("InboundLogs", removal);
    Role role =
        FunctionRole.create(this, "InboundRole", "pagure-ci-aws accept (inbound) function", logs);
    inboundRole = role;

    // Authentication and validation, the work queue and the bus; the build target only to name the
    // flag it asks for. Nothing for fetching, packaging or starting: that is the worker's.
    inboundEnvironment.put("PAGURE_URL", settings.effectivePagureUrl());
    inboundEnvironment.put("ALLOWED_PROJECTS", settings.allowedProjects().orElse(""));
    hookKeys.ifPresent(s -> inboundEnvironment.put("HOOK_KEYS_SECRET_ID", s.getSecretArn()));
    basicAuth.ifPresent(s -> inboundEnvironment.put("CI_BASIC_AUTH_SECRET_ID", s.getSecretArn()));
    inboundEnvironment.put("SOURCE_BUCKET", sourceBucket.getBucketName());
    inboundEnvironment.put("SOURCE_PREFIX", settings.sourcePrefix());
    inboundEnvironment.put("BUILD_TARGET", settings.buildTarget().value());
    if (pipeline == null) {
      inboundEnvironment.put("CODEBUILD_PROJECT", project.getProjectName());
    } else {
      inboundEnvironment.put("PIPELINE_NAME", pipeline.getPipelineName());
    }
    settings.rebuildPhrase().ifPresent(v -> inboundEnvironment.put("REBUILD_PHRASE", v));
    settings.buildBranches().ifPresent(v -> inboundEnvironment.put("BUILD_BRANCHES", v));
    inboundEnvironment.put("SECRETS_TTL_SECONDS", Integer.toString(settings.secretsTtlSeconds()));
    inboundEnvironment.put("WORK_QUEUE_URL", workQueue.queue().getQueueUrl());
    inboundEnvironment.put("EVENT_BUS_NAME", eventBus.getEventBusName());
    inboundEnvironment.put("BUILD_RECORDS_TABLE", buildRecords.tableName());
    // the caller is created first: its ARN may become CI_ALLOWED_CALLERS
    callerPrincipal = caller();

    // The URL can only fill the queue: no StartBuild, no StartPipelineExecution, no source-zip
    // write.
    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("QueueWork")
            .actions(List.of("sqs:SendMessage"))
            .resources(List.of(workQueue.queue().getQueueArn()))
            .build());
    role.addToPrincipalPolicy(RequestEvents.put(eventBus));
    // read the build record (a duplicate delivery; docs/queue.md §5)
    role.addToPrincipalPolicy(buildRecords.read());
    List<String> secretArns = new ArrayList<>();
    hookKeys.ifPresent(s -> secretArns.add(s.getSecretArn()));
    basicAuth.ifPresent(s -> secretArns.add(s.getSecretArn()));
    if (!secretArns.isEmpty()) {
      role.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadInboundSecrets")
              .actions(List.of("secretsmanager:GetSecretValue"))
              .resources(secretArns)
              .build());
    }

    Function.Builder b =
        Function.Builder.create(this, "Inbound")
            .description("pagure-ci-aws accept: pagure web-hook / ci webhook -> work queue")
            .runtime(Runtime.JAVA_21)
            .architecture(architecture())
            .code(Code.fromAsset(code.toString()))
            .handler(INBOUND_HANDLER)
            .role(role)
            .memorySize(settings.inboundMemoryMb())
            .timeout(Duration.seconds(settings.inboundTimeoutSeconds()))
            .logGroup(logs)
            .environment(inboundEnvironment);
    settings.logging().applyTo(b);
    if (settings.snapStart()) {
      b.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
    }
    if (settings.inboundReservedConcurrency() > 0) {
      b.reservedConcurrentExecutions(settings.inboundReservedConcurrency());
    }
    Function fn = b.build();
    if (settings.snapStart()) {
      Annotations.of(fn)
          .acknowledgeWarning(
              "@aws-cdk/aws-lambda:snapStartRequirePublish",
              "the function URLs point at aliases of the published version (getCurrentVersion)");
    }

    // Aliases on the published version (SnapStart snapshots published versions only); one URL each.
    IGrantable caller = callerPrincipal;
    if (settings.urlAuth().hasIamUrl()) {
      Alias alias =
          Alias.Builder.create(this, "InboundIamAlias")
              .aliasName("iam")
              .version(fn.getCurrentVersion())
              .build();
      FunctionUrl url =
          alias.addFunctionUrl(
              FunctionUrlOptions.builder().authType(FunctionUrlAuthType.AWS_IAM).build());
      urls.put("iam", url);
      aliases.put("iam", alias);
      if (caller != null) {
        // lambda:InvokeFunctionUrl (lambda:FunctionUrlAuthType = AWS_IAM) and lambda:InvokeFunction
        // (lambda:InvokedViaFunctionUrl = true), on this alias only.
        alias.grantInvokeUrl(caller);
      }
    }
    if (settings.urlAuth().hasOpenUrl()) {
      Alias alias =
          Alias.Builder.create(this, "InboundHmacAlias")
              .aliasName("hmac")
              .version(fn.getCurrentVersion())
              .build();
      // auth NONE: the function itself requires a valid X-Pagure-Signature-256 or Basic
      // credentials.
      urls.put(
          "hmac",
          alias.addFunctionUrl(
              FunctionUrlOptions.builder().authType(FunctionUrlAuthType.NONE).build()));
      aliases.put("hmac", alias);
    }
    nag.lambdaRuntime(fn);
    return fn;
  }

  /** The worker's variables that come from settings alone (BuildWorker adds the resource ones). */
  private Map<String, String> workerSettingsEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PAGURE_URL", settings.effectivePagureUrl());
    env.put("ALLOWED_PROJECTS", settings.allowedProjects().orElse(""));
    env.put("TRUSTED_BUILDSPEC", Boolean.toString(settings.trustedBuildspec()));
    env.put("TRUSTED_BUILDSPEC_PATH", settings.trustedBuildspecPath());
    // the rebuild phrase is part of the ERROR event the worker sends
    settings.rebuildPhrase().ifPresent(v -> env.put("REBUILD_PHRASE", v));
    env.put("REF_WAIT_SECONDS", Integer.toString(settings.refWaitSeconds()));
    env.put("GIT_TIMEOUT_SECONDS", Integer.toString(settings.gitTimeoutSeconds()));
    env.put("RETRY_BASE_SECONDS", Integer.toString(settings.retryBaseSeconds()));
    env.put("RETRY_MAX_SECONDS", Integer.toString(settings.retryMaxSeconds()));
    env.put("MAX_SOURCE_BYTES", Long.toString(settings.maxSourceBytes()));
    env.put("MAX_FILE_BYTES", Long.toString(settings.maxFileBytes()));
    env.put("MAX_SOURCE_FILES", Integer.toString(settings.maxSourceFiles()));
    env.put("MAX_TREE_DEPTH", Integer.toString(settings.maxTreeDepth()));
    env.put("RECORD_TTL_DAYS", Integer.toString(settings.sourceExpirationDays()));
    // read by the JVM itself, not by the function (docs/performance.md: C2 for packaging, bounded
    // heap)
    settings.workerJvmOptions().ifPresent(v -> env.put(JAVA_TOOL_OPTIONS, v));
    return env;
  }

  private IGrantable caller() {
    if (!settings.urlAuth().hasIamUrl()) {
      return null;
    }
    Caller kind = settings.caller();
    switch (kind) {
      case USER -> {
        User user = User.Builder.create(this, "CallerUser").build();
        CfnOutput.Builder.create(this, "CallerUserName")
            .description(
                "IAM user for SigV4 calls: create its access key with aws iam create-access-key")
            .value(user.getUserName())
            .build();
        CfnOutput.Builder.create(this, "CallerPrincipalArn").value(user.getUserArn()).build();
        inboundEnvironment.put(
            "CI_ALLOWED_CALLERS", settings.ciAllowedCallers().orElse(user.getUserArn()));
        return user;
      }
      case ROLE -> {
        IPrincipal trusted =
            settings
                .callerRoleTrustedPrincipalArn()
                .<IPrincipal>map(ArnPrincipal::new)
                .orElse(new AccountRootPrincipal());
        Role role =
            Role.Builder.create(this, "CallerRole")
                .assumedBy(trusted)
                .description(
                    "pagure-ci-aws: may call the inbound AWS_IAM function URL, nothing else")
                .build();
        CfnOutput.Builder.create(this, "CallerPrincipalArn").value(role.getRoleArn()).build();
        settings.ciAllowedCallers().ifPresent(v -> inboundEnvironment.put("CI_ALLOWED_CALLERS", v));
        return role;
      }
      case EXISTING -> {
        String arn = settings.callerPrincipalArn().orElseThrow();
        CfnOutput.Builder.create(this, "CallerPrincipalArn").value(arn).build();
        settings.ciAllowedCallers().ifPresent(v -> inboundEnvironment.put("CI_ALLOWED_CALLERS", v));
        return new ArnPrincipal(arn);
      }
      default -> {
        settings.ciAllowedCallers().ifPresent(v -> inboundEnvironment.put("CI_ALLOWED_CALLERS", v));
        return null;
      }
    }
  }

  private Function outboundFunction(
      Path code, RemovalPolicy removal, ISecret token, Queue onFailure) {
    LogGroup logs = logGroup("OutboundLogs", removal);
    Role role = FunctionRole.create(this, "OutboundRole", "pagure-ci-aws outbound function", logs);
    outboundRole = role;

    outboundEnvironment.put("PAGURE_URL", settings.effectivePagureUrl());
    outboundEnvironment.put("PAGURE_TOKEN_SECRET_ID", token.getSecretArn());
    outboundEnvironment.put("REPORTER", settings.reporter());
    outboundEnvironment.put("FLAG_ENDPOINT", settings.flagEndpoint());
    settings.flagUsername().ifPresent(v -> outboundEnvironment.put("FLAG_USERNAME", v));
    settings.buildUrlTemplate().ifPresent(v -> outboundEnvironment.put("BUILD_URL_TEMPLATE", v));
    if (pipeline == null) {
      outboundEnvironment.put("CODEBUILD_PROJECTS", project.getProjectName());
    } else {
      outboundEnvironment.put("PIPELINE_NAMES", pipeline.getPipelineName());
    }
    settings.tokenTtlSeconds().ifPresent(v -> outboundEnvironment.put("TOKEN_TTL_SECONDS", v));
    settings
        .pagureTimeoutSeconds()
        .ifPresent(v -> outboundEnvironment.put("PAGURE_TIMEOUT_SECONDS", v));
    settings.retryMaxAttempts().ifPresent(v -> outboundEnvironment.put("RETRY_MAX_ATTEMPTS", v));
    settings
        .retryBaseDelayMillis()
        .ifPresent(v -> outboundEnvironment.put("RETRY_BASE_DELAY_MILLIS", v));
    // request events (docs/queue.md §4): the build record says whether a build already started
    outboundEnvironment.put("BUILD_RECORDS_TABLE", buildRecords.tableName());
    outboundEnvironment.put("ACCOUNT_ID", getAccount());

    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadPagureToken")
            .actions(List.of("secretsmanager:GetSecretValue"))
            .resources(List.of(token.getSecretArn()))
            .build());
    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadBuilds")
            .actions(List.of("codebuild:BatchGetBuilds"))
            .resources(List.of(project.getProjectArn()))
            .build());
    if (pipeline != null) {
      role.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadPipelineExecutions")
              .actions(List.of("codepipeline:GetPipelineExecution"))
              .resources(List.of(pipeline.getPipelineArn()))
              .build());
    }
    role.addToPrincipalPolicy(buildRecords.read());

    Function.Builder b =
        Function.Builder.create(this, "Outbound")
            .description(
                "pagure-ci-aws outbound: CodeBuild / CodePipeline / request events -> pagure flags")
            .runtime(Runtime.JAVA_21)
            .architecture(architecture())
            .code(Code.fromAsset(code.toString()))
            .handler(OUTBOUND_HANDLER)
            .role(role)
            .memorySize(settings.outboundMemoryMb())
            .timeout(Duration.seconds(settings.outboundTimeoutSeconds()))
            .logGroup(logs)
            .environment(outboundEnvironment)
            // EventBridge invokes asynchronously: Lambda retries, then the on-failure queue.
            .retryAttempts(settings.outboundRetryAttempts())
            .maxEventAge(Duration.seconds(settings.outboundMaxEventAgeSeconds()))
            .onFailure(new SqsDestination(onFailure));
    settings.logging().applyTo(b);
    if (settings.outboundReservedConcurrency() > 0) {
      b.reservedConcurrentExecutions(settings.outboundReservedConcurrency());
    }
    Function fn = b.build();
    nag.lambdaRuntime(fn);
    return fn;
  }

  private void eventRules() {
    LambdaFunction target = new LambdaFunction(outbound);
    if (pipeline == null) {
      Rule.Builder.create(this, "BuildStateRule")
          .description("pagure-ci-aws: CodeBuild state changes of this stack's project -> outbound")
          .eventPattern(
              EventPattern.builder()
                  .source(List.of("aws.codebuild"))
                  .account(List.of(getAccount()))
                  .region(List.of(getRegion()))
                  .detailType(List.of("CodeBuild Build State Change"))
                  .detail(Map.of("project-name", List.of(project.getProjectName())))
                  .build())
          .targets(List.of(target))
          .build();
      Rule.Builder.create(this, "BuildPhaseRule")
          .description("pagure-ci-aws: CodeBuild phase changes of this stack's project -> outbound")
          .eventPattern(
              EventPattern.builder()
                  .source(List.of("aws.codebuild"))
                  .account(List.of(getAccount()))
                  .region(List.of(getRegion()))
                  .detailType(List.of("CodeBuild Build Phase Change"))
                  .detail(Map.of("project-name", List.of(project.getProjectName())))
                  .build())
          .targets(List.of(target))
          .build();
    } else {
      Rule.Builder.create(this, "PipelineExecutionRule")
          .description(
              "pagure-ci-aws: CodePipeline execution state changes of this stack's pipeline -> outbound")
          .eventPattern(
              EventPattern.builder()
                  .source(List.of("aws.codepipeline"))
                  .account(List.of(getAccount()))
                  .region(List.of(getRegion()))
                  .detailType(List.of("CodePipeline Pipeline Execution State Change"))
                  .detail(Map.of("pipeline", List.of(pipeline.getPipelineName())))
                  .build())
          .targets(List.of(target))
          .build();
    }
    // QUEUED / ERROR of the accept and worker functions (docs/queue.md §4); the same target, so the
    // same asynchronous retries and on-failure queue as the build events.
    Rule.Builder.create(this, "RequestEventRule")
        .description("pagure-ci-aws: build request state changes (queued, error) -> outbound")
        .eventBus(eventBus)
        .eventPattern(
            EventPattern.builder()
                .source(List.of(RequestEvents.SOURCE))
                .account(List.of(getAccount()))
                .region(List.of(getRegion()))
                .detailType(List.of(RequestEvents.DETAIL_TYPE))
                .build())
        .targets(List.of(target))
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // alarms

  /** The alarm topic (created or imported), or null when no alarm notifies anyone. */
  private IAlarmAction alarmAction() {
    Optional<ITopic> topic =
        settings
            .alarmTopicArn()
            .<ITopic>map(arn -> Topic.fromTopicArn(this, "AlarmTopic", arn))
            .or(
                () ->
                    settings
                        .alarmEmail()
                        .map(
                            email -> {
                              Topic t =
                                  Topic.Builder.create(this, "AlarmTopic")
                                      .displayName("pagure-ci-aws alarms")
                                      .enforceSsl(true)
                                      .build();
                              t.addSubscription(new EmailSubscription(email));
                              nag.alarmTopic(t);
                              return t;
                            }));
    return topic.map(SnsAction::new).orElse(null);
  }

  private void alarms(Queue onFailure) {
    IAlarmAction action = alarmAction;
    MetricOptions fiveMinutes = MetricOptions.builder().period(Duration.minutes(5)).build();
    List<Alarm> all =
        List.of(
            Alarm.Builder.create(this, "OnFailureQueueAlarm")
                .alarmDescription(
                    "pagure-ci-aws: build events the outbound function could not turn into flags")
                .metric(onFailure.metricApproximateNumberOfMessagesVisible(fiveMinutes))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build(),
            Alarm.Builder.create(this, "InboundErrorsAlarm")
                .alarmDescription(
                    "pagure-ci-aws: accept (inbound) function errors (crashes/timeouts; 4xx/5xx answers are not errors)")
                .metric(inbound.metricErrors(fiveMinutes))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build(),
            Alarm.Builder.create(this, "OutboundErrorsAlarm")
                .alarmDescription(
                    "pagure-ci-aws: outbound function errors (each is retried; see the on-failure queue)")
                .metric(outbound.metricErrors(fiveMinutes))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    if (action != null) {
      all.forEach(a -> a.addAlarmAction(action));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private ISecret secret(
      String id, Optional<String> importArn, String description, SecretStringGenerator generate) {
    if (importArn.isPresent()) {
      return Secret.fromSecretCompleteArn(this, id, importArn.get());
    }
    // No value in the template: Secrets Manager generates a random placeholder (or, for the Basic
    // credentials, a usable random password); docs/deploy.md shows put-secret-value.
    Secret.Builder b = Secret.Builder.create(this, id).description(description);
    if (generate != null) {
      b.generateSecretString(generate);
    }
    Secret s = b.build();
    nag.secretRotation(s);
    return s;
  }

  private LogGroup logGroup(String id, RemovalPolicy removal) {
    return LogGroup.Builder.create(this, id)
        .retention(retention(settings.logRetentionDays()))
        .removalPolicy(removal)
        .build();
  }

  private Architecture architecture() {
    return settings.architecture().equals("arm64") ? Architecture.ARM_64 : Architecture.X86_64;
  }

  private static ComputeType computeType(String name) {
    return switch (name) {
      case "medium" -> ComputeType.MEDIUM;
      case "large" -> ComputeType.LARGE;
      case "xlarge" -> ComputeType.X_LARGE;
      case "2xlarge" -> ComputeType.X2_LARGE;
      default -> ComputeType.SMALL;
    };
  }

  static RetentionDays retention(int days) {
    return switch (days) {
      case 1 -> RetentionDays.ONE_DAY;
      case 3 -> RetentionDays.THREE_DAYS;
      case 5 -> RetentionDays.FIVE_DAYS;
      case 7 -> RetentionDays.ONE_WEEK;
      case 14 -> RetentionDays.TWO_WEEKS;
      case 30 -> RetentionDays.ONE_MONTH;
      case 60 -> RetentionDays.TWO_MONTHS;
      case 90 -> RetentionDays.THREE_MONTHS;
      case 120 -> RetentionDays.FOUR_MONTHS;
      case 150 -> RetentionDays.FIVE_MONTHS;
      case 180 -> RetentionDays.SIX_MONTHS;
      case 365 -> RetentionDays.ONE_YEAR;
      case 400 -> RetentionDays.THIRTEEN_MONTHS;
      case 545 -> RetentionDays.EIGHTEEN_MONTHS;
      case 731 -> RetentionDays.TWO_YEARS;
      case 1096 -> RetentionDays.THREE_YEARS;
      case 1827 -> RetentionDays.FIVE_YEARS;
      case 2192 -> RetentionDays.SIX_YEARS;
      case 2557 -> RetentionDays.SEVEN_YEARS;
      case 2922 -> RetentionDays.EIGHT_YEARS;
      case 3288 -> RetentionDays.NINE_YEARS;
      case 3653 -> RetentionDays.TEN_YEARS;
      default -> throw new Settings.SettingsException("unsupported log retention " + days);
    };
  }

  /** The logical id of a construct's CloudFormation resource, as cdk-nag names it in findings. */
  String logicalId(Construct c) {
    CfnElement element = c instanceof CfnElement e ? e : (CfnElement) c.getNode().getDefaultChild();
    return (String) resolve(getLogicalId(element));
  }

  // ---------------------------------------------------------------------------------------------
  // accessors for the app and tests

  public Settings settings() {
    return settings;
  }

  /** The environment variables given to the accept (inbound) function (tokens unresolved). */
  public Map<String, String> inboundEnvironment() {
    return Map.copyOf(inboundEnvironment);
  }

  /** The environment variables given to the worker function (tokens unresolved). */
  public Map<String, String> workerEnvironment() {
    return worker.environment();
  }

  /** The environment variables given to the outbound function (tokens unresolved). */
  public Map<String, String> outboundEnvironment() {
    return Map.copyOf(outboundEnvironment);
  }

  public Function inboundFunction() {
    return inbound;
  }

  public Function outboundFunction() {
    return outbound;
  }

  public BuildWorker buildWorker() {
    return worker;
  }

  public WorkQueue workQueue() {
    return workQueue;
  }

  /** The bus the request events go to (the account's default bus). */
  public IEventBus eventBus() {
    return eventBus;
  }

  public BuildWorker worker() {
    return worker;
  }

  public BuildRecords buildRecords() {
    return buildRecords;
  }

  public Bucket sourceBucket() {
    return sourceBucket;
  }

  /**
   * The CodeBuild project builds run in (created or imported; in pipeline mode, the build
   * action's).
   */
  public IProject project() {
    return project;
  }

  public Optional<Pipeline> pipeline() {
    return Optional.ofNullable(pipeline);
  }

  /** Function URLs by alias name ({@code iam}, {@code hmac}). */
  public Map<String, FunctionUrl> functionUrls() {
    return Map.copyOf(urls);
  }

  /** The inbound function's aliases by name ({@code iam}, {@code hmac}), one URL each. */
  public Map<String, Alias> aliases() {
    return Map.copyOf(aliases);
  }

  public Optional<ISecret> hookKeysSecret() {
    return hookKeysSecret;
  }

  public Optional<ISecret> basicAuthSecret() {
    return basicAuthSecret;
  }

  public ISecret pagureTokenSecret() {
    return pagureTokenSecret;
  }

  public Queue onFailureQueue() {
    return onFailureQueue;
  }

  public Role inboundRole() {
    return inboundRole;
  }

  public Role outboundRole() {
    return outboundRole;
  }

  /** The principal granted the AWS_IAM URL, if any. */
  public Optional<IGrantable> callerPrincipal() {
    return Optional.ofNullable(callerPrincipal);
  }
}
