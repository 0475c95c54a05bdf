package io.pagureci.pagure.routing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of the routing table: the projects it decides for and the targets that build them.
 *
 * @param match project globs ({@link NameGlobs}); at least one
 * @param pullRequests whether pull requests of matching projects build
 * @param branches branch globs whose pushes ({@code git.receive}) build; empty = no push builds
 * @param targets every target that builds a matching project's commit, in order; at least one
 */
public record Rule(
    NameGlobs match, boolean pullRequests, NameGlobs branches, List<Target> targets) {

  public Rule {
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(branches, "branches");
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a rule has at least one target");
    }
  }

  /** Whether this rule decides for {@code project}. */
  public boolean matches(String project) {
    return match.matches(project);
  }

  /** Whether a push to {@code branch} builds. */
  public boolean buildsBranch(String branch) {
    return branches.matches(branch);
  }

  /** The target of this rule named {@code name}. */
  public Optional<Target> target(String name) {
    for (Target t : targets) {
      if (t.name().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The names of the targets, in order ({@code rpmbuild, lint}). */
  public List<String> targetNames() {
    return targets.stream().map(Target::name).toList();
  }
}
