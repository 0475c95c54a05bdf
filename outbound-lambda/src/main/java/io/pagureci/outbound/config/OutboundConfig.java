package io.pagureci.outbound.config;

import io.pagureci.init.ConfigException;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.LogAccess;
import io.pagureci.outbound.domain.TargetNames;
import io.pagureci.pagure.PagureBaseUrl;
import io.pagureci.pagure.routing.Routes;
import io.pagureci.pagure.routing.RoutesJson;
import io.pagureci.pagure.routing.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outbound Lambda's configuration, read once from the environment at init.
 *
 * @param pagureUrl pagure's base URL, always with exactly one trailing {@code /}
 * @param tokenSecretId Secrets Manager id/ARN of the pagure API (or CI) token
 * @param reporter how statuses reach pagure
 * @param flagEndpoint which flag API endpoint ({@link Reporter#FLAG_API} only)
 * @param flagUsername display name of the flag, or {@code null} for {@code pagure-ci/<targetName>}
 * @param targetName without {@code ROUTES}: the one target's name ({@code TARGET_NAME}), shown on
 *     every flag; with it, {@code null} (each build's name comes from {@link #routes()})
 * @param buildUrlTemplate template of the flag's {@code url}, or {@code null} for the AWS console
 *     page
 * @param codeBuildProjects CodeBuild projects whose events are handled; without {@code ROUTES}
 *     empty = any project, with it the table's CodeBuild targets (empty = none)
 * @param pipelineNames pipelines whose events are handled; as {@code codeBuildProjects}
 * @param tokenTtl how long the token is cached in process
 * @param pagureTimeout timeout of one HTTP request to pagure
 * @param retryMaxAttempts attempts per flag (1 = no retry)
 * @param retryBaseDelay first back-off delay (doubled per attempt, with jitter)
 * @param buildRecordsTable the DynamoDB table of the build records (docs/queue.md §5; a table name
 *     or ARN), or {@code null}: request events are then ignored
 * @param accountId the function's own AWS account, or {@code null} (not known: not checked)
 * @param routes the routing table ({@code ROUTES}), or {@code null}: the one target of {@code
 *     TARGET_NAME}, {@code CODEBUILD_PROJECTS} and {@code PIPELINE_NAMES}, which {@code ROUTES}
 *     excludes
 * @param logAccess the flag's link kind and whether failed PR builds get a log-tail comment ({@code
 *     LOG_ACCESS}, {@code LOG_TAIL_LINES})
 */
public record OutboundConfig(
    String pagureUrl,
    String tokenSecretId,
    Reporter reporter,
    FlagEndpoint flagEndpoint,
    String flagUsername,
    String targetName,
    String buildUrlTemplate,
    Set<String> codeBuildProjects,
    Set<String> pipelineNames,
    Duration tokenTtl,
    Duration pagureTimeout,
    int retryMaxAttempts,
    Duration retryBaseDelay,
    String buildRecordsTable,
    String accountId,
    Routes routes,
    LogAccess logAccess) {

  public static final String PAGURE_URL = "PAGURE_URL";
  public static final String PAGURE_TOKEN_SECRET_ID = "PAGURE_TOKEN_SECRET_ID";
  public static final String REPORTER = "REPORTER";
  public static final String FLAG_ENDPOINT = "FLAG_ENDPOINT";
  public static final String FLAG_USERNAME = "FLAG_USERNAME";
  public static final String TARGET_NAME = "TARGET_NAME";
  public static final String BUILD_URL_TEMPLATE = "BUILD_URL_TEMPLATE";
  public static final String CODEBUILD_PROJECTS = "CODEBUILD_PROJECTS";
  public static final String PIPELINE_NAMES = "PIPELINE_NAMES";
  public static final String TOKEN_TTL_SECONDS = "TOKEN_TTL_SECONDS";
  public static final String PAGURE_TIMEOUT_SECONDS = "PAGURE_TIMEOUT_SECONDS";
  public static final String RETRY_MAX_ATTEMPTS = "RETRY_MAX_ATTEMPTS";
  public static final String RETRY_BASE_DELAY_MILLIS = "RETRY_BASE_DELAY_MILLIS";
  public static final String BUILD_RECORDS_TABLE = "BUILD_RECORDS_TABLE";
  public static final String ROUTES = "ROUTES";

  /** The one target's variables, which {@code ROUTES} replaces (set together: init fails). */
  public static final List<String> PER_TARGET_VARIABLES =
      List.of(CODEBUILD_PROJECTS, PIPELINE_NAMES, TARGET_NAME);

  public static final String LOG_ACCESS = "LOG_ACCESS";
  public static final String LOG_TAIL_LINES = "LOG_TAIL_LINES";

  /**
   * Not a Lambda variable (Lambda sets no account id): the stack may set it; unset = not checked.
   */
  public static final String ACCOUNT_ID = "ACCOUNT_ID";

  /** Every environment variable {@link #fromEnv} reads (the CDK stack sets exactly these). */
  public static final List<String> VARIABLES =
      List.of(
          PAGURE_URL,
          PAGURE_TOKEN_SECRET_ID,
          REPORTER,
          FLAG_ENDPOINT,
          FLAG_USERNAME,
          TARGET_NAME,
          BUILD_URL_TEMPLATE,
          CODEBUILD_PROJECTS,
          PIPELINE_NAMES,
          TOKEN_TTL_SECONDS,
          PAGURE_TIMEOUT_SECONDS,
          RETRY_MAX_ATTEMPTS,
          RETRY_BASE_DELAY_MILLIS,
          BUILD_RECORDS_TABLE,
          ACCOUNT_ID,
          ROUTES,
          LOG_ACCESS,
          LOG_TAIL_LINES);

  /** Placeholders a {@code BUILD_URL_TEMPLATE} may use. */
  public static final List<String> URL_PLACEHOLDERS =
      List.of(
          "region",
          "account",
          "system",
          "target",
          "project",
          "buildId",
          "buildNumber",
          "commit",
          "pagureProject");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

  /** DynamoDB's table naming rules (3–255 of {@code a-z A-Z 0-9 _ - .}), or a table's ARN. */
  private static final Pattern TABLE =
      Pattern.compile("(arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\\d{12}:table/)?[A-Za-z0-9_.-]{3,255}");

  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  /** How statuses reach pagure. */
  public enum Reporter {
    FLAG_API("flag-api"),
    CI_WEBHOOK("ci-webhook");

    private final String value;

    Reporter(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }

  /** Which flag-API endpoint is used. */
  public enum FlagEndpoint {
    COMMIT("commit"),
    PULL_REQUEST("pull-request");

    private final String value;

    FlagEndpoint(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }

  public OutboundConfig {
    codeBuildProjects = Set.copyOf(codeBuildProjects);
    pipelineNames = Set.copyOf(pipelineNames);
  }

  /**
   * Reads and validates the configuration; throws {@link ConfigException} naming the bad variable.
   */
  public static OutboundConfig fromEnv(Map<String, String> env) {
    OutboundConfig c = read(env);
    LogAccess logs = c.logAccess();
    if (logs.link() == LogAccess.Link.PUBLIC && c.buildUrlTemplate() != null) {
      throw new ConfigException(
          LOG_ACCESS,
          "public and " + BUILD_URL_TEMPLATE + " both name the flag's link; set only one");
    }
    if (logs.comment() && c.buildRecordsTable() == null) {
      throw new ConfigException(
          LOG_ACCESS,
          "comment needs "
              + BUILD_RECORDS_TABLE
              + " (the table that records each comment, so it is posted once)");
    }
    if (logs.comment() && c.reporter() == Reporter.CI_WEBHOOK) {
      throw new ConfigException(
          LOG_ACCESS,
          "comment posts through pagure's API (POST .../pull-request/<id>/comment); "
              + REPORTER
              + "=ci-webhook holds a CI callback token, not an API token");
    }
    return c;
  }

  private static OutboundConfig read(Map<String, String> env) {
    Routes routes = routes(env);
    return new OutboundConfig(
        pagureUrl(env),
        required(env, PAGURE_TOKEN_SECRET_ID),
        choice(env, REPORTER, Reporter.values(), Reporter::value, Reporter.FLAG_API),
        choice(env, FLAG_ENDPOINT, FlagEndpoint.values(), FlagEndpoint::value, FlagEndpoint.COMMIT),
        flagUsername(env),
        routes == null ? targetName(env) : null,
        urlTemplate(env),
        routes == null
            ? list(env, CODEBUILD_PROJECTS, BuildSystem.CODEBUILD::validTarget)
            : routes.resources(Target.System.CODEBUILD),
        routes == null
            ? list(env, PIPELINE_NAMES, BuildSystem.CODEPIPELINE::validTarget)
            : routes.resources(Target.System.CODEPIPELINE),
        Duration.ofSeconds(integer(env, TOKEN_TTL_SECONDS, 300, 1, 86_400)),
        Duration.ofSeconds(integer(env, PAGURE_TIMEOUT_SECONDS, 10, 1, 300)),
        integer(env, RETRY_MAX_ATTEMPTS, 4, 1, 10),
        Duration.ofMillis(integer(env, RETRY_BASE_DELAY_MILLIS, 200, 1, 60_000)),
        table(env),
        accountId(env),
        routes,
        logAccess(env));
  }

  /**
   * {@code ROUTES} parsed ({@code null} when unset); fails naming a per-target variable beside it.
   */
  private static Routes routes(Map<String, String> env) {
    String v = value(env, ROUTES);
    if (v == null) {
      return null;
    }
    for (String other : PER_TARGET_VARIABLES) {
      if (value(env, other) != null) {
        throw new ConfigException(
            ROUTES,
            "is set together with "
                + other
                + ": with a routing table, every target's settings are in "
                + ROUTES);
      }
    }
    try {
      return RoutesJson.parse(v);
    } catch (RoutesJson.RoutesException e) {
      throw new ConfigException(ROUTES, e.getMessage());
    }
  }

  /**
   * The name a build's flag shows ({@code pagure-ci/<name>}): the routing table's target of the
   * CodeBuild project / pipeline, or {@code TARGET_NAME} without a table.
   */
  public TargetNames targetNames() {
    if (routes == null) {
      String name = targetName;
      return (system, resource) -> java.util.Optional.of(name);
    }
    return (system, resource) ->
        routes
            .byResource(
                system == BuildSystem.CODEPIPELINE
                    ? Target.System.CODEPIPELINE
                    : Target.System.CODEBUILD,
                resource)
            .map(Target::name);
  }

  /** Which builds are ours: the configured resources (without a table, none listed = any). */
  public io.pagureci.outbound.domain.Scope scope() {
    return new io.pagureci.outbound.domain.Scope(
        pagureUrl, codeBuildProjects, pipelineNames, routes == null);
  }

  private static LogAccess logAccess(Map<String, String> env) {
    int lines =
        integer(env, LOG_TAIL_LINES, LogAccess.DEFAULT_TAIL_LINES, 1, LogAccess.MAX_TAIL_LINES);
    try {
      return LogAccess.parse(value(env, LOG_ACCESS), lines);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(LOG_ACCESS, e.getMessage());
    }
  }

  /** Whether request events can be handled: the build records are configured. */
  public boolean buildRecordsConfigured() {
    return buildRecordsTable != null;
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static String required(Map<String, String> env, String name) {
    String v = value(env, name);
    if (v == null) {
      throw new ConfigException(name, "is required");
    }
    return v;
  }

  private static String pagureUrl(Map<String, String> env) {
    String v = required(env, PAGURE_URL);
    try {
      PagureBaseUrl.check(v);
    } catch (PagureBaseUrl.Invalid e) {
      throw e.problem() == PagureBaseUrl.Problem.NOT_A_URL
          ? new ConfigException(PAGURE_URL, "is not a valid URL")
          : new ConfigException(
              PAGURE_URL,
              "must be an http(s) URL with a host and no query, fragment or credentials");
    }
    return normaliseUrl(v);
  }

  /** {@code url} with exactly one trailing slash. */
  public static String normaliseUrl(String url) {
    String s = url.trim();
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end) + "/";
  }

  private static <E extends Enum<E>> E choice(
      Map<String, String> env,
      String name,
      E[] values,
      java.util.function.Function<E, String> wire,
      E fallback) {
    String v = value(env, name);
    if (v == null) {
      return fallback;
    }
    for (E e : values) {
      if (wire.apply(e).equals(v)) {
        return e;
      }
    }
    throw new ConfigException(name, "must be one of " + Arrays.stream(values).map(wire).toList());
  }

  private static String flagUsername(Map<String, String> env) {
    String v = value(env, FLAG_USERNAME);
    if (v != null && (v.length() > 255 || v.chars().anyMatch(Character::isISOControl))) {
      throw new ConfigException(FLAG_USERNAME, "must be at most 255 printable characters");
    }
    return v;
  }

  private static String targetName(Map<String, String> env) {
    String v = value(env, TARGET_NAME);
    if (v == null) {
      return FlagMapper.DEFAULT_TARGET_NAME;
    }
    if (!FlagMapper.TARGET_NAME.matcher(v).matches()) {
      throw new ConfigException(
          TARGET_NAME, "must be 1-32 of A-Z a-z 0-9 . _ - (starting with a letter or digit)");
    }
    return v;
  }

  private static String urlTemplate(Map<String, String> env) {
    String v = value(env, BUILD_URL_TEMPLATE);
    if (v == null) {
      return null;
    }
    if (!(v.startsWith("https://") || v.startsWith("http://"))) {
      throw new ConfigException(BUILD_URL_TEMPLATE, "must start with https:// or http://");
    }
    Matcher m = PLACEHOLDER.matcher(v);
    while (m.find()) {
      if (!URL_PLACEHOLDERS.contains(m.group(1))) {
        throw new ConfigException(
            BUILD_URL_TEMPLATE,
            "unknown placeholder {" + m.group(1) + "}; known: " + URL_PLACEHOLDERS);
      }
    }
    String rest = PLACEHOLDER.matcher(v).replaceAll("x");
    if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0 || rest.chars().anyMatch(c -> c <= ' ')) {
      throw new ConfigException(BUILD_URL_TEMPLATE, "has an unbalanced brace or whitespace");
    }
    return v;
  }

  private static String table(Map<String, String> env) {
    String v = value(env, BUILD_RECORDS_TABLE);
    if (v != null && !TABLE.matcher(v).matches()) {
      throw new ConfigException(
          BUILD_RECORDS_TABLE,
          "is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .) or table ARN");
    }
    return v;
  }

  private static String accountId(Map<String, String> env) {
    String v = value(env, ACCOUNT_ID);
    if (v != null && !ACCOUNT.matcher(v).matches()) {
      throw new ConfigException(ACCOUNT_ID, "must be a 12-digit AWS account id");
    }
    return v;
  }

  private static Set<String> list(Map<String, String> env, String name, Predicate<String> valid) {
    String v = value(env, name);
    if (v == null) {
      return Set.of();
    }
    List<String> items = new ArrayList<>();
    for (String item : v.split(",")) {
      String s = item.trim();
      if (s.isEmpty()) {
        continue;
      }
      if (!valid.test(s)) {
        throw new ConfigException(name, "'" + s + "' is not a valid name");
      }
      items.add(s);
    }
    return new LinkedHashSet<>(items);
  }

  private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
    String v = value(env, name);
    if (v == null) {
      return fallback;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(name, "must be an integer");
    }
    if (n < min || n > max) {
      throw new ConfigException(name, "must be between " + min + " and " + max);
    }
    return n;
  }
}
