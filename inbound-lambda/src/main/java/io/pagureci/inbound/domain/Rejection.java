package io.pagureci.inbound.domain;

/** Thrown while checking a request; becomes an {@link Outcome.Rejected}. */
public final class Rejection extends Exception {

  private static final long serialVersionUID = 1L;

  /** The one answer every unauthenticated request gets: no detail for the caller. */
  public static final String UNAUTHENTICATED = "UNAUTHENTICATED";

  private final int status;
  private final String code;
  private final String detail;

  public Rejection(int status, String code, String message) {
    this(status, code, message, null);
  }

  private Rejection(int status, String code, String message, String detail) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  /** What the operator's log gets beyond the caller's answer, or {@code null}. */
  public String detail() {
    return detail;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Outcome.Rejected toOutcome() {
    return new Outcome.Rejected(status, code, getMessage());
  }

  static Rejection badRequest(String code, String message) {
    return new Rejection(400, code, message);
  }

  static Rejection unauthorized(String code, String message) {
    return new Rejection(401, code, message);
  }

  /**
   * The request is not authenticated: the caller learns nothing but that (one generic 401), the
   * decision log gets {@code why} (e.g. "BAD_SIGNATURE: no web-hook key for project 'x'").
   */
  static Rejection unauthenticated(String why) {
    return new Rejection(401, UNAUTHENTICATED, "the request is not authenticated", why);
  }

  static Rejection forbidden(String code, String message) {
    return new Rejection(403, code, message);
  }

  static Rejection unprocessable(String code, String message) {
    return new Rejection(422, code, message);
  }
}
