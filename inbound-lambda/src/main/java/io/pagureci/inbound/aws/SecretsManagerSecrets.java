package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.Secrets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Reads secrets from AWS Secrets Manager and caches them in process for a TTL (SnapStart-safe: no
 * extension, no environment variables). Secret values never appear in messages.
 */
public final class SecretsManagerSecrets implements Secrets {

  private final SecretsManagerClient client;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastReread = new ConcurrentHashMap<>();

  /**
   * At most one {@link #reread} per secret in this interval (a rotated key takes effect at once).
   */
  static final Duration REREAD_INTERVAL = Duration.ofSeconds(30);

  private record Cached(String value, Instant expires) {}

  public SecretsManagerSecrets(SecretsManagerClient client, Duration ttl, Clock clock) {
    this.client = client;
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public String read(String secretId) throws SecretsUnavailableException {
    Instant now = clock.instant();
    Cached cached = cache.get(secretId);
    if (cached != null && now.isBefore(cached.expires())) {
      return cached.value();
    }
    return fetch(secretId, now);
  }

  @Override
  public String reread(String secretId) throws SecretsUnavailableException {
    Instant now = clock.instant();
    Instant last = lastReread.get(secretId);
    if (last != null && now.isBefore(last.plus(REREAD_INTERVAL))) {
      return read(secretId);
    }
    lastReread.put(secretId, now);
    return fetch(secretId, now);
  }

  private String fetch(String secretId, Instant now) throws SecretsUnavailableException {
    GetSecretValueResponse response;
    try {
      response = client.getSecretValue(b -> b.secretId(secretId));
    } catch (SdkException e) {
      throw new SecretsUnavailableException(
          "reading secret " + secretId + " failed: " + e.getClass().getSimpleName(), e);
    }
    String value = response.secretString();
    if (value == null || value.isEmpty()) {
      throw new SecretsUnavailableException(
          "secret " + secretId + " has no SecretString yet", null);
    }
    cache.put(secretId, new Cached(value, now.plus(ttl)));
    return value;
  }

  /** Forgets every cached value (SnapStart restore: secrets must not outlive the snapshot). */
  public void clear() {
    cache.clear();
  }
}
