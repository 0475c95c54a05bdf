package io.pagureci.outbound.adapters;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries inside one invocation: {@code maxAttempts} attempts, exponential back-off from
 * {@code baseDelay} (doubling, capped at {@link #MAX_DELAY}) with "equal jitter" (half fixed, half
 * random).
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay) {
  public static final Duration MAX_DELAY = Duration.ofSeconds(5);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts < 1");
    }
  }

  /** Delay before attempt {@code attempt + 1} (attempt counts from 1). */
  public Duration delayAfter(int attempt) {
    long base = Math.max(1, baseDelay.toMillis());
    long exp = Math.min(MAX_DELAY.toMillis(), base << Math.min(20, attempt - 1));
    long half = exp / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exp - half + 1));
  }

  /**
   * The longest the back-off sleeps of one delivery can add up to (excluding the requests
   * themselves).
   */
  public Duration maxTotalDelay() {
    long total = 0;
    long base = Math.max(1, baseDelay.toMillis());
    for (int a = 1; a < maxAttempts; a++) {
      total += Math.min(MAX_DELAY.toMillis(), base << Math.min(20, a - 1));
    }
    return Duration.ofMillis(total);
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while backing off", e);
    }
  }
}
