package io.pagureci.infra;

import io.pagureci.pagure.OnOff;
import io.pagureci.pagure.PagureBaseUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's configuration, read from CDK context ({@code cdk.json} "context" or {@code -c
 * key=value}) and validated once. Every key is listed in {@link #KEYS} with its default;
 * docs/configuration.md documents the same list (a test keeps the two in step).
 *
 * <p>{@code pagureUrl} and {@code allowedProjects} have no usable default. Without them the stack
 * still synthesizes (with a placeholder URL under the reserved {@code .invalid} domain and an empty
 * allow-list, so the function would reject everything) and {@link #missingForDeploy()} names them.
 */
public record Settings(
    Optional<String> pagureUrl,
    Optional<String> allowedProjects,
    BuildTarget buildTarget,
    Optional<String> existingProjectName,
    Optional<String> existingProjectRoleArn,
    UrlAuth urlAuth,
    Caller caller,
    Optional<String> callerPrincipalArn,
    Optional<String> callerRoleTrustedPrincipalArn,
    Optional<String> ciAllowedCallers,
    String sourcePrefix,
    int sourceExpirationDays,
    int noncurrentVersionExpirationDays,
    boolean autoDeleteObjects,
    String buildImage,
    String buildComputeType,
    int buildTimeoutMinutes,
    int buildConcurrencyLimit,
    int logRetentionDays,
    String architecture,
    int inboundMemoryMb,
    int inboundTimeoutSeconds,
    boolean snapStart,
    int inboundReservedConcurrency,
    int workerMemoryMb,
    int workerTimeoutSeconds,
    int workerEphemeralMb,
    Optional<String> workerJvmOptions,
    int workerMaxConcurrency,
    int workerBatchSize,
    int workMaxAttempts,
    int retryBaseSeconds,
    int retryMaxSeconds,
    int queueAgeAlarmSeconds,
    long maxSourceBytes,
    long maxFileBytes,
    int maxSourceFiles,
    int maxTreeDepth,
    String contributorPolicy,
    String rebuildPolicy,
    boolean cancelSuperseded,
    boolean cancelSupersededBranches,
    int outboundMemoryMb,
    int outboundTimeoutSeconds,
    int outboundReservedConcurrency,
    int outboundRetryAttempts,
    int outboundMaxEventAgeSeconds,
    boolean trustedBuildspec,
    String trustedBuildspecPath,
    Optional<String> rebuildPhrase,
    Optional<String> buildBranches,
    int refWaitSeconds,
    int gitTimeoutSeconds,
    int secretsTtlSeconds,
    String reporter,
    String flagEndpoint,
    Optional<String> flagUsername,
    String targetName,
    Optional<String> buildUrlTemplate,
    Optional<String> tokenTtlSeconds,
    Optional<String> pagureTimeoutSeconds,
    Optional<String> retryMaxAttempts,
    Optional<String> retryBaseDelayMillis,
    Optional<String> hookKeysSecretArn,
    Optional<String> basicAuthSecretArn,
    Optional<String> pagureTokenSecretArn,
    Optional<String> alarmEmail,
    Optional<String> alarmTopicArn,
    String logAccess,
    int logTailLines,
    FunctionLogging logging,
    Routes routes) {

  /** Where the inbound function starts builds. */
  public enum BuildTarget {
    CODEBUILD("codebuild"),
    CODEPIPELINE("codepipeline");

    final String value;

    BuildTarget(String value) {
      this.value = value;
    }

    /** The value of the functions' {@code BUILD_TARGET} variable. */
    public String value() {
      return value;
    }
  }

  /** Which function URL(s) the inbound function gets. */
  public enum UrlAuth {
    /** One URL, auth {@code AWS_IAM}: SigV4-signed ci webhooks only. */
    IAM("iam"),
    /** One URL, auth {@code NONE}: stock (HMAC-signed) web-hooks and Basic-auth ci webhooks. */
    HMAC("hmac"),
    /** Two aliases, one URL each: {@code iam} (AWS_IAM) and {@code hmac} (NONE). */
    BOTH("both");

    final String value;

    UrlAuth(String value) {
      this.value = value;
    }

    public boolean hasIamUrl() {
      return this != HMAC;
    }

    public boolean hasOpenUrl() {
      return this != IAM;
    }
  }

  /** Who may call the AWS_IAM function URL. */
  public enum Caller {
    /** A dedicated IAM user (its access key is created by hand, never in the template). */
    USER("user"),
    /** A role (assumable by {@code callerRoleTrustedPrincipalArn}, default this account). */
    ROLE("role"),
    /** An existing principal named by {@code callerPrincipalArn}. */
    EXISTING("existing"),
    /** Nobody is granted anything (grant it yourself). */
    NONE("none");

    final String value;

    Caller(String value) {
      this.value = value;
    }
  }

  /** One documented context key. */
  public record Key(String name, String defaultValue, String description) {}

  /**
   * The worker function's JVM options (it packages; until the queue it was the inbound function's):
   * C2 as well as C1 (Lambda's java21 default stops at C1, which runs SHA-1, AES-GCM and GHASH
   * without the CPU's intrinsics: 2.4x slower packaging of a 1 GB repository), the serial collector
   * Lambda uses anyway, and a heap bounded so the process stays under 256 MB (docs/performance.md).
   */
  public static final String DEFAULT_INBOUND_JVM_OPTIONS =
      "-XX:+TieredCompilation -XX:TieredStopAtLevel=4 -XX:+UseSerialGC -Xmx128m";

  /** Every context key, in the order docs/configuration.md lists them. */
  public static final List<Key> KEYS =
      List.of(
          new Key(
              "stackName",
              "PagureCi",
              "CloudFormation stack name (deploy several with different names)"),
          new Key(
              "inboundCodePath",
              "inbound-lambda/target/function.jar",
              "Inbound code asset (jar or directory), relative to the repository root"),
          new Key(
              "outboundCodePath",
              "outbound-lambda/target/function.jar",
              "Outbound code asset, relative to the repository root"),
          new Key(
              "pagureUrl",
              "(none — required to deploy)",
              "Base URL of the pagure instance (its APP_URL), e.g. https://pagure.io/"),
          new Key(
              "allowedProjects",
              "(none — required to deploy)",
              "Comma-separated globs of project fullnames that may build, e.g. `rpms/*,demo`"),
          new Key(
              "routes",
              "(none: one rule from allowedProjects and the build target keys)",
              "The routing table: ordered rules from project globs to build targets (a JSON array)"),
          new Key(
              "routesFile",
              "(none)",
              "A JSON file holding the routing table, relative to the repository root"),
          new Key("buildTarget", "codebuild", "`codebuild` or `codepipeline`"),
          new Key(
              "existingProjectName",
              "(none: the stack creates a project)",
              "Use this existing CodeBuild project instead of creating one"),
          new Key(
              "existingProjectRoleArn",
              "(none)",
              "Service role of the existing project: the stack lets it read its input (the source zips, or the pipeline's artifacts)"),
          new Key(
              "urlAuth",
              "iam",
              "`iam` (AWS_IAM URL), `hmac` (auth NONE URL; the function checks signatures / Basic credentials) or `both` (two aliases, one URL each)"),
          new Key(
              "caller",
              "user",
              "Principal granted the AWS_IAM URL: `user`, `role`, `none`; ignored when `callerPrincipalArn` is set"),
          new Key(
              "callerPrincipalArn",
              "(none)",
              "Existing IAM principal ARN to grant instead of creating a user/role"),
          new Key(
              "callerRoleTrustedPrincipalArn",
              "(this account's root)",
              "Who may assume the caller role (`caller=role`)"),
          new Key(
              "ciAllowedCallers",
              "(the created user's ARN with caller=user, else none)",
              "CI_ALLOWED_CALLERS: comma-separated IAM ARNs the function accepts on the AWS_IAM URL"),
          new Key("sourcePrefix", "source/", "Key prefix of the source zips in the bucket"),
          new Key(
              "sourceExpirationDays",
              "30",
              "Days after which source zips (and build records) expire"),
          new Key(
              "noncurrentVersionExpirationDays",
              "7",
              "Days after which noncurrent object versions are deleted"),
          new Key(
              "autoDeleteObjects",
              "false",
              "Test stacks: destroy the buckets (emptied by a custom resource) and log groups with the stack"),
          new Key(
              "buildImage", "aws/codebuild/standard:7.0", "CodeBuild image of the created project"),
          new Key("buildComputeType", "small", "`small`, `medium`, `large`, `xlarge`, `2xlarge`"),
          new Key("buildTimeoutMinutes", "60", "Build timeout of the created project"),
          new Key(
              "buildConcurrencyLimit",
              "5",
              "ConcurrentBuildLimit of the created project: most builds at once (1-10000)"),
          new Key(
              "logRetentionDays",
              "30",
              "Retention of every log group (a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, ...)"),
          new Key(
              "logLevel",
              "INFO",
              "Application log level of every function (Lambda's JSON log format): TRACE, DEBUG, INFO, WARN, ERROR or FATAL"),
          new Key(
              "systemLogLevel",
              "INFO",
              "System (platform.*) log level of every function: DEBUG, INFO or WARN"),
          new Key("architecture", "x86_64", "`x86_64` or `arm64` for both functions"),
          new Key("inboundMemoryMb", "2048", "Accept (inbound) function memory"),
          new Key(
              "inboundTimeoutSeconds",
              "120",
              "Accept (inbound) function timeout (pagure waits 60 s)"),
          new Key(
              "snapStart",
              "true",
              "SnapStart on the accept and worker functions' published versions"),
          new Key(
              "inboundReservedConcurrency",
              "10",
              "Reserved concurrency of the accept (inbound) function (0 = none)"),
          new Key(
              "inboundEphemeralMb",
              "(none: the former name of workerEphemeralMb)",
              "Still accepted for workerEphemeralMb"),
          new Key(
              "inboundJvmOptions",
              "(none: the former name of workerJvmOptions)",
              "Still accepted for workerJvmOptions"),
          new Key(
              "workerMemoryMb",
              "2048",
              "Worker function memory (also buys CPU for cloning and zipping)"),
          new Key(
              "workerTimeoutSeconds",
              "120",
              "Worker function timeout (one attempt: fetch, zip, upload, start)"),
          new Key(
              "workerEphemeralMb",
              "512 (2048 with snapStart=false)",
              "Worker /tmp size; SnapStart allows at most 512"),
          new Key(
              "workerJvmOptions",
              DEFAULT_INBOUND_JVM_OPTIONS,
              "JAVA_TOOL_OPTIONS of the worker function (`-X...` options only); `none` keeps Lambda's own defaults"),
          new Key(
              "workerMaxConcurrency",
              "5",
              "Most worker invocations at once (the event source mapping's MaximumConcurrency, 2-1000)"),
          new Key("workerBatchSize", "1", "Work items per worker invocation (1-10)"),
          new Key(
              "workMaxAttempts",
              "8",
              "Attempts per work item (the queue's maxReceiveCount) before it goes to the dead-letter queue"),
          new Key(
              "retryBaseSeconds",
              "30",
              "Back-off after the first failed attempt; doubles per attempt"),
          new Key("retryMaxSeconds", "900", "Longest back-off between two attempts"),
          new Key(
              "queueAgeAlarmSeconds", "1800", "Alarm when the oldest work item is older than this"),
          new Key(
              "maxSourceBytes",
              "2147483648",
              "MAX_SOURCE_BYTES: largest uncompressed source tree the worker packages"),
          new Key("maxFileBytes", "536870912", "MAX_FILE_BYTES: largest single file"),
          new Key("maxSourceFiles", "200000", "MAX_SOURCE_FILES: most files in a source tree"),
          new Key("maxTreeDepth", "64", "MAX_TREE_DEPTH: deepest directory nesting"),
          new Key(
              "contributorPolicy",
              "approve",
              "CONTRIBUTOR_POLICY: whose pull requests build: `all`, `members` (commit access to"
                  + " the target) or `approve` (a non-member's head waits for a member's approval)"),
          new Key(
              "rebuildPolicy",
              "members",
              "REBUILD_POLICY: whose rebuild comments build: `all` or `members`"),
          new Key(
              "cancelSuperseded",
              "true",
              "CANCEL_SUPERSEDED: a pull request's new head stops the build of its previous head,"
                  + " its close stops its running build (the worker may StopBuild /"
                  + " StopPipelineExecution)"),
          new Key(
              "cancelSupersededBranches",
              "false",
              "CANCEL_SUPERSEDED_BRANCHES: the same for the pushes to each built branch"),
          new Key("outboundMemoryMb", "512", "Outbound function memory"),
          new Key("outboundTimeoutSeconds", "60", "Outbound function timeout"),
          new Key(
              "outboundReservedConcurrency",
              "0",
              "Reserved concurrency of the outbound function (0 = none)"),
          new Key(
              "outboundRetryAttempts",
              "2",
              "Async retries of an outbound event before it goes to the on-failure queue (0-2)"),
          new Key(
              "outboundMaxEventAgeSeconds",
              "3600",
              "Oldest event the outbound function still retries (60-21600)"),
          new Key(
              "trustedBuildspec",
              "true",
              "TRUSTED_BUILDSPEC: take the buildspec from the target branch, not from the PR"),
          new Key("trustedBuildspecPath", "buildspec.yml", "TRUSTED_BUILDSPEC_PATH"),
          new Key(
              "rebuildPhrase",
              "(function default: pretty please pagure-ci rebuild)",
              "REBUILD_PHRASE"),
          new Key(
              "buildBranches", "(none)", "BUILD_BRANCHES: globs of branches whose pushes build"),
          new Key("refWaitSeconds", "20", "REF_WAIT_SECONDS"),
          new Key("gitTimeoutSeconds", "30", "GIT_TIMEOUT_SECONDS"),
          new Key("secretsTtlSeconds", "300", "SECRETS_TTL_SECONDS"),
          new Key("reporter", "flag-api", "REPORTER: `flag-api` or `ci-webhook`"),
          new Key("flagEndpoint", "commit", "FLAG_ENDPOINT: `commit` or `pull-request`"),
          new Key(
              "flagUsername",
              "(function default: `pagure-ci/<targetName>`)",
              "FLAG_USERNAME: the CI's display name on flags"),
          new Key(
              "targetName",
              "build",
              "TARGET_NAME: the build target's name on flags (1-32 of A-Z a-z 0-9 . _ -)"),
          new Key(
              "buildUrlTemplate", "(function default: the AWS console page)", "BUILD_URL_TEMPLATE"),
          new Key("tokenTtlSeconds", "(function default: 300)", "TOKEN_TTL_SECONDS"),
          new Key("pagureTimeoutSeconds", "(function default: 10)", "PAGURE_TIMEOUT_SECONDS"),
          new Key(
              "retryMaxAttempts",
              "(function default: 4)",
              "RETRY_MAX_ATTEMPTS (the outbound function's own HTTP retries)"),
          new Key("retryBaseDelayMillis", "(function default: 200)", "RETRY_BASE_DELAY_MILLIS"),
          new Key(
              "logAccess",
              "console",
              "LOG_ACCESS: `console` or `public` (the flag's link), optionally with `comment` (a failed PR build's log tail as a PR comment): `console`, `public`, `comment`, `public,comment`"),
          new Key(
              "logTailLines",
              "50",
              "LOG_TAIL_LINES: lines of the failing phase a log comment quotes (1-500; at most 60 KiB)"),
          new Key(
              "hookKeysSecretArn",
              "(none: the stack creates the secret)",
              "Complete ARN of an existing web-hook keys secret"),
          new Key(
              "basicAuthSecretArn",
              "(none: the stack creates the secret)",
              "Complete ARN of an existing Basic credentials secret"),
          new Key(
              "pagureTokenSecretArn",
              "(none: the stack creates the secret)",
              "Complete ARN of an existing pagure API token secret"),
          new Key(
              "alarmEmail",
              "(none)",
              "Creates an SNS topic with this e-mail subscription for the alarms"),
          new Key(
              "alarmTopicArn",
              "(none)",
              "Existing SNS topic for the alarms (instead of alarmEmail)"));

  private static final Pattern JVM_OPTION = Pattern.compile("-X[A-Za-z0-9:+=._/-]+");
  private static final Pattern MAX_HEAP = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)");

  /**
   * The placeholder used for a synth without {@code pagureUrl}: the .invalid TLD never resolves.
   */
  public static final String PLACEHOLDER_PAGURE_URL = "https://pagure.invalid/";

  /**
   * The retry schedule must span at least this long: a late ref or a short outage is waited out.
   */
  public static final int MIN_RETRY_SPAN_SECONDS = 900;

  private static final Pattern SECRET_ARN =
      Pattern.compile("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+-[A-Za-z0-9]{6}");
  private static final Pattern IAM_PRINCIPAL_ARN =
      Pattern.compile(
          "arn:aws[a-z-]*:(iam::\\d{12}:(root|user/.+|role/.+)|sts::\\d{12}:assumed-role/.+)");
  private static final Pattern SNS_ARN =
      Pattern.compile("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:.+");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/.+");

  /**
   * What a {@code targetName} may be: the outbound function's rule for {@code TARGET_NAME}
   * (FlagMapper.TARGET_NAME; a test keeps the two equal).
   */
  static final Pattern TARGET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  private static final Pattern PROJECT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-_]{1,254}");
  private static final List<Integer> RETENTION_DAYS =
      List.of(
          1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
          2922, 3288, 3653);

  public Settings {
    Objects.requireNonNull(buildTarget);
    Objects.requireNonNull(urlAuth);
    Objects.requireNonNull(caller);
    Objects.requireNonNull(routes);
  }

  /** The settings with every default and no deploy-time values (what a bare synth uses). */
  public static Settings defaults() {
    return fromContext(k -> null);
  }

  /**
   * Reads and validates the settings from a context lookup ({@code node::tryGetContext}). Values
   * may be strings ({@code -c}) or JSON values (cdk.json). Unknown keys are not seen here; {@link
   * #unknownKeys} reports them.
   */
  public static Settings fromContext(Function<String, Object> context) {
    return fromContext(context, Path.of(""));
  }

  /**
   * As {@link #fromContext(Function)}, with {@code routesFile} read relative to {@code root} (the
   * directory of cdk.json).
   */
  public static Settings fromContext(Function<String, Object> context, Path root) {
    checkRoutesAlone(context);
    Reader r = new Reader(context);
    boolean snapStart = r.bool("snapStart", true);
    String ephemeralKey = r.renamed("workerEphemeralMb", "inboundEphemeralMb");
    int ephemeral = r.integer(ephemeralKey, snapStart ? 512 : 2048, 512, 10_240);
    if (snapStart && ephemeral > 512) {
      throw new SettingsException(
          ephemeralKey
              + "="
              + ephemeral
              + ": SnapStart supports at most 512 MB of ephemeral storage;"
              + " use -c snapStart=false for a larger /tmp");
    }
    Optional<String> callerPrincipalArn = r.string("callerPrincipalArn");
    callerPrincipalArn.ifPresent(a -> r.match("callerPrincipalArn", a, IAM_PRINCIPAL_ARN));
    Caller caller =
        callerPrincipalArn.isPresent()
            ? Caller.EXISTING
            : r.choice("caller", Caller.USER, Caller.values(), c -> c.value);
    if (caller == Caller.EXISTING && callerPrincipalArn.isEmpty()) {
      throw new SettingsException("caller=existing needs callerPrincipalArn");
    }
    Optional<String> pagureUrl = r.string("pagureUrl");
    pagureUrl.ifPresent(Settings::checkPagureUrl);
    String prefix = r.string("sourcePrefix").orElse("source/");
    if (prefix.startsWith("/") || prefix.contains("..") || prefix.contains("*")) {
      throw new SettingsException(
          "sourcePrefix must be a relative key prefix (no leading /, '..' or '*'), was '"
              + prefix
              + "'");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    if (prefix.isEmpty()) {
      throw new SettingsException(
          "sourcePrefix must not be empty (the functions' permissions are scoped to it)");
    }
    Routes.Target legacyTarget =
        readTarget(
            r.string("targetName").orElse("build"),
            r.choice("buildTarget", BuildTarget.CODEBUILD, BuildTarget.values(), t -> t.value),
            r,
            r);
    Routes routes = routes(context, root, legacyTarget);
    int retention = r.integer("logRetentionDays", 30, 1, 3653);
    if (!RETENTION_DAYS.contains(retention)) {
      throw new SettingsException(
          "logRetentionDays must be one of " + RETENTION_DAYS + ", was " + retention);
    }
    Optional<String> trust = r.string("callerRoleTrustedPrincipalArn");
    trust.ifPresent(a -> r.match("callerRoleTrustedPrincipalArn", a, IAM_PRINCIPAL_ARN));
    Optional<String> hook = r.string("hookKeysSecretArn");
    Optional<String> basic = r.string("basicAuthSecretArn");
    Optional<String> token = r.string("pagureTokenSecretArn");
    hook.ifPresent(a -> r.match("hookKeysSecretArn", a, SECRET_ARN));
    basic.ifPresent(a -> r.match("basicAuthSecretArn", a, SECRET_ARN));
    token.ifPresent(a -> r.match("pagureTokenSecretArn", a, SECRET_ARN));
    Optional<String> topic = r.string("alarmTopicArn");
    topic.ifPresent(a -> r.match("alarmTopicArn", a, SNS_ARN));
    Optional<String> email = r.string("alarmEmail");
    if (topic.isPresent() && email.isPresent()) {
      throw new SettingsException("set alarmEmail or alarmTopicArn, not both");
    }
    email.ifPresent(
        e -> {
          if (!e.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw new SettingsException("alarmEmail is not an e-mail address: '" + e + "'");
          }
        });
    String reporter =
        r.choice("reporter", "flag-api", new String[] {"flag-api", "ci-webhook"}, s -> s);
    String flagEndpoint =
        r.choice("flagEndpoint", "commit", new String[] {"commit", "pull-request"}, s -> s);
    int workerMemory = r.integer("workerMemoryMb", 2048, 512, 10_240);
    String jvmKey = r.renamed("workerJvmOptions", "inboundJvmOptions");
    Optional<String> jvmOptions = jvmOptions(jvmKey, r.string(jvmKey), workerMemory);
    int workerTimeout = r.integer("workerTimeoutSeconds", 120, 10, 900);
    int attempts = r.integer("workMaxAttempts", 8, 2, 1000);
    int retryBase = r.integer("retryBaseSeconds", 30, 1, 43_200);
    int retryMax = r.integer("retryMaxSeconds", 900, 1, 43_200);
    checkRetrySchedule(attempts, retryBase, retryMax, workerTimeout);
    long maxSourceBytes =
        r.longInteger("maxSourceBytes", 2_147_483_648L, 1_048_576L, 1_099_511_627_776L);
    long maxFileBytes = r.longInteger("maxFileBytes", 536_870_912L, 1L, 1_099_511_627_776L);
    if (maxFileBytes > maxSourceBytes) {
      throw new SettingsException(
          "maxFileBytes="
              + maxFileBytes
              + " is larger than maxSourceBytes="
              + maxSourceBytes
              + " (one file cannot be larger than the whole tree)");
    }
    String logAccess = logAccess(r, routes, reporter);
    int logTailLines = r.integer("logTailLines", 50, 1, 500);
    return new Settings(
        pagureUrl,
        r.string("allowedProjects"),
        legacyTarget.system(),
        legacyTarget.existingProjectName(),
        legacyTarget.existingProjectRoleArn(),
        r.choice("urlAuth", UrlAuth.IAM, UrlAuth.values(), u -> u.value),
        caller,
        callerPrincipalArn,
        trust,
        r.string("ciAllowedCallers"),
        prefix,
        r.integer("sourceExpirationDays", 30, 1, 3650),
        r.integer("noncurrentVersionExpirationDays", 7, 1, 3650),
        r.bool("autoDeleteObjects", false),
        legacyTarget.buildImage(),
        legacyTarget.buildComputeType(),
        legacyTarget.buildTimeoutMinutes(),
        legacyTarget.buildConcurrencyLimit(),
        retention,
        r.choice("architecture", "x86_64", new String[] {"x86_64", "arm64"}, s -> s),
        r.integer("inboundMemoryMb", 2048, 512, 10_240),
        r.integer("inboundTimeoutSeconds", 120, 10, 900),
        snapStart,
        r.integer("inboundReservedConcurrency", 10, 0, 1000),
        workerMemory,
        workerTimeout,
        ephemeral,
        jvmOptions,
        r.integer("workerMaxConcurrency", 5, 2, 1000),
        r.integer("workerBatchSize", 1, 1, 10),
        attempts,
        retryBase,
        retryMax,
        r.integer("queueAgeAlarmSeconds", 1800, 60, WorkQueue.RETENTION_SECONDS),
        maxSourceBytes,
        maxFileBytes,
        r.integer("maxSourceFiles", 200_000, 1, 10_000_000),
        r.integer("maxTreeDepth", 64, 1, 1024),
        r.choice(
            "contributorPolicy", "approve", new String[] {"all", "members", "approve"}, s -> s),
        r.choice("rebuildPolicy", "members", new String[] {"all", "members"}, s -> s),
        r.bool("cancelSuperseded", true),
        r.bool("cancelSupersededBranches", false),
        r.integer("outboundMemoryMb", 512, 256, 10_240),
        r.integer("outboundTimeoutSeconds", 60, 5, 900),
        r.integer("outboundReservedConcurrency", 0, 0, 1000),
        r.integer("outboundRetryAttempts", 2, 0, 2),
        r.integer("outboundMaxEventAgeSeconds", 3600, 60, 21_600),
        legacyTarget.trustedBuildspec(),
        legacyTarget.trustedBuildspecPath(),
        r.string("rebuildPhrase"),
        r.string("buildBranches"),
        r.integer("refWaitSeconds", 20, 0, 600),
        r.integer("gitTimeoutSeconds", 30, 1, 600),
        r.integer("secretsTtlSeconds", 300, 0, 86_400),
        reporter,
        flagEndpoint,
        r.string("flagUsername"),
        legacyTarget.name(),
        r.string("buildUrlTemplate"),
        // same ranges as the outbound function's OutboundConfig (the contract test keeps them
        // honest)
        r.numeric("tokenTtlSeconds", 1, 86_400),
        r.numeric("pagureTimeoutSeconds", 1, 300),
        r.numeric("retryMaxAttempts", 1, 10),
        r.numeric("retryBaseDelayMillis", 1, 60_000),
        hook,
        basic,
        token,
        email,
        topic,
        logAccess,
        logTailLines,
        FunctionLogging.of(
            r.choice("logLevel", "info", FunctionLogging.APPLICATION_LEVELS, l -> l),
            r.choice("systemLogLevel", "info", FunctionLogging.SYSTEM_LEVELS, l -> l)),
        routes);
  }

  /**
   * One build target's keys: {@code system} reads the CodeBuild project keys (the context itself,
   * or a target's {@code codebuild} / {@code codepipeline} object), {@code target} the buildspec
   * keys (the context, or the target object). Messages name the keys with the readers' prefixes.
   */
  static Routes.Target readTarget(String name, BuildTarget kind, Reader system, Reader target) {
    if (!TARGET_NAME.matcher(name).matches()) {
      throw new SettingsException(
          target.where() + "targetName is not a valid value: '" + name + "'");
    }
    Optional<String> existingProject = system.string("existingProjectName");
    existingProject.ifPresent(n -> system.match("existingProjectName", n, PROJECT_NAME));
    Optional<String> existingRole = system.string("existingProjectRoleArn");
    existingRole.ifPresent(a -> system.match("existingProjectRoleArn", a, ROLE_ARN));
    if (existingRole.isPresent() && existingProject.isEmpty()) {
      throw new SettingsException(
          system.where()
              + "existingProjectRoleArn only makes sense with "
              + system.where()
              + "existingProjectName");
    }
    int buildConcurrencyLimit = system.integer("buildConcurrencyLimit", 5, 1, 10_000);
    if (existingProject.isPresent() && system.string("buildConcurrencyLimit").isPresent()) {
      throw new SettingsException(
          system.where()
              + "buildConcurrencyLimit applies to the project the stack creates; an existing project"
              + " (existingProjectName) keeps its own limit - set it on that project");
    }
    String computeType =
        system.choice(
            "buildComputeType",
            "small",
            new String[] {"small", "medium", "large", "xlarge", "2xlarge"},
            s -> s);
    String buildspecPath = target.string("trustedBuildspecPath").orElse("buildspec.yml");
    if (buildspecPath.startsWith("/")
        || buildspecPath.contains("..")
        || buildspecPath.endsWith("/")) {
      throw new SettingsException(
          target.where()
              + "trustedBuildspecPath must be a file path inside the repository, was '"
              + buildspecPath
              + "'");
    }
    return new Routes.Target(
        name,
        kind,
        existingProject,
        existingRole,
        system.string("buildImage").orElse("aws/codebuild/standard:7.0"),
        computeType,
        system.integer("buildTimeoutMinutes", 60, 5, 2160),
        buildConcurrencyLimit,
        target.bool("trustedBuildspec", true),
        buildspecPath);
  }

  /**
   * {@code routes} and {@code routesFile} exclude each other and today's per-target keys (checked
   * first: a per-target key given with the table is named as such, not read).
   */
  private static void checkRoutesAlone(Function<String, Object> context) {
    Object inline = context.apply("routes");
    Object file = context.apply("routesFile");
    if (inline == null && file == null) {
      return;
    }
    if (inline != null && file != null) {
      throw new SettingsException("set routes or routesFile, not both");
    }
    List<String> mixed =
        Routes.PER_TARGET_CONTEXT_KEYS.stream().filter(k -> context.apply(k) != null).toList();
    if (!mixed.isEmpty()) {
      throw new SettingsException(
          (inline != null ? "routes" : "routesFile")
              + " replaces today's per-target keys, but "
              + mixed
              + (mixed.size() == 1 ? " is" : " are")
              + " also set: move them into the table's rules and targets (docs/configuration.md,"
              + " \"Routing table\")");
    }
  }

  /**
   * The routing table: {@code routes} (inline) or {@code routesFile} (a JSON file under {@code
   * root}), never both and never with today's per-target keys; else the one rule of those keys.
   */
  private static Routes routes(Function<String, Object> context, Path root, Routes.Target legacy) {
    Object inline = context.apply("routes");
    Object file = context.apply("routesFile");
    if (inline == null && file == null) {
      Reader r = new Reader(context);
      return Routes.legacy(r.string("allowedProjects"), r.string("buildBranches"), legacy);
    }
    if (inline != null) {
      return Routes.fromTable(inline, "routes");
    }
    String name = String.valueOf(file).strip();
    Path path = root.resolve(name).normalize();
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new SettingsException(
          "routesFile: cannot read " + path + " (relative to the directory of cdk.json): " + e);
    }
    return Routes.fromTable(text, "routesFile " + name);
  }

  /**
   * {@code logAccess}, checked by the outbound function's rules ({@link #logAccessWire}) and
   * against what the stack can grant. {@code public} and {@code comment} apply to the CodeBuild
   * targets (a pipeline's flag links to the execution, and its events name no build log: pipeline
   * targets keep the console link), and each of those must be a project the stack creates (with an
   * existing project neither its visibility nor its log group is the stack's); {@code public}
   * cannot share the link with {@code buildUrlTemplate}; {@code comment} posts with the flag-API
   * token ({@code reporter=flag-api}).
   */
  private static String logAccess(Reader r, Routes routes, String reporter) {
    String value = r.string("logAccess").orElse("console");
    String wire = logAccessWire(value);
    if (!wire.equals("console")) {
      List<Routes.Target> codeBuild =
          routes.targets().stream().filter(t -> t.system() == BuildTarget.CODEBUILD).toList();
      if (codeBuild.isEmpty()) {
        throw new SettingsException(
            "logAccess="
                + wire
                + " works with buildTarget=codebuild only: a pipeline's flag links to the"
                + " execution, which has no public page, and its events name no build log");
      }
      for (Routes.Target t : codeBuild) {
        if (t.existingProjectName().isPresent()) {
          throw new SettingsException(
              "logAccess="
                  + wire
                  + " needs the project the stack creates, but target '"
                  + t.name()
                  + "' has existingProjectName: neither that project's visibility nor its log"
                  + " group is this stack's (make that project public yourself, and use"
                  + " logAccess=console with buildUrlTemplate for its link)");
        }
      }
    }
    if (wire.startsWith("public") && r.string("buildUrlTemplate").isPresent()) {
      throw new SettingsException(
          "logAccess=public and buildUrlTemplate both name the flag's link; set only one");
    }
    if (wire.endsWith("comment") && reporter.equals("ci-webhook")) {
      throw new SettingsException(
          "logAccess=comment posts through pagure's API with the flag-API token;"
              + " reporter=ci-webhook has none");
    }
    return wire;
  }

  /**
   * The canonical spelling of a {@code logAccess} value, by the outbound function's rules ({@code
   * LogAccess.parse}; {@code EnvironmentContractTest} keeps the two in step): a comma-separated
   * list of at most one of {@code console} / {@code public}, optionally {@code comment}, any case
   * and order.
   */
  static String logAccessWire(String value) {
    String link = null;
    boolean comment = false;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String part : value.split(",", -1)) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      if (p.isEmpty() || !seen.add(p)) {
        throw new SettingsException("logAccess has an empty or repeated item, was '" + value + "'");
      }
      switch (p) {
        case "console", "public" -> {
          if (link != null) {
            throw new SettingsException(
                "logAccess names two link kinds ("
                    + link
                    + ", "
                    + p
                    + "); choose console or public");
          }
          link = p;
        }
        case "comment" -> comment = true;
        default ->
            throw new SettingsException(
                "logAccess: unknown item '"
                    + p
                    + "'; use console or public, optionally with comment (e.g. public,comment)");
      }
    }
    return (link == null ? "console" : link) + (comment ? ",comment" : "");
  }

  /** Whether the flag links to CodeBuild's public build page. */
  boolean publicBuilds() {
    return logAccess.startsWith("public");
  }

  /** Whether failed PR builds get a log-tail comment. */
  boolean logComments() {
    return logAccess.endsWith("comment");
  }

  /**
   * The worker's back-off before attempt n+1 is {@code min(base * 2^(n-1), max)} (docs/queue.md
   * §2). The attempts before the last must together wait at least {@link #MIN_RETRY_SPAN_SECONDS};
   * and every attempt, each followed by its back-off or a visibility timeout (a crash), must fit in
   * the work queue's retention, or items would expire instead of reaching the dead-letter queue.
   */
  static void checkRetrySchedule(int attempts, int base, int max, int workerTimeoutSeconds) {
    if (base > max) {
      throw new SettingsException(
          "retryBaseSeconds=" + base + " is larger than retryMaxSeconds=" + max);
    }
    long span = retrySpanSeconds(attempts, base, max);
    if (span < MIN_RETRY_SPAN_SECONDS) {
      throw new SettingsException(
          schedule(attempts, base, max)
              + ": the retries span only "
              + span
              + " s; they must span at least "
              + MIN_RETRY_SPAN_SECONDS
              + " s (15 minutes) so a late ref or a short outage is waited out"
              + " - raise workMaxAttempts or retryBaseSeconds");
    }
    long worstCase =
        span + (long) attempts * WorkQueue.visibilityTimeoutSeconds(workerTimeoutSeconds);
    if (worstCase > WorkQueue.RETENTION_SECONDS) {
      throw new SettingsException(
          schedule(attempts, base, max)
              + ", workerTimeoutSeconds="
              + workerTimeoutSeconds
              + ": up to "
              + worstCase
              + " s from the first attempt to the last, more than the work queue keeps an item ("
              + WorkQueue.RETENTION_SECONDS
              + " s) - lower workMaxAttempts or retryMaxSeconds");
    }
  }

  /** The retry schedule's keys as a message names them. */
  private static String schedule(int attempts, int base, int max) {
    return "workMaxAttempts="
        + attempts
        + ", retryBaseSeconds="
        + base
        + ", retryMaxSeconds="
        + max;
  }

  /** Sum of {@code min(base * 2^(n-1), max)} over n = 1 .. attempts-1. */
  static long retrySpanSeconds(int attempts, int base, int max) {
    long span = 0;
    long delay = base;
    for (int n = 1; n < attempts; n++) {
      span += Math.min(delay, max);
      delay = Math.min(delay * 2, max);
    }
    return span;
  }

  /**
   * {@code workerJvmOptions} (or its former name): absent means the default, {@code none} means no
   * JAVA_TOOL_OPTIONS (Lambda's own flags). Only {@code -X...} options: no agents, no system
   * properties (a place where a secret could end up in an environment variable), and a heap below
   * the worker's memory size.
   */
  private static Optional<String> jvmOptions(String key, Optional<String> value, int memoryMb) {
    String options = value.orElse(DEFAULT_INBOUND_JVM_OPTIONS).strip();
    if (options.equals("none")) {
      return Optional.empty();
    }
    for (String option : options.split("\\s+")) {
      if (!JVM_OPTION.matcher(option).matches()) {
        throw new SettingsException(
            key + ": only -X... JVM options are allowed (or 'none'), got '" + option + "'");
      }
      Matcher heap = MAX_HEAP.matcher(option);
      if (heap.matches()) {
        long bytes =
            Long.parseLong(heap.group(1))
                * switch (heap.group(2).toLowerCase()) {
                  case "k" -> 1024L;
                  case "m" -> 1024L * 1024;
                  case "g" -> 1024L * 1024 * 1024;
                  default -> 1L;
                };
        if (bytes >= memoryMb * 1024L * 1024) {
          throw new SettingsException(
              key
                  + ": "
                  + option
                  + " is not below workerMemoryMb="
                  + memoryMb
                  + " (the JVM needs memory besides its heap)");
        }
      }
    }
    return Optional.of(options);
  }

  /** Settings a real deploy still needs, as {@code -c key=value} hints; empty when deployable. */
  public List<String> missingForDeploy() {
    List<String> missing = new ArrayList<>();
    if (pagureUrl.isEmpty()) {
      missing.add("pagureUrl (e.g. -c pagureUrl=https://pagure.example.org/)");
    }
    if (!routes.fromTable() && allowedProjects.isEmpty()) {
      missing.add(
          "allowedProjects (e.g. -c allowedProjects='rpms/*,demo'; empty = every project is refused)");
    }
    return missing;
  }

  /** Context keys given that this stack does not know (typos), ignoring CDK's own keys. */
  public static List<String> unknownKeys(Map<String, ?> context) {
    List<String> known = KEYS.stream().map(Key::name).toList();
    return context.keySet().stream()
        .filter(k -> !known.contains(k))
        .filter(
            k ->
                !k.startsWith("@aws-cdk")
                    && !k.startsWith("aws:")
                    && !k.startsWith("aws-cdk:")
                    && !k.startsWith("cdk")
                    && !k.contains(":"))
        .sorted()
        .toList();
  }

  public String effectivePagureUrl() {
    return pagureUrl.orElse(PLACEHOLDER_PAGURE_URL);
  }

  private static void checkPagureUrl(String value) {
    try {
      PagureBaseUrl.check(value.strip());
    } catch (PagureBaseUrl.Invalid e) {
      throw new SettingsException(
          switch (e.problem()) {
            case NOT_A_URL -> "pagureUrl is not a URL: " + e.getMessage();
            case NOT_HTTP -> "pagureUrl must be an http(s) URL, was '" + value + "'";
            case NOT_PLAIN ->
                "pagureUrl must be a plain base URL (no user, query or fragment), was '"
                    + value
                    + "'";
          });
    }
  }

  /** A context value that is missing, malformed or inconsistent. */
  public static final class SettingsException extends IllegalArgumentException {
    public SettingsException(String message) {
      super(message);
    }
  }

  /**
   * Reads keys from a lookup; {@code where} prefixes every message (empty for the context itself,
   * {@code routes[0] (match [rpms/**]): targets[1].codebuild.} inside the routing table).
   */
  record Reader(Function<String, Object> context, String where) {
    Reader(Function<String, Object> context) {
      this(context, "");
    }

    Optional<String> string(String key) {
      Object v = context.apply(key);
      if (v == null) {
        return Optional.empty();
      }
      String s = String.valueOf(v).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    boolean bool(String key, boolean dflt) {
      return string(key)
          .map(
              v ->
                  OnOff.parse(v)
                      .orElseThrow(
                          () ->
                              new SettingsException(
                                  where + key + " must be true or false, was '" + v + "'")))
          .orElse(dflt);
    }

    int integer(String key, int dflt, int min, int max) {
      return (int) longInteger(key, dflt, min, max);
    }

    long longInteger(String key, long dflt, long min, long max) {
      long value;
      try {
        value = string(key).map(Long::parseLong).orElse(dflt);
      } catch (NumberFormatException e) {
        throw new SettingsException(
            where + key + " must be a whole number, was '" + context.apply(key) + "'");
      }
      if (value < min || value > max) {
        throw new SettingsException(
            where + key + " must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    /** The key to read: {@code name}, or its former name when only that is given (never both). */
    String renamed(String name, String formerName) {
      boolean current = string(name).isPresent();
      boolean former = string(formerName).isPresent();
      if (current && former) {
        throw new SettingsException(
            "set " + name + " or its former name " + formerName + ", not both");
      }
      return former ? formerName : name;
    }

    /**
     * A number passed through to a function variable as given (absent = the function's default).
     */
    Optional<String> numeric(String key, int min, int max) {
      return string(key).map(s -> Integer.toString(integer(key, 0, min, max)));
    }

    <T> T choice(String key, T dflt, T[] values, Function<T, String> name) {
      Optional<String> v = string(key);
      if (v.isEmpty()) {
        return dflt;
      }
      String given = v.get().toLowerCase(Locale.ROOT);
      for (T t : values) {
        if (name.apply(t).equals(given)) {
          return t;
        }
      }
      List<String> names = java.util.Arrays.stream(values).map(name).toList();
      throw new SettingsException(
          where + key + " must be one of " + names + ", was '" + v.get() + "'");
    }

    void match(String key, String value, Pattern pattern) {
      if (!pattern.matcher(value).matches()) {
        throw new SettingsException(where + key + " is not a valid value: '" + value + "'");
      }
    }
  }
}
