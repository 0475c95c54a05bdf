package io.pagureci.outbound.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming tree reads, prints and quotes exactly as Jackson's databind tree model did. */
class JsonTest {
  private static final ObjectMapper DATABIND = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1,\"b\":[true,false,null,\"x\"],\"c\":{\"d\":-2.5e3}}",
        "{\"big\":123456789012345678901234567890,\"long\":9007199254740993,\"f\":1.0,\"g\":1e-7}",
        "{\"dup\":1,\"dup\":\"last wins\"}",
        "{\"u\":\"caf\\u00e9 \\\"q\\\" \\\\ \\n \\t \\u0001 \\u2028\"}",
        "[]",
        "\"s\"",
        "42",
        "null"
      })
  void printsTheSameJsonAsDatabind(String text) throws IOException {
    assertThat(Json.write(Json.parse(text))).isEqualTo(DATABIND.readTree(text).toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"text\"",
        "7",
        "-9223372036854775809",
        "2.50",
        "1e2",
        "true",
        "null",
        "{}",
        "[1]"
      })
  void asTextIsJacksonsAsText(String value) throws IOException {
    Object ours = Json.path(Json.parse("{\"v\":" + value + "}"), "v");
    JsonNode theirs = DATABIND.readTree("{\"v\":" + value + "}").get("v");

    assertThat(Json.asText(ours)).isEqualTo(theirs.asText());
    assertThat(Json.isValue(ours)).isEqualTo(theirs.isValueNode());
  }

  @Test
  void pathElementsAndHas() throws IOException {
    Object tree = Json.parse("{\"o\":{\"k\":\"v\"},\"a\":[1,2],\"n\":null}");

    assertThat(Json.path(tree, "missing")).isSameAs(Json.MISSING);
    assertThat(Json.path(Json.path(tree, "missing"), "k")).isSameAs(Json.MISSING);
    assertThat(Json.path(tree, "n")).isSameAs(Json.NULL);
    assertThat(Json.has(tree, "n")).isTrue();
    assertThat(Json.has(tree, "missing")).isFalse();
    assertThat(Json.string(Json.path(tree, "o"), "k")).isEqualTo("v");
    assertThat(Json.string(tree, "a")).isNull();
    assertThat(List.<Object>copyOf((java.util.Collection<?>) Json.elements(Json.path(tree, "a"))))
        .containsExactly(1, 2);
    assertThat(List.<Object>copyOf((java.util.Collection<?>) Json.elements(Json.path(tree, "o"))))
        .containsExactly("v");
    assertThat(Json.elements("scalar")).isEmpty();
  }

  @Test
  void writesJavaValuesLikeAnObjectMapper() throws IOException {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "posted");
    line.put("pr", 1L);
    line.put("percent", 60);
    line.put("phase", null);
    line.put("finished", false);
    List<Object> list = new ArrayList<>();
    list.add(Map.of("k", "ü"));
    line.put("list", list);

    assertThat(Json.write(line)).isEqualTo(DATABIND.writeValueAsString(line));
    assertThat(Json.write("a \"quoted\" line\n"))
        .isEqualTo(DATABIND.writeValueAsString("a \"quoted\" line\n"));
  }

  @Test
  void emptyInputIsNoValueAndBrokenInputFails() throws IOException {
    assertThat(Json.parse("  ")).isNull();
    assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Json.parse("<html>")).isInstanceOf(IOException.class);
  }
}
