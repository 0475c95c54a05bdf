package io.pagureci.inbound.domain;

import java.util.Optional;

/**
 * Port: remembers which build was started for a build key, so a duplicate delivery does not start
 * a second build (docs/protocol.md §5).
 */
public interface BuildRecords {

  /** The build already started for this token, if any. */
  Optional<BuildRecord> find(String idempotencyToken) throws RecordException;

  /** Remembers a started build. */
  void save(String idempotencyToken, BuildRecord record) throws RecordException;

  /** A started build and the source it was started with. */
  record BuildRecord(StartedBuild build, String bucket, String key, String versionId, String commit) {}

  /** The record store failed. */
  final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
