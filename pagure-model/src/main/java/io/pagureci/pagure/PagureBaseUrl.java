package io.pagureci.pagure;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * pagure's base URL as both functions ({@code PAGURE_URL}) and the stack ({@code pagureUrl}) take
 * it — the one rule of all three: an {@code http} or {@code https} URL with a host and no user
 * info, query or fragment (a path is allowed: pagure may live below one). Each caller says what is
 * wrong in its own words, from {@link Invalid#problem()}.
 */
public final class PagureBaseUrl {

  /** What is wrong with a value. */
  public enum Problem {
    /** It does not parse as a URI ({@link Invalid#getMessage()} is the parser's). */
    NOT_A_URL,
    /** Its scheme is not {@code http} or {@code https} (case-insensitive), or it has none. */
    NOT_HTTP,
    /** No host, or a user info, query or fragment. */
    NOT_PLAIN
  }

  /** A value that is not a pagure base URL. */
  public static final class Invalid extends IllegalArgumentException {
    private final Problem problem;

    Invalid(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }
  }

  private PagureBaseUrl() {}

  /**
   * Checks {@code value} as it is (a caller that accepts surrounding white space strips it first).
   *
   * @return the parsed URL (its scheme is {@code http} or {@code https} in any case, its host set)
   * @throws Invalid when it is not a pagure base URL
   */
  public static URI check(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new Invalid(Problem.NOT_A_URL, e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new Invalid(Problem.NOT_HTTP, "not an http(s) URL");
    }
    if (uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new Invalid(Problem.NOT_PLAIN, "not a plain base URL (no user, query or fragment)");
    }
    return uri;
  }
}
