package io.pagureci.outbound.domain;

/**
 * pagure did not take a status: a 4xx answer, or retries ran out. Thrown out of the handler so that
 * Lambda's asynchronous retries and the on-failure destination take over. The message says what
 * pagure answered and never contains the token.
 */
public class ReportFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int httpStatus;
  private final boolean retryable;

  public ReportFailedException(String message, int httpStatus, boolean retryable, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.retryable = retryable;
  }

  /** pagure's HTTP status, or 0 when there was no answer (timeout, reset). */
  public int httpStatus() {
    return httpStatus;
  }

  /** Whether a later attempt may succeed (5xx, 429, network) as opposed to a rejection (4xx). */
  public boolean retryable() {
    return retryable;
  }
}
