package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.ReportFailedException;
import io.pagureci.outbound.domain.TokenProvider;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs to pagure's API with {@code Authorization: token <t>}: bounded retries with back-off on
 * 5xx, 429, timeouts and connection failures; one token re-read (rotation) on 401; no retry on any
 * other 4xx. Failures are thrown as {@link ReportFailedException} whose message quotes pagure's
 * answer, never the token.
 */
public final class PagureHttp {
  private static final Logger LOG = LoggerFactory.getLogger(PagureHttp.class);
  private static final int MAX_ERROR_CHARS = 300;

  /** Identifies the caller in pagure's access logs. */
  public static final String USER_AGENT = "pagure-ci-aws-outbound/1";

  private final Supplier<HttpClient> client;
  private final TokenProvider tokens;
  private final Duration timeout;
  private final RetryPolicy retry;
  private final InvocationDeadline deadline;

  /**
   * @param client gives the HTTP client on first POST (built lazily by the wiring)
   */
  public PagureHttp(
      Supplier<HttpClient> client,
      TokenProvider tokens,
      Duration timeout,
      RetryPolicy retry,
      InvocationDeadline deadline) {
    this.client = client;
    this.tokens = tokens;
    this.timeout = timeout;
    this.retry = retry;
    this.deadline = deadline;
  }

  /** The HTTP client pagure is called with (HTTP/1.1; connect timeout = request timeout). */
  public static HttpClient newClient(Duration timeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Sends the body with the token for {@code project} (the flag's project); returns pagure's 2xx
   * answer body or throws ({@link TokenProvider.NoTokenException} before any request when the token
   * secret has none for it).
   */
  public String post(String project, URI uri, String contentType, String body) {
    return send(project, uri, contentType, body);
  }

  /**
   * GETs {@code uri} with the token for {@code project} (private projects need it); the 2xx answer
   * body or throws.
   */
  public String get(String project, URI uri) {
    return send(project, uri, null, null);
  }

  private String send(String project, URI uri, String contentType, String body) {
    String method = body == null ? "GET" : "POST";
    String token = tokens.token(project);
    boolean refreshed = false;
    int attempt = 0;
    String last = "no attempt";
    int lastStatus = 0;
    Throwable lastError = null;
    while (attempt < retry.maxAttempts()) {
      attempt++;
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("Accept", "application/json")
              .header("User-Agent", USER_AGENT)
              .header("Authorization", "token " + token);
      HttpRequest request =
          body == null
              ? builder.GET().build()
              : builder
                  .header("Content-Type", contentType)
                  .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                  .build();
      HttpResponse<String> response;
      try {
        response =
            client.get().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        lastStatus = 0;
        lastError = e;
        last = "no answer (" + e.getClass().getSimpleName() + ")";
        if (!backOff(uri, attempt, last, null)) {
          break;
        }
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReportFailedException(
            "interrupted while calling pagure " + uri.getPath(), 0, true, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return response.body();
      }
      String answer = describe(status, response.body());
      if (status == 401 && !refreshed) {
        refreshed = true;
        String fresh = tokens.refresh(project);
        if (!fresh.equals(token)) {
          token = fresh;
          attempt--;
          LOG.info("{\"decision\":\"token-refreshed\",\"path\":\"{}\"}", uri.getPath());
          continue;
        }
      }
      if (status == 429 || status >= 500) {
        lastStatus = status;
        lastError = null;
        last = answer;
        if (!backOff(
            uri, attempt, last, response.headers().firstValue("Retry-After").orElse(null))) {
          break;
        }
        continue;
      }
      throw new ReportFailedException(
          "pagure rejected " + method + " " + uri.getPath() + ": " + answer, status, false, null);
    }
    String why =
        attempt < retry.maxAttempts() ? " (no time left in this invocation for another)" : "";
    throw new ReportFailedException(
        "pagure did not accept "
            + method
            + " "
            + uri.getPath()
            + " after "
            + attempt
            + " attempts"
            + why
            + "; last: "
            + last,
        lastStatus,
        true,
        lastError);
  }

  /**
   * Sleeps before the next attempt; false when there is none (attempts used up, or no time left).
   */
  private boolean backOff(URI uri, int attempt, String what, String retryAfter) {
    if (attempt >= retry.maxAttempts()) {
      return false;
    }
    Duration delay = retry.delayAfter(attempt);
    if (retryAfter != null) {
      try {
        Duration asked = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
        if (asked.compareTo(delay) > 0 && asked.compareTo(RetryPolicy.MAX_DELAY) <= 0) {
          delay = asked;
        }
      } catch (NumberFormatException ignored) {
        // an HTTP date: keep our own back-off
      }
    }
    if (!deadline.allows(delay.plus(timeout))) {
      return false;
    }
    LOG.warn(
        "{\"decision\":\"retry\",\"path\":\"{}\",\"attempt\":{},\"delayMillis\":{},\"answer\":{}}",
        uri.getPath(),
        attempt,
        delay.toMillis(),
        quote(what));
    RetryPolicy.sleep(delay);
    return true;
  }

  /** e.g. {@code 404 ENOPROJECT: Project not found}; non-JSON bodies are shortened. */
  static String describe(int status, String body) {
    String b = body == null ? "" : body;
    try {
      Object node = Json.parse(b);
      if (Json.has(node, "error_code")) {
        String errors = Json.has(node, "errors") ? " " + Json.write(Json.path(node, "errors")) : "";
        return status
            + " "
            + Json.asText(Json.path(node, "error_code"))
            + ": "
            + Json.asText(Json.path(node, "error"))
            + errors;
      }
    } catch (IOException ignored) {
      // not JSON (e.g. pagure's HTML 500 page)
    }
    String s = b.replaceAll("\\s+", " ").trim();
    return status
        + (s.isEmpty()
            ? ""
            : ": " + (s.length() > MAX_ERROR_CHARS ? s.substring(0, MAX_ERROR_CHARS) + "…" : s));
  }

  private static String quote(String s) {
    return Json.write(s);
  }
}
