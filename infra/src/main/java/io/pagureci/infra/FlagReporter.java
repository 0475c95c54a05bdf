package io.pagureci.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The outbound function (docs/protocol.md): EventBridge rules for this stack's build target and for
 * the request events (docs/queue.md §4), each event turned into a pagure flag. EventBridge invokes
 * asynchronously: Lambda retries, then the on-failure queue; alarms on that queue and on the
 * function's errors. Its role reads the token secret, the builds of this target and the build
 * records.
 *
 * <p>As in {@link BuildWorker}: the variables that name a resource given here are set here, next to
 * the permission on it; the settings-only ones come in {@link Props#environment()}.
 */
final class FlagReporter extends StackPart implements StackFunction {

  /** The outbound handler, as packaged in outbound-lambda/target/function.jar. */
  static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";

  /**
   * @param reservedConcurrency 0 = none
   * @param retryAttempts Lambda's asynchronous retries (0-2)
   * @param environment the variables that come from settings alone (PAGURE_URL, REPORTER, ...);
   *     must not name one this construct sets
   * @param alarmAction where the alarms notify; {@code null} = nowhere
   * @param logging the function's log format and levels
   * @param commentLogs logAccess=…,comment: the build log groups the function may read ({@code
   *     logs:GetLogEvents}), with the ledger writes ({@code logcomment/*} items only); empty: no
   *     comments
   * @param publicProjects logAccess=public: the projects the function may read ({@code
   *     codebuild:BatchGetProjects}, for their public alias); empty: console links
   */
  record Props(
      Path code,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      int reservedConcurrency,
      int retryAttempts,
      int maxEventAgeSeconds,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      ISecret pagureToken,
      List<BuildWorker.Target> targets,
      String routes,
      IEventBus eventBus,
      BuildRecords buildRecords,
      Map<String, String> environment,
      IAlarmAction alarmAction,
      FunctionLogging logging,
      List<ILogGroup> commentLogs,
      List<IProject> publicProjects)
      implements JavaFunction.Props {

    Props {
      Objects.requireNonNull(logging);
      Objects.requireNonNull(code);
      Objects.requireNonNull(pagureToken);
      Objects.requireNonNull(routes);
      targets = BuildWorker.Target.atLeastOne(targets);
      Objects.requireNonNull(eventBus);
      Objects.requireNonNull(buildRecords);
      environment = Map.copyOf(environment);
      commentLogs = List.copyOf(commentLogs);
      publicProjects = List.copyOf(publicProjects);
    }
  }

  private final Queue onFailureQueue;
  private final Role role;
  private final Function function;
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final List<Alarm> alarms;

  FlagReporter(Construct scope, String id, Props props) {
    super(scope, id);
    NagSuppressionsPlan nag = NagSuppressionsPlan.of(this);
    onFailureQueue =
        Queue.Builder.create(this, "OutboundOnFailureQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(Duration.days(14))
            .build();
    nag.onFailureQueueIsTheDeadLetterQueue(onFailureQueue);
    LogGroup logs =
        LogGroup.Builder.create(this, "OutboundLogs")
            .retention(props.logRetention())
            .removalPolicy(props.removalPolicy())
            .build();
    role = FunctionRole.create(this, "OutboundRole", "pagure-ci-aws outbound function", logs);

    List<BuildWorker.Target> targets = props.targets();
    List<BuildWorker.Target> pipelines =
        targets.stream().filter(t -> t.pipeline() != null).toList();
    environment.put("PAGURE_TOKEN_SECRET_ID", props.pagureToken().getSecretArn());
    // the routing table: which build events are ours, and the target name of each
    environment.put("ROUTES", props.routes());
    // request events (docs/queue.md §4): the build record says whether a build already started
    environment.put("BUILD_RECORDS_TABLE", props.buildRecords().tableName());
    environment.put("ACCOUNT_ID", Stack.of(this).getAccount());
    JavaFunction.addSettings(environment, props.environment(), "FlagReporter");

    role.addToPrincipalPolicy(
        Statements.allow(
            "ReadPagureToken",
            List.of("secretsmanager:GetSecretValue"),
            List.of(props.pagureToken().getSecretArn())));
    role.addToPrincipalPolicy(
        Statements.allow(
            "ReadBuilds",
            List.of("codebuild:BatchGetBuilds"),
            BuildWorker.Target.projectArns(targets)));
    if (!pipelines.isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow(
              "ReadPipelineExecutions",
              List.of("codepipeline:GetPipelineExecution"),
              BuildWorker.Target.pipelineArns(pipelines)));
    }
    role.addToPrincipalPolicy(props.buildRecords().read());
    if (!props.publicProjects().isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow(
              "ReadPublicProjectAlias",
              List.of("codebuild:BatchGetProjects"),
              props.publicProjects().stream().map(IProject::getProjectArn).toList()));
    }
    if (!props.commentLogs().isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow(
              "ReadBuildLogs",
              List.of("logs:GetLogEvents"),
              props.commentLogs().stream().map(ILogGroup::getLogGroupArn).toList()));
      role.addToPrincipalPolicy(props.buildRecords().writeLogComments());
    }

    Function.Builder b =
        JavaFunction.builder(
                this,
                "Outbound",
                new JavaFunction.Base(
                    "pagure-ci-aws outbound: CodeBuild / CodePipeline / request events -> pagure flags",
                    HANDLER,
                    props,
                    role,
                    logs,
                    environment))
            // EventBridge invokes asynchronously: Lambda retries, then the on-failure queue.
            .retryAttempts(props.retryAttempts())
            .maxEventAge(Duration.seconds(props.maxEventAgeSeconds()))
            .onFailure(new SqsDestination(onFailureQueue));
    if (props.reservedConcurrency() > 0) {
      b.reservedConcurrentExecutions(props.reservedConcurrency());
    }
    function = b.build();
    nag.lambdaRuntime(function);
    eventRules(targets, props.eventBus());

    alarms =
        List.of(
            Alarms.atLeastOne(
                this,
                "OnFailureQueueAlarm",
                "pagure-ci-aws: build events the outbound function could not turn into flags",
                onFailureQueue.metricApproximateNumberOfMessagesVisible(Alarms.fiveMinutes()),
                props.alarmAction()),
            Alarms.atLeastOne(
                this,
                "OutboundErrorsAlarm",
                "pagure-ci-aws: outbound function errors (each is retried; see the on-failure queue)",
                function.metricErrors(Alarms.fiveMinutes()),
                props.alarmAction()));
  }

  /**
   * The build events of each build target and the request events, pinned to this account and
   * region; the same function, so the same asynchronous retries and on-failure queue for all. The
   * first target's rules keep the ids of the stack's one target before the routing table; each
   * other target's live in a construct named after it ({@code Target-<name>}).
   */
  private void eventRules(List<BuildWorker.Target> targets, IEventBus bus) {
    LambdaFunction to = new LambdaFunction(function);
    for (int i = 0; i < targets.size(); i++) {
      BuildWorker.Target t = targets.get(i);
      if (i == 0) {
        targetRules(this, "this stack's", t, to);
      } else {
        targetRules(new Construct(this, "Target-" + t.name()), "target " + t.name() + "'s", t, to);
      }
    }
    Stack stack = Stack.of(this);
    // QUEUED / ERROR of the accept and worker functions (docs/queue.md §4)
    rule(
        this,
        "RequestEventRule",
        "pagure-ci-aws: build request state changes (queued, error) -> outbound",
        bus,
        EventPattern.builder()
            .source(List.of(RequestEvents.SOURCE))
            .account(List.of(stack.getAccount()))
            .region(List.of(stack.getRegion()))
            .detailType(List.of(RequestEvents.DETAIL_TYPE))
            .build(),
        to);
  }

  private void targetRules(
      Construct scope, String whose, BuildWorker.Target target, LambdaFunction to) {
    Stack stack = Stack.of(this);
    if (target.pipeline() == null) {
      String project = target.project().getProjectName();
      rule(
          scope,
          "BuildStateRule",
          "pagure-ci-aws: CodeBuild state changes of " + whose + " project -> outbound",
          null,
          EventPattern.builder()
              .source(List.of("aws.codebuild"))
              .account(List.of(stack.getAccount()))
              .region(List.of(stack.getRegion()))
              .detailType(List.of("CodeBuild Build State Change"))
              .detail(Map.of("project-name", List.of(project)))
              .build(),
          to);
      rule(
          scope,
          "BuildPhaseRule",
          "pagure-ci-aws: CodeBuild phase changes of " + whose + " project -> outbound",
          null,
          EventPattern.builder()
              .source(List.of("aws.codebuild"))
              .account(List.of(stack.getAccount()))
              .region(List.of(stack.getRegion()))
              .detailType(List.of("CodeBuild Build Phase Change"))
              .detail(Map.of("project-name", List.of(project)))
              .build(),
          to);
    } else {
      rule(
          scope,
          "PipelineExecutionRule",
          "pagure-ci-aws: CodePipeline execution state changes of "
              + whose
              + " pipeline -> outbound",
          null,
          EventPattern.builder()
              .source(List.of("aws.codepipeline"))
              .account(List.of(stack.getAccount()))
              .region(List.of(stack.getRegion()))
              .detailType(List.of("CodePipeline Pipeline Execution State Change"))
              .detail(Map.of("pipeline", List.of(target.pipeline().getPipelineName())))
              .build(),
          to);
    }
  }

  private static void rule(
      Construct scope,
      String id,
      String description,
      IEventBus bus,
      EventPattern pattern,
      LambdaFunction to) {
    Rule.Builder b =
        Rule.Builder.create(scope, id)
            .description(description)
            .eventPattern(pattern)
            .targets(List.of(to));
    if (bus != null) {
      b.eventBus(bus);
    }
    b.build();
  }

  @Override
  public StackFunction.Parts parts() {
    return new StackFunction.Parts(function, role, environment);
  }

  /** Where events go that failed every asynchronous attempt. */
  Queue onFailureQueue() {
    return onFailureQueue;
  }

  /** On-failure queue depth and function errors. */
  List<Alarm> alarms() {
    return alarms;
  }
}
