package io.pagureci.outbound;

import io.pagureci.init.ConfigException;
import io.pagureci.init.Lazy;
import io.pagureci.outbound.adapters.CloudWatchLogsBuildLogReader;
import io.pagureci.outbound.adapters.CodeBuildPublicProjects;
import io.pagureci.outbound.adapters.CodeBuildStatusLookup;
import io.pagureci.outbound.adapters.CodePipelineStatusLookup;
import io.pagureci.outbound.adapters.DynamoDbBuildRecordLookup;
import io.pagureci.outbound.adapters.DynamoDbCommentLedger;
import io.pagureci.outbound.adapters.InvocationDeadline;
import io.pagureci.outbound.adapters.PagureCiWebhook;
import io.pagureci.outbound.adapters.PagureCommentApi;
import io.pagureci.outbound.adapters.PagureFlagApi;
import io.pagureci.outbound.adapters.PagureHttp;
import io.pagureci.outbound.adapters.RetryPolicy;
import io.pagureci.outbound.adapters.SecretsManagerTokenProvider;
import io.pagureci.outbound.config.OutboundConfig;
import io.pagureci.outbound.domain.BuildProvenance;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.CommentLedger;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.LogAccess;
import io.pagureci.outbound.domain.LogCommentService;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.PublicProjects;
import io.pagureci.outbound.domain.RequestEventService;
import io.pagureci.outbound.domain.Scope;
import io.pagureci.outbound.domain.TokenProvider;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Wires the real clients: SDK clients on one URL-connection HTTP client, region from {@code
 * AWS_REGION}, credentials from the SDK's default chain (the key variables Lambda sets), endpoints
 * only through the SDK's own {@code AWS_ENDPOINT_URL*} / {@code aws.endpointUrl*} support.
 *
 * <p>The SDK clients and the HTTP clients are built on first use, not at init: a terminal CodeBuild
 * event needs only the secret and the pagure POST, and a dropped or ignored event needs no client
 * at all, so neither pays for the CodeBuild / CodePipeline clients on a cold start
 * (docs/performance.md). The DynamoDB client (build records) is built by the first event that needs
 * a record: a request event, or a build event that looks like ours (its record is read to check
 * that this stack started the build, {@code BuildProvenance}).
 */
public final class DependencyFactory {
  /**
   * AWS calls (secret, status lookups) are bounded so that one event stays well inside the function
   * timeout.
   */
  static final Duration SDK_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  static final Duration SDK_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration SDK_CALL_TIMEOUT = Duration.ofSeconds(12);

  /** Set by the Lambda runtime. */
  public static final String AWS_REGION = "AWS_REGION";

  private final OutboundConfig config;
  private final Lazy<SdkHttpClient> sdkHttp;
  private final Lazy<SecretsManagerClient> secrets;
  private final Lazy<CodeBuildClient> codeBuild;
  private final Lazy<CodePipelineClient> codePipeline;
  private final Lazy<DynamoDbClient> dynamo;
  private final Lazy<CloudWatchLogsBuildLogReader> logs;
  private final Lazy<HttpClient> pagureClient;

  private DependencyFactory(OutboundConfig config, Region region, Map<String, String> env) {
    this.config = config;
    this.sdkHttp =
        new Lazy<>(
            () ->
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(SDK_CONNECT_TIMEOUT)
                    .socketTimeout(SDK_ATTEMPT_TIMEOUT)
                    .build());
    this.secrets =
        new Lazy<>(
            () ->
                SecretsManagerClient.builder()
                    .region(region)
                    .httpClient(sdkHttp.get())
                    .overrideConfiguration(sdkTimeouts())
                    .build());
    this.codeBuild =
        new Lazy<>(
            () ->
                CodeBuildClient.builder()
                    .region(region)
                    .httpClient(sdkHttp.get())
                    .overrideConfiguration(sdkTimeouts())
                    .build());
    this.codePipeline =
        new Lazy<>(
            () ->
                CodePipelineClient.builder()
                    .region(region)
                    .httpClient(sdkHttp.get())
                    .overrideConfiguration(sdkTimeouts())
                    .build());
    this.dynamo =
        new Lazy<>(
            () ->
                DynamoDbClient.builder()
                    .region(region)
                    .httpClient(sdkHttp.get())
                    .overrideConfiguration(sdkTimeouts())
                    .build());
    this.logs =
        new Lazy<>(
            () ->
                new CloudWatchLogsBuildLogReader(
                    sdkHttp::get,
                    DefaultCredentialsProvider.builder().build(),
                    region,
                    CloudWatchLogsBuildLogReader.endpoint(System::getProperty, env, region),
                    Duration.ofMillis(500)));
    this.pagureClient = new Lazy<>(() -> PagureHttp.newClient(config.pagureTimeout()));
  }

  /** Reads and checks the configuration (fails naming a bad variable); builds no client. */
  public static DependencyFactory fromEnv(Map<String, String> env) {
    OutboundConfig config = OutboundConfig.fromEnv(env);
    String regionName = env.get(AWS_REGION);
    if (regionName == null || regionName.isBlank()) {
      throw new ConfigException(AWS_REGION, "is required (the Lambda runtime sets it)");
    }
    return new DependencyFactory(
        config,
        Region.of(regionName.trim()),
        java.util.Collections.unmodifiableMap(new java.util.HashMap<>(env)));
  }

  /**
   * What the handler needs: the services (build events, request events) and the deadline of the
   * invocation.
   */
  public record Wiring(
      OutboundService service, RequestEventService requests, InvocationDeadline deadline) {}

  public static Wiring create(Map<String, String> env) {
    return fromEnv(env).wire();
  }

  /** The service over lazily built clients. */
  public Wiring wire() {
    TokenProvider tokens =
        new SecretsManagerTokenProvider(
            secrets::get, config.tokenSecretId(), config.tokenTtl(), Clock.systemUTC());
    InvocationDeadline deadline = new InvocationDeadline();
    PagureHttp pagure =
        new PagureHttp(
            pagureClient::get,
            tokens,
            config.pagureTimeout(),
            new RetryPolicy(config.retryMaxAttempts(), config.retryBaseDelay()),
            deadline);
    FlagReporter reporter =
        switch (config.reporter()) {
          case FLAG_API ->
              new PagureFlagApi(
                  config.pagureUrl(),
                  config.flagEndpoint() == OutboundConfig.FlagEndpoint.PULL_REQUEST,
                  pagure);
          case CI_WEBHOOK -> new PagureCiWebhook(config.pagureUrl(), pagure);
        };
    BuildStatusLookup codeBuildLookup =
        ref -> new CodeBuildStatusLookup(codeBuild.get()).lookup(ref);
    BuildStatusLookup codePipelineLookup =
        ref -> new CodePipelineStatusLookup(codePipeline.get()).lookup(ref);
    Scope scope = config.scope();
    PublicProjects publicProjects = null;
    if (config.logAccess().link() == LogAccess.Link.PUBLIC) {
      Lazy<CodeBuildPublicProjects> lookup =
          new Lazy<>(() -> new CodeBuildPublicProjects(codeBuild.get()));
      publicProjects = project -> lookup.get().alias(project);
    }
    FlagMapper mapper =
        new FlagMapper(
            config.flagUsername(),
            config.targetNames(),
            new BuildUrls(config.buildUrlTemplate(), publicProjects));
    BuildRecordLookup records =
        config.buildRecordsConfigured()
            ? buildKey ->
                new DynamoDbBuildRecordLookup(dynamo.get(), config.buildRecordsTable())
                    .find(buildKey)
            : null;
    BuildProvenance provenance = new BuildProvenance(records, config.accountId());
    OutboundService service =
        new OutboundService(
            scope,
            provenance,
            mapper,
            reporter,
            codeBuildLookup,
            codePipelineLookup,
            comments(tokens, deadline, pagure));
    return new Wiring(service, requests(scope, mapper, reporter, records, service), deadline);
  }

  /**
   * {@code LOG_ACCESS=…,comment}: the log-tail comments ({@code null} otherwise). The POST goes
   * through a pagure client with a single attempt (a repeated POST could comment twice); the
   * service asks pagure for the marker before trying again. A lease lasts the rest of the
   * invocation plus {@link #LEASE_MARGIN}, so it ends only when its holder can no longer post.
   */
  private LogCommentService comments(
      TokenProvider tokens, InvocationDeadline deadline, PagureHttp reads) {
    if (!config.logAccess().comment()) {
      return null;
    }
    PagureHttp once =
        new PagureHttp(
            pagureClient::get,
            tokens,
            config.pagureTimeout(),
            new RetryPolicy(1, config.retryBaseDelay()),
            deadline);
    return new LogCommentService(
        config.logAccess(),
        (where, startAt, max) -> logs.get().lastLines(where, startAt, max),
        new PagureCommentApi(config.pagureUrl(), once, reads),
        lazyLedger(),
        Clock.systemUTC(),
        () -> deadline.remaining(LEASE_FALLBACK).plus(LEASE_MARGIN),
        config.retryMaxAttempts(),
        new RetryPolicy(config.retryMaxAttempts(), config.retryBaseDelay()).delayAfter(1),
        DependencyFactory::sleep);
  }

  /** The ledger over the DynamoDB client, built by the first comment. */
  private CommentLedger lazyLedger() {
    Lazy<DynamoDbCommentLedger> ledger =
        new Lazy<>(() -> new DynamoDbCommentLedger(dynamo.get(), config.buildRecordsTable()));
    return new CommentLedger() {
      @Override
      public Lease acquire(String commentId, String buildKey, Instant now, Duration lease) {
        return ledger.get().acquire(commentId, buildKey, now, lease);
      }

      @Override
      public void posted(String commentId, String owner, Instant now) {
        ledger.get().posted(commentId, owner, now);
      }

      @Override
      public void release(String commentId, String owner) {
        ledger.get().release(commentId, owner);
      }
    };
  }

  /** Added to a comment lease beyond the rest of the invocation (clock skew, the write itself). */
  static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

  /** A lease taken outside an invocation (tests without a deadline). */
  static final Duration LEASE_FALLBACK = Duration.ofSeconds(60);

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }

  private RequestEventService requests(
      Scope scope,
      FlagMapper mapper,
      FlagReporter reporter,
      BuildRecordLookup records,
      OutboundService service) {
    if (!config.buildRecordsConfigured()) {
      return RequestEventService.disabled(
          OutboundConfig.BUILD_RECORDS_TABLE
              + " is not set: without the build records a \"queued\" flag could overwrite the build's own");
    }
    if (config.reporter() == OutboundConfig.Reporter.CI_WEBHOOK) {
      return RequestEventService.disabled(
          "REPORTER=ci-webhook: its status document describes a build,"
              + " and a request has none yet");
    }
    return new RequestEventService(scope, config.accountId(), mapper, reporter, records, service);
  }

  boolean secretsManagerBuilt() {
    return secrets.isBuilt();
  }

  boolean codeBuildBuilt() {
    return codeBuild.isBuilt();
  }

  boolean codePipelineBuilt() {
    return codePipeline.isBuilt();
  }

  boolean logReaderBuilt() {
    return logs.isBuilt();
  }

  boolean dynamoDbBuilt() {
    return dynamo.isBuilt();
  }

  private static ClientOverrideConfiguration sdkTimeouts() {
    return ClientOverrideConfiguration.builder()
        .apiCallAttemptTimeout(SDK_ATTEMPT_TIMEOUT)
        .apiCallTimeout(SDK_CALL_TIMEOUT)
        .build();
  }
}
