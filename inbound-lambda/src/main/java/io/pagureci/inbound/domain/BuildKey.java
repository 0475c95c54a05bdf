package io.pagureci.inbound.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The build key of a request (docs/protocol.md §4–5): where its zip lives and the idempotency token
 * of its build.
 */
public final class BuildKey {

  private BuildKey() {}

  /**
   * {@code <prefix><project>/pr/<id>/<sha>.zip} or {@code <prefix><project>/branch/<b>/<sha>.zip}.
   */
  public static String objectKey(String prefix, BuildRequest request) {
    return prefix + request.project() + "/" + request.scope() + "/" + request.commit() + ".zip";
  }

  /** The key of an item without a target name (queued before the routing table). */
  public static String idempotencyToken(BuildRequest request) {
    return idempotencyToken(request, null);
  }

  /**
   * Lower-case hex SHA-256 of (project, scope, sha[, rebuild id][, target name]): 64 characters,
   * valid as a CodeBuild {@code idempotencyToken} and a CodePipeline {@code clientRequestToken}.
   * One key per target, so idempotency, claims, rebuilds and "exactly one build" hold per target;
   * {@code target} null is the key of a work item queued before targets had names (it stays the key
   * it was).
   */
  public static String idempotencyToken(BuildRequest request, String target) {
    String material = request.project() + "\n" + request.scope() + "\n" + request.commit();
    if (request.rebuildId() != null) {
      material += "\nrebuild " + request.rebuildId();
    }
    if (target != null) {
      material += "\ntarget " + target;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
