package io.pagureci.inbound.domain;

/** Port: reads a secret's string value (cached by the implementation). */
public interface Secrets {

  /**
   * @param secretId secret name or ARN
   * @return the SecretString
   * @throws SecretsUnavailableException when the secret cannot be read
   */
  String read(String secretId) throws SecretsUnavailableException;

  /** Secrets Manager failed or the secret has no value; the message never holds a secret. */
  final class SecretsUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SecretsUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
