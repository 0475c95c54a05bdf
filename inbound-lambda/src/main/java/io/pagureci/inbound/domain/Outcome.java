package io.pagureci.inbound.domain;

/** What became of one request. */
public sealed interface Outcome {

  /** HTTP status of the answer. */
  int status();

  /**
   * Kept in the work queue: the worker will build it ({@code deliveryId} follows it into every
   * log).
   */
  record Queued(
      BuildRequest request, String deliveryId, String buildKey, java.util.List<ForTarget> targets)
      implements Outcome {
    public Queued {
      targets = java.util.List.copyOf(targets);
    }

    /** One target's item, without the names of its targets (a caller that cannot tell). */
    public Queued(BuildRequest request, String deliveryId, String buildKey) {
      this(request, deliveryId, buildKey, java.util.List.of());
    }

    @Override
    public int status() {
      return 202;
    }
  }

  /**
   * What became of one target of a delivery (docs/protocol.md §2): {@code queued} (its work item is
   * kept) or {@code duplicate} (its build had started already).
   */
  record ForTarget(String name, String buildKey, String status) {}

  /** The build of this build key had already been started: nothing was queued. */
  record Duplicate(BuildRequest request, String deliveryId, String buildKey, StartedBuild build)
      implements Outcome {
    @Override
    public int status() {
      return 202;
    }
  }

  /** A valid, authenticated request that does not build. */
  record Ignored(String reason) implements Outcome {
    @Override
    public int status() {
      return 202;
    }
  }

  /** Bad input (4xx) or a failed dependency (5xx); nothing was queued. */
  record Rejected(int status, String code, String message) implements Outcome {}
}
