package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.domain.WorkItem;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.PipelineVariable;
import software.amazon.awssdk.services.codepipeline.model.SourceRevisionOverride;
import software.amazon.awssdk.services.codepipeline.model.SourceRevisionType;
import software.amazon.awssdk.services.codepipeline.model.StartPipelineExecutionResponse;

/**
 * Starts a CodePipeline V2 execution of the zip: the source action pinned to the object version
 * (and key, when the action allows key overrides), the {@code PAGURE_*} values as pipeline
 * variables and a client request token derived from the build key.
 */
public final class CodePipelineStarter implements BuildStarter {

  private final CodePipelineClient client;
  private final String pipelineName;
  private final String sourceAction;
  private final boolean overrideKey;

  public CodePipelineStarter(
      CodePipelineClient client, String pipelineName, String sourceAction, boolean overrideKey) {
    this.client = client;
    this.pipelineName = pipelineName;
    this.sourceAction = sourceAction;
    this.overrideKey = overrideKey;
  }

  @Override
  public StartedBuild start(WorkItem item, PackagedSource source) throws BuildStartException {
    List<PipelineVariable> variables =
        item.buildVariables().entrySet().stream()
            .map(e -> PipelineVariable.builder().name(e.getKey()).value(e.getValue()).build())
            .toList();
    List<SourceRevisionOverride> revisions = new ArrayList<>();
    revisions.add(
        SourceRevisionOverride.builder()
            .actionName(sourceAction)
            .revisionType(SourceRevisionType.S3_OBJECT_VERSION_ID)
            .revisionValue(source.versionId())
            .build());
    if (overrideKey) {
      revisions.add(
          SourceRevisionOverride.builder()
              .actionName(sourceAction)
              .revisionType(SourceRevisionType.S3_OBJECT_KEY)
              .revisionValue(source.key())
              .build());
    }
    StartPipelineExecutionResponse response;
    try {
      response =
          client.startPipelineExecution(
              b ->
                  b.name(pipelineName)
                      .clientRequestToken(item.buildKey())
                      .variables(variables)
                      .sourceRevisions(revisions));
    } catch (SdkException e) {
      throw new BuildStartException(
          "CodePipeline StartPipelineExecution failed for pipeline "
              + pipelineName
              + ": "
              + AwsErrors.describe(e),
          e);
    }
    if (response.pipelineExecutionId() == null) {
      throw new BuildStartException("CodePipeline answered without an execution id", null);
    }
    return new StartedBuild("codepipeline", response.pipelineExecutionId());
  }
}
