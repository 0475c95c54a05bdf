package io.pagureci.outbound.domain;

import java.util.Objects;

/**
 * A pagure flag, field for field as the flag API takes it.
 *
 * @param username display name of the CI
 * @param comment one-line description
 * @param url link to the build
 * @param status flag status
 * @param percent 0..100, or {@code null} (not sent)
 * @param uid stable id (≤ 32 chars) so the flag is updated in place
 */
public record Flag(
    String username, String comment, String url, FlagStatus status, Integer percent, String uid) {
  public Flag {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(comment, "comment");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(uid, "uid");
    if (uid.length() > 32) {
      throw new IllegalArgumentException("uid longer than 32 characters");
    }
    if (percent != null && (percent < 0 || percent > 100)) {
      throw new IllegalArgumentException("percent out of range");
    }
  }
}
