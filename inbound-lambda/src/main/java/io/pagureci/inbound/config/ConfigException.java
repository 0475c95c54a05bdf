package io.pagureci.inbound.config;

/** A missing or malformed environment variable; the message names the variable. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
