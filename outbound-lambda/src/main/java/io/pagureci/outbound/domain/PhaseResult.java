package io.pagureci.outbound.domain;

import java.time.Instant;
import java.util.List;

/**
 * One CodeBuild phase as seen in an event or a {@code BatchGetBuilds} answer.
 *
 * @param phase phase type ({@code BUILD}, ...)
 * @param status phase status ({@code SUCCEEDED}, {@code CLIENT_ERROR}, ...), or {@code null} while
 *     it runs
 * @param start when the phase started, or {@code null}
 * @param end when the phase ended, or {@code null} (running, or not said)
 */
public record PhaseResult(String phase, String status, Instant start, Instant end) {
  /** A phase without times. */
  public PhaseResult(String phase, String status) {
    this(phase, status, null, null);
  }

  /**
   * A running build's moment: the latest of {@code floor} (an event's own time, or {@code null})
   * and every phase start and end in {@code phases}; {@code null} when none is known.
   */
  public static Instant latest(Instant floor, List<PhaseResult> phases) {
    Instant t = floor;
    for (PhaseResult p : phases) {
      Instant l = p.latest();
      if (l != null && (t == null || l.isAfter(t))) {
        t = l;
      }
    }
    return t;
  }

  /** The latest of {@code start} and {@code end}, or {@code null}. */
  public Instant latest() {
    if (end == null) {
      return start;
    }
    return start == null || end.isAfter(start) ? end : start;
  }
}
