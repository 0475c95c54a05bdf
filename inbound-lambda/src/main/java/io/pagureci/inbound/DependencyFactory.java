package io.pagureci.inbound;

import io.pagureci.inbound.aws.CodeBuildStarter;
import io.pagureci.inbound.aws.CodePipelineStarter;
import io.pagureci.inbound.aws.S3BuildRecords;
import io.pagureci.inbound.aws.SecretsManagerSecrets;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.DecisionLog;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.source.JGitSourcePackager;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
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
  private final S3Client s3;
  private final SecretsManagerSecrets secrets;
  private final Path tempRoot;
  private final BuildStarter starter;

  public DependencyFactory(InboundConfig config, Path tempRoot) {
    this.config = config;
    this.tempRoot = tempRoot;
    this.s3 = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .forcePathStyle(config.s3ForcePathStyle())
        .build();
    this.secrets = new SecretsManagerSecrets(
        SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
        config.secretsTtl(), Clock.systemUTC());
    this.starter = switch (config.buildTarget()) {
      case CODEBUILD -> new CodeBuildStarter(
          CodeBuildClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
          config.codebuildProject());
      case CODEPIPELINE -> new CodePipelineStarter(
          CodePipelineClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
          config.pipelineName(), config.pipelineSourceAction(), config.pipelineOverrideS3Key());
    };
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
    return new InboundService(config, secrets,
        new JGitSourcePackager(config.pagureUrl(), s3, config.sourceBucket(), config.gitTimeout(), tempRoot),
        starter, new S3BuildRecords(s3, config.sourceBucket(), config.sourcePrefix()), new DecisionLog());
  }

  public Path tempRoot() {
    return tempRoot;
  }

  public SecretsManagerSecrets secrets() {
    return secrets;
  }
}
