package io.pagureci.outbound.domain;

import java.util.Objects;

/**
 * What the worker wrote for a build key (docs/queue.md §5), as far as outbound needs it.
 *
 * @param state CLAIMED, STARTED, FAILED or AWAITING_APPROVAL
 * @param system STARTED: the service the build runs on ({@code target} in the record), else {@code
 *     null}
 * @param buildId STARTED: CodeBuild build id ({@code project:uuid}) or pipeline execution id, else
 *     {@code null}
 * @param deliveryId the delivery that wrote the record, or {@code null}
 * @param commit the commit the worker claimed the key for, or {@code null} when not known
 * @param cancelReason why the worker stopped the build ({@code superseded by 1a2b3c4}, {@code PR
 *     closed}, {@code PR merged}), written before the stop, or {@code null}
 */
public record BuildRecord(
    State state,
    BuildSystem system,
    String buildId,
    String deliveryId,
    String commit,
    String cancelReason) {
  /** The stored states. */
  public enum State {
    CLAIMED,
    STARTED,
    FAILED,
    /** A non-member's pull request head waits for a member's approval (no build yet). */
    AWAITING_APPROVAL
  }

  public BuildRecord {
    Objects.requireNonNull(state, "state");
    if (state == State.STARTED && (system == null || buildId == null || buildId.isBlank())) {
      throw new IllegalArgumentException("a STARTED record names its build (target and buildId)");
    }
  }

  /** A record of a build nobody stopped. */
  public BuildRecord(
      State state, BuildSystem system, String buildId, String deliveryId, String commit) {
    this(state, system, buildId, deliveryId, commit, null);
  }

  /** A record whose commit is not known (not checked against the build's {@code PAGURE_COMMIT}). */
  public BuildRecord(State state, BuildSystem system, String buildId, String deliveryId) {
    this(state, system, buildId, deliveryId, null);
  }

  public boolean started() {
    return state == State.STARTED;
  }
}
