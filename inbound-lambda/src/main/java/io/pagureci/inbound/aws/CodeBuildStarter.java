package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.pagure.routing.Target;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.SourceType;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.codebuild.model.StartBuildResponse;

/**
 * Starts a CodeBuild build of the zip: S3 source override pinned to the object version, the {@code
 * PAGURE_*} variables (PLAINTEXT, non-secret), the trusted buildspec if any, and an idempotency
 * token derived from the build key.
 */
public final class CodeBuildStarter implements BuildStarter {

  private final CodeBuildClient client;

  public CodeBuildStarter(CodeBuildClient client) {
    this.client = client;
  }

  /** Starts a build of the target's CodeBuild project ({@link Target#resource()}). */
  @Override
  public StartedBuild start(WorkItem item, Target target, PackagedSource source)
      throws BuildStartException {
    String projectName = target.resource();
    List<EnvironmentVariable> vars =
        item.buildVariables().entrySet().stream()
            .map(
                e ->
                    EnvironmentVariable.builder()
                        .name(e.getKey())
                        .value(e.getValue())
                        .type(EnvironmentVariableType.PLAINTEXT)
                        .build())
            .toList();
    StartBuildRequest.Builder b =
        StartBuildRequest.builder()
            .projectName(projectName)
            .sourceTypeOverride(SourceType.S3)
            .sourceLocationOverride(source.bucket() + "/" + source.key())
            .sourceVersion(source.versionId())
            .environmentVariablesOverride(vars)
            .idempotencyToken(item.buildKey());
    source.buildspec().ifPresent(b::buildspecOverride);
    StartBuildResponse response;
    try {
      response = client.startBuild(b.build());
    } catch (SdkException e) {
      throw new BuildStartException(
          "CodeBuild StartBuild failed for project " + projectName + ": " + AwsErrors.describe(e),
          e);
    }
    if (response.build() == null || response.build().id() == null) {
      throw new BuildStartException("CodeBuild StartBuild answered without a build id", null);
    }
    return new StartedBuild("codebuild", response.build().id());
  }
}
