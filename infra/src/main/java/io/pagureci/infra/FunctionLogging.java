package io.pagureci.infra;

import java.util.Locale;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.SystemLogLevel;

/**
 * Every function's {@code LoggingConfig}: Lambda's JSON log format, the application log level (the
 * functions' own JSON lines, filtered by their {@code level}; Lambda passes it to them as {@code
 * AWS_LAMBDA_LOG_LEVEL}) and the system log level (Lambda's {@code platform.*} records), context
 * keys {@code logLevel} and {@code systemLogLevel} (docs/configuration.md).
 */
public record FunctionLogging(ApplicationLogLevel application, SystemLogLevel system) {

  /** The {@code logLevel} values, as the context key takes them. */
  static final String[] APPLICATION_LEVELS = {"trace", "debug", "info", "warn", "error", "fatal"};

  /** The {@code systemLogLevel} values. */
  static final String[] SYSTEM_LEVELS = {"debug", "info", "warn"};

  public static final FunctionLogging DEFAULT =
      new FunctionLogging(ApplicationLogLevel.INFO, SystemLogLevel.INFO);

  static FunctionLogging of(String application, String system) {
    return new FunctionLogging(
        ApplicationLogLevel.valueOf(application.toUpperCase(Locale.ROOT)),
        SystemLogLevel.valueOf(system.toUpperCase(Locale.ROOT)));
  }

  /** Sets the logging config on a function being built. */
  Function.Builder applyTo(Function.Builder b) {
    return b.loggingFormat(LoggingFormat.JSON)
        .applicationLogLevelV2(application)
        .systemLogLevelV2(system);
  }
}
