package io.pagureci.outbound.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * Port: the durable record that a build's log comment is being posted or was posted (one item per
 * build in the build-records table), so that retries, redelivered events and concurrent invocations
 * post it once. Throws (an SDK exception) when the table cannot be read or written.
 */
public interface CommentLedger {
  /** What {@link #acquire} found. */
  sealed interface Lease {
    /**
     * This invocation may post.
     *
     * @param owner this invocation's token (pass it to {@link #posted} / {@link #release})
     * @param takeover an earlier holder's lease ended without the comment marked posted: it may
     *     have been posted (the holder crashed after the POST), so pagure must be asked first
     */
    record Acquired(String owner, boolean takeover) implements Lease {}

    /** The comment was posted. */
    record Posted() implements Lease {}

    /** Another invocation holds the lease until {@code until}. */
    record Busy(Instant until) implements Lease {}
  }

  /** Takes the lease of {@code commentId} for {@code lease} unless posted or held. */
  Lease acquire(String commentId, String buildKey, Instant now, Duration lease);

  /** Marks the comment posted (only if {@code owner} still holds it; else a no-op). */
  void posted(String commentId, String owner, Instant now);

  /**
   * Ends {@code owner}'s lease now, the comment not posted: the next attempt takes over at once
   * (and asks pagure first).
   */
  void release(String commentId, String owner);
}
