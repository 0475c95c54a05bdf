package io.pagureci.inbound.config;

import io.pagureci.init.ConfigException;
import io.pagureci.pagure.OnOff;
import io.pagureci.pagure.PagureBaseUrl;
import io.pagureci.pagure.routing.NameGlobs;
import io.pagureci.pagure.routing.Routes;
import io.pagureci.pagure.routing.RoutesJson;
import io.pagureci.pagure.routing.Target;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The inbound Lambda's configuration, read once from environment variables at init and validated. A
 * missing or malformed variable fails with a {@link ConfigException} naming it. The CDK stack sets
 * exactly these variables (see docs/configuration.md).
 *
 * <p>Which projects build, and with which targets, is the routing table {@link #routes()}: {@code
 * ROUTES} (set by the stack), or without it the one-rule table of {@code ALLOWED_PROJECTS}, {@code
 * BUILD_BRANCHES}, {@code BUILD_TARGET}, {@code CODEBUILD_PROJECT} / {@code PIPELINE_NAME}, {@code
 * TRUSTED_BUILDSPEC} and {@code TRUSTED_BUILDSPEC_PATH}, whose one target is named {@value
 * #LEGACY_TARGET_NAME}. {@code ROUTES} together with any of those fails naming both.
 */
public record InboundConfig(
    URI pagureUrl,
    Routes routes,
    String hookKeysSecretId,
    String ciBasicAuthSecretId,
    List<String> ciAllowedCallers,
    String sourceBucket,
    String sourcePrefix,
    String pipelineSourceAction,
    boolean pipelineOverrideS3Key,
    String rebuildPhrase,
    Duration refWait,
    Duration gitTimeout,
    Duration secretsTtl,
    boolean s3ForcePathStyle,
    Duration maxDeliveryAge,
    SourceLimits sourceLimits,
    ContributorPolicy contributorPolicy,
    RebuildPolicy rebuildPolicy) {

  public static final String PAGURE_URL = "PAGURE_URL";
  public static final String ALLOWED_PROJECTS = "ALLOWED_PROJECTS";
  public static final String HOOK_KEYS_SECRET_ID = "HOOK_KEYS_SECRET_ID";
  public static final String CI_BASIC_AUTH_SECRET_ID = "CI_BASIC_AUTH_SECRET_ID";
  public static final String CI_ALLOWED_CALLERS = "CI_ALLOWED_CALLERS";
  public static final String SOURCE_BUCKET = "SOURCE_BUCKET";
  public static final String SOURCE_PREFIX = "SOURCE_PREFIX";
  public static final String BUILD_TARGET = "BUILD_TARGET";
  public static final String CODEBUILD_PROJECT = "CODEBUILD_PROJECT";
  public static final String PIPELINE_NAME = "PIPELINE_NAME";
  public static final String PIPELINE_SOURCE_ACTION = "PIPELINE_SOURCE_ACTION";
  public static final String PIPELINE_OVERRIDE_S3_KEY = "PIPELINE_OVERRIDE_S3_KEY";
  public static final String TRUSTED_BUILDSPEC = "TRUSTED_BUILDSPEC";
  public static final String TRUSTED_BUILDSPEC_PATH = "TRUSTED_BUILDSPEC_PATH";
  public static final String REBUILD_PHRASE = "REBUILD_PHRASE";
  public static final String BUILD_BRANCHES = "BUILD_BRANCHES";
  public static final String REF_WAIT_SECONDS = "REF_WAIT_SECONDS";
  public static final String GIT_TIMEOUT_SECONDS = "GIT_TIMEOUT_SECONDS";
  public static final String SECRETS_TTL_SECONDS = "SECRETS_TTL_SECONDS";
  public static final String S3_FORCE_PATH_STYLE = "S3_FORCE_PATH_STYLE";
  public static final String MAX_DELIVERY_AGE_SECONDS = "MAX_DELIVERY_AGE_SECONDS";
  public static final String MAX_SOURCE_BYTES = "MAX_SOURCE_BYTES";
  public static final String MAX_FILE_BYTES = "MAX_FILE_BYTES";
  public static final String MAX_SOURCE_FILES = "MAX_SOURCE_FILES";
  public static final String MAX_TREE_DEPTH = "MAX_TREE_DEPTH";
  public static final String CONTRIBUTOR_POLICY = "CONTRIBUTOR_POLICY";
  public static final String REBUILD_POLICY = "REBUILD_POLICY";
  public static final String ROUTES = "ROUTES";

  /**
   * The variables of one build target that {@code ROUTES} replaces (docs/configuration.md): set
   * together with it, init fails naming both.
   */
  public static final List<String> PER_TARGET_VARIABLES =
      List.of(
          ALLOWED_PROJECTS,
          BUILD_BRANCHES,
          BUILD_TARGET,
          CODEBUILD_PROJECT,
          PIPELINE_NAME,
          TRUSTED_BUILDSPEC,
          TRUSTED_BUILDSPEC_PATH);

  /** The name of the one target of a configuration without {@code ROUTES}. */
  public static final String LEGACY_TARGET_NAME = "build";

  /** Every variable this function reads (besides the AWS runtime's own). */
  public static final List<String> VARIABLES =
      List.of(
          PAGURE_URL,
          ALLOWED_PROJECTS,
          HOOK_KEYS_SECRET_ID,
          CI_BASIC_AUTH_SECRET_ID,
          CI_ALLOWED_CALLERS,
          SOURCE_BUCKET,
          SOURCE_PREFIX,
          BUILD_TARGET,
          CODEBUILD_PROJECT,
          PIPELINE_NAME,
          PIPELINE_SOURCE_ACTION,
          PIPELINE_OVERRIDE_S3_KEY,
          TRUSTED_BUILDSPEC,
          TRUSTED_BUILDSPEC_PATH,
          REBUILD_PHRASE,
          BUILD_BRANCHES,
          REF_WAIT_SECONDS,
          GIT_TIMEOUT_SECONDS,
          SECRETS_TTL_SECONDS,
          S3_FORCE_PATH_STYLE,
          MAX_DELIVERY_AGE_SECONDS,
          MAX_SOURCE_BYTES,
          MAX_FILE_BYTES,
          MAX_SOURCE_FILES,
          MAX_TREE_DEPTH,
          CONTRIBUTOR_POLICY,
          REBUILD_POLICY,
          ROUTES);

  public static final String DEFAULT_REBUILD_PHRASE = "pretty please pagure-ci rebuild";

  /**
   * The comment by which a member lets a non-member's pull request head build ({@code
   * CONTRIBUTOR_POLICY=approve}; case-insensitive, the whole stripped comment, like the rebuild
   * phrase).
   */
  public static final String APPROVE_PHRASE = "pretty please pagure-ci approve";

  public InboundConfig {
    Objects.requireNonNull(pagureUrl, PAGURE_URL);
    Objects.requireNonNull(routes, ROUTES);
    Objects.requireNonNull(sourceBucket, SOURCE_BUCKET);
    Objects.requireNonNull(sourceLimits, "sourceLimits");
    Objects.requireNonNull(contributorPolicy, CONTRIBUTOR_POLICY);
    Objects.requireNonNull(rebuildPolicy, REBUILD_POLICY);
    ciAllowedCallers = List.copyOf(ciAllowedCallers);
  }

  /** Reads and validates the configuration from {@code env} (normally {@link System#getenv()}). */
  public static InboundConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    URI pagureUrl = parsePagureUrl(r.required(PAGURE_URL));
    Routes routes = routes(r);
    String prefix = r.optional(SOURCE_PREFIX).orElse("source/");
    if (prefix.startsWith("/") || prefix.contains("..")) {
      throw new ConfigException(
          SOURCE_PREFIX, "must be a relative key prefix without '..', was '" + prefix + "'");
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    String phrase = r.optional(REBUILD_PHRASE).orElse(DEFAULT_REBUILD_PHRASE).strip();
    if (phrase.isEmpty()) {
      throw new ConfigException(REBUILD_PHRASE, "must not be blank");
    }
    if (phrase.equalsIgnoreCase(APPROVE_PHRASE)) {
      throw new ConfigException(
          REBUILD_PHRASE, "must not be the approval phrase '" + APPROVE_PHRASE + "'");
    }
    return new InboundConfig(
        pagureUrl,
        routes,
        r.optional(HOOK_KEYS_SECRET_ID).orElse(null),
        r.optional(CI_BASIC_AUTH_SECRET_ID).orElse(null),
        r.list(CI_ALLOWED_CALLERS),
        r.required(SOURCE_BUCKET),
        prefix,
        r.optional(PIPELINE_SOURCE_ACTION).orElse("Source"),
        r.bool(PIPELINE_OVERRIDE_S3_KEY, true),
        phrase,
        r.seconds(REF_WAIT_SECONDS, 20, 0, 600),
        r.seconds(GIT_TIMEOUT_SECONDS, 30, 1, 600),
        r.seconds(SECRETS_TTL_SECONDS, 300, 0, 86_400),
        r.bool(S3_FORCE_PATH_STYLE, false),
        r.seconds(MAX_DELIVERY_AGE_SECONDS, 900, 0, 7 * 86_400),
        new SourceLimits(
            r.positive(
                MAX_SOURCE_BYTES, SourceLimits.DEFAULTS.maxSourceBytes(), "bytes", Long.MAX_VALUE),
            r.positive(
                MAX_FILE_BYTES, SourceLimits.DEFAULTS.maxFileBytes(), "bytes", Long.MAX_VALUE),
            (int)
                r.positive(
                    MAX_SOURCE_FILES,
                    SourceLimits.DEFAULTS.maxSourceFiles(),
                    "entries",
                    Integer.MAX_VALUE),
            (int)
                r.positive(
                    MAX_TREE_DEPTH,
                    SourceLimits.DEFAULTS.maxTreeDepth(),
                    "directories",
                    Integer.MAX_VALUE)),
        r.optional(CONTRIBUTOR_POLICY)
            .map(v -> ContributorPolicy.parse(CONTRIBUTOR_POLICY, v))
            .orElse(ContributorPolicy.DEFAULT),
        r.optional(REBUILD_POLICY)
            .map(v -> RebuildPolicy.parse(REBUILD_POLICY, v))
            .orElse(RebuildPolicy.DEFAULT));
  }

  /**
   * {@code ROUTES}, or the one-rule table of today's variables. Either way the globs are {@link
   * NameGlobs}' (the one definition of their semantics, shared with outbound and the stack).
   */
  private static Routes routes(Reader r) {
    Optional<String> json = r.optional(ROUTES);
    if (json.isPresent()) {
      for (String v : PER_TARGET_VARIABLES) {
        if (r.optional(v).isPresent()) {
          throw new ConfigException(
              ROUTES,
              "is set together with "
                  + v
                  + ": with a routing table, every target's settings are in "
                  + ROUTES);
        }
      }
      try {
        return RoutesJson.parse(json.get());
      } catch (RoutesJson.RoutesException e) {
        throw new ConfigException(ROUTES, e.getMessage());
      }
    }
    Target.System system =
        switch (r.optional(BUILD_TARGET).orElse("codebuild").toLowerCase(Locale.ROOT)) {
          case "codebuild" -> Target.System.CODEBUILD;
          case "codepipeline" -> Target.System.CODEPIPELINE;
          default ->
              throw new ConfigException(
                  BUILD_TARGET,
                  "must be 'codebuild' or 'codepipeline', was '" + r.env().get(BUILD_TARGET) + "'");
        };
    String resource =
        r.required(system == Target.System.CODEBUILD ? CODEBUILD_PROJECT : PIPELINE_NAME);
    String buildspecPath = r.optional(TRUSTED_BUILDSPEC_PATH).orElse("buildspec.yml");
    if (!Target.validBuildspecPath(buildspecPath)) {
      throw new ConfigException(
          TRUSTED_BUILDSPEC_PATH,
          "must be a file path inside the repository, was '" + buildspecPath + "'");
    }
    Target target;
    try {
      target =
          new Target(
              LEGACY_TARGET_NAME,
              system,
              resource,
              r.bool(TRUSTED_BUILDSPEC, true) ? buildspecPath : null);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          system == Target.System.CODEBUILD ? CODEBUILD_PROJECT : PIPELINE_NAME,
          "is not a valid name: " + e.getMessage());
    }
    return Routes.single(globs(ALLOWED_PROJECTS, r), true, globs(BUILD_BRANCHES, r), target);
  }

  private static NameGlobs globs(String variable, Reader r) {
    String value = r.optional(variable).orElse("");
    try {
      return NameGlobs.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable, "has an invalid glob: " + e.getMessage());
    }
  }

  /** The approval phrase ({@link #APPROVE_PHRASE}). */
  public String approvePhrase() {
    return APPROVE_PHRASE;
  }

  /** The clone URL of a validated project fullname: {@code <PAGURE_URL><fullname>.git}. */
  public URI cloneUrl(String projectFullname) {
    return pagureUrl.resolve(projectFullname + ".git");
  }

  public Optional<String> hookKeysSecret() {
    return Optional.ofNullable(hookKeysSecretId);
  }

  public Optional<String> ciBasicAuthSecret() {
    return Optional.ofNullable(ciBasicAuthSecretId);
  }

  static URI parsePagureUrl(String value) {
    URI uri;
    try {
      uri = PagureBaseUrl.check(value.strip());
    } catch (PagureBaseUrl.Invalid e) {
      throw new ConfigException(
          PAGURE_URL,
          switch (e.problem()) {
            case NOT_A_URL -> "is not a URL: " + e.getMessage();
            case NOT_HTTP -> "must be an http(s) URL, was '" + value + "'";
            case NOT_PLAIN ->
                "must be a plain base URL (host, optional port and path; no user, query or"
                    + " fragment)";
          });
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (!path.endsWith("/")) {
      path = path + "/";
    }
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  /** Normalises an instance URL the way {@link #pagureUrl()} is, or empty if it is not one. */
  public static Optional<URI> normaliseInstance(String value) {
    try {
      return Optional.of(parsePagureUrl(value));
    } catch (ConfigException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Reads typed values from an environment map; every failure names the variable. */
  record Reader(Map<String, String> env) {
    Optional<String> optional(String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    String required(String name) {
      return optional(name).orElseThrow(() -> new ConfigException(name, "is required"));
    }

    List<String> list(String name) {
      return optional(name)
          .map(
              v ->
                  Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
          .orElse(List.of());
    }

    boolean bool(String name, boolean dflt) {
      return optional(name)
          .map(
              v ->
                  OnOff.parse(v)
                      .orElseThrow(
                          () ->
                              new ConfigException(name, "must be true or false, was '" + v + "'")))
          .orElse(dflt);
    }

    int count(String name, int dflt, int min, int max) {
      int value;
      try {
        value = optional(name).map(Integer::parseInt).orElse(dflt);
      } catch (NumberFormatException e) {
        throw new ConfigException(name, "must be a whole number, was '" + env.get(name) + "'");
      }
      if (value < min || value > max) {
        throw new ConfigException(
            name, "must be between " + min + " and " + max + ", was " + value);
      }
      return value;
    }

    Duration seconds(String name, long dflt, long min, long max) {
      long value;
      try {
        value = optional(name).map(Long::parseLong).orElse(dflt);
      } catch (NumberFormatException e) {
        throw new ConfigException(
            name, "must be a whole number of seconds, was '" + env.get(name) + "'");
      }
      if (value < min || value > max) {
        throw new ConfigException(
            name, "must be between " + min + " and " + max + ", was " + value);
      }
      return Duration.ofSeconds(value);
    }

    /**
     * A whole number from 1 to {@code max} ({@code unit} names what it counts, for the message).
     */
    long positive(String name, long dflt, String unit, long max) {
      long value;
      try {
        value = optional(name).map(Long::parseLong).orElse(dflt);
      } catch (NumberFormatException e) {
        throw new ConfigException(
            name, "must be a whole number of " + unit + ", was '" + env.get(name) + "'");
      }
      if (value < 1 || value > max) {
        throw new ConfigException(name, "must be between 1 and " + max + ", was " + value);
      }
      return value;
    }
  }
}
