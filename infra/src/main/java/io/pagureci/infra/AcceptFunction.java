package io.pagureci.infra;

import io.pagureci.infra.Settings.Caller;
import io.pagureci.infra.Settings.UrlAuth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.ArnPrincipal;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.User;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.FunctionUrl;
import software.amazon.awscdk.services.lambda.FunctionUrlAuthType;
import software.amazon.awscdk.services.lambda.FunctionUrlOptions;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The accept ("inbound") function (docs/queue.md §1) behind its function URL(s): authentication and
 * validation, then one work item on the {@link WorkQueue} and a QUEUED request event. Its role can
 * fill the queue, put request events and read build records — no StartBuild, no source zip write.
 * One alias per URL on the published version (SnapStart snapshots published versions only): {@code
 * iam} (auth AWS_IAM, granted to the caller principal made here) and {@code hmac} (auth NONE; the
 * function itself requires a valid signature or Basic credentials).
 *
 * <p>As in {@link BuildWorker}: the variables that name a resource given here are set here, next to
 * the permission on it; the settings-only ones come in {@link Props#environment()}.
 */
final class AcceptFunction extends StackPart implements StackFunction {

  /** The accept (inbound) handler, as packaged in inbound-lambda/target/function.jar. */
  static final String HANDLER = "io.pagureci.inbound.InboundHandler::handleRequest";

  /** Who may call the AWS_IAM URL (urlAuth iam or both). */
  record CallerProps(
      Caller kind,
      Optional<String> principalArn,
      Optional<String> roleTrustedPrincipalArn,
      Optional<String> ciAllowedCallers) {
    CallerProps {
      Objects.requireNonNull(kind);
      Objects.requireNonNull(principalArn);
      Objects.requireNonNull(roleTrustedPrincipalArn);
      Objects.requireNonNull(ciAllowedCallers);
    }
  }

  /**
   * @param reservedConcurrency 0 = none
   * @param environment the variables that come from settings alone (PAGURE_URL, ALLOWED_PROJECTS,
   *     ...); must not name one this construct sets
   * @param alarmAction where the errors alarm notifies; {@code null} = nowhere
   * @param logging the function's log format and levels
   */
  record Props(
      Path code,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      boolean snapStart,
      int reservedConcurrency,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      UrlAuth urlAuth,
      CallerProps caller,
      Secrets secrets,
      SourceBucket source,
      String routes,
      WorkQueue workQueue,
      IEventBus eventBus,
      BuildRecords buildRecords,
      Map<String, String> environment,
      IAlarmAction alarmAction,
      FunctionLogging logging)
      implements JavaFunction.Props {
    Props {
      Objects.requireNonNull(logging);
      Objects.requireNonNull(code);
      Objects.requireNonNull(urlAuth);
      Objects.requireNonNull(caller);
      Objects.requireNonNull(secrets);
      Objects.requireNonNull(source);
      Objects.requireNonNull(routes);
      Objects.requireNonNull(workQueue);
      Objects.requireNonNull(eventBus);
      Objects.requireNonNull(buildRecords);
      environment = Map.copyOf(environment);
    }
  }

  private final Role role;
  private final Function function;
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final Map<String, FunctionUrl> urls = new LinkedHashMap<>();
  private final Map<String, Alias> aliases = new LinkedHashMap<>();
  private final Optional<User> callerUser;
  private final Optional<IGrantable> callerPrincipal;
  private final Optional<String> callerPrincipalArn;
  private final Alarm errorsAlarm;

  AcceptFunction(Construct scope, String id, Props props) {
    super(scope, id);
    LogGroup logs =
        LogGroup.Builder.create(this, "InboundLogs")
            .retention(props.logRetention())
            .removalPolicy(props.removalPolicy())
            .build();
    role =
        FunctionRole.create(this, "InboundRole", "pagure-ci-aws accept (inbound) function", logs);

    // Authentication and validation, the work queue and the bus; the routing table only to decide
    // and to name the flags it asks for. Nothing for fetching, packaging or starting: that is the
    // worker's.
    Secrets secrets = props.secrets();
    secrets.hookKeys().ifPresent(s -> environment.put("HOOK_KEYS_SECRET_ID", s.getSecretArn()));
    secrets
        .basicAuth()
        .ifPresent(s -> environment.put("CI_BASIC_AUTH_SECRET_ID", s.getSecretArn()));
    environment.put("SOURCE_BUCKET", props.source().bucket().getBucketName());
    environment.put("SOURCE_PREFIX", props.source().prefix());
    // the routing table: which projects build, and the targets whose flags it asks for
    environment.put("ROUTES", props.routes());
    environment.put("WORK_QUEUE_URL", props.workQueue().queue().getQueueUrl());
    environment.put("EVENT_BUS_NAME", props.eventBus().getEventBusName());
    environment.put("BUILD_RECORDS_TABLE", props.buildRecords().tableName());

    // the caller is created first: its ARN may become CI_ALLOWED_CALLERS
    CallerProps caller = props.caller();
    User user = null;
    IGrantable principal = null;
    String principalArn = null;
    if (props.urlAuth().hasIamUrl()) {
      switch (caller.kind()) {
        case USER -> {
          user = User.Builder.create(this, "CallerUser").build();
          principal = user;
          principalArn = user.getUserArn();
          environment.put("CI_ALLOWED_CALLERS", caller.ciAllowedCallers().orElse(principalArn));
        }
        case ROLE -> {
          IPrincipal trusted =
              caller
                  .roleTrustedPrincipalArn()
                  .<IPrincipal>map(ArnPrincipal::new)
                  .orElse(new AccountRootPrincipal());
          Role callerRole =
              Role.Builder.create(this, "CallerRole")
                  .assumedBy(trusted)
                  .description(
                      "pagure-ci-aws: may call the inbound AWS_IAM function URL, nothing else")
                  .build();
          principal = callerRole;
          principalArn = callerRole.getRoleArn();
        }
        case EXISTING -> {
          principalArn = caller.principalArn().orElseThrow();
          principal = new ArnPrincipal(principalArn);
        }
        case NONE -> {}
      }
    }
    if (!environment.containsKey("CI_ALLOWED_CALLERS")) {
      caller.ciAllowedCallers().ifPresent(v -> environment.put("CI_ALLOWED_CALLERS", v));
    }
    callerUser = Optional.ofNullable(user);
    callerPrincipal = Optional.ofNullable(principal);
    callerPrincipalArn = Optional.ofNullable(principalArn);
    JavaFunction.addSettings(environment, props.environment(), "AcceptFunction");

    // The URL can only fill the queue: no StartBuild, no StartPipelineExecution, no source-zip
    // write.
    role.addToPrincipalPolicy(
        Statements.allow(
            "QueueWork",
            List.of("sqs:SendMessage"),
            List.of(props.workQueue().queue().getQueueArn())));
    role.addToPrincipalPolicy(RequestEvents.put(props.eventBus()));
    // read the build record (a duplicate delivery; docs/queue.md §5)
    role.addToPrincipalPolicy(props.buildRecords().read());
    List<String> secretArns = new ArrayList<>();
    secrets.hookKeys().ifPresent(s -> secretArns.add(s.getSecretArn()));
    secrets.basicAuth().ifPresent(s -> secretArns.add(s.getSecretArn()));
    if (!secretArns.isEmpty()) {
      role.addToPrincipalPolicy(
          Statements.allow(
              "ReadInboundSecrets", List.of("secretsmanager:GetSecretValue"), secretArns));
    }

    Function.Builder b =
        JavaFunction.builder(
            this,
            "Inbound",
            new JavaFunction.Base(
                "pagure-ci-aws accept: pagure web-hook / ci webhook -> work queue",
                HANDLER,
                props,
                role,
                logs,
                environment));
    if (props.snapStart()) {
      b.snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS);
    }
    if (props.reservedConcurrency() > 0) {
      b.reservedConcurrentExecutions(props.reservedConcurrency());
    }
    function = b.build();
    if (props.snapStart()) {
      Annotations.of(function)
          .acknowledgeWarning(
              "@aws-cdk/aws-lambda:snapStartRequirePublish",
              "the function URLs point at aliases of the published version (getCurrentVersion)");
    }

    // Aliases on the published version (SnapStart snapshots published versions only); one URL each.
    if (props.urlAuth().hasIamUrl()) {
      Alias alias =
          Alias.Builder.create(this, "InboundIamAlias")
              .aliasName("iam")
              .version(function.getCurrentVersion())
              .build();
      FunctionUrl url =
          alias.addFunctionUrl(
              FunctionUrlOptions.builder().authType(FunctionUrlAuthType.AWS_IAM).build());
      urls.put("iam", url);
      aliases.put("iam", alias);
      // lambda:InvokeFunctionUrl (lambda:FunctionUrlAuthType = AWS_IAM) and lambda:InvokeFunction
      // (lambda:InvokedViaFunctionUrl = true), on this alias only.
      callerPrincipal.ifPresent(alias::grantInvokeUrl);
    }
    if (props.urlAuth().hasOpenUrl()) {
      Alias alias =
          Alias.Builder.create(this, "InboundHmacAlias")
              .aliasName("hmac")
              .version(function.getCurrentVersion())
              .build();
      // auth NONE: the function itself requires a valid X-Pagure-Signature-256 or Basic
      // credentials.
      urls.put(
          "hmac",
          alias.addFunctionUrl(
              FunctionUrlOptions.builder().authType(FunctionUrlAuthType.NONE).build()));
      aliases.put("hmac", alias);
    }
    NagSuppressionsPlan.of(this).lambdaRuntime(function);

    errorsAlarm =
        Alarms.atLeastOne(
            this,
            "InboundErrorsAlarm",
            "pagure-ci-aws: accept (inbound) function errors (crashes/timeouts; 4xx/5xx answers are not errors)",
            function.metricErrors(Alarms.fiveMinutes()),
            props.alarmAction());
  }

  @Override
  public StackFunction.Parts parts() {
    return new StackFunction.Parts(function, role, environment);
  }

  /** Function URLs by alias name ({@code iam}, {@code hmac}). */
  Map<String, FunctionUrl> urls() {
    return Map.copyOf(urls);
  }

  /** The aliases by name ({@code iam}, {@code hmac}), one URL each. */
  Map<String, Alias> aliases() {
    return Map.copyOf(aliases);
  }

  /** The IAM user made for SigV4 calls (caller=user). */
  Optional<User> callerUser() {
    return callerUser;
  }

  /** The principal granted the AWS_IAM URL, if any. */
  Optional<IGrantable> callerPrincipal() {
    return callerPrincipal;
  }

  /** The granted principal's ARN (created user or role, or callerPrincipalArn). */
  Optional<String> callerPrincipalArn() {
    return callerPrincipalArn;
  }

  Alarm errorsAlarm() {
    return errorsAlarm;
  }
}
