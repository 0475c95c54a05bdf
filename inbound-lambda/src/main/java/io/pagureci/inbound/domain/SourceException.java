package io.pagureci.inbound.domain;

/** Why a commit could not be packaged. The message never contains a secret. */
public final class SourceException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** A candidate ref exists but points at another commit (the PR moved on). */
    HEAD_MOVED,
    /** No candidate ref showed up in time. */
    COMMIT_NOT_FOUND,
    /** The git server failed or the transfer broke. */
    GIT_FAILED,
    /** S3 failed; any multipart upload was aborted. */
    UPLOAD_FAILED,
    /** A trusted buildspec was requested and the target branch has no such file. */
    BUILDSPEC_MISSING,
    /**
     * The commit's tree is over one of the configured limits (total size, largest file, number of
     * entries, depth); the message names the limit and its variable. Nothing was uploaded.
     */
    SOURCE_TOO_LARGE,
    /** A path of the tree is longer than a path in a zip can be (65,461 bytes of UTF-8). */
    PATH_TOO_LONG,
    /**
     * A directory lists more entries than the packager reads whole: its git tree is 1 MiB or more
     * (about 25,000 entries with short names).
     */
    DIRECTORY_TOO_LARGE
  }

  private final Kind kind;

  public SourceException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public SourceException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
