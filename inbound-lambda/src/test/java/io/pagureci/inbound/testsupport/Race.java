package io.pagureci.inbound.testsupport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the same step on N threads released at the same instant (a {@link CountDownLatch}), round
 * after round, and measures how far the calls really overlapped.
 *
 * <pre>{@code
 * try (Race race = new Race(8)) {
 *   Race.Round<Boolean> round = race.run(i -> tryToWin(clients[i], key));
 *   assertThat(round.results()).containsOnlyOnce(true);
 * }
 * }</pre>
 */
public final class Race implements AutoCloseable {

  /** One runner's step; {@code index} is 0..runners-1 (e.g. to pick that runner's own client). */
  @FunctionalInterface
  public interface Step<T> {
    T run(int index) throws Exception;
  }

  /**
   * What one round gave.
   *
   * @param results each runner's result, by index
   * @param maxInFlight the largest number of steps that were running at one instant (from each
   *     step's start and end time): {@code runners} means all of them overlapped
   */
  public record Round<T>(List<T> results, int maxInFlight) {}

  private final int runners;
  private final ExecutorService pool;

  public Race(int runners) {
    if (runners < 2) {
      throw new IllegalArgumentException("a race needs at least two runners");
    }
    this.runners = runners;
    this.pool =
        Executors.newFixedThreadPool(
            runners,
            r -> {
              Thread t = new Thread(r, "race-runner");
              t.setDaemon(true);
              return t;
            });
  }

  public int runners() {
    return runners;
  }

  /**
   * Runs {@code step} on every runner at once; fails if a step throws or a round takes over 60 s.
   */
  public <T> Round<T> run(Step<T> step) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(runners);
    CountDownLatch go = new CountDownLatch(1);
    long[] starts = new long[runners];
    long[] ends = new long[runners];
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < runners; i++) {
      int index = i;
      futures.add(
          pool.submit(
              () -> {
                ready.countDown();
                go.await();
                starts[index] = System.nanoTime();
                try {
                  return step.run(index);
                } finally {
                  ends[index] = System.nanoTime();
                }
              }));
    }
    if (!ready.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the runners did not get ready");
    }
    go.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      try {
        results.add(f.get(60, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        throw new AssertionError("a runner failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new AssertionError("a runner did not finish within 60 s", e);
      }
    }
    // futures are done, so the arrays are visible here (Future.get happens-after the task)
    return new Round<>(results, maxInFlight(starts, ends));
  }

  static int maxInFlight(long[] starts, long[] ends) {
    long[][] events = new long[starts.length * 2][];
    for (int i = 0; i < starts.length; i++) {
      events[2 * i] = new long[] {starts[i], 1};
      // an end sorts before a start at the same instant: touching intervals do not overlap
      events[2 * i + 1] = new long[] {ends[i], -1};
    }
    Arrays.sort(
        events, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int now = 0;
    int max = 0;
    for (long[] e : events) {
      now += (int) e[1];
      max = Math.max(max, now);
    }
    return max;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
