package io.pagureci.init;

/**
 * A missing or malformed configuration variable, found while a function initialises. The message is
 * {@code VARIABLE: problem}: it names the variable, never a secret value.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String variable;

  /**
   * @param variable the environment variable at fault
   * @param problem what is wrong with it ({@code is required}, {@code must be ...})
   */
  public ConfigException(String variable, String problem) {
    super(variable + ": " + problem);
    this.variable = variable;
  }

  /** The environment variable at fault. */
  public String variable() {
    return variable;
  }
}
