package io.pagureci.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lambda function-URL events (payload format 2.0) carrying a pagure web-hook, for the benchmarks.
 */
final class FunctionUrlEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FunctionUrlEvents() {}

  /**
   * A POST of {@code body} with a capture's headers (names lower-cased, sorted; its signature and
   * length dropped) and, unless null, {@code signature} as {@code x-pagure-signature-256}.
   */
  static String post(
      Map<String, String> capturedHeaders,
      String body,
      String signature,
      String requestId,
      long timeEpochMillis) {
    ObjectNode headers = JSON.createObjectNode();
    Map<String, String> sorted = new TreeMap<>();
    capturedHeaders.forEach((k, v) -> sorted.put(k.toLowerCase(Locale.ROOT), v));
    sorted.forEach(
        (k, v) -> {
          if (!k.startsWith("x-pagure-signature") && !k.equals("content-length")) {
            headers.put(k, v);
          }
        });
    if (signature != null) {
      headers.put("x-pagure-signature-256", signature);
    }
    ObjectNode e =
        JSON.createObjectNode()
            .put("version", "2.0")
            .put("routeKey", "$default")
            .put("rawPath", "/")
            .put("rawQueryString", "");
    e.set("headers", headers);
    ObjectNode ctx =
        e.putObject("requestContext")
            .put("accountId", "anonymous")
            .put("apiId", "benchurlid")
            .put("domainName", "benchurlid.lambda-url.eu-west-1.on.aws")
            .put("domainPrefix", "benchurlid")
            .put("requestId", requestId)
            .put("routeKey", "$default")
            .put("stage", "$default")
            .put("timeEpoch", timeEpochMillis);
    ctx.putObject("http")
        .put("method", "POST")
        .put("path", "/")
        .put("protocol", "HTTP/1.1")
        .put("sourceIp", "203.0.113.7")
        .put("userAgent", "python-requests/2.28.1");
    e.put("body", body).put("isBase64Encoded", false);
    try {
      return JSON.writeValueAsString(e);
    } catch (JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
  }
}
