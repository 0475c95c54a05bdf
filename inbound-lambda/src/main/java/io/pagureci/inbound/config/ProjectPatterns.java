package io.pagureci.inbound.config;

import io.pagureci.pagure.ProjectGlobs;
import java.util.List;

/**
 * A comma-separated list of globs over slash-separated names (project fullnames, branch names):
 * {@code *} matches within one path segment, {@code **} across segments, {@code ?} one character.
 * An empty list matches nothing (deny by default). The semantics are pagure-model's {@link
 * ProjectGlobs} (the stack checks routing rules with the same class); this adds the variable name
 * to a malformed glob's {@link ConfigException}.
 */
public final class ProjectPatterns {

  private final ProjectGlobs globs;

  private ProjectPatterns(ProjectGlobs globs) {
    this.globs = globs;
  }

  public static ProjectPatterns parse(String variable, String value) {
    try {
      return new ProjectPatterns(ProjectGlobs.parse(value));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(variable + " has an invalid glob: " + e.getMessage());
    }
  }

  /** True when {@code name} (already validated: no {@code ..}, no leading {@code /}) matches. */
  public boolean matches(String name) {
    return globs.matches(name);
  }

  public List<String> globs() {
    return globs.globs();
  }

  public boolean isEmpty() {
    return globs.isEmpty();
  }

  @Override
  public String toString() {
    return globs.toString();
  }
}
