package io.pagureci.outbound.adapters;

import com.fasterxml.jackson.core.JsonParser;
import io.pagureci.outbound.domain.PagureTokens;
import io.pagureci.outbound.domain.TokenProvider;
import io.pagureci.outbound.json.Json;
import io.pagureci.pagure.routing.NameGlobs;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The pagure token(s) from Secrets Manager (docs/outbound.md "The token"): {@code SecretString} is
 * the token itself, {@code {"token": "..."}}, or an object mapping project globs to tokens ({@code
 * {"rpms/*": "...", "infra/**": "..."}}, the first glob in written order that matches the flag's
 * project gives its token). Cached in process for the TTL; {@link #refresh} re-reads (after a 401).
 * No token ever reaches a log line or an exception message.
 */
public final class SecretsManagerTokenProvider implements TokenProvider {
  private final Supplier<SecretsManagerClient> client;
  private final String secretId;
  private final Duration ttl;
  private final Clock clock;
  private PagureTokens tokens;
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
  public synchronized String token(String project) {
    if (tokens == null || !clock.instant().isBefore(expires)) {
      return refresh(project);
    }
    return tokens.forProject(project);
  }

  @Override
  public synchronized String refresh(String project) {
    String secret = client.get().getSecretValue(b -> b.secretId(secretId)).secretString();
    tokens = parse(secret);
    expires = clock.instant().plus(ttl);
    return tokens.forProject(project);
  }

  /** The tokens in a SecretString; the message of a failure never quotes the secret. */
  static PagureTokens parse(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalStateException("the pagure token secret has no SecretString");
    }
    String s = secret.trim();
    if (!s.startsWith("{")) {
      return PagureTokens.single(checked(s, "the pagure token"));
    }
    Map<String, Object> object = object(s);
    if (object.containsKey("token")) {
      // {"token": ...} (other keys, e.g. a note, ignored as they always were); so a map's glob
      // is never the bare word token (write toke[n] for a project named so)
      Object t = object.get("token");
      if (!(t instanceof String token) || token.isBlank()) {
        throw new IllegalStateException(
            "the pagure token secret is JSON without a \"token\" string");
      }
      return PagureTokens.single(checked(token.trim(), "the pagure token"));
    }
    if (object.isEmpty()) {
      throw new IllegalStateException(
          "the pagure token secret is an empty JSON object: neither {\"token\": ...} nor a map of"
              + " project globs to tokens");
    }
    List<PagureTokens.Entry> entries = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, Object> e : object.entrySet()) {
      i++;
      String glob = e.getKey().strip();
      if (glob.isEmpty()) {
        throw new IllegalStateException(
            "the pagure token secret's entry " + i + " has a blank glob");
      }
      NameGlobs match;
      try {
        match = NameGlobs.of(List.of(glob));
      } catch (IllegalArgumentException ex) {
        throw new IllegalStateException(
            "the pagure token secret's entry " + i + " (" + shorten(glob) + ") is not a glob");
      }
      if (!(e.getValue() instanceof String token) || token.isBlank()) {
        throw new IllegalStateException(
            "the pagure token secret's entry "
                + i
                + " ("
                + shorten(glob)
                + ") is not a token string");
      }
      entries.add(
          new PagureTokens.Entry(
              glob, match, checked(token.trim(), "the token for " + shorten(glob))));
    }
    return PagureTokens.perProject(entries);
  }

  /** The secret's JSON object, read strictly (a key twice is an error: which one would win?). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(String s) {
    try (JsonParser p = Json.factory().createParser(s)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      p.nextToken();
      Object node = Json.read(p);
      if (p.nextToken() != null) {
        throw new IllegalStateException("the pagure token secret has data after its JSON object");
      }
      if (!(node instanceof Map<?, ?> map)) {
        throw new IllegalStateException("the pagure token secret is neither a token nor JSON");
      }
      return (Map<String, Object>) map;
    } catch (IOException e) {
      // Jackson's message may quote the input: not logged
      throw new IllegalStateException(
          "the pagure token secret is neither a token nor well-formed JSON (or names a key twice)");
    }
  }

  private static String checked(String token, String what) {
    if (token.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw new IllegalStateException(what + " contains whitespace or control characters");
    }
    return token;
  }

  private static String shorten(String glob) {
    return glob.length() > 60 ? glob.substring(0, 60) + "…" : glob;
  }
}
