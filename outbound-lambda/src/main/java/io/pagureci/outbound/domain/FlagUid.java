package io.pagureci.outbound.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The flag uid: stable per (build target, commit), 32 characters ({@code pci-} + 28 hex digits of a
 * SHA-256). Every build of the same CodeBuild project / pipeline for the same commit updates the
 * same flag; another target, or another commit, gets its own flag.
 */
public final class FlagUid {
  public static final int MAX_LENGTH = 32;
  private static final String PREFIX = "pci-";

  private FlagUid() {}

  public static String of(BuildRef ref, String commit) {
    return of(ref.system(), ref.region(), ref.account(), ref.target(), commit);
  }

  /**
   * The same uid without a build: a request event (docs/queue.md §4) names the target, region and
   * account its build will have, so its "queued" / "error" flag is the one the build's own events
   * update later.
   */
  public static String of(
      BuildSystem system, String region, String account, String target, String commit) {
    String key =
        String.join(
            "\n",
            system.id(),
            region == null ? "" : region,
            account == null ? "" : account,
            target,
            commit);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(digest).substring(0, MAX_LENGTH - PREFIX.length());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
