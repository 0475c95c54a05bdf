package io.pagureci.pagure;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;

/**
 * Globs over slash-separated names (project fullnames, branch names), the syntax of {@code
 * allowedProjects} / {@code ALLOWED_PROJECTS} and of a routing rule's {@code match}: {@code *}
 * matches within one path segment, {@code **} across segments, {@code ?} one character (the JDK's
 * {@code glob:} syntax of {@link java.nio.file.FileSystem#getPathMatcher}). An empty list matches
 * nothing (deny by default). The one definition of these semantics, for the functions and the
 * stack.
 */
public final class ProjectGlobs {

  private final List<String> globs;
  private final List<PathMatcher> matchers;

  private ProjectGlobs(List<String> globs) {
    this.globs = List.copyOf(globs);
    this.matchers =
        this.globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
  }

  /**
   * A comma-separated list ({@code " demo , rpms/* "}); blanks around and between are ignored.
   *
   * @throws IllegalArgumentException when a glob is malformed (e.g. an unclosed {@code [})
   */
  public static ProjectGlobs parse(String commaSeparated) {
    return of(Arrays.asList(commaSeparated.split(",")));
  }

  /**
   * The given globs (each stripped; blank ones dropped).
   *
   * @throws IllegalArgumentException when a glob is malformed (e.g. an unclosed {@code [})
   */
  public static ProjectGlobs of(List<String> globs) {
    return new ProjectGlobs(globs.stream().map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  /** True when {@code name} (already validated: no {@code ..}, no leading {@code /}) matches. */
  public boolean matches(String name) {
    if (matchers.isEmpty() || name.isEmpty()) {
      return false;
    }
    Path path = Path.of(name);
    return matchers.stream().anyMatch(m -> m.matches(path));
  }

  public List<String> globs() {
    return globs;
  }

  public boolean isEmpty() {
    return globs.isEmpty();
  }

  @Override
  public String toString() {
    return String.join(",", globs);
  }
}
