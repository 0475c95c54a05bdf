package io.pagureci.inbound;

import io.pagureci.inbound.aws.CodeBuildStarter;
import io.pagureci.inbound.aws.CodePipelineStarter;
import io.pagureci.inbound.aws.S3BuildRecords;
import io.pagureci.inbound.aws.SdkPriming;
import io.pagureci.inbound.aws.SecretsManagerSecrets;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.domain.BuildRecords;
import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.DecisionLog;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.domain.Secrets;
import io.pagureci.inbound.domain.SourcePackager;
import io.pagureci.inbound.source.JGitSourcePackager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Wires the real adapters once per container. SDK clients: region from {@code AWS_REGION},
 * credentials from the default chain (SnapStart-safe), the light URL-connection HTTP client, and
 * endpoints from the SDK's own {@code AWS_ENDPOINT_URL*} support (how tests point them at local
 * stand-ins — there is no test-only code path here).
 */
public final class DependencyFactory {

  private final InboundConfig config;
  private static final Logger log = LoggerFactory.getLogger(DependencyFactory.class);

  private final Path tempRoot;
  // Built on first use, not at init: a request that is rejected before any AWS call (bad
  // signature header, malformed body) then never pays for the SDK clients (~1 s of class loading
  // and set-up on a cold JVM with Lambda's flags) nor for JGit's set-up (docs/performance.md).
  // SnapStart's beforeCheckpoint builds them all (initAll), so a snapshot still holds them.
  private final Lazy<S3Client> s3;
  private final Lazy<SecretsManagerSecrets> secrets;
  private final Lazy<BuildStarter> starter;
  private final Lazy<JGitSourcePackager> packager;
  private final Lazy<S3BuildRecords> records;

  public DependencyFactory(InboundConfig config, Path tempRoot) {
    this.config = config;
    this.tempRoot = tempRoot;
    this.s3 = new Lazy<>(() -> Clients.s3(config));
    this.secrets = new Lazy<>(() -> Clients.secrets(config));
    this.starter = new Lazy<>(() -> Clients.starter(config));
    this.packager = new Lazy<>(() -> JGitSourcePackager.fromConfig(config, s3.get(), tempRoot));
    this.records = new Lazy<>(() -> new S3BuildRecords(s3.get(), config.sourceBucket(), config.sourcePrefix()));
  }

  /**
   * The SDK client builders, in a class of their own: verifying code that passes SDK builder types
   * loads those types, and this class is only loaded when a client is built.
   */
  private static final class Clients {

    static S3Client s3(InboundConfig config) {
      return S3Client.builder()
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .forcePathStyle(config.s3ForcePathStyle())
          .build();
    }

    static SecretsManagerSecrets secrets(InboundConfig config) {
      return new SecretsManagerSecrets(
          SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
          config.secretsTtl(), Clock.systemUTC());
    }

    static BuildStarter starter(InboundConfig config) {
      return switch (config.buildTarget()) {
        case CODEBUILD -> new CodeBuildStarter(
            CodeBuildClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
            config.codebuildProject());
        case CODEPIPELINE -> new CodePipelineStarter(
            CodePipelineClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
            config.pipelineName(), config.pipelineSourceAction(), config.pipelineOverrideS3Key());
      };
    }
  }

  /** Reads the configuration from the process environment; fails naming a bad variable. */
  public static DependencyFactory fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  public static DependencyFactory fromEnvironment(Map<String, String> env) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "pagure-ci-inbound");
    return new DependencyFactory(InboundConfig.fromEnv(env), tmp);
  }

  public InboundService inboundService() {
    Secrets lazySecrets = id -> secrets.get().read(id);
    SourcePackager lazyPackager = (plan, key) -> packager.get().pack(plan, key);
    BuildStarter lazyStarter = (request, source, token) -> starter.get().start(request, source, token);
    BuildRecords lazyRecords = new BuildRecords() {
      @Override
      public Optional<BuildRecord> find(String idempotencyToken) throws RecordException {
        return records.get().find(idempotencyToken);
      }

      @Override
      public void save(String idempotencyToken, BuildRecord record) throws RecordException {
        records.get().save(idempotencyToken, record);
      }
    };
    return new InboundService(config, lazySecrets, lazyPackager, lazyStarter, lazyRecords, new DecisionLog());
  }

  /**
   * Builds every client now and runs the packager once on a local repository (SnapStart: before
   * the snapshot is taken; no network call is made).
   */
  public void initAll() {
    s3.get();
    secrets.get();
    starter.get();
    records.get();
    try {
      // the fetch + zip path without network: classes loaded and hot loops compiled in the snapshot
      packager.get().prime();
    } catch (IOException | RuntimeException e) {
      // priming only saves time; a restored function packages without it
      log.warn("packager priming failed: {}", e.toString());
    }
    try {
      // every SDK request the function makes, on throw-away clients answered in memory
      SdkPriming.primeAll();
    } catch (RuntimeException e) {
      log.warn("SDK priming failed: {}", e.toString());
    }
  }

  /** Forgets cached secret values (SnapStart: after a restore); nothing to do if none was read. */
  public void clearSecrets() {
    secrets.ifBuilt(SecretsManagerSecrets::clear);
  }

  public Path tempRoot() {
    return tempRoot;
  }

  /** A value built once, on first use (thread-safe). */
  static final class Lazy<T> {
    private final Supplier<T> factory;
    private volatile T value;

    Lazy(Supplier<T> factory) {
      this.factory = factory;
    }

    T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) {
            v = factory.get();
            value = v;
          }
        }
      }
      return v;
    }

    void ifBuilt(java.util.function.Consumer<T> action) {
      T v = value;
      if (v != null) {
        action.accept(v);
      }
    }
  }
}
