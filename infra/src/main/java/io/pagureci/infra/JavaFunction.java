package io.pagureci.infra;

import java.nio.file.Path;
import java.util.Map;
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

  /** The settings every function has. */
  record Base(
      String description,
      Path code,
      String handler,
      IRole role,
      Architecture architecture,
      int memoryMb,
      int timeoutSeconds,
      ILogGroup logGroup,
      Map<String, String> environment,
      FunctionLogging logging) {}

  /**
   * Adds the settings-only variables to the ones a construct sets itself (which come first); a
   * setting may not replace one of those.
   *
   * @throws IllegalArgumentException naming the variable and {@code owner} when it does
   */
  static void addSettings(
      Map<String, String> environment, Map<String, String> settings, String owner) {
    settings.forEach(
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
            .architecture(base.architecture())
            .code(Code.fromAsset(base.code().toString()))
            .handler(base.handler())
            .role(base.role())
            .memorySize(base.memoryMb())
            .timeout(Duration.seconds(base.timeoutSeconds()))
            .logGroup(base.logGroup())
            .environment(base.environment());
    base.logging().applyTo(b);
    return b;
  }
}
