package io.pagureci.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyTest {

  @Test
  void buildsNothingUntilFirstUseAndThenOnce() {
    AtomicInteger built = new AtomicInteger();
    Lazy<String> lazy = new Lazy<>(() -> "client-" + built.incrementAndGet());
    List<String> seen = new ArrayList<>();

    lazy.ifBuilt(seen::add);
    assertThat(lazy.isBuilt()).isFalse();
    assertThat(built).hasValue(0);
    assertThat(seen).isEmpty();

    assertThat(lazy.get()).isEqualTo("client-1");
    assertThat(lazy.get()).isEqualTo("client-1");
    lazy.ifBuilt(seen::add);

    assertThat(built).hasValue(1);
    assertThat(lazy.isBuilt()).isTrue();
    assertThat(seen).containsExactly("client-1");
  }

  @Test
  void threadsRacingForTheFirstUseShareOneValue() throws InterruptedException {
    AtomicInteger built = new AtomicInteger();
    Lazy<Object> lazy =
        new Lazy<>(
            () -> {
              built.incrementAndGet();
              return new Object();
            });
    CountDownLatch start = new CountDownLatch(1);
    List<Object> got = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                got.add(lazy.get());
              });
      t.start();
      threads.add(t);
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }

    assertThat(built).hasValue(1);
    assertThat(got).hasSize(8).containsOnly(got.get(0));
  }

  @Test
  void aFactoryThatFailsBuildsNothingAndIsAskedAgain() {
    AtomicInteger calls = new AtomicInteger();
    Lazy<String> lazy =
        new Lazy<>(
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("no region");
              }
              return "ok";
            });

    assertThatThrownBy(lazy::get).hasMessage("no region");
    assertThat(lazy.isBuilt()).isFalse();
    assertThat(lazy.get()).isEqualTo("ok");
  }
}
