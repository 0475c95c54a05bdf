package io.pagureci.outbound.domain;

import java.util.Optional;

/**
 * Port: reads the build record of a build key (docs/queue.md §5) — did the worker start a build for
 * it yet? A record that does not exist is empty; a record that exists but cannot be read is thrown
 * ({@link UnreadableRecordException}), as is a failure of the store, so the event is retried and
 * not guessed at.
 */
public interface BuildRecordLookup {
  Optional<BuildRecord> find(String buildKey);

  /** The record exists but is not a build record this code understands. */
  final class UnreadableRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreadableRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
