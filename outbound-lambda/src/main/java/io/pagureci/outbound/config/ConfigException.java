package io.pagureci.outbound.config;

/**
 * A configuration variable is missing or invalid; the message names the variable (never its value
 * if secret).
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String variable;

  public ConfigException(String variable, String message) {
    super(variable + ": " + message);
    this.variable = variable;
  }

  /** The environment variable at fault. */
  public String variable() {
    return variable;
  }
}
