package io.pagureci.outbound.domain;

import java.util.Objects;

/**
 * What the worker wrote for a build key (docs/queue.md §5), as far as outbound needs it.
 *
 * @param state      CLAIMED, STARTED or FAILED
 * @param system     STARTED: the service the build runs on ({@code target} in the record), else {@code null}
 * @param buildId    STARTED: CodeBuild build id ({@code project:uuid}) or pipeline execution id, else {@code null}
 * @param deliveryId the delivery that wrote the record, or {@code null}
 */
public record BuildRecord(State state, BuildSystem system, String buildId, String deliveryId) {
    /** The stored states. */
    public enum State {
        CLAIMED, STARTED, FAILED
    }

    public BuildRecord {
        Objects.requireNonNull(state, "state");
        if (state == State.STARTED && (system == null || buildId == null || buildId.isBlank())) {
            throw new IllegalArgumentException("a STARTED record names its build (target and buildId)");
        }
    }

    public boolean started() {
        return state == State.STARTED;
    }
}
