package io.pagureci.inbound.domain;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to fetch and package: the refs that may hold {@code commit}, tried in order, again and again
 * until one of them points at {@code commit} or {@code waitForRef} has passed (pagure writes {@code
 * refs/pull/<id>/head} asynchronously).
 *
 * @param candidates refs to try, in order; at least one
 * @param commit the exact commit to package (40 or 64 lower-case hex)
 * @param waitForRef how long to keep retrying while no candidate points at {@code commit}
 * @param buildspec where to read the trusted buildspec from, or {@code null} for none
 */
public record FetchPlan(
    List<RepoRef> candidates, String commit, Duration waitForRef, BuildspecSource buildspec) {
  public FetchPlan {
    candidates = List.copyOf(candidates);
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("at least one candidate ref is needed");
    }
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(waitForRef, "waitForRef");
  }

  public Optional<BuildspecSource> trustedBuildspec() {
    return Optional.ofNullable(buildspec);
  }
}
