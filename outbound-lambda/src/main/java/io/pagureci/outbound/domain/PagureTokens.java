package io.pagureci.outbound.domain;

import io.pagureci.pagure.routing.NameGlobs;
import java.util.List;
import java.util.Objects;

/**
 * What the pagure token secret holds (docs/outbound.md "The token"): one token for every project,
 * or an ordered list of (project glob, token) pairs, where the first glob that matches a project
 * gives its token (the {@code allowedProjects} glob syntax: {@code *} one segment, {@code **}
 * across). {@link #toString()} never shows a token.
 */
public final class PagureTokens {

  /** One (glob, token) pair. */
  public record Entry(String glob, NameGlobs match, String token) {
    public Entry {
      Objects.requireNonNull(glob, "glob");
      Objects.requireNonNull(match, "match");
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
      return glob + "=***";
    }
  }

  private final String single;
  private final List<Entry> entries;

  private PagureTokens(String single, List<Entry> entries) {
    this.single = single;
    this.entries = List.copyOf(entries);
  }

  /** One token for every project. */
  public static PagureTokens single(String token) {
    return new PagureTokens(Objects.requireNonNull(token, "token"), List.of());
  }

  /** Tokens per project glob, first match wins; at least one entry. */
  public static PagureTokens perProject(List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no entry");
    }
    return new PagureTokens(null, entries);
  }

  /**
   * The token for {@code project}.
   *
   * @throws TokenProvider.NoTokenException when no glob of the map matches it
   */
  public String forProject(String project) {
    if (single != null) {
      return single;
    }
    for (Entry e : entries) {
      if (e.match().matches(project)) {
        return e.token();
      }
    }
    throw new TokenProvider.NoTokenException(
        "the pagure token secret has no token for project '"
            + project
            + "' (none of its "
            + entries.size()
            + " project globs matches): nothing is posted for it until the secret names one");
  }

  /** How many tokens the secret holds (for logs). */
  public int size() {
    return single != null ? 1 : entries.size();
  }

  @Override
  public String toString() {
    return single != null ? "PagureTokens[one token]" : "PagureTokens" + entries;
  }
}
