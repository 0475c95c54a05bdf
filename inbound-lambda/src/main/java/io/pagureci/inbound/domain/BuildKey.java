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

  /**
   * Lower-case hex SHA-256 of (project, scope, sha[, rebuild id]): 64 characters, valid as a
   * CodeBuild {@code idempotencyToken} and a CodePipeline {@code clientRequestToken}.
   */
  public static String idempotencyToken(BuildRequest request) {
    String material = request.project() + "\n" + request.scope() + "\n" + request.commit();
    if (request.rebuildId() != null) {
      material += "\nrebuild " + request.rebuildId();
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
