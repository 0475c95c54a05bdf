package io.pagureci.outbound.domain;

/**
 * Port: comments on a pagure pull request (of {@code build.project()}, id {@code build.prId()}).
 */
public interface PullRequestComments {
  /**
   * Posts one comment, exactly one attempt: no retry inside (a retried POST could add it twice).
   * Throws {@link ReportFailedException}: {@code retryable()} when the outcome is unknown (no
   * answer, a timeout, 5xx, 429 — pagure may or may not have stored it).
   */
  void post(PagureBuild build, String comment);

  /** Whether a comment of the pull request contains {@code marker}; throws when it cannot say. */
  boolean contains(PagureBuild build, String marker);
}
