package io.pagureci.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Runtime API as a runtime interface client sees it, driven over HTTP by the test. */
class LocalLambdaRuntimeTest {

  private static final String ARN = "arn:aws:lambda:eu-west-1:123456789012:function:fn";

  private final HttpClient http = HttpClient.newHttpClient();
  private final LocalLambdaRuntime runtime = LocalLambdaRuntime.start(ARN, Duration.ofSeconds(30));

  @AfterEach
  void stop() {
    runtime.close();
  }

  @Test
  void handsAQueuedEventToNextWithLambdasHeadersAndCompletesItWithTheResponse() throws Exception {
    CompletableFuture<LocalLambdaRuntime.Result> result = runtime.submit("{\"a\":1}");

    HttpResponse<String> next = get("invocation/next");

    assertThat(runtime.ready()).isCompleted();
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(next.body()).isEqualTo("{\"a\":1}");
    assertThat(next.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(next.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn")).hasValue(ARN);
    assertThat(next.headers().firstValue("Lambda-Runtime-Trace-Id").orElseThrow())
        .matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
    long deadline =
        Long.parseLong(next.headers().firstValue("Lambda-Runtime-Deadline-Ms").orElseThrow());
    assertThat(deadline - System.currentTimeMillis()).isBetween(25_000L, 30_000L);
    String id = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();

    assertThat(post("invocation/" + id + "/response", "{\"ok\":true}", null).statusCode())
        .isEqualTo(202);

    assertThat(result.get(5, TimeUnit.SECONDS))
        .isEqualTo(new LocalLambdaRuntime.Response(id, "{\"ok\":true}"));
    assertThat(runtime.requestIds()).containsExactly(id);
  }

  @Test
  void notesWhenTheFunctionWasReadyAndWhenEachResultArrived() throws Exception {
    CompletableFuture<LocalLambdaRuntime.Result> result = runtime.submit("{}");
    assertThat(runtime.readyAtNanos()).isEqualTo(-1);
    long before = System.nanoTime();

    String id =
        get("invocation/next").headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
    long ready = runtime.readyAtNanos();
    assertThat(runtime.resultAtNanos(id)).isEqualTo(-1);
    post("invocation/" + id + "/response", "{}", null);
    result.get(5, TimeUnit.SECONDS);
    long after = System.nanoTime();

    assertThat(ready).isBetween(before, after);
    assertThat(runtime.resultAtNanos(id)).isBetween(ready, after);
    assertThat(runtime.resultAtNanos("no-such-id")).isEqualTo(-1);
  }

  @Test
  void anErrorKeepsItsErrorTypeAndAFinishedIdCannotBeAnsweredAgain() throws Exception {
    CompletableFuture<LocalLambdaRuntime.Result> result = runtime.submit("{}");
    String id =
        get("invocation/next").headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();

    post("invocation/" + id + "/error", "{\"errorMessage\":\"boom\"}", "Runtime.UserException");

    assertThat(result.get(5, TimeUnit.SECONDS))
        .isEqualTo(
            new LocalLambdaRuntime.FunctionError(
                id, "Runtime.UserException", "{\"errorMessage\":\"boom\"}"));
    assertThat(post("invocation/" + id + "/response", "{}", null).statusCode()).isEqualTo(400);
    assertThat(get("invocation/other").statusCode()).isEqualTo(404);
  }

  @Test
  void anInitErrorFailsReadinessAndEveryWaitingAndLaterInvocation() throws Exception {
    CompletableFuture<LocalLambdaRuntime.Result> waiting = runtime.submit("{}");

    assertThat(
            post("init/error", "{\"errorMessage\":\"no PAGURE_URL\"}", "Runtime.Init").statusCode())
        .isEqualTo(202);

    assertThatThrownBy(() -> runtime.ready().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("Runtime.Init")
        .hasMessageContaining("no PAGURE_URL");
    assertThat(waiting).isCompletedExceptionally();
    assertThat(runtime.submit("{}")).isCompletedExceptionally();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String errorType) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (errorType != null) {
      b.header("Lambda-Runtime-Function-Error-Type", errorType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://" + runtime.address() + "/2018-06-01/runtime/" + path);
  }
}
