package io.pagureci.infra;

import io.pagureci.infra.Settings.BuildTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.IResolvable;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.Tokenization;
import software.amazon.awscdk.TokenizedStringFragments;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionUrl;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The pagure-ci-aws stack. It composes constructs and maps {@link Settings} onto their props:
 * {@link SourceBucket}, per target of the routing table ({@link Routes}) a {@link BuildProject} and
 * for a codepipeline target a {@link BuildPipeline} (the first target with the ids the stack's one
 * target had before the table, the others under {@code Target-<name>}), {@link Secrets}, {@link
 * Alarms} (the topic; each alarm lives with what it watches), {@link BuildRecords}, {@link
 * WorkQueue}, the {@link AcceptFunction} behind its function URL(s), the {@link BuildWorker} and
 * the {@link FlagReporter} fed by EventBridge; then the outputs. Every IAM statement names its
 * resources; {@link NagSuppressionsPlan} holds the few cdk-nag suppressions, each with its reason.
 *
 * <p>Logical ids are those of the flat stack this was before the constructs ({@link StackPart}): an
 * existing deployment updates in place.
 */
public final class PagureCiStack extends Stack {

  /** The accept (inbound) handler, as packaged in inbound-lambda/target/function.jar. */
  public static final String INBOUND_HANDLER = AcceptFunction.HANDLER;

  /** The outbound handler, as packaged in outbound-lambda/target/function.jar. */
  public static final String OUTBOUND_HANDLER = FlagReporter.HANDLER;

  /** Name of the pipeline's source action (PIPELINE_SOURCE_ACTION). */
  public static final String PIPELINE_SOURCE_ACTION = BuildPipeline.SOURCE_ACTION;

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

  /** The JVM's own environment variable (not one of the function's configuration variables). */
  public static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";

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
  private final SourceBucket source;
  private final List<TargetResources> targets = new ArrayList<>();
  private final String routesJson;
  private final Secrets secrets;
  private final IEventBus eventBus;
  private final BuildRecords buildRecords;
  private final WorkQueue workQueue;
  private final AcceptFunction accept;
  private final BuildWorker worker;
  private final FlagReporter reporter;

  public PagureCiStack(Construct scope, String id, Props props) {
    super(scope, id, props.stackProps());
    this.settings = props.settings();
    Settings s = settings;
    RemovalPolicy removal = SourceBucket.removalPolicy(s.autoDeleteObjects());
    RetentionDays logRetention = retention(s.logRetentionDays());
    Architecture architecture =
        s.architecture().equals("arm64") ? Architecture.ARM_64 : Architecture.X86_64;

    source =
        new SourceBucket(
            this,
            "SourceBucket",
            new SourceBucket.Props(
                s.sourcePrefix(),
                s.sourceExpirationDays(),
                s.noncurrentVersionExpirationDays(),
                s.autoDeleteObjects()));
    // one project (and pipeline) per target of the routing table; the first keeps the ids of the
    // stack's one target before the table, the others live in a construct named after them
    Routes routes = s.routes();
    for (Routes.Target t : routes.targets()) {
      boolean first = targets.isEmpty();
      Construct holder = first ? this : new Construct(this, "Target-" + t.name());
      boolean viaPipeline = t.system() == BuildTarget.CODEPIPELINE;
      List<String> zipKeys = zipKeys(routes, t, source.prefix());
      BuildProject project =
          new BuildProject(
              holder,
              "BuildProject",
              new BuildProject.Props(
                  source,
                  zipKeys,
                  viaPipeline,
                  t.existingProjectName(),
                  t.existingProjectRoleArn(),
                  t.buildImage(),
                  t.buildComputeType(),
                  t.buildTimeoutMinutes(),
                  t.buildConcurrencyLimit(),
                  logRetention,
                  removal,
                  s.publicBuilds() && !viaPipeline));
      Optional<BuildPipeline> pipeline =
          viaPipeline
              ? Optional.of(
                  new BuildPipeline(
                      holder,
                      "BuildPipeline",
                      new BuildPipeline.Props(
                          source,
                          zipKeys,
                          project,
                          PAGURE_VARIABLES,
                          s.sourceExpirationDays(),
                          s.autoDeleteObjects())))
              : Optional.empty();
      BuildWorker.Target target =
          pipeline
              .map(
                  p ->
                      new BuildWorker.Target(
                          t.name(), project.project(), p.pipeline(), PIPELINE_SOURCE_ACTION))
              .orElseGet(() -> BuildWorker.Target.codeBuild(t.name(), project.project()));
      targets.add(new TargetResources(t, zipKeys, project, pipeline, target));
    }
    Map<String, String> resources = new LinkedHashMap<>();
    targets.forEach(r -> resources.put(r.settings().name(), r.target().resourceName()));
    routesJson = routes.toJson(resources);
    List<BuildWorker.Target> buildTargets = targets.stream().map(TargetResources::target).toList();

    secrets =
        new Secrets(
            this,
            "Secrets",
            new Secrets.Props(
                s.urlAuth().hasOpenUrl(),
                s.hookKeysSecretArn(),
                s.basicAuthSecretArn(),
                s.pagureTokenSecretArn()));
    Alarms alarms = new Alarms(this, "Alarms", new Alarms.Props(s.alarmEmail(), s.alarmTopicArn()));

    // work queue, accept function, worker (docs/queue.md)
    eventBus = EventBus.fromEventBusName(this, "DefaultEventBus", "default");
    buildRecords = new BuildRecords(this, "BuildRecords", new BuildRecords.Props(removal));
    workQueue =
        new WorkQueue(
            this,
            "WorkQueue",
            new WorkQueue.Props(
                s.workerTimeoutSeconds(),
                s.workMaxAttempts(),
                s.queueAgeAlarmSeconds(),
                alarms.action()));
    NagSuppressionsPlan nag = NagSuppressionsPlan.of(this);
    nag.workDeadLetterQueue(workQueue.deadLetterQueue());
    accept =
        new AcceptFunction(
            this,
            "AcceptFunction",
            new AcceptFunction.Props(
                props.inboundCode(),
                architecture,
                s.inboundMemoryMb(),
                s.inboundTimeoutSeconds(),
                s.snapStart(),
                s.inboundReservedConcurrency(),
                logRetention,
                removal,
                s.urlAuth(),
                new AcceptFunction.CallerProps(
                    s.caller(),
                    s.callerPrincipalArn(),
                    s.callerRoleTrustedPrincipalArn(),
                    s.ciAllowedCallers()),
                secrets,
                source,
                routesJson,
                workQueue,
                eventBus,
                buildRecords,
                acceptEnvironment(s),
                alarms.action(),
                s.logging()));
    worker =
        new BuildWorker(
            this,
            "BuildWorker",
            new BuildWorker.Props(
                props.inboundCode(),
                architecture,
                s.workerMemoryMb(),
                s.workerTimeoutSeconds(),
                s.workerEphemeralMb(),
                s.snapStart(),
                logRetention,
                removal,
                workQueue,
                s.workerMaxConcurrency(),
                s.workerBatchSize(),
                source.bucket(),
                source.prefix(),
                buildRecords,
                buildTargets,
                routesJson,
                eventBus,
                workerEnvironment(s),
                alarms.action(),
                s.logging()));
    nag.lambdaRuntime(worker.function());
    nag.sourceZipKeys(
        worker.role().getNode().tryFindChild("DefaultPolicy"),
        source.bucket(),
        List.of(source.prefix() + "*"));

    reporter =
        new FlagReporter(
            this,
            "FlagReporter",
            new FlagReporter.Props(
                props.outboundCode(),
                architecture,
                s.outboundMemoryMb(),
                s.outboundTimeoutSeconds(),
                s.outboundReservedConcurrency(),
                s.outboundRetryAttempts(),
                s.outboundMaxEventAgeSeconds(),
                logRetention,
                removal,
                secrets.pagureToken(),
                buildTargets,
                routesJson,
                eventBus,
                buildRecords,
                outboundEnvironment(s),
                alarms.action(),
                s.logging(),
                s.logComments()
                    ? logAccessTargets().stream()
                        .<ILogGroup>map(r -> r.build().logGroup().orElseThrow())
                        .toList()
                    : List.of(),
                s.publicBuilds()
                    ? logAccessTargets().stream().<IProject>map(r -> r.build().project()).toList()
                    : List.of()));

    outputs();
    applyFlatLogicalIds();
    nag.apply();
    checkLimits();
  }

  /**
   * The targets logAccess=public / comment applies to: the CodeBuild projects the stack creates and
   * starts itself (Settings refuses an existing project; a pipeline's build action is not one).
   */
  private List<TargetResources> logAccessTargets() {
    return targets.stream()
        .filter(r -> r.pipeline().isEmpty() && r.settings().existingProjectName().isEmpty())
        .toList();
  }

  /** One build target of the routing table and what the stack made for it. */
  public record TargetResources(
      Routes.Target settings,
      List<String> zipKeys,
      BuildProject build,
      Optional<BuildPipeline> pipeline,
      BuildWorker.Target target) {

    /** The project its builds run in (in pipeline mode, the build action's). */
    public IProject project() {
      return build.project();
    }

    public Optional<Pipeline> createdPipeline() {
      return pipeline.map(BuildPipeline::pipeline);
    }
  }

  /**
   * The source-zip key patterns a target's builds may read: under the prefix, the zips of the
   * projects its rule matches ({@link RouteGlobs#s3KeyPattern}); the whole prefix for the one-rule
   * table made from today's keys (no other rule's zips exist to keep out, and an empty
   * allowedProjects would leave no key at all).
   */
  static List<String> zipKeys(Routes routes, Routes.Target target, String prefix) {
    if (!routes.fromTable()) {
      return List.of(prefix + "*");
    }
    return routes.ruleOf(target).match().stream()
        .map(g -> prefix + RouteGlobs.s3KeyPattern(g))
        .distinct()
        .toList();
  }

  // ---------------------------------------------------------------------------------------------
  // limits checked once the stack is built

  /** CloudFormation's limit of resources per stack. */
  public static final int CLOUDFORMATION_RESOURCE_LIMIT = 500;

  /**
   * The synth stops above this many resources (90 % of CloudFormation's 500): what a deploy would
   * refuse, or a stack with no room left for one more target.
   */
  public static final int RESOURCE_THRESHOLD = 450;

  /** Lambda's limit on one function's environment variables together. */
  public static final int LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

  /**
   * How long a deploy-time value may become, at most, in an estimate of a function's environment: a
   * generated physical name is at most {@code <stackName>-<logicalId>-<13 characters>}, and this
   * leaves 96 characters for what an ARN or queue URL adds around it.
   */
  static int tokenBound(int stackNameLength, int logicalIdLength) {
    return stackNameLength + 1 + logicalIdLength + 1 + 13 + 96;
  }

  /**
   * The resources the template will hold: every {@link CfnResource} of the built stack (custom
   * resources and their providers included).
   */
  public long resourceCount() {
    return getNode().findAll().stream().filter(c -> c instanceof CfnResource).count();
  }

  private void checkLimits() {
    long resources = resourceCount();
    if (resources > RESOURCE_THRESHOLD) {
      throw new Settings.SettingsException(
          "the stack would have "
              + resources
              + " resources, above the "
              + RESOURCE_THRESHOLD
              + " this synth allows (CloudFormation refuses more than "
              + CLOUDFORMATION_RESOURCE_LIMIT
              + " per stack): "
              + targets.size()
              + " build targets - use fewer targets (several rules may share one), existing"
              + " projects (existingProjectName), or a second stack");
    }
    checkEnvironment("accept", accept.environment());
    checkEnvironment("worker", worker.environment());
    checkEnvironment("outbound", reporter.environment());
  }

  private void checkEnvironment(String function, Map<String, String> env) {
    int total = environmentBytes(env);
    if (total > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new Settings.SettingsException(
          "the "
              + function
              + " function's environment would take up to "
              + total
              + " bytes (ROUTES "
              + environmentBytes(Map.of("ROUTES", env.getOrDefault("ROUTES", "")))
              + "), over Lambda's "
              + LAMBDA_ENVIRONMENT_LIMIT_BYTES
              + " - shorten the routing table (fewer rules, targets or globs; existing projects"
              + " have short names) or stackName");
    }
  }

  /**
   * An upper estimate of the bytes a function's variables take: the JSON object of names and
   * values, each deploy-time value counted at {@link #tokenBound}.
   */
  private static final java.util.regex.Pattern TOKEN_MARKER =
      java.util.regex.Pattern.compile("\\$\\{Token\\[[^]]+]}");

  public int environmentBytes(Map<String, String> env) {
    String stackName = getStackName();
    int stackNameLength = Token.isUnresolved(stackName) ? 128 : stackName.length();
    int total = 2;
    for (Map.Entry<String, String> e : env.entrySet()) {
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length + 6;
      TokenizedStringFragments fragments = Tokenization.reverseString(e.getValue());
      total +=
          TOKEN_MARKER.matcher(e.getValue()).replaceAll("").getBytes(StandardCharsets.UTF_8).length;
      for (IResolvable token : fragments.getTokens()) {
        // {Ref=<logical id>}, {Fn::GetAtt=[<logical id>, Arn]}: a little longer than the id
        total += tokenBound(stackNameLength, String.valueOf(resolve(token)).length());
      }
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------
  // settings -> the functions' settings-only variables (the constructs add the resource ones)

  /** The accept function's variables that come from settings alone. */
  private static Map<String, String> acceptEnvironment(Settings s) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PAGURE_URL", s.effectivePagureUrl());
    s.rebuildPhrase().ifPresent(v -> env.put("REBUILD_PHRASE", v));
    // the accept function recognises the approval phrase only under `approve`, and keeps quiet
    // about comments the worker may refuse (docs/security.md "Who can make us build")
    env.put("CONTRIBUTOR_POLICY", s.contributorPolicy());
    env.put("REBUILD_POLICY", s.rebuildPolicy());
    // a pull request's close is queued for the worker only when it stops builds
    env.put("CANCEL_SUPERSEDED", Boolean.toString(s.cancelSuperseded()));
    env.put("SECRETS_TTL_SECONDS", Integer.toString(s.secretsTtlSeconds()));
    return env;
  }

  /** The worker's variables that come from settings alone (BuildWorker adds the resource ones). */
  private static Map<String, String> workerEnvironment(Settings s) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PAGURE_URL", s.effectivePagureUrl());
    // the rebuild phrase is part of the ERROR event the worker sends
    s.rebuildPhrase().ifPresent(v -> env.put("REBUILD_PHRASE", v));
    env.put("REF_WAIT_SECONDS", Integer.toString(s.refWaitSeconds()));
    env.put("GIT_TIMEOUT_SECONDS", Integer.toString(s.gitTimeoutSeconds()));
    env.put("RETRY_BASE_SECONDS", Integer.toString(s.retryBaseSeconds()));
    env.put("RETRY_MAX_SECONDS", Integer.toString(s.retryMaxSeconds()));
    env.put("MAX_SOURCE_BYTES", Long.toString(s.maxSourceBytes()));
    env.put("MAX_FILE_BYTES", Long.toString(s.maxFileBytes()));
    env.put("MAX_SOURCE_FILES", Integer.toString(s.maxSourceFiles()));
    env.put("MAX_TREE_DEPTH", Integer.toString(s.maxTreeDepth()));
    // the worker decides membership with pagure's public API (no IAM: plain HTTPS to PAGURE_URL)
    env.put("CONTRIBUTOR_POLICY", s.contributorPolicy());
    env.put("REBUILD_POLICY", s.rebuildPolicy());
    env.put("RECORD_TTL_DAYS", Integer.toString(s.sourceExpirationDays()));
    // BuildWorker grants StopBuild / StopPipelineExecution only when one of them is on
    env.put(BuildWorker.CANCEL_SUPERSEDED, Boolean.toString(s.cancelSuperseded()));
    env.put(BuildWorker.CANCEL_SUPERSEDED_BRANCHES, Boolean.toString(s.cancelSupersededBranches()));
    // read by the JVM itself, not by the function (docs/performance.md: C2 for packaging, bounded
    // heap)
    s.workerJvmOptions().ifPresent(v -> env.put(JAVA_TOOL_OPTIONS, v));
    return env;
  }

  /** The outbound function's variables that come from settings alone. */
  private static Map<String, String> outboundEnvironment(Settings s) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PAGURE_URL", s.effectivePagureUrl());
    env.put("REPORTER", s.reporter());
    env.put("FLAG_ENDPOINT", s.flagEndpoint());
    s.flagUsername().ifPresent(v -> env.put("FLAG_USERNAME", v));
    s.buildUrlTemplate().ifPresent(v -> env.put("BUILD_URL_TEMPLATE", v));
    s.tokenTtlSeconds().ifPresent(v -> env.put("TOKEN_TTL_SECONDS", v));
    s.pagureTimeoutSeconds().ifPresent(v -> env.put("PAGURE_TIMEOUT_SECONDS", v));
    s.retryMaxAttempts().ifPresent(v -> env.put("RETRY_MAX_ATTEMPTS", v));
    s.retryBaseDelayMillis().ifPresent(v -> env.put("RETRY_BASE_DELAY_MILLIS", v));
    env.put("LOG_ACCESS", s.logAccess());
    env.put("LOG_TAIL_LINES", Integer.toString(s.logTailLines()));
    return env;
  }

  // ---------------------------------------------------------------------------------------------
  // outputs

  private void outputs() {
    accept
        .urls()
        .forEach(
            (alias, url) ->
                CfnOutput.Builder.create(
                        this, alias.equals("iam") ? "FunctionUrlIam" : "FunctionUrlHmac")
                    .description(
                        alias.equals("iam")
                            ? "Inbound function URL, auth AWS_IAM (SigV4-signed ci webhooks)"
                            : "Inbound function URL, auth NONE (pagure project web-hooks; Basic-auth ci webhooks)")
                    .value(url.getUrl())
                    .build());
    accept
        .callerUser()
        .ifPresent(
            user ->
                CfnOutput.Builder.create(this, "CallerUserName")
                    .description(
                        "IAM user for SigV4 calls: create its access key with aws iam create-access-key")
                    .value(user.getUserName())
                    .build());
    accept
        .callerPrincipalArn()
        .ifPresent(arn -> CfnOutput.Builder.create(this, "CallerPrincipalArn").value(arn).build());
    CfnOutput.Builder.create(this, "SourceBucketName")
        .value(source.bucket().getBucketName())
        .build();
    CfnOutput.Builder.create(this, "BuildRecordsTableName").value(buildRecords.tableName()).build();
    // the first target's outputs keep their names; target n (from 2) adds n to them
    for (int i = 0; i < targets.size(); i++) {
      TargetResources t = targets.get(i);
      String n = i == 0 ? "" : Integer.toString(i + 1);
      String of = "target " + t.settings().name();
      CfnOutput.Builder project =
          CfnOutput.Builder.create(this, "CodeBuildProjectName" + n)
              .value(t.project().getProjectName());
      if (i > 0) {
        project.description("CodeBuild project of " + of);
      }
      project.build();
      t.createdPipeline()
          .ifPresent(
              p -> {
                CfnOutput.Builder b =
                    CfnOutput.Builder.create(this, "PipelineName" + n).value(p.getPipelineName());
                if (!n.isEmpty()) {
                  b.description("Pipeline of " + of);
                }
                b.build();
              });
    }
    CfnOutput.Builder.create(this, "PagureTokenSecretArn")
        .description("Put the pagure API token here (aws secretsmanager put-secret-value)")
        .value(secrets.pagureToken().getSecretArn())
        .build();
    secrets
        .hookKeys()
        .ifPresent(
            k ->
                CfnOutput.Builder.create(this, "HookKeysSecretArn")
                    .description("Put {\"<project>\": \"<web-hook key>\"} here")
                    .value(k.getSecretArn())
                    .build());
    secrets
        .basicAuth()
        .ifPresent(
            b ->
                CfnOutput.Builder.create(this, "BasicAuthSecretArn")
                    .description("Basic credentials for ci webhooks on the open URL")
                    .value(b.getSecretArn())
                    .build());
    CfnOutput.Builder.create(this, "OutboundOnFailureQueueUrl")
        .value(reporter.onFailureQueue().getQueueUrl())
        .build();
    CfnOutput.Builder.create(this, "InboundLogGroupName")
        .value(accept.function().getLogGroup().getLogGroupName())
        .build();
    CfnOutput.Builder.create(this, "OutboundLogGroupName")
        .value(reporter.function().getLogGroup().getLogGroupName())
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
    for (int i = 0; i < targets.size(); i++) {
      TargetResources t = targets.get(i);
      String n = i == 0 ? "" : Integer.toString(i + 1);
      t.build()
          .logGroup()
          .ifPresent(
              logs -> {
                CfnOutput.Builder b =
                    CfnOutput.Builder.create(this, "BuildLogGroupName" + n)
                        .value(logs.getLogGroupName());
                if (!n.isEmpty()) {
                  b.description("Build logs of target " + t.settings().name());
                }
                b.build();
              });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // logical ids

  /**
   * Gives every resource under a {@link StackPart} the flat stack's logical id and fails on two
   * resources with one id, before CloudFormation sees them. Run at the end of the constructor and
   * by the app just before it synthesizes (for anything added since); running it again changes
   * nothing.
   *
   * <p>Not an {@code allocateLogicalId} override: CDK calls that back from JavaScript for every
   * reference it resolves, and the Java runtime answers each callback one stack frame pair deeper
   * than the last (aws/jsii#4656), so a routing table with ten CodeBuild targets overflowed the
   * synth's thread stack ({@code BigRoutingTableTest}).
   */
  void applyFlatLogicalIds() {
    Map<String, String> pathById = new HashMap<>();
    for (IConstruct c : getNode().findAll()) {
      if (!(c instanceof CfnElement element)) {
        continue;
      }
      String id = (String) resolve(element.getLogicalId());
      String flat = StackPart.logicalId(this, element);
      // an id CDK overrode itself (a function's CurrentVersion: its id plus the hash of the
      // function, so that a change publishes a new version) stays as CDK made it
      if (flat != null && id.equals(resolve(getLogicalId(element)))) {
        element.overrideLogicalId(flat);
        id = flat;
      }
      String path = element.getNode().getPath();
      String other = pathById.putIfAbsent(id, path);
      if (other != null) {
        throw new IllegalStateException(
            "two resources would get logical id "
                + id
                + ": "
                + other
                + " and "
                + path
                + " (name a StackPart's children uniquely, see StackPart)");
      }
    }
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
    return NagSuppressionsPlan.logicalId(c);
  }

  // ---------------------------------------------------------------------------------------------
  // accessors for the app and tests

  public Settings settings() {
    return settings;
  }

  /** The environment variables given to the accept (inbound) function (tokens unresolved). */
  public Map<String, String> inboundEnvironment() {
    return accept.environment();
  }

  /** The environment variables given to the worker function (tokens unresolved). */
  public Map<String, String> workerEnvironment() {
    return worker.environment();
  }

  /** The environment variables given to the outbound function (tokens unresolved). */
  public Map<String, String> outboundEnvironment() {
    return reporter.environment();
  }

  public Function inboundFunction() {
    return accept.function();
  }

  public Function outboundFunction() {
    return reporter.function();
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
    return source.bucket();
  }

  /**
   * The CodeBuild project builds run in (created or imported; in pipeline mode, the build
   * action's).
   */
  public IProject project() {
    return targets.get(0).project();
  }

  /** The created project's log group (empty for an existing project). */
  public Optional<LogGroup> buildLogGroup() {
    return targets.get(0).build().logGroup();
  }

  /** The first target's pipeline (codepipeline target). */
  public Optional<Pipeline> pipeline() {
    return targets.get(0).createdPipeline();
  }

  /** Every build target of the routing table with its resources, in table order. */
  public List<TargetResources> targets() {
    return List.copyOf(targets);
  }

  /** The {@code ROUTES} value the three functions get (tokens unresolved). */
  public String routesJson() {
    return routesJson;
  }

  /** The routing table as {@code synth} prints it on stderr. */
  public List<String> routingTableLines() {
    Map<String, String> resources = new LinkedHashMap<>();
    for (TargetResources t : targets) {
      String what =
          t.createdPipeline().isPresent()
              ? "created pipeline " + NagSuppressionsPlan.logicalId(t.createdPipeline().get())
              : t.settings().existingProjectName().isPresent()
                  ? "existing project " + t.settings().existingProjectName().get()
                  : "created project " + NagSuppressionsPlan.logicalId(t.build().created().get());
      resources.put(t.settings().name(), what + ", reads " + t.zipKeys());
    }
    return settings.routes().describeLines(resources);
  }

  /** Function URLs by alias name ({@code iam}, {@code hmac}). */
  public Map<String, FunctionUrl> functionUrls() {
    return accept.urls();
  }

  /** The inbound function's aliases by name ({@code iam}, {@code hmac}), one URL each. */
  public Map<String, Alias> aliases() {
    return accept.aliases();
  }

  public Optional<ISecret> hookKeysSecret() {
    return secrets.hookKeys();
  }

  public Optional<ISecret> basicAuthSecret() {
    return secrets.basicAuth();
  }

  public ISecret pagureTokenSecret() {
    return secrets.pagureToken();
  }

  public Queue onFailureQueue() {
    return reporter.onFailureQueue();
  }

  public Role inboundRole() {
    return accept.role();
  }

  public Role outboundRole() {
    return reporter.role();
  }

  /** The principal granted the AWS_IAM URL, if any. */
  public Optional<IGrantable> callerPrincipal() {
    return accept.callerPrincipal();
  }
}
