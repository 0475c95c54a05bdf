package io.pagureci.inbound.domain;

/**
 * Port: stops one build, named exactly ({@code StopBuild} / {@code StopPipelineExecution}). A build
 * that finished already keeps its result: that is {@link Stop#ALREADY_FINISHED}, not a failure.
 */
public interface BuildStopper {

  /** What a stop did. */
  enum Stop {
    /** The build service took the stop (the build's own STOPPED event follows). */
    STOPPED,
    /** The build had finished (or was stopping) already: nothing changed. */
    ALREADY_FINISHED
  }

  /**
   * @param reason why, in a few words ({@code superseded by 1a2b3c4}); pipelines keep it with the
   *     execution
   */
  Stop stop(CurrentHeads.Build build, String reason) throws StopException;

  /** The build service failed or refused; {@code transientFailure}: worth trying again. */
  final class StopException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean transientFailure;

    public StopException(String message, boolean transientFailure, Throwable cause) {
      super(message, cause);
      this.transientFailure = transientFailure;
    }

    public boolean transientFailure() {
      return transientFailure;
    }
  }
}
