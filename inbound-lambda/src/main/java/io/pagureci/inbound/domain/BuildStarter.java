package io.pagureci.inbound.domain;

/** Port: starts a build of a packaged source. */
public interface BuildStarter {

  /**
   * @param request what is built (its {@code PAGURE_*} variables go to the build)
   * @param source the stored zip (key and version id)
   * @param idempotencyToken derived from the build key (64 hex chars)
   * @return the started build
   * @throws BuildStartException when the build service refuses or fails
   */
  StartedBuild start(BuildRequest request, PackagedSource source, String idempotencyToken)
      throws BuildStartException;

  /** The build service failed or refused; the message is safe to show the caller. */
  final class BuildStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public BuildStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
