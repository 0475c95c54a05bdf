package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildLogReader;
import io.pagureci.outbound.domain.BuildLogs;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * A build's log from CloudWatch Logs: {@code GetLogEvents} ({@code Logs_20140328.GetLogEvents}, AWS
 * JSON 1.1, SigV4 service {@code logs}) on the group and stream the state event names, read
 * backwards from the end ({@code startFromHead=false}, then {@code nextBackwardToken}) until the
 * wanted line, the line budget or the start of the stream ({@code nextBackwardToken} comes back
 * unchanged) — at most {@link #MAX_PAGES} pages.
 *
 * <p>The one call is made with the SDK's own parts — its SigV4 signer, its default credentials
 * chain, the function's URL-connection HTTP client, its region metadata — but not with the
 * generated CloudWatch Logs client, whose model would add 3.2 MB to a jar kept under 15 MiB
 * (FunctionJarContentIT) for one operation. The endpoint honours the SDK's variables, in the SDK's
 * order: {@code aws.endpointUrlCloudWatchLogs}, {@code AWS_ENDPOINT_URL_CLOUDWATCH_LOGS}, {@code
 * aws.endpointUrl}, {@code AWS_ENDPOINT_URL} (none when {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS}
 * / {@code aws.ignoreConfiguredEndpointUrls} is {@code true}), else {@code
 * https://logs.<region>.<partition's DNS suffix>}. Throttling, 5xx and I/O failures are retried
 * ({@link #ATTEMPTS} attempts, with back-off); any failure left is thrown as {@link
 * LogReadException} naming the error type and message, never a credential.
 */
public final class CloudWatchLogsBuildLogReader implements BuildLogReader {
  /** Pages read at most (each up to 1 MB or 10,000 events). */
  static final int MAX_PAGES = 20;

  /** Attempts per page (throttling, 5xx, no answer). */
  static final int ATTEMPTS = 3;

  static final String TARGET = "Logs_20140328.GetLogEvents";
  private static final String JSON_1_1 = "application/x-amz-json-1.1";

  private final Supplier<SdkHttpClient> http;
  private final AwsCredentialsProvider credentials;
  private final Region region;
  private final URI endpoint;
  private final Duration backOff;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  /**
   * @param endpoint from {@link #endpoint}
   */
  public CloudWatchLogsBuildLogReader(
      Supplier<SdkHttpClient> http,
      AwsCredentialsProvider credentials,
      Region region,
      URI endpoint,
      Duration backOff) {
    this.http = Objects.requireNonNull(http);
    this.credentials = Objects.requireNonNull(credentials);
    this.region = Objects.requireNonNull(region);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.backOff = backOff;
  }

  /**
   * CloudWatch Logs' endpoint by the SDK's rules (above) from system properties {@code property}
   * and environment {@code env}.
   */
  public static URI endpoint(
      Function<String, String> property, Map<String, String> env, Region region) {
    boolean ignore =
        "true".equalsIgnoreCase(value(property.apply("aws.ignoreConfiguredEndpointUrls")))
            || "true".equalsIgnoreCase(value(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")));
    if (!ignore) {
      for (String v :
          new String[] {
            property.apply("aws.endpointUrlCloudWatchLogs"),
            env.get("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"),
            property.apply("aws.endpointUrl"),
            env.get("AWS_ENDPOINT_URL")
          }) {
        if (value(v) != null) {
          return URI.create(value(v));
        }
      }
    }
    String suffix = PartitionMetadata.of(region).dnsSuffix();
    return URI.create("https://logs." + region.id() + "." + suffix);
  }

  private static String value(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }

  @Override
  public List<String> lastLines(BuildLogs logs, Predicate<String> startAt, int maxLines) {
    Deque<String> lines = new ArrayDeque<>();
    String token = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      Object answer = call(request(logs, token));
      List<Object> events = new ArrayList<>();
      Json.elements(Json.path(answer, "events")).forEach(events::add);
      for (int i = events.size() - 1; i >= 0; i--) {
        List<String> message = split(Json.string(events.get(i), "message"));
        for (int j = message.size() - 1; j >= 0; j--) {
          String line = message.get(j);
          lines.addFirst(line);
          if (startAt.test(line) || lines.size() >= maxLines) {
            return new ArrayList<>(lines);
          }
        }
      }
      String next = Json.string(answer, "nextBackwardToken");
      if (events.isEmpty() || next == null || next.equals(token)) {
        break;
      }
      token = next;
    }
    return new ArrayList<>(lines);
  }

  static String request(BuildLogs logs, String token) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("logGroupName", logs.group());
    body.put("logStreamName", logs.stream());
    body.put("startFromHead", Boolean.FALSE);
    if (token != null) {
      body.put("nextToken", token);
    }
    return Json.write(body);
  }

  private Object call(String body) {
    LogReadException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) {
        RetryPolicy.sleep(backOff.multipliedBy(1L << (attempt - 2)));
      }
      int status;
      String text;
      try {
        SdkHttpRequest unsigned =
            SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", JSON_1_1)
                .putHeader("X-Amz-Target", TARGET)
                .build();
        SignedRequest signed =
            signer.sign(
                r ->
                    r.identity(credentials.resolveIdentity().join())
                        .request(unsigned)
                        .payload(ContentStreamProvider.fromUtf8String(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "logs")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        HttpExecuteResponse response =
            http.get()
                .prepareRequest(
                    HttpExecuteRequest.builder()
                        .request(signed.request())
                        .contentStreamProvider(signed.payload().orElse(null))
                        .build())
                .call();
        status = response.httpResponse().statusCode();
        text = read(response);
      } catch (IOException | UncheckedIOException e) {
        last =
            new LogReadException(
                "GetLogEvents: no answer (" + e.getClass().getSimpleName() + ")", true, e);
        continue;
      }
      if (status >= 200 && status < 300) {
        try {
          return Json.parse(text);
        } catch (IOException e) {
          throw new LogReadException("GetLogEvents: the answer is not JSON", false, e);
        }
      }
      last = error(status, text);
      if (!last.retryable()) {
        throw last;
      }
    }
    throw last;
  }

  private static String read(HttpExecuteResponse response) throws IOException {
    if (response.responseBody().isEmpty()) {
      return "";
    }
    try (InputStream in = response.responseBody().get()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** {@code ThrottlingException: Rate exceeded (HTTP 400)}; throttling and 5xx are retryable. */
  static LogReadException error(int status, String body) {
    String type = null;
    String message = null;
    try {
      Object node = Json.parse(body);
      type = Json.string(node, "__type");
      message = Json.string(node, "message");
      if (message == null) {
        message = Json.string(node, "Message");
      }
    } catch (IOException e) {
      // not JSON
    }
    if (type != null && type.contains("#")) {
      type = type.substring(type.indexOf('#') + 1);
    }
    String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
    boolean retryable =
        status >= 500 || status == 429 || t.contains("throttl") || t.contains("limitexceeded");
    return new LogReadException(
        "GetLogEvents: "
            + (type == null ? "error" : type)
            + (message == null ? "" : ": " + message)
            + " (HTTP "
            + status
            + ")",
        retryable,
        null);
  }

  /** A message's lines (CodeBuild ends each with a newline; that one makes no empty line). */
  static List<String> split(String message) {
    List<String> out = new ArrayList<>();
    if (message == null) {
      return out;
    }
    String[] parts = message.split("\r\n|\r|\n", -1);
    int n = parts.length;
    if (n > 0 && parts[n - 1].isEmpty()) {
      n--;
    }
    for (int i = 0; i < n; i++) {
      out.add(parts[i]);
    }
    return out;
  }

  /** CloudWatch Logs did not give the log; thrown so that the event is retried. */
  public static final class LogReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    LogReadException(String message, boolean retryable, Throwable cause) {
      super(message, cause);
      this.retryable = retryable;
    }

    boolean retryable() {
      return retryable;
    }
  }
}
