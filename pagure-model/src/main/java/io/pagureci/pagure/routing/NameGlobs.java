package io.pagureci.pagure.routing;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * A list of globs over slash-separated names (project fullnames, branch names), with the semantics
 * of the {@code allowedProjects} syntax: {@code *} matches within one path segment, {@code **}
 * across segments, {@code ?} one character; {@code [..]} and <code>{a,b}</code> as in {@link
 * java.nio.file.FileSystem#getPathMatcher}. A name matches when any glob matches; an empty list
 * matches nothing (deny by default).
 *
 * <p>The one definition of these semantics: the accept and worker functions (allow-list, build
 * branches, routing rules), outbound (the token map) and the stack's synth checks all use it.
 */
public final class NameGlobs {

  private static final NameGlobs NONE = new NameGlobs(List.of(), List.of());

  private final List<String> globs;
  private final List<PathMatcher> matchers;

  private NameGlobs(List<String> globs, List<PathMatcher> matchers) {
    this.globs = globs;
    this.matchers = matchers;
  }

  /** Matches nothing. */
  public static NameGlobs none() {
    return NONE;
  }

  /**
   * The globs, in order (blank ones are an error here: the caller strips a comma list first).
   *
   * @throws IllegalArgumentException naming the glob that does not compile
   */
  public static NameGlobs of(List<String> globs) {
    List<String> copy = List.copyOf(globs);
    List<PathMatcher> matchers =
        copy.stream()
            .map(
                g -> {
                  if (g.isBlank()) {
                    throw new IllegalArgumentException("a glob is blank");
                  }
                  try {
                    return FileSystems.getDefault().getPathMatcher("glob:" + g);
                  } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                        "'" + g + "' is not a glob: " + e.getMessage(), e);
                  }
                })
            .toList();
    return new NameGlobs(copy, matchers);
  }

  /** A comma-separated list ({@code ALLOWED_PROJECTS} style): blank entries are skipped. */
  public static NameGlobs parse(String commaSeparated) {
    return of(
        java.util.Arrays.stream(commaSeparated.split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList());
  }

  /** True when {@code name} (already validated: no {@code ..}, no leading {@code /}) matches. */
  public boolean matches(String name) {
    if (matchers.isEmpty() || name == null || name.isEmpty()) {
      return false;
    }
    Path path = Path.of(name);
    for (PathMatcher m : matchers) {
      if (m.matches(path)) {
        return true;
      }
    }
    return false;
  }

  public List<String> globs() {
    return globs;
  }

  public boolean isEmpty() {
    return globs.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NameGlobs other && other.globs.equals(globs);
  }

  @Override
  public int hashCode() {
    return globs.hashCode();
  }

  @Override
  public String toString() {
    return String.join(",", globs);
  }
}
