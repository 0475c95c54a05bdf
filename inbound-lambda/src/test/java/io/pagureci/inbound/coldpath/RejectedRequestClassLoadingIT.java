package io.pagureci.inbound.coldpath;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.PagureFixtures;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cold-start claim of docs/performance.md §3: a request rejected before any network call is
 * read, decided, logged and answered with jackson-core's streaming API only — jackson-databind (≈
 * 0.2 s of class loading on a cold JVM) is never loaded for it, nor any AWS SDK client type or
 * anything of the worker's.
 *
 * <p>Each case runs in a fresh JVM ({@code -Xlog:class+load}) on the deployable {@code
 * target/function.jar}, with Lambda's JVM flags, and the class-load log is checked.
 */
class RejectedRequestClassLoadingIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /**
   * A real pagure delivery (pull-request.new) without its signature header: 401 before any call.
   */
  @Test
  void anUnsignedPagureDeliveryLoadsNoJacksonDatabindClass() throws Exception {
    PagureFixtures.Delivery d = PagureFixtures.webhook("pull-request.new-1");
    ObjectNode headers = JSON.createObjectNode();
    d.headers()
        .forEach(
            (k, v) -> {
              if (!k.startsWith("x-pagure-signature") && !k.equals("content-length")) {
                headers.put(k.toLowerCase(Locale.ROOT), v);
              }
            });
    Run run =
        invoke(
            JSON.writeValueAsBytes(event(headers, new String(d.body(), StandardCharsets.UTF_8))));

    assertThat(run.response().get("statusCode").asInt()).isEqualTo(401);
    assertThat(JSON.readTree(run.response().get("body").asText()).get("code").asText())
        .isEqualTo("UNAUTHENTICATED");
    assertThat(run.logs())
        .contains("\"decision\":\"rejected\"")
        .contains("\"topic\":\"pull-request.new\"");
    run.assertNoDatabind();
  }

  /** Envelopes and bodies that are refused before authentication (405, 400, 415, 401). */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"headers\": {}, \"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"requestContext\": {}}",
        "{\"requestContext\": {\"http\": {\"method\": \"GET\"}}} []",
        "\u0000",
        "{\"headers\": {\"content-type\": \"application/json\", \"x-pagure-topic\": \"git.receive\"},"
            + " \"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"body\": \"{\\\"topic\\\": 1, \\\"topic\\\": 2}\"}",
        "{\"headers\": {\"content-type\": \"text/plain\"}, \"requestContext\": {\"http\": {\"method\": \"POST\"}}, \"body\": \"{}\"}",
        "{\"headers\": {\"content-type\": \"application/json\"}, \"requestContext\": {\"http\": {\"method\": \"POST\"}},"
            + " \"body\": \"{\\\"protocol\\\": \\\"pagure-ci-webhook\\\"}\"}",
      })
  void malformedOrUnauthenticatedRequestsLoadNoJacksonDatabindClass(String event) throws Exception {
    Run run = invoke(event.getBytes(StandardCharsets.UTF_8));

    assertThat(run.response().get("statusCode").asInt()).isBetween(400, 499);
    run.assertNoDatabind();
  }

  private static ObjectNode event(ObjectNode headers, String body) {
    ObjectNode e =
        JSON.createObjectNode()
            .put("version", "2.0")
            .put("routeKey", "$default")
            .put("rawPath", "/");
    e.set("headers", headers);
    ObjectNode ctx =
        e.putObject("requestContext")
            .put("accountId", "anonymous")
            .put("requestId", "cold-1")
            .put("timeEpoch", 1795780800000L);
    ctx.putObject("http").put("method", "POST").put("path", "/").put("sourceIp", "203.0.113.7");
    return e.put("body", body).put("isBase64Encoded", false);
  }

  record Run(JsonNode response, String logs, List<String> loaded) {
    void assertNoDatabind() {
      // the check is only meaningful if the log is there and the handler ran
      assertThat(loaded).anyMatch(c -> c.equals("io.pagureci.inbound.domain.InboundService"));
      assertThat(loaded).anyMatch(c -> c.equals("com.fasterxml.jackson.core.JsonFactory"));
      assertThat(loaded).filteredOn(c -> c.startsWith("com.fasterxml.jackson.databind.")).isEmpty();
      // no SDK client is built (its Default*Client class loads then), and the accept function
      // wires nothing of the worker's: S3, the build services, JGit, the packager
      assertThat(loaded)
          .filteredOn(
              c ->
                  c.matches("software\\.amazon\\.awssdk\\.services\\.[a-z]+\\.Default\\w*Client")
                      || c.startsWith("software.amazon.awssdk.services.s3.")
                      || c.startsWith("software.amazon.awssdk.services.codebuild.")
                      || c.startsWith("software.amazon.awssdk.services.codepipeline.")
                      || c.startsWith("org.eclipse.jgit.")
                      || c.startsWith("io.pagureci.inbound.source."))
          .isEmpty();
    }
  }

  private Run invoke(byte[] event) throws IOException, InterruptedException {
    Path jar = Path.of("target/function.jar").toAbsolutePath();
    Path testClasses = Path.of("target/test-classes").toAbsolutePath();
    assertThat(jar).exists();
    Path eventFile = Files.write(tmp.resolve("event.json"), event);
    Path classLog = tmp.resolve("class-load.log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin,
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "-Xlog:class+load=info:file=" + classLog,
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                testClasses + File.pathSeparator + jar,
                InvokeOnce.class.getName(),
                eventFile.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(tmp.toFile())
            .redirectOutput(tmp.resolve("stdout").toFile())
            .redirectError(tmp.resolve("stderr").toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/bin:/bin");
    env.put("AWS_REGION", "eu-west-1");
    env.put("PAGURE_URL", "http://127.0.0.1:5000/");
    env.put("ALLOWED_PROJECTS", "demo");
    // the accept function's queue settings (docs/queue.md §2); nothing is sent for a refused
    // request
    env.put("WORK_QUEUE_URL", "http://127.0.0.1:9/000000000000/work");
    env.put("BUILD_RECORDS_TABLE", "records");
    env.put("HOOK_KEYS_SECRET_ID", "hook-keys");
    env.put("SOURCE_BUCKET", "src-bucket");
    env.put("CODEBUILD_PROJECT", "pagure-ci");
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    String stdout = Files.readString(tmp.resolve("stdout"));
    String stderr = Files.readString(tmp.resolve("stderr"));
    assertThat(p.exitValue()).as(stderr).isZero();
    // nothing but JSON lines on stdout: no SLF4J note about its provider (JsonLogProvider is named
    // to it by the handler), no JVM line
    assertThat(stderr).isEmpty();
    List<String> loaded = new ArrayList<>();
    for (String line : Files.readAllLines(classLog)) {
      // [0.123s][info][class,load] com.example.Name source: ...
      int at = line.indexOf("[class,load] ");
      if (at >= 0) {
        String rest = line.substring(at + "[class,load] ".length());
        int sp = rest.indexOf(' ');
        loaded.add(sp < 0 ? rest : rest.substring(0, sp));
      }
    }
    // stdout: the function's JSON log lines (lambda-log writes to stdout, as Lambda reads it), then
    // InvokeOnce's response document as the last line
    String out = stdout.strip();
    int last = out.lastIndexOf('\n');
    return new Run(
        JSON.readTree(out.substring(last + 1)),
        stderr + out.substring(0, Math.max(0, last)),
        loaded);
  }
}
