package io.pagureci.log;

import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * A logger of {@link JsonLogProvider}: below the sink's level nothing is formatted; the fluent
 * API's key-value pairs ({@code log.atInfo().addKeyValue("fetchMs", 120).log("fetched")}) become
 * top-level fields of the line.
 */
final class JsonLogger extends LegacyAbstractLogger implements LoggingEventAware {

  private final transient JsonLine.Sink sink;

  JsonLogger(String name, JsonLine.Sink sink) {
    this.name = name;
    this.sink = sink;
  }

  private boolean enabled(Level level) {
    return level.toInt() >= sink.threshold().toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable throwable) {
    sink.write(level, name, message(pattern, args), List.of(), throwable);
  }

  /**
   * The message as {@link MessageFormatter#basicArrayFormat} gives it; the functions' own lines
   * ({@code log.info("{}", json)}, a pattern without arguments) skip it, so the first line of a
   * cold start does not load the formatter.
   */
  static String message(String pattern, Object[] args) {
    if (args == null || args.length == 0) {
      return pattern;
    }
    if (args.length == 1 && "{}".equals(pattern)) {
      Object a = args[0];
      if (a == null) {
        return "null";
      }
      if (a instanceof String s) {
        return s;
      }
    }
    return MessageFormatter.basicArrayFormat(pattern, args);
  }

  @Override
  public void log(LoggingEvent event) {
    if (!enabled(event.getLevel())) {
      return;
    }
    Object[] args = event.getArgumentArray();
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    sink.write(
        event.getLevel(),
        name,
        message(event.getMessage(), args),
        pairs == null ? List.of() : pairs,
        event.getThrowable());
  }
}
