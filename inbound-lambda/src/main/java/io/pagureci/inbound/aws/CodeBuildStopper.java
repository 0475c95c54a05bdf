package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.BuildStopper;
import io.pagureci.inbound.domain.CurrentHeads;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.InvalidInputException;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.codebuild.model.StopBuildResponse;

/**
 * Stops a CodeBuild build by its id ({@code StopBuild}). CodeBuild refuses to stop a build that
 * completed ({@code InvalidInputException}) and answers a build that is stopping or done with its
 * state: both are {@link Stop#ALREADY_FINISHED}. CodeBuild keeps no reason with a stop; the worker
 * writes it into the build record before the stop (docs/queue.md §5).
 */
public final class CodeBuildStopper implements BuildStopper {

  private static final Set<String> PERMANENT =
      Set.of("ResourceNotFoundException", "AccessDeniedException", "AccountSuspendedException");

  private final CodeBuildClient client;

  public CodeBuildStopper(CodeBuildClient client) {
    this.client = client;
  }

  @Override
  public Stop stop(CurrentHeads.Build build, String reason) throws StopException {
    StopBuildResponse response;
    try {
      response = client.stopBuild(b -> b.id(build.id()));
    } catch (InvalidInputException e) {
      // "the build is already complete": it keeps its result
      return Stop.ALREADY_FINISHED;
    } catch (SdkException e) {
      throw new StopException(
          "CodeBuild StopBuild of " + build.id() + " failed: " + AwsErrors.describe(e),
          transientFailure(e),
          e);
    }
    if (response.build() != null
        && response.build().buildStatus() != null
        && response.build().buildStatus() != StatusType.IN_PROGRESS
        && response.build().buildStatus() != StatusType.STOPPED) {
      return Stop.ALREADY_FINISHED;
    }
    return Stop.STOPPED;
  }

  static boolean transientFailure(SdkException e) {
    if (e instanceof AwsServiceException ase) {
      String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
      return !(code != null && PERMANENT.contains(code))
          && (ase.statusCode() >= 500 || ase.statusCode() == 429 || ase.isThrottlingException());
    }
    return true; // the client's own failure (network, timeout)
  }
}
