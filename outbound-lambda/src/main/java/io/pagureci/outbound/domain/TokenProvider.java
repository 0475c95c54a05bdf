package io.pagureci.outbound.domain;

/**
 * Port: the pagure token (API token or CI token) for a project. The secret holds one token for all
 * projects or a map from project globs to tokens (docs/outbound.md "The token"). Implementations
 * cache; a token is never logged.
 */
public interface TokenProvider {
  /**
   * The current token for {@code project} (cached).
   *
   * @throws NoTokenException when the secret names no token for the project
   */
  String token(String project);

  /** Re-reads the secret, bypassing the cache (after a 401, e.g. on rotation). */
  String refresh(String project);

  /**
   * The token secret has no token for a project (its map has no matching glob): nothing can be
   * posted for it until the secret is changed. The message names the project, never a token.
   */
  final class NoTokenException extends ReportFailedException {
    private static final long serialVersionUID = 1L;

    public NoTokenException(String message) {
      super(message, 0, false, null);
    }
  }
}
