package io.pagureci.inbound.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * Port: the durable, atomic record of which build a build key got (docs/queue.md §5). Exactly one
 * worker may hold the claim of a key at a time; a key whose build started is never built again.
 * Implementations make every transition a conditional write (compare-and-set on the stored
 * version), so concurrent workers on one key cannot both win.
 */
public interface BuildClaims {

  /** What the caller may do with a key. */
  sealed interface Claim {}

  /** The caller holds the key until {@code leaseUntil}; {@code token} identifies this claim. */
  record Claimed(String buildKey, String token, Instant leaseUntil) implements Claim {}

  /** The key's build has started (possibly by an earlier delivery): nothing to do. */
  record AlreadyStarted(Record record) implements Claim {}

  /** Another worker holds a live claim until {@code leaseUntil}: try again later. */
  record HeldElsewhere(Instant leaseUntil) implements Claim {}

  /** The stored states (docs/queue.md §5). */
  enum State {
    CLAIMED,
    STARTED,
    FAILED,
    /**
     * A non-member's pull request head waits for a member's approval ({@code
     * CONTRIBUTOR_POLICY=approve}); claimable like {@code FAILED}.
     */
    AWAITING_APPROVAL
  }

  /**
   * A stored record.
   *
   * @param build the started build ({@code STARTED}), else null
   * @param bucket source bucket / key / version id the build was started with ({@code STARTED}),
   *     else null
   * @param code reason code ({@code FAILED}), else null
   * @param reason one sentence ({@code FAILED}), else null
   */
  record Record(
      State state,
      Instant leaseUntil,
      String deliveryId,
      String commit,
      StartedBuild build,
      String bucket,
      String key,
      String versionId,
      String code,
      String reason,
      Instant updatedAt) {}

  /**
   * Claims {@code buildKey} for one attempt, leased for the adapter's lease time from {@code now}.
   * Absent, {@code FAILED} or expired-lease records are claimed; a lost race re-reads and decides
   * again.
   */
  Claim claim(String buildKey, String deliveryId, String commit, Instant now)
      throws RecordException;

  /**
   * Records that the key's commit waits for a member's approval: one conditional write, applied
   * only where a claim would be ({@code absent}, {@code FAILED}, {@code AWAITING_APPROVAL}, an
   * expired {@code CLAIMED}).
   *
   * @return false when the key is {@code STARTED} or held by a live claim (an approval is being
   *     built): nothing to record or tell then
   */
  boolean awaitingApproval(String buildKey, String deliveryId, String commit, Instant now)
      throws RecordException;

  /** Our claim's build started: the record becomes {@code STARTED}. Fails if the claim was lost. */
  void started(Claimed claim, StartedBuild build, PackagedSource source, Instant now)
      throws RecordException, ClaimLostException;

  /** Permanent failure: the record becomes {@code FAILED} (claimable again by a later delivery). */
  void failed(Claimed claim, String code, String reason, Instant now)
      throws RecordException, ClaimLostException;

  /** Transient failure: the lease ends now, so the next attempt need not wait for it. */
  void release(Claimed claim, Instant now) throws RecordException, ClaimLostException;

  /**
   * Writes why the started build {@code buildId} of {@code buildKey} is being stopped ({@code
   * cancelReason}: "superseded by 1a2b3c4", "PR closed"), before the stop, so that the build's own
   * STOPPED event can say it (docs/outbound.md). Written only if the record is {@code STARTED} and
   * names exactly that build.
   *
   * @return false when the record does not name that build (nothing written)
   */
  boolean stopping(String buildKey, String buildId, String reason, Instant now)
      throws RecordException;

  /** The record of a key, if any (accept path: duplicates; outbound reads the same object). */
  Optional<Record> find(String buildKey) throws RecordException;

  /** The store failed (network, permissions, unreadable record): a transient failure. */
  final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Our claim was taken over (its lease ran out) or changed: we no longer own the key. */
  final class ClaimLostException extends Exception {
    private static final long serialVersionUID = 1L;

    public ClaimLostException(String message) {
      super(message);
    }
  }
}
