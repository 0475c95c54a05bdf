package io.pagureci.outbound.domain;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How PR authors reach a build's log (the {@code LOG_ACCESS} variable, context key {@code
 * logAccess}): a comma-separated list of at most one link kind — {@code console} (the AWS console
 * page, the default) or {@code public} (CodeBuild's public build page) — and optionally {@code
 * comment} (a failed PR build's log tail as a PR comment). {@code comment} alone means {@code
 * console,comment}. Order and white space do not matter; nothing else is accepted.
 *
 * @param link what the flag's {@code url} opens
 * @param comment whether a failed PR build gets one comment with its log tail
 * @param tailLines how many lines of the failing phase the comment quotes
 */
public record LogAccess(Link link, boolean comment, int tailLines) {
  /** The comment's default length in lines. */
  public static final int DEFAULT_TAIL_LINES = 50;

  /** Most lines a comment may quote. */
  public static final int MAX_TAIL_LINES = 500;

  /** What the flag links to. */
  public enum Link {
    /** The build's AWS console page (needs an AWS login to the account). */
    CONSOLE("console"),
    /** CodeBuild's public build page (anyone with the link). */
    PUBLIC("public");

    private final String wire;

    Link(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** Today's behaviour: the console link, no comment. */
  public static final LogAccess DEFAULT = new LogAccess(Link.CONSOLE, false, DEFAULT_TAIL_LINES);

  public LogAccess {
    if (link == null) {
      throw new IllegalArgumentException("no link kind");
    }
    if (tailLines < 1 || tailLines > MAX_TAIL_LINES) {
      throw new IllegalArgumentException("tail lines must be between 1 and " + MAX_TAIL_LINES);
    }
  }

  /**
   * Parses {@code console}, {@code public}, {@code comment}, {@code console,comment}, {@code
   * public,comment}; {@code null} or blank = {@link #DEFAULT}'s kinds. Throws {@link
   * IllegalArgumentException} saying what is wrong.
   */
  public static LogAccess parse(String value, int tailLines) {
    if (value == null || value.isBlank()) {
      return new LogAccess(Link.CONSOLE, false, tailLines);
    }
    Set<String> seen = new LinkedHashSet<>();
    Link link = null;
    boolean comment = false;
    for (String part : value.split(",", -1)) {
      String p = part.strip().toLowerCase(Locale.ROOT);
      if (p.isEmpty()) {
        throw new IllegalArgumentException("has an empty item");
      }
      if (!seen.add(p)) {
        throw new IllegalArgumentException("names " + p + " twice");
      }
      switch (p) {
        case "console", "public" -> {
          if (link != null) {
            throw new IllegalArgumentException(
                "names two link kinds (" + link.wire() + ", " + p + "); choose console or public");
          }
          link = p.equals("public") ? Link.PUBLIC : Link.CONSOLE;
        }
        case "comment" -> comment = true;
        default ->
            throw new IllegalArgumentException(
                "unknown item '"
                    + p
                    + "'; use console or public, optionally with comment (e.g. public,comment)");
      }
    }
    return new LogAccess(link == null ? Link.CONSOLE : link, comment, tailLines);
  }

  /** The canonical spelling ({@code console}, {@code public,comment}, ...). */
  public String wire() {
    return link.wire() + (comment ? ",comment" : "");
  }
}
