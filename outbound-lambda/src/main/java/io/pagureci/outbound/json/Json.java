package io.pagureci.outbound.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON this function reads and writes, on jackson-core's streaming parser and generator
 * only: no databind, whose {@code ObjectMapper} costs ≈ 370 classes (a good part of the cold start)
 * for what is a handful of small documents here.
 *
 * <p>A tree is {@code Map<String, Object>} (insertion order, last duplicate wins), {@code
 * List<Object>}, {@code String}, {@code Boolean}, {@code Number} (integers as Integer, Long or
 * BigInteger, other numbers as Double — what Jackson's tree model reads) or {@link #NULL}. {@link
 * #MISSING} stands for an absent member.
 */
public final class Json {
  /** JSON {@code null}. */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** An absent member (what {@link #path} answers when there is none). */
  public static final Object MISSING =
      new Object() {
        @Override
        public String toString() {
          return "";
        }
      };

  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  /** The plain factory (no duplicate detection, Jackson's default constraints). */
  public static JsonFactory factory() {
    return FACTORY;
  }

  /** The first value of {@code text} (trailing content is not looked at); null for empty input. */
  public static Object parse(String text) throws IOException {
    try (JsonParser p = FACTORY.createParser(text)) {
      return p.nextToken() == null ? null : read(p);
    }
  }

  /** Reads the value at the parser's current token (which must be set) into a tree. */
  public static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
          p.nextToken();
          m.put(name, read(p));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(read(p));
        }
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return NULL;
      }
      default -> throw new IOException("unexpected token " + t);
    }
  }

  /**
   * {@code node.field}: the member's value, {@link #MISSING} when absent or when {@code node} is no
   * object.
   */
  public static Object path(Object node, String field) {
    if (node instanceof Map<?, ?> m) {
      Object v = m.get(field);
      return v == null ? MISSING : v;
    }
    return MISSING;
  }

  /** Whether {@code node} is an object that has the member (whatever its value). */
  public static boolean has(Object node, String field) {
    return node instanceof Map<?, ?> m && m.containsKey(field);
  }

  /** The string member, or null (absent, not a string). */
  public static String string(Object node, String field) {
    return path(node, field) instanceof String s ? s : null;
  }

  /**
   * The elements of an array, the member values of an object, nothing for anything else (Jackson's
   * iteration).
   */
  public static Iterable<?> elements(Object node) {
    if (node instanceof List<?> l) {
      return l;
    }
    if (node instanceof Map<?, ?> m) {
      return m.values();
    }
    return List.of();
  }

  /** Whether {@code node} is a scalar: string, number, boolean or null. */
  public static boolean isValue(Object node) {
    return node instanceof String
        || node instanceof Number
        || node instanceof Boolean
        || node == NULL;
  }

  /**
   * The text of a scalar as Jackson's {@code asText()} gives it; "" for containers and {@link
   * #MISSING}.
   */
  public static String asText(Object node) {
    if (node instanceof String s) {
      return s;
    }
    if (node instanceof Number || node instanceof Boolean || node == NULL) {
      return String.valueOf(node);
    }
    return "";
  }

  /**
   * Compact JSON of a tree (or of Java maps, lists, strings, numbers, booleans; Java null as JSON
   * null).
   */
  public static String write(Object tree) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes {@code value} with {@code g}. */
  public static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null || value == NULL) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof java.math.BigInteger b) {
      g.writeNumber(b);
    } else if (value instanceof Double d) {
      g.writeNumber(d);
    } else if (value instanceof Number n) {
      g.writeNumber(n.toString());
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Iterable<?> l) {
      g.writeStartArray();
      for (Object o : l) {
        write(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(String.valueOf(value));
    }
  }
}
