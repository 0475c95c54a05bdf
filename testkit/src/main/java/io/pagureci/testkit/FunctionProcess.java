package io.pagureci.testkit;

import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Lambda execution environment: a separate {@code java} process running a function's deployable
 * jar under the real runtime interface client ({@code AWSLambda}), fed by its own {@link
 * LocalLambdaRuntime}. It is laid out as Lambda lays it out: the runtime (RIC, {@code
 * aws-lambda-java-core}, {@code aws-lambda-java-serialization}, {@code utils-lite}) on the system
 * class path, the function jar in the task root ({@code <taskRoot>/lib/function.jar}, the working
 * directory) where the RIC's customer class loader finds it — so a class the jar and the runtime
 * both carry resolves as it would on Lambda.
 *
 * <p>The environment is built from scratch (nothing leaks in from the test's environment): the
 * variables Lambda sets, fake credentials, {@code HOME} and {@code java.io.tmpdir} in the work
 * directory, and what the caller adds (function configuration, {@code AWS_ENDPOINT_URL_*}).
 * Standard output and error go to {@link #logFile()}.
 *
 * <p>One process serves many invocations, one at a time ({@link #invoke}); {@link #close()}
 * destroys it.
 */
public final class FunctionProcess implements AutoCloseable {

  /** JVM flags of the Lambda Java runtimes. */
  public static final List<String> LAMBDA_JVM_FLAGS =
      List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  public static final String REGION = "eu-west-1";
  public static final String ACCOUNT = "123456789012";
  private static final String RUNTIME_MAIN =
      "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final Duration INIT_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Process process;
  private final LocalLambdaRuntime runtime;
  private final Path logFile;
  private final Duration timeout;

  private FunctionProcess(
      String name, Process process, LocalLambdaRuntime runtime, Path logFile, Duration timeout) {
    this.name = name;
    this.process = process;
    this.runtime = runtime;
    this.logFile = logFile;
    this.timeout = timeout;
  }

  /** What to run. */
  public record Spec(
      String name,
      Path functionJar,
      String handler,
      Map<String, String> env,
      Duration timeout,
      int memoryMb) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(functionJar, "functionJar");
      Objects.requireNonNull(handler, "handler");
      env = Map.copyOf(env);
    }

    public Spec(String name, Path functionJar, String handler, Map<String, String> env) {
      this(name, functionJar, handler, env, Duration.ofSeconds(60), 512);
    }
  }

  /**
   * Starts the function and waits until its init is done (the RIC asked for the first invocation).
   *
   * @param workDir an empty directory for the task root, {@code HOME}, {@code /tmp} and the log
   */
  public static FunctionProcess start(Spec spec, Path workDir) {
    if (!Files.isRegularFile(spec.functionJar())) {
      throw new IllegalStateException(
          spec.functionJar()
              + " does not exist: package the function first (its module's package phase"
              + " writes target/function.jar; ./mvnw -pl e2e-tests -am verify builds them all)");
    }
    String arn = "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + spec.name();
    LocalLambdaRuntime runtime = LocalLambdaRuntime.start(arn, spec.timeout());
    try {
      Path taskRoot = Files.createDirectories(workDir.resolve("task"));
      Path lib = Files.createDirectories(taskRoot.resolve("lib"));
      Files.createSymbolicLink(lib.resolve("function.jar"), spec.functionJar().toAbsolutePath());
      Path home = Files.createDirectories(workDir.resolve("home"));
      Path tmp = Files.createDirectories(workDir.resolve("tmp"));
      Path log = workDir.resolve(spec.name() + ".log");

      List<String> command = new ArrayList<>();
      command.add(javaExecutable());
      command.addAll(LAMBDA_JVM_FLAGS);
      command.add("-Xmx" + (spec.memoryMb() * 85 / 100) + "m");
      command.add("-Djava.io.tmpdir=" + tmp);
      command.add("-cp");
      command.add(runtimeClassPath());
      command.add(RUNTIME_MAIN);
      command.add(spec.handler());

      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(taskRoot.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      Map<String, String> env = pb.environment();
      env.clear();
      env.putAll(lambdaEnvironment(spec, runtime.address(), taskRoot, home));
      env.putAll(spec.env());
      Process process = pb.start();
      FunctionProcess fp = new FunctionProcess(spec.name(), process, runtime, log, spec.timeout());
      long t0 = System.nanoTime();
      try {
        fp.awaitInit();
        System.out.printf(
            "%s: init done in %d ms%n", spec.name(), (System.nanoTime() - t0) / 1_000_000);
      } catch (RuntimeException e) {
        fp.close();
        throw e;
      }
      return fp;
    } catch (IOException e) {
      runtime.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /** The variables the Lambda service sets for a java runtime, plus fake credentials. */
  private static Map<String, String> lambdaEnvironment(
      Spec spec, String runtimeApi, Path taskRoot, Path home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("LANG", "en_US.UTF-8");
    env.put("TZ", ":UTC");
    env.put("HOME", home.toString());
    env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    env.put("_HANDLER", spec.handler());
    env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
    env.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.name());
    env.put(
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "2026/11/27/[$LATEST]e2e" + Long.toHexString(System.nanoTime()));
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    // what Lambda sets for the stack's LoggingConfig (JSON format, application level INFO)
    env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
    env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
    env.put("AWS_REGION", REGION);
    env.put("AWS_DEFAULT_REGION", REGION);
    env.put("AWS_ACCESS_KEY_ID", "ASIAE2ETESTE2ETEST00");
    env.put("AWS_SECRET_ACCESS_KEY", "e2e-fake-secret-access-key-0000000000000");
    env.put("AWS_SESSION_TOKEN", "e2e-fake-session-token");
    return env;
  }

  /** The JDK that runs the tests. */
  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /**
   * What Lambda puts on the runtime's class path: the runtime interface client and the libraries it
   * needs (found on the test class path); also the cold-start benchmark's.
   */
  public static String runtimeClassPath() {
    List<String> entries = new ArrayList<>();
    for (String className :
        List.of(
            AWSLambda.class.getName(),
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal")) {
      try {
        Class<?> c = Class.forName(className, false, FunctionProcess.class.getClassLoader());
        String path =
            Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        if (!entries.contains(path)) {
          entries.add(path);
        }
      } catch (ClassNotFoundException | URISyntaxException e) {
        throw new IllegalStateException(
            "runtime library missing from the test class path: " + className, e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private void awaitInit() {
    CompletableFuture<Void> ready = runtime.ready();
    long deadline = System.nanoTime() + INIT_TIMEOUT.toNanos();
    while (true) {
      try {
        ready.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              name + " exited during init (" + process.exitValue() + "):\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              name + " did not finish init in " + INIT_TIMEOUT + ":\n" + output());
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            name + " failed to initialise: " + e.getCause().getMessage() + "\n" + output(),
            e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Invokes the function once with {@code event} (a JSON document, as the service would send it)
   * and waits for its result.
   */
  public LocalLambdaRuntime.Result invoke(String event) {
    CompletableFuture<LocalLambdaRuntime.Result> result = runtime.submit(event);
    long deadline = System.nanoTime() + timeout.plusSeconds(5).toNanos();
    while (true) {
      try {
        return result.get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              name + " died (" + process.exitValue() + "):\n" + output());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              name + " did not answer within " + timeout + ":\n" + output());
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException(name + ": " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Invokes the function and returns its answer; fails the test if the function threw. */
  public String invokeOk(String event) {
    LocalLambdaRuntime.Result result = invoke(event);
    if (result instanceof LocalLambdaRuntime.FunctionError error) {
      throw new AssertionError(
          name + " failed: " + error.errorType() + " " + error.body() + "\n" + output());
    }
    return result.body();
  }

  /** How many invocations the function was handed so far. */
  public int invocations() {
    return runtime.requestIds().size();
  }

  /** The function's name ({@code AWS_LAMBDA_FUNCTION_NAME}). */
  public String name() {
    return name;
  }

  /** Where the process's standard output and error go. */
  public Path logFile() {
    return logFile;
  }

  /** Everything the process wrote so far (standard output and error). */
  public String output() {
    try {
      return new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } finally {
      runtime.close();
    }
  }
}
