package io.pagureci.inbound.domain;

import java.util.Objects;

/**
 * Where the trusted buildspec comes from: a file on the <em>target</em> branch of the target
 * project, so that a pull request cannot rewrite its own CI.
 */
public record BuildspecSource(String projectFullname, String branch, String path) {
  public BuildspecSource {
    Objects.requireNonNull(projectFullname, "projectFullname");
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(path, "path");
  }
}
