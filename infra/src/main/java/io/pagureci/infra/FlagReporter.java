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
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.PolicyStatement;
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
final class FlagReporter extends StackPart {

  /** The outbound handler, as packaged in outbound-lambda/target/function.jar. */
  static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";

  /**
   * @param reservedConcurrency 0 = none
   * @param retryAttempts Lambda's asynchronous retries (0-2)
   * @param environment the variables that come from settings alone (PAGURE_URL, REPORTER, ...);
   *     must not name one this construct sets
   * @param alarmAction where the alarms notify; {@code null} = nowhere
   * @param logging the function's log format and levels
   * @param commentLogs logAccess=…,comment: the build log group the function may read ({@code
   *     logs:GetLogEvents}), with the ledger writes ({@code logcomment/*} items only); {@code
   *     null}: no comments
   * @param publicBuilds logAccess=public: the function may read the project ({@code
   *     codebuild:BatchGetProjects}, for its public alias)
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
      BuildWorker.Target target,
      IEventBus eventBus,
      BuildRecords buildRecords,
      Map<String, String> environment,
      IAlarmAction alarmAction,
      FunctionLogging logging,
      ILogGroup commentLogs,
      boolean publicBuilds) {

    /** logAccess=console: no log comments, no public links. */
    Props(
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
        BuildWorker.Target target,
        IEventBus eventBus,
        BuildRecords buildRecords,
        Map<String, String> environment,
        IAlarmAction alarmAction,
        FunctionLogging logging) {
      this(
          code,
          architecture,
          memoryMb,
          timeoutSeconds,
          reservedConcurrency,
          retryAttempts,
          maxEventAgeSeconds,
          logRetention,
          removalPolicy,
          pagureToken,
          target,
          eventBus,
          buildRecords,
          environment,
          alarmAction,
          logging,
          null,
          false);
    }

    Props {
      Objects.requireNonNull(logging);
      Objects.requireNonNull(code);
      Objects.requireNonNull(pagureToken);
      Objects.requireNonNull(target);
      Objects.requireNonNull(eventBus);
      Objects.requireNonNull(buildRecords);
      environment = Map.copyOf(environment);
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

    BuildWorker.Target target = props.target();
    environment.put("PAGURE_TOKEN_SECRET_ID", props.pagureToken().getSecretArn());
    if (target.pipeline() == null) {
      environment.put("CODEBUILD_PROJECTS", target.project().getProjectName());
    } else {
      environment.put("PIPELINE_NAMES", target.pipeline().getPipelineName());
    }
    // request events (docs/queue.md §4): the build record says whether a build already started
    environment.put("BUILD_RECORDS_TABLE", props.buildRecords().tableName());
    environment.put("ACCOUNT_ID", Stack.of(this).getAccount());
    props
        .environment()
        .forEach(
            (k, v) -> {
              if (environment.putIfAbsent(k, v) != null) {
                throw new IllegalArgumentException(k + " is set by FlagReporter itself");
              }
            });

    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadPagureToken")
            .actions(List.of("secretsmanager:GetSecretValue"))
            .resources(List.of(props.pagureToken().getSecretArn()))
            .build());
    role.addToPrincipalPolicy(
        PolicyStatement.Builder.create()
            .sid("ReadBuilds")
            .actions(List.of("codebuild:BatchGetBuilds"))
            .resources(List.of(target.project().getProjectArn()))
            .build());
    if (target.pipeline() != null) {
      role.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadPipelineExecutions")
              .actions(List.of("codepipeline:GetPipelineExecution"))
              .resources(List.of(target.pipeline().getPipelineArn()))
              .build());
    }
    role.addToPrincipalPolicy(props.buildRecords().read());
    if (props.publicBuilds()) {
      role.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadPublicProjectAlias")
              .actions(List.of("codebuild:BatchGetProjects"))
              .resources(List.of(target.project().getProjectArn()))
              .build());
    }
    if (props.commentLogs() != null) {
      role.addToPrincipalPolicy(
          PolicyStatement.Builder.create()
              .sid("ReadBuildLogs")
              .actions(List.of("logs:GetLogEvents"))
              .resources(List.of(props.commentLogs().getLogGroupArn()))
              .build());
      role.addToPrincipalPolicy(props.buildRecords().writeLogComments());
    }

    Function.Builder b =
        JavaFunction.builder(
                this,
                "Outbound",
                new JavaFunction.Base(
                    "pagure-ci-aws outbound: CodeBuild / CodePipeline / request events -> pagure flags",
                    props.code(),
                    HANDLER,
                    role,
                    props.architecture(),
                    props.memoryMb(),
                    props.timeoutSeconds(),
                    logs,
                    environment,
                    props.logging()))
            // EventBridge invokes asynchronously: Lambda retries, then the on-failure queue.
            .retryAttempts(props.retryAttempts())
            .maxEventAge(Duration.seconds(props.maxEventAgeSeconds()))
            .onFailure(new SqsDestination(onFailureQueue));
    if (props.reservedConcurrency() > 0) {
      b.reservedConcurrentExecutions(props.reservedConcurrency());
    }
    function = b.build();
    nag.lambdaRuntime(function);
    eventRules(target, props.eventBus());

    MetricOptions fiveMinutes = MetricOptions.builder().period(Duration.minutes(5)).build();
    alarms =
        List.of(
            Alarm.Builder.create(this, "OnFailureQueueAlarm")
                .alarmDescription(
                    "pagure-ci-aws: build events the outbound function could not turn into flags")
                .metric(onFailureQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build(),
            Alarm.Builder.create(this, "OutboundErrorsAlarm")
                .alarmDescription(
                    "pagure-ci-aws: outbound function errors (each is retried; see the on-failure queue)")
                .metric(function.metricErrors(fiveMinutes))
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    if (props.alarmAction() != null) {
      alarms.forEach(a -> a.addAlarmAction(props.alarmAction()));
    }
  }

  /**
   * The build events of this stack's target and the request events, pinned to this account and
   * region; the same target, so the same asynchronous retries and on-failure queue for all.
   */
  private void eventRules(BuildWorker.Target target, IEventBus bus) {
    Stack stack = Stack.of(this);
    LambdaFunction to = new LambdaFunction(function);
    if (target.pipeline() == null) {
      String project = target.project().getProjectName();
      rule(
          "BuildStateRule",
          "pagure-ci-aws: CodeBuild state changes of this stack's project -> outbound",
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
          "BuildPhaseRule",
          "pagure-ci-aws: CodeBuild phase changes of this stack's project -> outbound",
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
          "PipelineExecutionRule",
          "pagure-ci-aws: CodePipeline execution state changes of this stack's pipeline -> outbound",
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
    // QUEUED / ERROR of the accept and worker functions (docs/queue.md §4)
    rule(
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

  private void rule(
      String id, String description, IEventBus bus, EventPattern pattern, LambdaFunction to) {
    Rule.Builder b =
        Rule.Builder.create(this, id)
            .description(description)
            .eventPattern(pattern)
            .targets(List.of(to));
    if (bus != null) {
      b.eventBus(bus);
    }
    b.build();
  }

  Function function() {
    return function;
  }

  Role role() {
    return role;
  }

  /** Every variable the function gets (tokens unresolved). */
  Map<String, String> environment() {
    return Map.copyOf(environment);
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
