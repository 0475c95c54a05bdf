package io.pagureci.outbound.domain;

import java.time.Duration;
import java.time.Instant;
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
 * @param started when the build (or pipeline execution) started, as the build service says, or
 *     {@code null} when not known
 * @param at the moment this state describes, as the build service says: the end of a finished
 *     build, the latest time a running build reported (the event's own time, a phase's start or
 *     end); {@code null} when not known. Never the reporter's clock.
 */
public record BuildState(
    boolean finished,
    String status,
    String phase,
    List<PhaseResult> phases,
    Long buildNumber,
    Instant started,
    Instant at) {
  public BuildState {
    phases = phases == null ? List.of() : List.copyOf(phases);
  }

  /** A state without times. */
  public BuildState(
      boolean finished, String status, String phase, List<PhaseResult> phases, Long buildNumber) {
    this(finished, status, phase, phases, buildNumber, null, null);
  }

  /**
   * Nothing is known about the build yet but that it exists (a build record says STARTED): not
   * finished, so the build-event path asks the build service for its state before anything is
   * posted. Never posted as such.
   */
  public static BuildState unknown() {
    return new BuildState(false, "UNKNOWN", null, List.of(), null);
  }

  /**
   * How long the build ran up to {@link #at()} (the whole build once it finished), or {@code null}
   * when a time is missing or the two disagree. Event times have whole seconds and start times
   * milliseconds: a moment less than a second before the start counts as the start.
   */
  public Duration elapsed() {
    if (started == null || at == null) {
      return null;
    }
    Duration d = Duration.between(started, at);
    if (d.isNegative()) {
      return d.compareTo(Duration.ofSeconds(-1)) > 0 ? Duration.ZERO : null;
    }
    return d;
  }

  /**
   * This state (looked up from the build service) completed with what only {@code event} knew: the
   * build number and start when this one lacks them; for a running build the later of the two
   * moments (so a late event never makes the elapsed time go back); for a finished one the event's
   * moment only when the event itself reported the same end (a running event's time is not the
   * end).
   */
  public BuildState withFactsFrom(BuildState event) {
    if (event == null) {
      return this;
    }
    Instant moment = at;
    if (!finished) {
      moment = at == null || (event.at != null && event.at.isAfter(at)) ? event.at : at;
    } else if (at == null && event.finished && status.equals(event.status)) {
      moment = event.at;
    }
    return new BuildState(
        finished,
        status,
        phase,
        phases,
        buildNumber != null ? buildNumber : event.buildNumber,
        started != null ? started : event.started,
        moment);
  }
}
