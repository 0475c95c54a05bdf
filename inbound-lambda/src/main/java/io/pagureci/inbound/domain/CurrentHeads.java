package io.pagureci.inbound.domain;

import io.pagureci.inbound.domain.BuildClaims.RecordException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Port: the newest build of each pull request or branch (docs/queue.md §5, the {@code head/}
 * items), for cancelling builds a newer commit superseded. A head is only replaced by a newer one
 * ({@code updatedAt}), so writers racing on one scope cannot make an older head current again.
 * Failures of the store are the build records' {@link RecordException} (same table).
 */
public interface CurrentHeads {

  /**
   * The build a (project, scope) got last.
   *
   * @param buildKey the build key (docs/queue.md §5) of that build
   * @param updatedAt when it was recorded; decides which of two heads is the newer
   */
  record Head(
      String commit, String buildKey, StartedBuild build, String deliveryId, Instant updatedAt) {
    public Head {
      Objects.requireNonNull(commit, "commit");
      Objects.requireNonNull(buildKey, "buildKey");
      Objects.requireNonNull(build, "build");
      Objects.requireNonNull(deliveryId, "deliveryId");
      Objects.requireNonNull(updatedAt, "updatedAt");
    }
  }

  /**
   * What {@link #record} did.
   *
   * @param current the head is current: it was newer than the stored one, none was stored, or
   *     exactly this head was stored already
   * @param replaced the head it replaced ({@code current} only), handed to exactly one writer; null
   *     if there was none (or none could be told: the stored item was unreadable, or the write's
   *     answer was lost and its retry found the head already written)
   */
  record Recorded(boolean current, Head replaced) {}

  /**
   * Makes {@code head} the current head of (project, scope) if it is newer ({@code updatedAt}) than
   * the stored one; an older or equally old head is ignored ({@code current} false).
   *
   * @param scope {@code pr/<id>} or {@code branch/<name>}
   */
  Recorded record(String project, String scope, Head head) throws RecordException;

  /** The current head of (project, scope), if any. */
  Optional<Head> find(String project, String scope) throws RecordException;
}
