package io.pagureci.inbound.domain;

/** Port: reads a secret's string value (cached by the implementation). */
public interface Secrets {

  /**
   * @param secretId secret name or ARN
   * @return the SecretString
   * @throws SecretsUnavailableException when the secret cannot be read
   */
  String read(String secretId) throws SecretsUnavailableException;

  /**
   * Reads the secret again, past the cache, when the cached value did not work (a rotated key).
   * Implementations rate-limit this per secret, so a stream of bad requests cannot turn into a
   * stream of Secrets Manager calls; when limited, the cached value is returned.
   */
  default String reread(String secretId) throws SecretsUnavailableException {
    return read(secretId);
  }

  /** Secrets Manager failed or the secret has no value; the message never holds a secret. */
  final class SecretsUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SecretsUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
