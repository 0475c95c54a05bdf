package io.pagureci.inbound.domain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * One strict JSON reader for request bodies: rejects duplicate keys, trailing tokens, invalid UTF-8
 * and nesting deeper than {@value #MAX_DEPTH}.
 */
public final class StrictJson {

  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_DEPTH)
                          .maxNumberLength(100)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private StrictJson() {}

  /** Parses {@code body}; the message of the exception says what is wrong (no body content). */
  public static JsonNode parse(byte[] body) throws Rejection {
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw Rejection.badRequest("MALFORMED_JSON", "the body is empty");
      }
      return node;
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int cut = why.indexOf('\n');
      throw Rejection.badRequest(
          "MALFORMED_JSON", "the body is not well-formed JSON: " + (cut > 0 ? why.substring(0, cut) : why));
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
