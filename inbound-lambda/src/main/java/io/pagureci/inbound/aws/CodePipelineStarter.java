package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.BuildStarter;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.pagure.routing.Target;
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
  private final String sourceAction;
  private final boolean overrideKey;

  /**
   * @param sourceAction {@code PIPELINE_SOURCE_ACTION}, the same in every pipeline target
   * @param overrideKey {@code PIPELINE_OVERRIDE_S3_KEY}
   */
  public CodePipelineStarter(CodePipelineClient client, String sourceAction, boolean overrideKey) {
    this.client = client;
    this.sourceAction = sourceAction;
    this.overrideKey = overrideKey;
  }

  /** Starts an execution of the target's pipeline ({@link Target#resource()}). */
  @Override
  public StartedBuild start(WorkItem item, Target target, PackagedSource source)
      throws BuildStartException {
    String pipelineName = target.resource();
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
