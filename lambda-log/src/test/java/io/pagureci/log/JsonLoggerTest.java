package io.pagureci.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.MessageFormatter;

/** The logger's message is SLF4J's formatting, with a shortcut for the functions' own lines. */
class JsonLoggerTest {

  @Test
  void theMessageIsWhatSlf4jsFormatterMakesOfEveryPatternAndArguments() {
    Object[][] args = {
      null,
      {},
      {"{\"decision\":\"rejected\"}"},
      {"has {} inside"},
      {(Object) null},
      {42},
      {new int[] {1, 2}},
      {new Object[] {"a", "b"}},
      {"a", "b"},
    };
    for (String pattern : new String[] {"{}", "plain", "{} and {}", "\\{}", "x={}", null}) {
      for (Object[] a : args) {
        assertThat(JsonLogger.message(pattern, a))
            .as("%s with %s", pattern, a == null ? null : java.util.Arrays.deepToString(a))
            .isEqualTo(MessageFormatter.basicArrayFormat(pattern, a));
      }
    }
  }

  @Test
  void theSinkOfTheEnvironmentWritesToStandardOutAsItIsWhenALineIsWritten() {
    JsonLine.Sink sink =
        JsonLine.Sink.fromEnvironment(
            Map.of("AWS_LAMBDA_FUNCTION_NAME", "fn", "AWS_LAMBDA_LOG_LEVEL", "WARN"));
    PrintStream saved = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    long before = System.currentTimeMillis();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      new JsonLoggerFactory(sink).getLogger("t").warn("{}", "{\"decision\":\"rejected\"}");
    } finally {
      System.setOut(saved);
    }
    String line = captured.toString(StandardCharsets.UTF_8);
    assertThat(line)
        .startsWith("{\"timestamp\":\"" + Rfc3339.utc(before).substring(0, 10))
        .contains("\"level\":\"WARN\",\"logger\":\"t\",\"functionName\":\"fn\"")
        .endsWith("\"decision\":\"rejected\"}\n");
    assertThat(sink.threshold()).isEqualTo(org.slf4j.event.Level.WARN);
  }

  @Test
  void oneLoggerPerName() {
    JsonLoggerFactory factory = new JsonLoggerFactory(JsonLine.Sink.fromEnvironment(Map.of()));

    assertThat(factory.getLogger("a")).isSameAs(factory.getLogger("a"));
    assertThat(factory.getLogger("a")).isNotSameAs(factory.getLogger("b"));
    assertThat(factory.getLogger("b").getName()).isEqualTo("b");
  }
}
