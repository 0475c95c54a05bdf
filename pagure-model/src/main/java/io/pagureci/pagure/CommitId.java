package io.pagureci.pagure;

import java.util.regex.Pattern;

/**
 * A git object name as pagure sends it and as a flag is posted on: the full lower-case hex of a
 * SHA-1 (40) or SHA-256 (64) repository — never an abbreviation, which pagure's flag API refuses
 * ({@code 404 ENOCOMMIT}) and which could name another commit later.
 */
public final class CommitId {

  private static final Pattern FULL = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private CommitId() {}

  /** Whether {@code sha} is a full lower-case SHA-1 or SHA-256 object name. */
  public static boolean isValid(String sha) {
    return sha != null && FULL.matcher(sha).matches();
  }
}
