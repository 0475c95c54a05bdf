package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.config.InboundConfig;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may ask for a build: pagure web-hooks by HMAC-SHA256 with the project's key; ci webhooks by
 * IAM caller (function URL with AWS_IAM auth) or HTTP Basic credentials. Runs before the body is
 * parsed; every failure is one generic 401 for the caller ({@link Rejection#unauthenticated}), the
 * reason goes to the decision log. Comparisons are constant-time; no secret is ever put into an
 * exception message.
 */
final class Authenticator {

  static final String SIGNATURE_HEADER = "x-pagure-signature-256";
  static final String PROJECT_HEADER = "x-pagure-project";

  private final InboundConfig config;
  private final Secrets secrets;

  Authenticator(InboundConfig config, Secrets secrets) {
    this.config = config;
    this.secrets = secrets;
  }

  /** The signature header, well-formed, as bytes; the header is unsigned input, checked first. */
  static byte[] signatureOf(HttpRequest request) throws Rejection {
    String header = request.header(SIGNATURE_HEADER).orElse(null);
    if (header == null || header.isBlank()) {
      throw Rejection.unauthenticated("MISSING_SIGNATURE: X-Pagure-Signature-256 is missing");
    }
    String hex = header.strip().toLowerCase(Locale.ROOT);
    if (hex.startsWith("sha256=")) {
      hex = hex.substring("sha256=".length());
    }
    if (hex.length() != 64
        || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw Rejection.unauthenticated(
          "BAD_SIGNATURE: X-Pagure-Signature-256 is not one hex HMAC-SHA256");
    }
    return HexFormat.of().parseHex(hex);
  }

  /**
   * The project whose key must have signed a web-hook: the unsigned {@code X-Pagure-project} hint,
   * which the signed body must later confirm ({@code msg.project_fullname}).
   */
  static String projectHint(HttpRequest request) throws Rejection {
    String hint = request.header(PROJECT_HEADER).orElse("");
    if (!Names.isProjectFullname(hint)) {
      throw Rejection.unauthenticated(
          "BAD_PROJECT_HINT: X-Pagure-project is missing or not a project fullname");
    }
    return hint;
  }

  /**
   * Verifies the HMAC of the raw {@code body} with the web-hook key of {@code project}, before
   * anything else looks at the body. On a mismatch the key secret is read once more (rate-limited
   * by {@link Secrets#reread}) so a key rotated in Secrets Manager takes effect at once.
   */
  void verifyWebhook(String project, byte[] body, byte[] signature)
      throws Rejection, Secrets.SecretsUnavailableException {
    String secretId =
        config
            .hookKeysSecret()
            .orElseThrow(
                () ->
                    Rejection.unauthenticated(
                        "BAD_SIGNATURE: no web-hook keys are configured (HOOK_KEYS_SECRET_ID)"));
    String key = keyOf(jsonSecret(secrets.read(secretId), secretId), project);
    if (signedWith(key, body, signature)) {
      return;
    }
    // the HMAC of a 6 MiB body is most of what a forged request costs: compute it again only if
    // the re-read brought another key
    String reread = keyOf(jsonSecret(secrets.reread(secretId), secretId), project);
    if (reread != null && !reread.equals(key) && signedWith(reread, body, signature)) {
      return;
    }
    throw Rejection.unauthenticated(
        "BAD_SIGNATURE: X-Pagure-Signature-256 does not match the body"
            + " with the key of project '"
            + project
            + "' (or the project has no key)");
  }

  /** The project's web-hook key in the keys secret, or null when it has none. */
  private static String keyOf(JsonNode keys, String project) {
    JsonNode key = keys.path(project);
    return key.isTextual() && !key.textValue().isEmpty() ? key.textValue() : null;
  }

  private static boolean signedWith(String key, byte[] body, byte[] signature) {
    return key != null
        && MessageDigest.isEqual(hmacSha256(key.getBytes(StandardCharsets.UTF_8), body), signature);
  }

  /**
   * Authenticates a ci-webhook caller: an IAM caller (the function URL checked its SigV4 signature)
   * must be on {@code CI_ALLOWED_CALLERS} when that is set; anyone else must present the configured
   * HTTP Basic credentials.
   */
  void verifyCaller(HttpRequest request) throws Rejection, Secrets.SecretsUnavailableException {
    if (request.iamCaller().isPresent()) {
      String arn = request.iamCaller().get();
      if (!config.ciAllowedCallers().isEmpty() && !config.ciAllowedCallers().contains(arn)) {
        throw Rejection.forbidden(
            "CALLER_NOT_ALLOWED", "the IAM caller is not in CI_ALLOWED_CALLERS");
      }
      return;
    }
    String auth = request.header("authorization").orElse("");
    if (!auth.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw Rejection.unauthenticated("MISSING_CREDENTIALS: no HTTP Basic credentials");
    }
    String presented;
    try {
      presented =
          new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Rejection.unauthenticated("BAD_CREDENTIALS: the Basic credentials are not base64");
    }
    String secretId =
        config
            .ciBasicAuthSecret()
            .orElseThrow(
                () ->
                    Rejection.unauthenticated(
                        "BAD_CREDENTIALS: Basic credentials are not configured (CI_BASIC_AUTH_SECRET_ID)"));
    JsonNode creds = jsonSecret(secrets.read(secretId), secretId);
    String user = PagureWebhooks.text(creds, "username");
    String password = PagureWebhooks.text(creds, "password");
    if (user == null || password == null || user.isEmpty() || password.isEmpty()) {
      throw new Secrets.SecretsUnavailableException(
          "the Basic-auth secret lacks username or password", null);
    }
    // digest both sides so the comparison does not leak the length
    if (!MessageDigest.isEqual(sha256(user + ":" + password), sha256(presented))) {
      throw Rejection.unauthenticated("BAD_CREDENTIALS: the Basic credentials are wrong");
    }
  }

  /**
   * Whether the request carries ci-webhook credentials (an IAM caller or an Authorization header).
   */
  static boolean hasCallerCredentials(HttpRequest request) {
    return request.iamCaller().isPresent() || request.header("authorization").isPresent();
  }

  private static JsonNode jsonSecret(String value, String secretId)
      throws Secrets.SecretsUnavailableException {
    try {
      JsonNode node = StrictJson.mapper().readTree(value);
      if (node == null || !node.isObject()) {
        throw new Secrets.SecretsUnavailableException(
            "secret " + secretId + " is not a JSON object", null);
      }
      return node;
    } catch (java.io.IOException e) {
      // never include the parser message: it may quote the secret
      throw new Secrets.SecretsUnavailableException(
          "secret " + secretId + " is not valid JSON", null);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
