package io.pagureci.inbound.domain;

/** Thrown while checking a request; becomes an {@link Outcome.Rejected}. */
public final class Rejection extends Exception {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public Rejection(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
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

  static Rejection forbidden(String code, String message) {
    return new Rejection(403, code, message);
  }

  static Rejection unprocessable(String code, String message) {
    return new Rejection(422, code, message);
  }
}
