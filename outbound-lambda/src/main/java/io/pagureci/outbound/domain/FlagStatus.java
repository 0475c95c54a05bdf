package io.pagureci.outbound.domain;

/** pagure's default flag statuses. */
public enum FlagStatus {
  PENDING("pending", false),
  SUCCESS("success", true),
  FAILURE("failure", true),
  ERROR("error", true),
  CANCELED("canceled", true);

  private final String wire;
  private final boolean terminal;

  FlagStatus(String wire, boolean terminal) {
    this.wire = wire;
    this.terminal = terminal;
  }

  /** The value pagure expects in the {@code status} field. */
  public String wire() {
    return wire;
  }

  public boolean terminal() {
    return terminal;
  }
}
