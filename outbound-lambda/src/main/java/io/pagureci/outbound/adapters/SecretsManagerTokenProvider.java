package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.TokenProvider;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The pagure token from Secrets Manager: {@code SecretString} is the token itself or {@code
 * {"token": "..."}}. Cached in process for the TTL; {@link #refresh()} re-reads (after a 401). The
 * token never reaches a log line or an exception message.
 */
public final class SecretsManagerTokenProvider implements TokenProvider {
  private final Supplier<SecretsManagerClient> client;
  private final String secretId;
  private final Duration ttl;
  private final Clock clock;
  private String token;
  private Instant expires = Instant.MIN;

  /**
   * @param client gives the client on first read (built lazily by the wiring)
   */
  public SecretsManagerTokenProvider(
      Supplier<SecretsManagerClient> client, String secretId, Duration ttl, Clock clock) {
    this.client = client;
    this.secretId = secretId;
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public synchronized String token() {
    if (token == null || !clock.instant().isBefore(expires)) {
      return refresh();
    }
    return token;
  }

  @Override
  public synchronized String refresh() {
    String secret = client.get().getSecretValue(b -> b.secretId(secretId)).secretString();
    token = parse(secret);
    expires = clock.instant().plus(ttl);
    return token;
  }

  /** The token in a SecretString; the message of a failure never quotes the secret. */
  static String parse(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalStateException("the pagure token secret has no SecretString");
    }
    String s = secret.trim();
    if (s.startsWith("{")) {
      Object node;
      try {
        node = Json.parse(s);
      } catch (IOException e) {
        throw new IllegalStateException("the pagure token secret is neither a token nor JSON");
      }
      String t = Json.string(node, "token");
      if (t == null || t.isBlank()) {
        throw new IllegalStateException(
            "the pagure token secret is JSON without a \"token\" string");
      }
      s = t.trim();
    }
    if (s.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw new IllegalStateException("the pagure token contains whitespace or control characters");
    }
    return s;
  }
}
