package io.pagureci.inbound.config;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Arrays;
import java.util.List;

/**
 * A comma-separated list of globs over slash-separated names (project fullnames, branch names):
 * {@code *} matches within one path segment, {@code **} across segments, {@code ?} one character.
 * An empty list matches nothing (deny by default).
 */
public final class ProjectPatterns {

  private final List<String> globs;
  private final List<PathMatcher> matchers;

  private ProjectPatterns(List<String> globs, List<PathMatcher> matchers) {
    this.globs = globs;
    this.matchers = matchers;
  }

  public static ProjectPatterns parse(String variable, String value) {
    List<String> globs =
        Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    try {
      List<PathMatcher> matchers =
          globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
      return new ProjectPatterns(globs, matchers);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable + " has an invalid glob: " + e.getMessage());
    }
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
