package io.pagureci.inbound.domain;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of a function-URL request the inbound service looks at.
 *
 * @param method HTTP method
 * @param headers header names lower-cased (function URLs already lower-case them)
 * @param body body as received: text, or base64 when {@code base64} is true
 * @param base64 whether {@code body} is base64-encoded
 * @param iamCallerArn {@code requestContext.authorizer.iam.userArn}, or {@code null} when the
 *     function URL does not use AWS_IAM auth
 * @param requestId the function URL's request id (for logs and rebuild keys)
 */
public record HttpRequest(
    String method,
    Map<String, String> headers,
    String body,
    boolean base64,
    String iamCallerArn,
    String requestId) {

  public HttpRequest {
    TreeMap<String, String> lower = new TreeMap<>();
    if (headers != null) {
      headers.forEach(
          (k, v) -> {
            if (k != null && v != null) {
              lower.merge(k.toLowerCase(Locale.ROOT), v, (a, b) -> a + "," + b);
            }
          });
    }
    headers = Map.copyOf(lower);
    method = method == null ? "" : method;
    requestId = requestId == null ? "" : requestId;
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  public Optional<String> iamCaller() {
    return Optional.ofNullable(iamCallerArn);
  }
}
