package io.pagureci.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.testkit.FunctionProcess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * pagure's web-hook deliveries as the Lambda function URL hands them to the function: an API
 * Gateway HTTP API payload 2.0 event (lower-cased headers, the body as sent, {@code
 * isBase64Encoded: false} for a JSON body).
 */
final class FunctionUrlEvents {

  static final String URL_ID = "e2eabcdefghijklmnopqrstuvwxyz0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CLF_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

  /** The instance URL the real captures name. */
  private static final String CAPTURE_INSTANCE = "http://127.0.0.1:5000/";

  private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\": [0-9]+");

  private FunctionUrlEvents() {}

  /**
   * A real capture, re-pointed at the local pagure: its instance URL and the given strings replaced
   * in the raw bytes (pagure's own formatting is kept), then re-signed with {@code hookKey}.
   */
  static String delivery(
      String fixture, URI pagure, Map<String, String> replacements, String hookKey) {
    PagureFixtures.Delivery d = PagureFixtures.webhook(fixture);
    String body =
        new String(d.body(), StandardCharsets.UTF_8).replace(CAPTURE_INSTANCE, pagure.toString());
    for (Map.Entry<String, String> r : replacements.entrySet()) {
      if (!body.contains(r.getKey())) {
        throw new IllegalArgumentException(fixture + " does not contain " + r.getKey());
      }
      body = body.replace(r.getKey(), r.getValue());
    }
    body = sentNow(body);
    Map<String, String> headers = new TreeMap<>(d.headers());
    headers.put("x-pagure", pagure.toString());
    headers.put("x-pagure-signature-256", hmac("HmacSHA256", hookKey, body));
    headers.put("x-pagure-signature", hmac("HmacSHA1", hookKey, body));
    return event(headers, body);
  }

  /**
   * The delivery as sent now: the envelope's {@code timestamp} (pagure's send time, epoch seconds)
   * set to the current time, as the inbound function refuses old deliveries as replays. The body is
   * {@code json.dumps(sort_keys=True)}: the envelope's {@code timestamp} is the last one in it.
   */
  private static String sentNow(String body) {
    Matcher m = TIMESTAMP.matcher(body);
    int start = -1;
    int end = -1;
    while (m.find()) {
      start = m.start();
      end = m.end();
    }
    if (start < 0) {
      throw new IllegalArgumentException("the delivery has no timestamp");
    }
    return body.substring(0, start)
        + "\"timestamp\": "
        + Instant.now().getEpochSecond()
        + body.substring(end);
  }

  /** The function URL event of a POST of {@code body} with pagure's {@code headers}. */
  static String event(Map<String, String> pagureHeaders, String body) {
    Instant now = Instant.now();
    String domain = URL_ID + ".lambda-url." + FunctionProcess.REGION + ".on.aws";
    ObjectNode e = JSON.createObjectNode();
    e.put("version", "2.0")
        .put("routeKey", "$default")
        .put("rawPath", "/")
        .put("rawQueryString", "");
    ObjectNode h = e.putObject("headers");
    pagureHeaders.forEach(
        (k, v) -> {
          String name = k.toLowerCase(Locale.ROOT);
          if (!name.equals("host") && !name.equals("connection")) {
            h.put(name, v);
          }
        });
    h.put("host", domain);
    h.put("content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
    h.put("x-amzn-tls-version", "TLSv1.3");
    h.put("x-amzn-tls-cipher-suite", "TLS_AES_128_GCM_SHA256");
    h.put(
        "x-amzn-trace-id",
        "Root=1-" + Long.toHexString(now.getEpochSecond()) + "-0123456789abcdef01234567");
    h.put("x-forwarded-for", "203.0.113.7");
    h.put("x-forwarded-port", "443");
    h.put("x-forwarded-proto", "https");
    ObjectNode ctx = e.putObject("requestContext");
    ctx.put("accountId", "anonymous")
        .put("apiId", URL_ID)
        .put("domainName", domain)
        .put("domainPrefix", URL_ID);
    ctx.putObject("http")
        .put("method", "POST")
        .put("path", "/")
        .put("protocol", "HTTP/1.1")
        .put("sourceIp", "203.0.113.7")
        .put("userAgent", pagureHeaders.getOrDefault("user-agent", ""));
    ctx.put("requestId", UUID.randomUUID().toString())
        .put("routeKey", "$default")
        .put("stage", "$default")
        .put("time", CLF_TIME.format(now))
        .put("timeEpoch", now.toEpochMilli());
    e.put("body", body);
    e.put("isBase64Encoded", false);
    return e.toString();
  }

  static String hmac(String algorithm, String key, String body) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), algorithm));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
