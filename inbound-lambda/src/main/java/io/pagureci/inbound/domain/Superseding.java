package io.pagureci.inbound.domain;

import io.pagureci.inbound.domain.CurrentHeads.Build;
import io.pagureci.inbound.domain.CurrentHeads.Head;
import io.pagureci.inbound.domain.CurrentHeads.Recorded;

/**
 * Which build a newer head — or a pull request's close — supersedes (docs/queue.md §5 "Current
 * heads"). Pure decisions on what the head store answered; the worker does the writes and stops.
 *
 * <ul>
 *   <li>A queued item is dropped when the stored head is newer in delivery order and is another
 *       commit, or a close.
 *   <li>A started build that became the head stops the build it replaced, unless that is the same
 *       commit (a rebuild: both stay).
 *   <li>A started build that did not become the head (a newer head was recorded while it started)
 *       stops itself, on the same terms.
 *   <li>A close stops the build it replaced, whatever its commit.
 * </ul>
 *
 * Only the exact build id a head names is stopped, so a stop never hits the newer build.
 */
final class Superseding {

  private Superseding() {}

  /** A build to stop and why, in the words the flag will show. */
  record Stop(Build build, String why) {}

  /** Why a queued item must not build, or null: it may. */
  static String dropReason(Head current, WorkItem item) {
    if (current == null || !newer(current, item)) {
      return null;
    }
    if (current.closed() != null) {
      return current.closed().why();
    }
    return current.commit().equals(item.request().commit()) ? null : supersededBy(current.commit());
  }

  /** What {@code mine}, just started, stops: the replaced head's build, or itself; else null. */
  static Stop afterStart(Recorded recorded, Build mine) {
    Head stored = recorded.stored();
    if (recorded.current()) {
      Build previous = stored.previous();
      if (previous == null
          || previous.id().equals(mine.id())
          || previous.commit().equals(mine.commit())) {
        return null;
      }
      return new Stop(previous, supersededBy(mine.commit()));
    }
    if (stored.closed() != null) {
      return new Stop(mine, stored.closed().why());
    }
    return stored.commit().equals(mine.commit())
        ? null
        : new Stop(mine, supersededBy(stored.commit()));
  }

  /** What a close stops: the build of the head it replaced, or null (nothing ran). */
  static Stop afterClose(Recorded recorded) {
    Head stored = recorded.stored();
    if (!recorded.current() || stored.previous() == null) {
      return null;
    }
    return new Stop(stored.previous(), stored.closed().why());
  }

  /** {@code superseded by 1a2b3c4}. */
  static String supersededBy(String commit) {
    return "superseded by " + commit.substring(0, Math.min(7, commit.length()));
  }

  private static boolean newer(Head head, WorkItem item) {
    Head probe =
        new Head(
            item.deliveryId(),
            item.acceptedAt(),
            item.request().commit(),
            null,
            null,
            CurrentHeads.Closed.CLOSED);
    return !head.sameDelivery(probe) && head.isNewerThan(probe);
  }
}
