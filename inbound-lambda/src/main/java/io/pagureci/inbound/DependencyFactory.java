package io.pagureci.inbound;

import io.pagureci.inbound.aws.CodeBuildStarter;
import io.pagureci.inbound.aws.CodeBuildStopper;
import io.pagureci.inbound.aws.CodePipelineStarter;
import io.pagureci.inbound.aws.CodePipelineStopper;
import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.aws.DynamoDbCurrentHeads;
import io.pagureci.inbound.aws.EventBridgeRequestEvents;
import io.pagureci.inbound.aws.SdkPriming;
import io.pagureci.inbound.aws.SecretsManagerSecrets;
import io.pagureci.inbound.aws.SqsWorkQueue;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.QueueConfig;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.BuildStopper;
import io.pagureci.inbound.domain.CurrentHeads;
import io.pagureci.inbound.domain.DecisionLog;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RequestEvents;
import io.pagureci.inbound.domain.Secrets;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.inbound.domain.WorkLog;
import io.pagureci.inbound.domain.WorkQueue;
import io.pagureci.inbound.domain.WorkerService;
import io.pagureci.inbound.pagure.PagureApiMembers;
import io.pagureci.inbound.source.JGitSourcePackager;
import io.pagureci.init.Lazy;
import io.pagureci.pagure.routing.Target;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Wires the real adapters once per container. SDK clients: region from {@code AWS_REGION},
 * credentials from the default chain (SnapStart-safe), the light URL-connection HTTP client, and
 * endpoints from the SDK's own {@code AWS_ENDPOINT_URL*} support (how tests point them at local
 * stand-ins — there is no test-only code path here).
 */
public final class DependencyFactory {

  private final InboundConfig config;
  private final QueueConfig queueConfig;
  private static final Logger log = LoggerFactory.getLogger(DependencyFactory.class);

  private final Path tempRoot;
  // Built on first use, not at init: a request that is rejected before any AWS call (bad
  // signature header, malformed body) then never pays for the SDK clients (~1 s of class loading
  // and set-up on a cold JVM with Lambda's flags). SnapStart's beforeCheckpoint builds them all
  // (initAll), so a snapshot still holds them.
  private final Lazy<SecretsManagerSecrets> secrets;
  private final Lazy<DynamoDbClient> dynamo;
  private final Lazy<BuildClaims> claims;
  private final Lazy<WorkQueue> queue;
  private final Lazy<RequestEvents> events;
  // What only the worker uses (S3, the build services, JGit), wired on the worker's first use: the
  // accept function never loads those types (docs/performance.md §3).
  private final Lazy<WorkerParts> worker;

  public DependencyFactory(InboundConfig config, QueueConfig queueConfig, Path tempRoot) {
    this.config = config;
    this.queueConfig = queueConfig;
    this.tempRoot = tempRoot;
    this.secrets = new Lazy<>(() -> Clients.secrets(config));
    this.dynamo = new Lazy<>(Clients::dynamo);
    this.claims =
        new Lazy<>(
            () ->
                new DynamoDbBuildClaims(
                    dynamo.get(),
                    queueConfig.buildRecordsTable(),
                    queueConfig.claimLease(),
                    queueConfig.recordTtlDays()));
    this.queue = new Lazy<>(() -> Clients.queue(queueConfig));
    this.events = new Lazy<>(() -> Clients.events(queueConfig));
    this.worker = new Lazy<>(() -> new WorkerParts(config, queueConfig, tempRoot, dynamo));
  }

  /** The worker's own adapters, each still built on first use. */
  private static final class WorkerParts {
    final Lazy<S3Client> s3;
    final Lazy<CodeBuildClient> codeBuild;
    final Lazy<CodePipelineClient> codePipeline;
    final Lazy<BuildStarter> codeBuildStarter;
    final Lazy<BuildStarter> codePipelineStarter;
    final Lazy<JGitSourcePackager> packager;
    final Lazy<CurrentHeads> heads;

    WorkerParts(
        InboundConfig config, QueueConfig queueConfig, Path tempRoot, Lazy<DynamoDbClient> dynamo) {
      this.s3 = new Lazy<>(() -> Clients.s3(config));
      // one client per build service, built when a target of that service first builds or stops
      this.codeBuild = new Lazy<>(Clients::codeBuild);
      this.codePipeline = new Lazy<>(Clients::codePipeline);
      this.codeBuildStarter = new Lazy<>(() -> new CodeBuildStarter(codeBuild.get()));
      this.codePipelineStarter =
          new Lazy<>(
              () ->
                  new CodePipelineStarter(
                      codePipeline.get(),
                      config.pipelineSourceAction(),
                      config.pipelineOverrideS3Key()));
      this.packager = new Lazy<>(() -> JGitSourcePackager.fromConfig(config, s3.get(), tempRoot));
      this.heads =
          new Lazy<>(
              () ->
                  new DynamoDbCurrentHeads(
                      dynamo.get(), queueConfig.buildRecordsTable(), queueConfig.recordTtlDays()));
    }

    Lazy<BuildStarter> starter(Target.System system) {
      return system == Target.System.CODEPIPELINE ? codePipelineStarter : codeBuildStarter;
    }

    /**
     * Stops a build on the service its head names, with the client the starter uses (built on the
     * first stop of a service the starter does not use).
     */
    BuildStopper stopper() {
      Lazy<BuildStopper> codeBuildStopper = new Lazy<>(() -> new CodeBuildStopper(codeBuild.get()));
      Lazy<BuildStopper> pipelineStopper =
          new Lazy<>(() -> new CodePipelineStopper(codePipeline.get()));
      return (build, reason) ->
          switch (build.system()) {
            case "codebuild" -> codeBuildStopper.get().stop(build, reason);
            case "codepipeline" -> pipelineStopper.get().stop(build, reason);
            default ->
                throw new BuildStopper.StopException(
                    "no build service " + build.system() + " to stop " + build.id(), false, null);
          };
    }
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
          SecretsManagerClient.builder()
              .httpClientBuilder(UrlConnectionHttpClient.builder())
              .build(),
          config.secretsTtl(),
          Clock.systemUTC());
    }

    static CodeBuildClient codeBuild() {
      return CodeBuildClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static CodePipelineClient codePipeline() {
      return CodePipelineClient.builder()
          .httpClientBuilder(UrlConnectionHttpClient.builder())
          .build();
    }

    static DynamoDbClient dynamo() {
      return DynamoDbClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static WorkQueue queue(QueueConfig q) {
      return new SqsWorkQueue(
          SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
          q.workQueueUrl());
    }

    static RequestEvents events(QueueConfig q) {
      return new EventBridgeRequestEvents(
          EventBridgeClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
          q.eventBusName());
    }
  }

  /** Reads the configuration from the process environment; fails naming a bad variable. */
  public static DependencyFactory fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  public static DependencyFactory fromEnvironment(Map<String, String> env) {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "pagure-ci-inbound");
    return new DependencyFactory(InboundConfig.fromEnv(env), QueueConfig.fromEnv(env), tmp);
  }

  /** The accept function's service: authenticates, validates, queues (no packager, no starter). */
  public InboundService inboundService() {
    Secrets lazySecrets =
        new Secrets() {
          @Override
          public String read(String id) throws SecretsUnavailableException {
            return secrets.get().read(id);
          }

          @Override
          public String reread(String id) throws SecretsUnavailableException {
            return secrets.get().reread(id);
          }
        };
    WorkQueue lazyQueue =
        new WorkQueue() {
          @Override
          public String send(WorkItem item) throws QueueException {
            return queue.get().send(item);
          }

          @Override
          public void retryAfter(String receiptHandle, java.time.Duration delay)
              throws QueueException {
            queue.get().retryAfter(receiptHandle, delay);
          }
        };
    return new InboundService(
        config,
        lazySecrets,
        lazy(claims),
        lazyQueue,
        event -> events.get().publish(event),
        new DecisionLog(),
        Clock.systemUTC(),
        queueConfig.cancelSuperseded());
  }

  /** The worker's service: claims, fetches, packages, starts, reports. */
  public WorkerService workerService() {
    WorkerParts w = worker.get();
    return new WorkerService(
        config,
        queueConfig,
        (plan, key) -> w.packager.get().pack(plan, key),
        (item, target, source) -> w.starter(target.system()).get().start(item, target, source),
        lazy(claims),
        w.heads.get(),
        w.stopper(),
        new PagureApiMembers(config.pagureUrl(), config.gitTimeout()),
        event -> events.get().publish(event),
        queue.get(),
        new WorkLog(),
        Clock.systemUTC());
  }

  private static BuildClaims lazy(Lazy<BuildClaims> claims) {
    return new BuildClaims() {
      @Override
      public Claim claim(String key, String deliveryId, String commit, Instant now)
          throws RecordException {
        return claims.get().claim(key, deliveryId, commit, now);
      }

      @Override
      public boolean awaitingApproval(String key, String deliveryId, String commit, Instant now)
          throws RecordException {
        return claims.get().awaitingApproval(key, deliveryId, commit, now);
      }

      @Override
      public void started(Claimed claim, StartedBuild build, PackagedSource source, Instant now)
          throws RecordException, ClaimLostException {
        claims.get().started(claim, build, source, now);
      }

      @Override
      public void failed(Claimed claim, String code, String reason, Instant now)
          throws RecordException, ClaimLostException {
        claims.get().failed(claim, code, reason, now);
      }

      @Override
      public void release(Claimed claim, Instant now) throws RecordException, ClaimLostException {
        claims.get().release(claim, now);
      }

      @Override
      public boolean stopping(String key, String buildId, String reason, Instant now)
          throws RecordException {
        return claims.get().stopping(key, buildId, reason, now);
      }

      @Override
      public Optional<Record> find(String key) throws RecordException {
        return claims.get().find(key);
      }
    };
  }

  /**
   * Builds the accept function's clients now and primes the SDK's request path (SnapStart: before
   * the snapshot is taken; no network call is made).
   */
  public void initAll() {
    secrets.get();
    claims.get();
    queue.get();
    events.get();
    try {
      // the SDK's request path (endpoints, signing, marshalling), on throw-away clients answered in
      // memory
      SdkPriming.primeAll();
    } catch (RuntimeException e) {
      log.warn("SDK priming failed: {}", e.toString());
    }
  }

  /**
   * The worker's SnapStart priming: builds its clients and runs the packager once on a generated
   * local repository (fetch + zip, no network), so a restored worker starts with those classes
   * loaded and their hot loops compiled.
   */
  public void primeWorker() {
    WorkerParts w = worker.get();
    w.s3.get();
    // the services the routing table's targets use
    for (Target.System system :
        config.routes().targets().stream().map(Target::system).distinct().toList()) {
      w.starter(system).get();
    }
    claims.get();
    w.heads.get();
    queue.get();
    events.get();
    try {
      w.packager.get().prime();
    } catch (java.io.IOException | RuntimeException e) {
      // priming only saves time; a restored function packages without it
      log.warn("packager priming failed: {}", e.toString());
    }
  }

  /** Forgets cached secret values (SnapStart: after a restore); nothing to do if none was read. */
  public void clearSecrets() {
    secrets.ifBuilt(SecretsManagerSecrets::clear);
  }

  public Path tempRoot() {
    return tempRoot;
  }
}
