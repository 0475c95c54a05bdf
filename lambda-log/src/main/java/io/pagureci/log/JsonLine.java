package io.pagureci.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * One log line: a JSON object on one line, in the shape Lambda's JSON log format reads ({@code
 * timestamp} in RFC 3339, {@code level} for the application log-level filter). Fields, in order:
 *
 * <ul>
 *   <li>{@code timestamp}, {@code level}, {@code logger};
 *   <li>{@code functionName} (Lambda's {@code AWS_LAMBDA_FUNCTION_NAME}), and inside an invocation
 *       {@code requestId} and {@code coldStart} ({@link LambdaLog});
 *   <li>the message: a message that is one JSON object (the decision lines) gives its fields, any
 *       other message is {@code message};
 *   <li>the event's key-value pairs, then the MDC's entries ({@code deliveryId}) the line does not
 *       have already;
 *   <li>for a throwable: {@code errorType}, {@code errorMessage}, {@code stackTrace} (Lambda's own
 *       names for an error).
 * </ul>
 *
 * A field of the message or a key-value pair whose name is one of the first six is written as
 * {@code field.<name>} (no line has a key twice).
 */
final class JsonLine {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> OWN =
      Set.of("timestamp", "level", "logger", "functionName", "requestId", "coldStart");

  private JsonLine() {}

  /** Where lines go, and from which level on. */
  record Sink(Level threshold, String functionName, Supplier<PrintStream> out, Clock clock) {

    /** Lambda sets {@code AWS_LAMBDA_LOG_LEVEL} from the function's application log level. */
    static Sink fromEnvironment(Map<String, String> env) {
      // named classes, not lambdas: each lambda spins a hidden class at its first use, a cost the
      // first log line of a cold start paid (docs/performance.md §3)
      return new Sink(
          level(env.get("AWS_LAMBDA_LOG_LEVEL")),
          env.get("AWS_LAMBDA_FUNCTION_NAME"),
          new SystemOut(),
          new SystemClock());
    }

    /** {@code TRACE}, {@code DEBUG}, {@code INFO}, {@code WARN}, {@code ERROR}, {@code FATAL}. */
    static Level level(String name) {
      if (name == null || name.isBlank()) {
        return Level.INFO;
      }
      return switch (name.trim().toUpperCase(java.util.Locale.ROOT)) {
        case "TRACE" -> Level.TRACE;
        case "DEBUG" -> Level.DEBUG;
        case "WARN" -> Level.WARN;
        case "ERROR", "FATAL" -> Level.ERROR;
        default -> Level.INFO;
      };
    }

    void write(
        Level level, String logger, String message, List<KeyValuePair> pairs, Throwable throwable) {
      String line =
          format(
              clock.millis(),
              level,
              logger,
              functionName,
              LambdaLog.requestId(),
              LambdaLog.coldStart(),
              message,
              pairs,
              MDC.getCopyOfContextMap(),
              throwable);
      PrintStream o = out.get();
      synchronized (o) {
        o.print(line);
        o.flush();
      }
    }
  }

  /** Milliseconds since the epoch. */
  interface Clock {
    long millis();
  }

  /** {@code System.out} as it is when a line is written. */
  private static final class SystemOut implements Supplier<PrintStream> {
    @Override
    public PrintStream get() {
      return System.out;
    }
  }

  private static final class SystemClock implements Clock {
    @Override
    public long millis() {
      return System.currentTimeMillis();
    }
  }

  /** The line, ending in {@code \n}. */
  static String format(
      long millis,
      Level level,
      String logger,
      String functionName,
      String requestId,
      Boolean coldStart,
      String message,
      List<KeyValuePair> pairs,
      Map<String, String> mdc,
      Throwable throwable) {
    Object[] fields = {
      millis, level, logger, functionName, requestId, coldStart, message, pairs, mdc, throwable
    };
    try {
      return write(fields, true);
    } catch (IOException notAnObject) {
      try {
        return write(fields, false);
      } catch (IOException e) {
        throw new IllegalStateException("a log line could not be written", e);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static String write(Object[] f, boolean messageAsFields) throws IOException {
    StringWriter w = new StringWriter(256);
    Set<String> written = new HashSet<>();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Rfc3339.utc((Long) f[0]));
      g.writeStringField("level", ((Level) f[1]).name());
      g.writeStringField("logger", (String) f[2]);
      if (f[3] != null) {
        g.writeStringField("functionName", (String) f[3]);
      }
      if (f[4] != null) {
        g.writeStringField("requestId", (String) f[4]);
      }
      if (f[5] != null) {
        g.writeBooleanField("coldStart", (Boolean) f[5]);
      }
      String message = (String) f[6];
      if (messageAsFields && isObject(message)) {
        copyFields(message, g, written);
      } else if (message != null) {
        name(g, "message", written);
        g.writeString(message);
      }
      for (KeyValuePair p : (List<KeyValuePair>) f[7]) {
        name(g, p.key, written);
        value(g, p.value);
      }
      Map<String, String> mdc = (Map<String, String>) f[8];
      if (mdc != null) {
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          if (!written.contains(e.getKey()) && !OWN.contains(e.getKey())) {
            name(g, e.getKey(), written);
            g.writeString(e.getValue());
          }
        }
      }
      Throwable t = (Throwable) f[9];
      if (t != null) {
        name(g, "errorType", written);
        g.writeString(t.getClass().getName());
        name(g, "errorMessage", written);
        g.writeString(t.getMessage());
        name(g, "stackTrace", written);
        g.writeStartArray();
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        for (String frame : trace.toString().split("\\R")) {
          String s = frame.strip();
          if (!s.isEmpty()) {
            g.writeString(s);
          }
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return w.append('\n').toString();
  }

  /** {@code fields} as one compact JSON object, in their order (see {@link LambdaLog#fields}). */
  static String object(Map<String, ?> fields) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      for (Map.Entry<String, ?> e : fields.entrySet()) {
        g.writeFieldName(e.getKey());
        value(g, e.getValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("a log line could not be written", e);
    }
    return w.toString();
  }

  private static boolean isObject(String message) {
    return message != null
        && message.length() >= 2
        && message.charAt(0) == '{'
        && message.charAt(message.length() - 1) == '}';
  }

  /** The fields of {@code json}, which must be exactly one JSON object; else an IOException. */
  private static void copyFields(String json, JsonGenerator g, Set<String> written)
      throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        name(g, p.currentName(), written);
        p.nextToken();
        g.copyCurrentStructure(p);
      }
      if (p.nextToken() != null) {
        throw new IOException("trailing tokens");
      }
    }
  }

  private static void name(JsonGenerator g, String name, Set<String> written) throws IOException {
    String n = OWN.contains(name) || written.contains(name) ? "field." + name : name;
    written.add(n);
    g.writeFieldName(n);
  }

  private static void value(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      g.writeNumber(((Number) v).doubleValue());
    } else {
      g.writeString(v.toString());
    }
  }
}
