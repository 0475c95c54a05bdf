package io.pagureci.inbound.domain;

import io.pagureci.pagure.routing.Target;

/** Port: starts a build of a packaged source. */
public interface BuildStarter {

  /**
   * @param item what is built (its {@link WorkItem#buildVariables()} go to the build; its build key
   *     is the idempotency token, 64 hex chars)
   * @param target the routing table's target whose resource (CodeBuild project, pipeline) builds
   * @param source the stored zip (key and version id)
   * @return the started build
   * @throws BuildStartException when the build service refuses or fails
   */
  StartedBuild start(WorkItem item, Target target, PackagedSource source)
      throws BuildStartException;

  /** The build service failed or refused; the message is safe to show the caller. */
  final class BuildStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public BuildStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
