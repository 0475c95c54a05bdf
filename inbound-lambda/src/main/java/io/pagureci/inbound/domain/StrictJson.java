package io.pagureci.inbound.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;

/**
 * One strict JSON reader for request bodies: rejects duplicate keys, trailing tokens, invalid UTF-8
 * and nesting deeper than {@value #MAX_DEPTH}.
 *
 * <p>Two levels. {@link #factory()}, {@link #check(byte[])} and {@link #generator} use
 * jackson-core's streaming API only: a request rejected before authentication is read, decided and
 * answered without jackson-databind, whose class loading costs ≈ 0.2 s of a cold start
 * (docs/performance.md §3). {@link #parse(byte[])} and {@link #mapper()} build trees with an {@code
 * ObjectMapper} on the same strict settings; the mapper is created on first use (holder class),
 * i.e. only once a request got that far.
 */
public final class StrictJson {

  public static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = newFactory();

  private StrictJson() {}

  private static JsonFactory newFactory() {
    return JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(100).build())
        .build();
  }

  /** The strict streaming factory (duplicate keys, depth and number length are parser errors). */
  public static JsonFactory factory() {
    return FACTORY;
  }

  /**
   * What {@link InboundService} needs to know about a well-formed body before it authenticates it.
   *
   * @param object whether the document is a JSON object
   * @param hasTopic whether it has a top-level {@code topic} member (of any type)
   * @param hasMsg whether it has a top-level {@code msg} member
   * @param hasProtocol whether it has a top-level {@code protocol} member
   * @param topic the top-level {@code topic} if it is a string, else {@code null}
   */
  public record Shape(
      boolean object, boolean hasTopic, boolean hasMsg, boolean hasProtocol, String topic) {}

  /**
   * Checks that {@code body} is one strict, well-formed JSON document (the same rules and messages
   * as {@link #parse(byte[])}) with the streaming parser, and returns its top-level shape.
   */
  public static Shape check(byte[] body) throws Rejection {
    try (JsonParser p = FACTORY.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw Rejection.badRequest("MALFORMED_JSON", "the body is empty");
      }
      Shape shape;
      if (first == JsonToken.START_OBJECT) {
        boolean hasTopic = false;
        boolean hasMsg = false;
        boolean hasProtocol = false;
        String topic = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          switch (name) {
            case "topic" -> {
              hasTopic = true;
              topic = value == JsonToken.VALUE_STRING ? p.getText() : null;
            }
            case "msg" -> hasMsg = true;
            case "protocol" -> hasProtocol = true;
            default -> {}
          }
          readValue(p);
        }
        shape = new Shape(true, hasTopic, hasMsg, hasProtocol, topic);
      } else {
        readValue(p);
        shape = new Shape(false, false, false, false, null);
      }
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw Rejection.badRequest(
            "MALFORMED_JSON",
            "the body is not well-formed JSON: Trailing token (of type "
                + trailing
                + ") found after the JSON value");
      }
      return shape;
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /**
   * Reads the value at the current token completely, decoding every string and number as a tree
   * parser would (so invalid UTF-8 or an out-of-range number anywhere is an error here too).
   */
  public static void readValue(JsonParser p) throws IOException {
    int depth = 0;
    JsonToken t = p.currentToken();
    while (true) {
      switch (t) {
        case START_OBJECT, START_ARRAY -> depth++;
        case END_OBJECT, END_ARRAY -> depth--;
        case VALUE_STRING -> p.getText();
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
        default -> {}
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
      if (t == null) {
        throw new IOException("Unexpected end-of-input");
      }
    }
  }

  /**
   * Parses {@code body} into a tree; the message of the exception says what is wrong (no body
   * content).
   */
  public static JsonNode parse(byte[] body) throws Rejection {
    try {
      JsonNode node = Trees.MAPPER.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw Rejection.badRequest("MALFORMED_JSON", "the body is empty");
      }
      return node;
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  private static Rejection malformed(IOException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int cut = why.indexOf('\n');
    return Rejection.badRequest(
        "MALFORMED_JSON",
        "the body is not well-formed JSON: " + (cut > 0 ? why.substring(0, cut) : why));
  }

  /** The tree mapper (built on first use: jackson-databind is not loaded before that). */
  public static ObjectMapper mapper() {
    return Trees.MAPPER;
  }

  /** A compact generator on the strict factory, writing to {@code out}. */
  public static JsonGenerator generator(Writer out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  private static final class Trees {
    static final ObjectMapper MAPPER =
        new ObjectMapper(newFactory())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }
}
