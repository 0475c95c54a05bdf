package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.BuildStopper;
import io.pagureci.inbound.domain.CurrentHeads;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.DuplicatedStopRequestException;
import software.amazon.awssdk.services.codepipeline.model.PipelineExecutionNotStoppableException;

/**
 * Stops a pipeline execution by its id ({@code StopPipelineExecution}, "stop and wait": running
 * actions finish, no new one starts) with the reason, which the execution keeps. An execution that
 * finished ({@code PipelineExecutionNotStoppableException}) or is being stopped already ({@code
 * DuplicatedStopRequestException}) is {@link Stop#ALREADY_FINISHED}.
 */
public final class CodePipelineStopper implements BuildStopper {

  /** CodePipeline's limit on a stop reason. */
  static final int MAX_REASON_CHARS = 200;

  private final CodePipelineClient client;

  public CodePipelineStopper(CodePipelineClient client) {
    this.client = client;
  }

  @Override
  public Stop stop(CurrentHeads.Build build, String reason) throws StopException {
    String why =
        reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    try {
      client.stopPipelineExecution(
          b ->
              b.pipelineName(build.resource())
                  .pipelineExecutionId(build.id())
                  .abandon(false)
                  .reason(why));
      return Stop.STOPPED;
    } catch (PipelineExecutionNotStoppableException | DuplicatedStopRequestException e) {
      return Stop.ALREADY_FINISHED;
    } catch (SdkException e) {
      throw new StopException(
          "CodePipeline StopPipelineExecution of "
              + build.resource()
              + " "
              + build.id()
              + " failed: "
              + AwsErrors.describe(e),
          CodeBuildStopper.transientFailure(e),
          e);
    }
  }
}
