package io.pagureci.outbound.adapters;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When the current invocation must be done by (Lambda's remaining time, minus a margin for logging
 * and the answer). The handler sets it per invocation; {@link PagureHttp} stops retrying when
 * another attempt would not fit, so a failure is thrown cleanly instead of the function timing out
 * mid-retry.
 */
public final class InvocationDeadline {
  /** Kept free at the end of an invocation. */
  public static final Duration MARGIN = Duration.ofSeconds(2);

  private volatile long deadlineNanos;
  private volatile boolean set;

  /** Starts an invocation that has {@code remainingMillis} left. */
  public void start(long remainingMillis) {
    deadlineNanos =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(remainingMillis) - MARGIN.toNanos();
    set = true;
  }

  /**
   * How long the invocation may still run, its margin included; {@code fallback} when no deadline
   * was set.
   */
  public Duration remaining(Duration fallback) {
    if (!set) {
      return fallback;
    }
    long left = deadlineNanos + MARGIN.toNanos() - System.nanoTime();
    return Duration.ofNanos(Math.max(0, left));
  }

  /** Whether {@code needed} still fits before the deadline (always, when no deadline was set). */
  public boolean allows(Duration needed) {
    return !set || System.nanoTime() + needed.toNanos() - deadlineNanos <= 0;
  }
}
