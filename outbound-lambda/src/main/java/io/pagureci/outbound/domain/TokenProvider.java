package io.pagureci.outbound.domain;

/**
 * Port: the pagure token (API token or CI token). Implementations cache; the token is never logged.
 */
public interface TokenProvider {
  /** The current token (cached). */
  String token();

  /** Re-reads the token from its source, bypassing the cache (after a 401, e.g. on rotation). */
  String refresh();
}
