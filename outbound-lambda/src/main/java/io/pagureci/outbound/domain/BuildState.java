package io.pagureci.outbound.domain;

import java.util.List;

/**
 * What is known about a build at one moment (from an event or a status lookup).
 *
 * @param finished whether the build has reached a terminal state
 * @param status the raw status: CodeBuild {@code build-status} ({@code IN_PROGRESS}, {@code
 *     SUCCEEDED}, ...) or the pipeline execution state in the event vocabulary ({@code STARTED},
 *     {@code SUCCEEDED}, ...)
 * @param phase CodeBuild's current phase, or {@code null}
 * @param phases CodeBuild phases so far (empty for pipelines)
 * @param buildNumber CodeBuild build number, or {@code null}
 */
public record BuildState(
    boolean finished, String status, String phase, List<PhaseResult> phases, Long buildNumber) {
  public BuildState {
    phases = phases == null ? List.of() : List.copyOf(phases);
  }

  /**
   * Nothing is known about the build yet but that it exists (a build record says STARTED): not
   * finished, so the build-event path asks the build service for its state before anything is
   * posted. Never posted as such.
   */
  public static BuildState unknown() {
    return new BuildState(false, "UNKNOWN", null, List.of(), null);
  }

  /** The same state, with the build number filled in from {@code other} when this one lacks it. */
  public BuildState withNumberFrom(BuildState other) {
    return buildNumber != null || other == null
        ? this
        : new BuildState(finished, status, phase, phases, other.buildNumber());
  }
}
