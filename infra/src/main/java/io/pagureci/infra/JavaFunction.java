package io.pagureci.infra;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.constructs.Construct;

/**
 * What every function of the stack shares (accept, worker, outbound): the {@code java21} runtime,
 * its jar, role, size, own log group, variables and JSON logging. Each construct adds its own
 * settings (SnapStart, concurrency, async retries, ephemeral storage) to the builder.
 */
final class JavaFunction {
  private JavaFunction() {}

  /** What the props of every function's construct give it (the records' own components). */
  interface Props {
    Path code();

    Architecture architecture();

    int memoryMb();

    int timeoutSeconds();

    FunctionLogging logging();
  }

  /** The settings every function has: the construct's {@link Props} and what it makes itself. */
  record Base(
      String description,
      String handler,
      Props props,
      IRole role,
      ILogGroup logGroup,
      Map<String, String> environment) {}

  /**
   * Adds the settings-only variables to the ones a construct sets itself (which come first), in
   * name order: the settings come as an immutable map, whose order changes from one JVM to the
   * next, and the template should not. A setting may not replace one of the construct's own.
   *
   * @throws IllegalArgumentException naming the variable and {@code owner} when it does
   */
  static void addSettings(
      Map<String, String> environment, Map<String, String> settings, String owner) {
    new TreeMap<>(settings)
        .forEach(
            (k, v) -> {
              if (environment.putIfAbsent(k, v) != null) {
                throw new IllegalArgumentException(k + " is set by " + owner + " itself");
              }
            });
  }

  static Function.Builder builder(Construct scope, String id, Base base) {
    Function.Builder b =
        Function.Builder.create(scope, id)
            .description(base.description())
            .runtime(Runtime.JAVA_21)
            .architecture(base.props().architecture())
            .code(Code.fromAsset(base.props().code().toString()))
            .handler(base.handler())
            .role(base.role())
            .memorySize(base.props().memoryMb())
            .timeout(Duration.seconds(base.props().timeoutSeconds()))
            .logGroup(base.logGroup())
            .environment(base.environment());
    base.props().logging().applyTo(b);
    return b;
  }
}
