package io.pagureci.outbound;

import io.pagureci.init.Lazy;
import io.pagureci.outbound.adapters.CodeBuildStatusLookup;
import io.pagureci.outbound.adapters.CodePipelineStatusLookup;
import io.pagureci.outbound.adapters.DynamoDbBuildRecordLookup;
import io.pagureci.outbound.adapters.InvocationDeadline;
import io.pagureci.outbound.adapters.PagureCiWebhook;
import io.pagureci.outbound.adapters.PagureFlagApi;
import io.pagureci.outbound.adapters.PagureHttp;
import io.pagureci.outbound.adapters.RetryPolicy;
import io.pagureci.outbound.adapters.SecretsManagerTokenProvider;
import io.pagureci.outbound.config.ConfigException;
import io.pagureci.outbound.config.OutboundConfig;
import io.pagureci.outbound.domain.BuildProvenance;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.RequestEventService;
import io.pagureci.outbound.domain.Scope;
import io.pagureci.outbound.domain.TokenProvider;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
  private final Lazy<HttpClient> pagureClient;

  private DependencyFactory(OutboundConfig config, Region region) {
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
    this.pagureClient = new Lazy<>(() -> PagureHttp.newClient(config.pagureTimeout()));
  }

  /** Reads and checks the configuration (fails naming a bad variable); builds no client. */
  public static DependencyFactory fromEnv(Map<String, String> env) {
    OutboundConfig config = OutboundConfig.fromEnv(env);
    String regionName = env.get(AWS_REGION);
    if (regionName == null || regionName.isBlank()) {
      throw new ConfigException(AWS_REGION, "is required (the Lambda runtime sets it)");
    }
    return new DependencyFactory(config, Region.of(regionName.trim()));
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
    FlagMapper mapper =
        new FlagMapper(
            config.flagUsername(), config.targetNames(), new BuildUrls(config.buildUrlTemplate()));
    BuildRecordLookup records =
        config.buildRecordsConfigured()
            ? buildKey ->
                new DynamoDbBuildRecordLookup(dynamo.get(), config.buildRecordsTable())
                    .find(buildKey)
            : null;
    BuildProvenance provenance = new BuildProvenance(records, config.accountId());
    OutboundService service =
        new OutboundService(
            scope, provenance, mapper, reporter, codeBuildLookup, codePipelineLookup);
    return new Wiring(service, requests(scope, mapper, reporter, records, service), deadline);
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
