package io.pagureci.inbound.domain;

import io.pagureci.inbound.domain.BuildClaims.RecordException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Port: the newest delivery of each pull request or branch, per build target (docs/queue.md §5, the
 * {@code head/<project>/<scope>/<target>} items), for stopping the builds a newer commit — or the
 * pull request's closing — superseded. A head is only replaced by a newer one, newer in pagure's
 * delivery order ({@link Head#isNewerThan}: the accept function's {@code acceptedAt}, then the
 * delivery id), never by the worker's clock: two workers racing on two heads of one pull request
 * agree on which is the newer whatever order they run in. Failures of the store are the build
 * records' {@link RecordException} (same table).
 */
public interface CurrentHeads {

  /**
   * A build a head names: everything a stop needs, and what to write the reason into.
   *
   * @param system {@code codebuild} or {@code codepipeline}
   * @param resource the CodeBuild project or pipeline name
   * @param id the CodeBuild build id ({@code project:uuid}) or pipeline execution id
   * @param buildKey the build key (docs/queue.md §5): the build record {@code build/<key>}
   * @param commit the commit it builds
   */
  record Build(String system, String resource, String id, String buildKey, String commit) {
    public Build {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(buildKey, "buildKey");
      Objects.requireNonNull(commit, "commit");
    }
  }

  /** Why a pull request has no head any more: pagure's {@code msg.merged} of the close. */
  enum Closed {
    CLOSED("closed"),
    MERGED("merged");

    private final String id;

    Closed(String id) {
      this.id = id;
    }

    /** The name in the work item and the head item. */
    public String id() {
      return id;
    }

    /** The flag's words: {@code PR closed} / {@code PR merged}. */
    public String why() {
      return "PR " + id;
    }

    /** The value of a name, or null. */
    public static Closed of(String id) {
      for (Closed c : values()) {
        if (c.id.equals(id)) {
          return c;
        }
      }
      return null;
    }
  }

  /**
   * The last delivery of a (project, scope, target).
   *
   * @param deliveryId the delivery (function URL request id)
   * @param acceptedAt when the accept function took it: pagure's delivery order
   * @param commit the commit it is for (a close: the pull request's head when it was closed)
   * @param build the build it started, or null: a close
   * @param previous the build this head replaced (written by {@link #record}: the one its writer
   *     stops), or null
   * @param closed the pull request was closed or merged by this delivery, else null
   */
  record Head(
      String deliveryId,
      Instant acceptedAt,
      String commit,
      Build build,
      Build previous,
      Closed closed) {
    public Head {
      Objects.requireNonNull(deliveryId, "deliveryId");
      Objects.requireNonNull(acceptedAt, "acceptedAt");
      Objects.requireNonNull(commit, "commit");
      if ((build == null) == (closed == null)) {
        throw new IllegalArgumentException("a head names its build, or it is a close");
      }
    }

    /** The head of a started build. */
    public static Head started(WorkItem item, Build build) {
      return new Head(
          item.deliveryId(), item.acceptedAt(), item.request().commit(), build, null, null);
    }

    /** The head a close leaves: no build. */
    public static Head closed(WorkItem item, Closed why) {
      return new Head(
          item.deliveryId(), item.acceptedAt(), item.request().commit(), null, null, why);
    }

    /**
     * Delivery order: the later {@code acceptedAt} (milliseconds) is newer; two deliveries of one
     * millisecond are ordered by delivery id, so exactly one of any two distinct heads is newer.
     */
    public boolean isNewerThan(Head other) {
      int c = Long.compare(acceptedAt.toEpochMilli(), other.acceptedAt.toEpochMilli());
      return c != 0 ? c > 0 : deliveryId.compareTo(other.deliveryId) > 0;
    }

    /** The same delivery (an SDK retry or a redelivered work item). */
    public boolean sameDelivery(Head other) {
      return deliveryId.equals(other.deliveryId)
          && acceptedAt.toEpochMilli() == other.acceptedAt.toEpochMilli();
    }

    /** This head with the build it replaced. */
    public Head replacing(Build replaced) {
      return new Head(deliveryId, acceptedAt, commit, build, replaced, closed);
    }
  }

  /**
   * What {@link #record} did.
   *
   * @param current the head is current: it was newer than the stored one, none was stored, or this
   *     delivery's head was stored already
   * @param stored the stored head now: with {@code current} the written one (its {@code previous}
   *     is the build it replaced, handed to exactly one writer); else the newer head that refused
   *     it
   */
  record Recorded(boolean current, Head stored) {}

  /**
   * Makes {@code head} the current head of (project, scope, target) if it is newer than the stored
   * one, recording the stored head's build (or, for a stored close, its {@code previous}) as the
   * new head's {@code previous}. An older head is refused; the same delivery's head again is
   * answered with what is stored.
   *
   * @param scope {@code pr/<id>} or {@code branch/<name>}
   * @param target the build target's name (docs/queue.md §5)
   */
  Recorded record(String project, String scope, String target, Head head) throws RecordException;

  /** The current head of (project, scope, target), if any. */
  Optional<Head> find(String project, String scope, String target) throws RecordException;
}
