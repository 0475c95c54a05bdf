package io.pagureci.inbound.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * A local DynamoDB stand-in: <a href="https://github.com/architect/dynalite">dynalite</a> (npm,
 * Apache-2.0; DynamoDB's JSON API on an in-memory LevelDB) in a child {@code node} process on
 * 127.0.0.1 and a free port. Nothing is written to disk; {@link #close()} ends the process.
 *
 * <p>dynalite takes a per-item lock from the condition check to the write in {@code PutItem} and
 * {@code UpdateItem} ({@code actions/putItem.js}, {@code actions/updateItem.js}: {@code
 * itemDb.lock(key, ...)}), so conditional writes are atomic per item as in DynamoDB ({@code
 * DynaliteServerIT} races them).
 *
 * <p>The package is installed by the build ({@code npm ci} of {@code src/test/dynalite} into {@code
 * target/dynalite}, docs/testing.md); its directory comes from the system property {@value
 * #HOME_PROPERTY}, which failsafe sets. {@code node} is taken from {@code PATH}.
 *
 * <pre>{@code
 * try (DynaliteServer dynamo = DynaliteServer.start()) {
 *   dynamo.createTable("records");           // partition key "id" (S), on demand
 *   DynamoDbClient client = dynamo.client();
 *   ...
 * }
 * }</pre>
 *
 * <p>The child reads its standard input and exits when it closes, so a test JVM that dies without
 * calling {@link #close()} does not leave a server running.
 */
public final class DynaliteServer implements AutoCloseable {

  /** System property naming the directory that holds {@code node_modules/dynalite}. */
  public static final String HOME_PROPERTY = "dynalite.home";

  /** Access key the stand-in accepts (it checks that requests are signed, not the signature). */
  public static final String ACCESS_KEY = "AKIDTESTTESTTESTTEST";

  /** Secret key used by {@link #client()}. */
  public static final String SECRET_KEY = "test-secret-key-not-a-secret";

  private static final String READY_LINE = "Dynalite listening at:";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final int START_ATTEMPTS = 3;
  private static final int OUTPUT_LINES_KEPT = 50;

  // Ends node when its standard input closes (the JVM went away), then runs dynalite's own CLI
  // with the arguments after "--" (cli.js reads process.argv from index 2).
  private static final String WATCHDOG_AND_CLI =
      "process.stdin.on('end', () => process.exit(0)); process.stdin.on('error', () => process.exit(0));"
          + " process.stdin.resume();"
          + " const cli = process.env.DYNALITE_CLI; process.argv.splice(1, 0, cli); require(cli);";

  private final Process process;
  private final URI endpoint;
  private final Deque<String> output;
  private final DynamoDbClient client;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private DynaliteServer(Process process, URI endpoint, Deque<String> output) {
    this.process = process;
    this.endpoint = endpoint;
    this.output = output;
    this.client = builder(endpoint).build();
    this.shutdownHook = new Thread(this::stopProcess, "dynalite-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts an empty stand-in on 127.0.0.1 (a free port) and waits until it answers; the caller
   * closes it.
   */
  public static DynaliteServer start() {
    Path cli = cliScript();
    List<String> failures = new ArrayList<>();
    // The port is picked here and bound by node a moment later: another process may take it in
    // between, in which case node exits and the next attempt takes another port.
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = freePort();
      Deque<String> output = new ArrayDeque<>();
      Process process = launch(cli, port);
      CompletableFuture<Boolean> ready = drain(process, output);
      boolean listening;
      try {
        listening = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        listening = false;
      } catch (ExecutionException e) {
        listening = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        destroy(process);
        throw new IllegalStateException("interrupted while starting dynalite", e);
      }
      if (listening) {
        DynaliteServer server =
            new DynaliteServer(process, URI.create("http://127.0.0.1:" + port), output);
        try {
          server.awaitAnswer();
        } catch (RuntimeException e) {
          server.close();
          throw e;
        }
        return server;
      }
      destroy(process);
      synchronized (output) {
        failures.add("attempt " + attempt + " (port " + port + "): " + lines(output));
      }
    }
    throw new IllegalStateException("dynalite did not start: " + String.join("; ", failures));
  }

  /** Plain-HTTP endpoint, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * A DynamoDB client for this stand-in: region us-east-1, static fake credentials, URL-connection
   * HTTP client. Owned by this server (closed by {@link #close()}).
   */
  public DynamoDbClient client() {
    return client;
  }

  /** A new client like {@link #client()} that the caller closes (e.g. one per racing thread). */
  public DynamoDbClient newClient() {
    return newClient(b -> {});
  }

  /**
   * A new client like {@link #client()}, changed by {@code customizer} (e.g. its retry strategy),
   * that the caller closes.
   */
  public DynamoDbClient newClient(Consumer<DynamoDbClientBuilder> customizer) {
    DynamoDbClientBuilder builder = builder(endpoint);
    customizer.accept(builder);
    return builder.build();
  }

  /**
   * Creates an on-demand table with the string partition key {@code id}, and waits until it is
   * active.
   */
  public void createTable(String name) {
    createTable(name, "id");
  }

  /**
   * Creates an on-demand table with the string partition key {@code partitionKey}, and waits until
   * it is active.
   */
  public void createTable(String name, String partitionKey) {
    client.createTable(
        t ->
            t.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    a -> a.attributeName(partitionKey).attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName(partitionKey).keyType(KeyType.HASH)));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (client.describeTable(d -> d.tableName(name)).table().tableStatus()
        != TableStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("table " + name + " did not become active");
      }
      pause(Duration.ofMillis(20));
    }
  }

  /** Whether the process still runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** The last lines dynalite printed (for failure messages). */
  public String output() {
    synchronized (output) {
      return lines(output);
    }
  }

  /** Stops the process (idempotent): later requests to {@link #endpoint()} are refused. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    stopProcess();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook stops the process
    }
  }

  private void stopProcess() {
    destroy(process);
  }

  private void awaitAnswer() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        client.listTables();
        return;
      } catch (SdkException e) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IllegalStateException(
              "dynalite at "
                  + endpoint
                  + " does not answer: "
                  + e.getMessage()
                  + "; output: "
                  + output(),
              e);
        }
        pause(Duration.ofMillis(50));
      }
    }
  }

  private static Path cliScript() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home == null || home.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + HOME_PROPERTY
              + " is not set: it names the"
              + " directory npm installed dynalite into (the build sets it for failsafe, see docs/testing.md)");
    }
    Path cli = Path.of(home, "node_modules", "dynalite", "cli.js").toAbsolutePath();
    if (!Files.isRegularFile(cli)) {
      throw new IllegalStateException(
          cli
              + " is missing: the build installs dynalite with npm ci before"
              + " the integration tests (pre-integration-test), see docs/testing.md");
    }
    return cli;
  }

  private static Process launch(Path cli, int port) {
    ProcessBuilder pb =
        new ProcessBuilder(
            "node",
            "-e",
            WATCHDOG_AND_CLI,
            "--",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            // tables are ACTIVE at once (DynamoDB's CREATING state is not what the tests are about)
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0");
    pb.environment().put("DYNALITE_CLI", cli.toString());
    pb.redirectErrorStream(true);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run node (is Node.js on PATH?)", e);
    }
  }

  /**
   * Reads the child's output until it ends; completes with true at the ready line, false at EOF.
   */
  private static CompletableFuture<Boolean> drain(Process process, Deque<String> output) {
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (output) {
                    output.addLast(line);
                    if (output.size() > OUTPUT_LINES_KEPT) {
                      output.removeFirst();
                    }
                  }
                  if (line.startsWith(READY_LINE)) {
                    ready.complete(true);
                  }
                }
              } catch (IOException e) {
                // the process is gone
              }
              ready.complete(false);
            },
            "dynalite-output");
    reader.setDaemon(true);
    reader.start();
    return ready;
  }

  private static void destroy(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // closing stdin only asks the watchdog to exit; destroy() below does not depend on it
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lines(Deque<String> output) {
    return output.isEmpty() ? "(no output)" : String.join(" | ", output);
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static DynamoDbClientBuilder builder(URI endpoint) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClient(UrlConnectionHttpClient.create());
  }
}
