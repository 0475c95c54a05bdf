package io.pagureci.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.codepipeline.IPipeline;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSourceProps;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

/**
 * The worker (docs/queue.md §1): a function from the inbound jar that takes items off the work
 * queue, fetches and zips the commit, uploads it and starts the build. Its own role, log group and
 * event source mapping ({@code ReportBatchItemFailures}, {@code MaximumConcurrency}) on an alias of
 * the published version (SnapStart snapshots published versions only).
 *
 * <p>The variables that name a resource this construct is given (queue, bucket, build target, bus)
 * are set here, next to the permission on that resource; the settings-only ones come in {@link
 * Props#environment()}.
 */
public final class BuildWorker extends Construct implements StackFunction {

  /** The worker handler, in the inbound function's jar. */
  public static final String HANDLER = "io.pagureci.inbound.WorkerHandler::handleRequest";

  /** The alias the event source mapping invokes. */
  public static final String ALIAS = "live";

  /**
   * The settings variables that let the worker stop superseded builds (docs/queue.md §5): with
   * either one {@code true}, and only then, its role may stop builds of its target.
   */
  public static final String CANCEL_SUPERSEDED = "CANCEL_SUPERSEDED";

  public static final String CANCEL_SUPERSEDED_BRANCHES = "CANCEL_SUPERSEDED_BRANCHES";

  /** A claim outlives the invocation that made it by this much (docs/queue.md §5). */
  public static final int CLAIM_LEASE_MARGIN_SECONDS = 60;

  /**
   * A build target of the routing table: its name, and where its builds are started: the CodeBuild
   * project, or a pipeline (then {@code project} is its build action's project and {@code
   * pipelineSourceAction} its S3 source action's name).
   */
  public record Target(
      String name, IProject project, IPipeline pipeline, String pipelineSourceAction) {
    public Target {
      Objects.requireNonNull(name);
      Objects.requireNonNull(project);
      if (pipeline != null) {
        Objects.requireNonNull(pipelineSourceAction);
      }
    }

    static Target codeBuild(String name, IProject project) {
      return new Target(name, project, null, null);
    }

    /** An unmodifiable copy of {@code targets}, which must not be empty. */
    static List<Target> atLeastOne(List<Target> targets) {
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("no build target");
      }
      return List.copyOf(targets);
    }

    /** The ARNs of the targets' CodeBuild projects (a pipeline target's build project too). */
    static List<String> projectArns(List<Target> targets) {
      return targets.stream().map(t -> t.project().getProjectArn()).toList();
    }

    /** The ARNs of the targets' pipelines; every target must be a pipeline target. */
    static List<String> pipelineArns(List<Target> targets) {
      return targets.stream().map(t -> t.pipeline().getPipelineArn()).toList();
    }

    /** The CodeBuild project or pipeline name the worker starts (the target's ROUTES resource). */
    String resourceName() {
      return pipeline == null ? project.getProjectName() : pipeline.getPipelineName();
    }
  }

  /**
   * What the worker is built from.
   *
   * @param code the inbound function's code asset (jar or directory)
   * @param targets every build target of the routing table (the worker may start exactly these)
   * @param routes the {@code ROUTES} value (docs/queue.md §2)
   * @param ephemeralMb {@code /tmp}; at most 512 with SnapStart (Settings checks it)
   * @param environment the variables that come from settings alone (PAGURE_URL, ...,
   *     JAVA_TOOL_OPTIONS); must not name one this construct sets
   * @param alarmAction where the errors alarm notifies; {@code null} = nowhere
   * @param logging the function's log format and levels
   */
  public record Props(
      Path code,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      int ephemeralMb,
      boolean snapStart,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      WorkQueue workQueue,
      int maxConcurrency,
      int batchSize,
      IBucket sourceBucket,
      String sourcePrefix,
      BuildRecords buildRecords,
      List<Target> targets,
      String routes,
      IEventBus eventBus,
      Map<String, String> environment,
      IAlarmAction alarmAction,
      FunctionLogging logging)
      implements JavaFunction.Props {
    public Props {
      Objects.requireNonNull(code);
      Objects.requireNonNull(workQueue);
      Objects.requireNonNull(sourceBucket);
      Objects.requireNonNull(buildRecords);
      Objects.requireNonNull(routes);
      targets = Target.atLeastOne(targets);
      Objects.requireNonNull(eventBus);
      Objects.requireNonNull(logging);
      environment = Map.copyOf(environment);
    }
  }

  /** Whether the worker's variables let it stop superseded builds (pull requests or branches). */
  static boolean stopsBuilds(Map<String, String> environment) {
    return "true".equals(environment.get(CANCEL_SUPERSEDED))
        || "true".equals(environment.get(CANCEL_SUPERSEDED_BRANCHES));
  }

  private final LogGroup logGroup;
  private final Role role;
  private final Function function;
  private final Alias alias;
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final Alarm errorsAlarm;

  public BuildWorker(Construct scope, String id, Props props) {
    super(scope, id);
    logGroup =
        LogGroup.Builder.create(this, "Logs")
            .retention(props.logRetention())
            .removalPolicy(props.removalPolicy())
            .build();
    role = FunctionRole.create(this, "Role", "pagure-ci-aws worker function", logGroup);

    IBucket bucket = props.sourceBucket();
    List<Target> targets = props.targets();
    List<Target> pipelines = targets.stream().filter(t -> t.pipeline() != null).toList();
    List<Target> projects = targets.stream().filter(t -> t.pipeline() == null).toList();
    List<String> projectArns = Target.projectArns(projects);
    List<String> pipelineArns = Target.pipelineArns(pipelines);
    environment.put("WORK_QUEUE_URL", props.workQueue().queue().getQueueUrl());
    environment.put("WORK_MAX_ATTEMPTS", Integer.toString(props.workQueue().maxReceiveCount()));
    environment.put(
        "CLAIM_LEASE_SECONDS",
        Integer.toString(props.timeoutSeconds() + CLAIM_LEASE_MARGIN_SECONDS));
    environment.put("EVENT_BUS_NAME", props.eventBus().getEventBusName());
    environment.put("SOURCE_BUCKET", bucket.getBucketName());
    environment.put("SOURCE_PREFIX", props.sourcePrefix());
    environment.put("BUILD_RECORDS_TABLE", props.buildRecords().tableName());
    // the routing table names every target's project or pipeline (docs/queue.md §2)
    environment.put("ROUTES", props.routes());
    if (!pipelines.isEmpty()) {
      // global, as the contract fixes: every pipeline the stack makes has the same source action
      environment.put("PIPELINE_SOURCE_ACTION", pipelines.get(0).pipelineSourceAction());
      environment.put("PIPELINE_OVERRIDE_S3_KEY", "true");
    }
    JavaFunction.addSettings(environment, props.environment(), "BuildWorker");

    // S3: write the zip (multipart); the build records are conditional writes in their table.
    role.addToPrincipalPolicy(
        Statements.allow(
            "WriteSourceZips",
            List.of("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"),
            List.of(bucket.arnForObjects(props.sourcePrefix() + "*"))));
    role.addToPrincipalPolicy(props.buildRecords().write());
    // exactly the table's projects and pipelines, each by its ARN
    if (!projects.isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow("StartBuild", List.of("codebuild:StartBuild"), projectArns));
    }
    if (!pipelines.isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow(
              "StartPipelineExecution",
              List.of("codepipeline:StartPipelineExecution"),
              pipelineArns));
    }
    if (stopsBuilds(props.environment())) {
      // only the table's own builds: a stop names the exact build id its head recorded
      if (!projects.isEmpty()) {
        role.addToPrincipalPolicy(
            Statements.allow("StopSupersededBuild", List.of("codebuild:StopBuild"), projectArns));
      }
      if (!pipelines.isEmpty()) {
        role.addToPrincipalPolicy(
            Statements.allow(
                "StopSupersededPipelineExecution",
                List.of("codepipeline:StopPipelineExecution"),
                pipelineArns));
      }
    }
    role.addToPrincipalPolicy(RequestEvents.put(props.eventBus()));

    Function.Builder b =
        JavaFunction.builder(
                this,
                "Function",
                new JavaFunction.Base(
                    "pagure-ci-aws worker: work item -> git fetch, zip to S3 -> start build",
                    HANDLER,
                    props,
                    role,
                    logGroup,
                    environment))
            .ephemeralStorageSize(Size.mebibytes(props.ephemeralMb()));
    if (props.snapStart()) {
      b.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
    }
    function = b.build();
    if (props.snapStart()) {
      Annotations.of(function)
          .acknowledgeWarning(
              "@aws-cdk/aws-lambda:snapStartRequirePublish",
              "the event source mapping invokes an alias of the published version (getCurrentVersion)");
    }
    // An alias in every mode, as for the accept function: switching SnapStart never changes what
    // the mapping points at. The mapping's grant (receive, delete, change visibility, attributes,
    // queue URL on this queue) goes to the function's role.
    alias =
        Alias.Builder.create(this, "LiveAlias")
            .aliasName(ALIAS)
            .version(function.getCurrentVersion())
            .build();
    alias.addEventSource(
        new SqsEventSource(
            props.workQueue().queue(),
            SqsEventSourceProps.builder()
                .batchSize(props.batchSize())
                .maxConcurrency(props.maxConcurrency())
                .reportBatchItemFailures(true)
                .build()));

    errorsAlarm =
        Alarms.atLeastOne(
            this,
            "ErrorsAlarm",
            "pagure-ci-aws: worker function errors (crashes/timeouts; a failed item is retried,"
                + " not an error)",
            function.metricErrors(Alarms.fiveMinutes()),
            props.alarmAction());
  }

  /** The alias the event source mapping invokes. */
  public Alias alias() {
    return alias;
  }

  public LogGroup logGroup() {
    return logGroup;
  }

  @Override
  public StackFunction.Parts parts() {
    return new StackFunction.Parts(function, role, environment);
  }

  public Alarm errorsAlarm() {
    return errorsAlarm;
  }
}
