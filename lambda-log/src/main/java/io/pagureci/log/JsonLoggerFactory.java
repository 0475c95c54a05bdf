package io.pagureci.log;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/** One {@link JsonLogger} per name, all writing to the same sink. */
final class JsonLoggerFactory implements ILoggerFactory {

  private final JsonLine.Sink sink;
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

  JsonLoggerFactory(JsonLine.Sink sink) {
    this.sink = sink;
  }

  @Override
  public Logger getLogger(String name) {
    // no computeIfAbsent(name, lambda): the lambda's class is spun at the first call, i.e. during
    // a cold start
    Logger logger = loggers.get(name);
    if (logger == null) {
      Logger created = new JsonLogger(name, sink);
      logger = loggers.putIfAbsent(name, created);
      if (logger == null) {
        logger = created;
      }
    }
    return logger;
  }
}
