package io.pagureci.init;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A value built once, on first use (thread-safe): how a function's {@code DependencyFactory} holds
 * what only some invocations need (an SDK client, a secret cache), so that a request that does not
 * need it neither builds nor loads it (the rejected-request cold start, docs/performance.md).
 */
public final class Lazy<T> {
  private final Supplier<T> factory;
  private volatile T value;

  public Lazy(Supplier<T> factory) {
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /** The value, built by the factory on the first call. */
  public T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = Objects.requireNonNull(factory.get(), "the factory returned null");
          value = v;
        }
      }
    }
    return v;
  }

  /** Whether {@link #get()} has built the value. */
  public boolean isBuilt() {
    return value != null;
  }

  /** Runs {@code action} on the value if it was built; builds nothing. */
  public void ifBuilt(Consumer<T> action) {
    T v = value;
    if (v != null) {
      action.accept(v);
    }
  }
}
