package io.pagureci.inbound.domain;

import java.util.Objects;

/**
 * A ref of a pagure project to fetch from: the clone URL is always built from the configured pagure
 * base and {@code projectFullname} ({@code <base><fullname>.git}), never from a payload.
 *
 * @param projectFullname validated pagure fullname ({@code demo}, {@code rpms/widget}, {@code
 *     forks/bob/demo})
 * @param ref full ref name, e.g. {@code refs/heads/feature} or {@code refs/pull/1/head}
 */
public record RepoRef(String projectFullname, String ref) {
  public RepoRef {
    Objects.requireNonNull(projectFullname, "projectFullname");
    Objects.requireNonNull(ref, "ref");
    if (!ref.startsWith("refs/")) {
      throw new IllegalArgumentException("ref must be a full ref name: " + ref);
    }
  }
}
