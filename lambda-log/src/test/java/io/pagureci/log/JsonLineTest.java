package io.pagureci.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

class JsonLineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long T = 1_796_598_123_219L; // 2026-12-06T23:02:03.219Z

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @AfterEach
  void clear() {
    MDC.clear();
  }

  private Logger logger(Level threshold) {
    return new JsonLoggerFactory(new JsonLine.Sink(threshold, "accept-fn", () -> out, () -> T))
        .getLogger("io.pagureci.test");
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String l : bytes.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      if (!l.isEmpty()) {
        lines.add(JSON.readTree(l));
      }
    }
    return lines;
  }

  private static List<String> names(JsonNode n) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> i = n.fieldNames(); i.hasNext(); ) {
      names.add(i.next());
    }
    return names;
  }

  @Test
  void decisionLineFieldsAreTopLevelNextToTheInvocationAndTheDelivery() throws Exception {
    MDC.put(LambdaLog.DELIVERY_ID, "d-1");
    try (var ignored = LambdaLog.begin("req-1")) {
      logger(Level.INFO).warn("{}", "{\"decision\":\"rejected\",\"status\":401,\"pr\":null}");
    }
    JsonNode line = lines().getFirst();
    assertThat(names(line))
        .containsExactly(
            "timestamp",
            "level",
            "logger",
            "functionName",
            "requestId",
            "coldStart",
            "decision",
            "status",
            "pr",
            "deliveryId");
    assertThat(line.path("timestamp").asText()).isEqualTo("2026-12-06T23:02:03.219Z");
    assertThat(line.path("level").asText()).isEqualTo("WARN");
    assertThat(line.path("functionName").asText()).isEqualTo("accept-fn");
    assertThat(line.path("requestId").asText()).isEqualTo("req-1");
    assertThat(line.path("coldStart").isBoolean()).isTrue();
    assertThat(line.path("status").isInt()).isTrue();
    assertThat(line.path("pr").isNull()).isTrue();
    assertThat(line.path("deliveryId").asText()).isEqualTo("d-1");
  }

  @Test
  void aDecisionLinesFieldsAreWrittenInTheirOrderWithTheirTypesAndBecomeTheLinesOwn()
      throws Exception {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("decision", "rejected");
    fields.put("status", 401);
    fields.put("millis", 12L);
    fields.put("pr", null);
    fields.put("merged", false);
    fields.put("reason", "a \"quoted\" reason\nover two lines");
    fields.put("state", java.time.Duration.ofSeconds(3));

    String json = LambdaLog.fields(fields);
    assertThat(json)
        .isEqualTo(
            "{\"decision\":\"rejected\",\"status\":401,\"millis\":12,\"pr\":null,\"merged\":false,"
                + "\"reason\":\"a \\\"quoted\\\" reason\\nover two lines\",\"state\":\"PT3S\"}");

    logger(Level.INFO).info("{}", json);
    JsonNode line = lines().getFirst();
    assertThat(names(line))
        .endsWith("decision", "status", "millis", "pr", "merged", "reason", "state");
    assertThat(line.path("reason").asText()).isEqualTo("a \"quoted\" reason\nover two lines");
  }

  @Test
  void theLinesOwnDeliveryIdWinsOverTheMdcAndAppearsOnce() throws Exception {
    MDC.put(LambdaLog.DELIVERY_ID, "from-mdc");
    logger(Level.INFO).info("{}", "{\"deliveryId\":\"from-line\",\"decision\":\"posted\"}");
    String raw = bytes.toString(StandardCharsets.UTF_8);
    assertThat(raw.split("deliveryId", -1)).hasSize(2);
    JsonNode line = lines().getFirst();
    assertThat(line.path("deliveryId").asText()).isEqualTo("from-line");
    // outside an invocation: no request id, no cold start
    assertThat(line.has("requestId")).isFalse();
    assertThat(line.has("coldStart")).isFalse();
  }

  @Test
  void coldStartIsTrueOnlyForTheFirstInvocation() throws Exception {
    // other tests of this JVM may have begun invocations: look at two in a row
    List<Boolean> seen = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try (var ignored = LambdaLog.begin("r" + i)) {
        seen.add(LambdaLog.coldStart());
      }
      assertThat(LambdaLog.coldStart()).isNull();
      assertThat(LambdaLog.requestId()).isNull();
    }
    assertThat(seen.get(1)).isFalse();
  }

  @Test
  void plainMessagesAndKeyValuePairs() throws Exception {
    Logger log = logger(Level.INFO);
    log.info("source packaged {} in {} ms", "k", 12);
    log.atInfo()
        .addKeyValue("fetchMs", 120)
        .addKeyValue("ok", true)
        .addKeyValue("project", "demo")
        .addKeyValue("level", "shadow")
        .log("fetched");
    List<JsonNode> lines = lines();
    assertThat(lines.get(0).path("message").asText()).isEqualTo("source packaged k in 12 ms");
    JsonNode kv = lines.get(1);
    assertThat(kv.path("message").asText()).isEqualTo("fetched");
    assertThat(kv.path("fetchMs").isIntegralNumber()).isTrue();
    assertThat(kv.path("ok").isBoolean()).isTrue();
    assertThat(kv.path("project").asText()).isEqualTo("demo");
    assertThat(kv.path("level").asText()).isEqualTo("INFO");
    assertThat(kv.path("field.level").asText()).isEqualTo("shadow");
  }

  @Test
  void messagesThatAreNotExactlyOneObjectStayMessages() throws Exception {
    Logger log = logger(Level.INFO);
    List<String> odd =
        List.of(
            "{not json}",
            "{\"a\":1}{\"b\":2}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1} trailing }",
            "[1,2]",
            "{}x");
    for (String m : odd) {
      log.info(m);
    }
    List<JsonNode> lines = lines();
    assertThat(lines).hasSize(odd.size());
    for (int i = 0; i < odd.size(); i++) {
      assertThat(lines.get(i).path("message").asText()).isEqualTo(odd.get(i));
    }
  }

  @Test
  void throwablesAndLineBreaksStayOnOneLine() throws Exception {
    Logger log = logger(Level.INFO);
    log.error(
        "unexpected failure\nsecond line",
        new IllegalStateException("boom", new RuntimeException("cause")));
    String raw = bytes.toString(StandardCharsets.UTF_8);
    assertThat(raw.indexOf('\n')).isEqualTo(raw.length() - 1);
    JsonNode line = lines().getFirst();
    assertThat(line.path("message").asText()).isEqualTo("unexpected failure\nsecond line");
    assertThat(line.path("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(line.path("errorMessage").asText()).isEqualTo("boom");
    assertThat(line.path("stackTrace").isArray()).isTrue();
    assertThat(line.path("stackTrace").toString())
        .contains("Caused by: java.lang.RuntimeException: cause");
  }

  @Test
  void belowTheThresholdNothingIsWritten() throws Exception {
    Logger log = logger(Level.WARN);
    log.info("dropped");
    log.atInfo().addKeyValue("k", 1).log("dropped too");
    log.debug("dropped");
    log.warn("kept");
    assertThat(log.isInfoEnabled()).isFalse();
    assertThat(log.isWarnEnabled()).isTrue();
    assertThat(lines()).extracting(n -> n.path("message").asText()).containsExactly("kept");
  }

  @Test
  void levelComesFromLambdasApplicationLogLevel() {
    assertThat(JsonLine.Sink.fromEnvironment(Map.of()).threshold()).isEqualTo(Level.INFO);
    assertThat(JsonLine.Sink.fromEnvironment(Map.of("AWS_LAMBDA_LOG_LEVEL", "DEBUG")).threshold())
        .isEqualTo(Level.DEBUG);
    assertThat(JsonLine.Sink.level("fatal")).isEqualTo(Level.ERROR);
    assertThat(JsonLine.Sink.level("TRACE")).isEqualTo(Level.TRACE);
    assertThat(JsonLine.Sink.level("warn")).isEqualTo(Level.WARN);
    assertThat(JsonLine.Sink.level("bogus")).isEqualTo(Level.INFO);
    assertThat(
            JsonLine.Sink.fromEnvironment(Map.of("AWS_LAMBDA_FUNCTION_NAME", "fn")).functionName())
        .isEqualTo("fn");
  }

  @Test
  void slf4jFindsThisProvider() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(JsonLoggerFactory.class);
  }

  @Test
  void timestampsAreRfc3339WithMilliseconds() {
    DateTimeFormatter f =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    Random r = new Random(42);
    List<Long> samples = new ArrayList<>(List.of(0L, -1L, 951_782_400_000L, 4_107_542_399_999L, T));
    for (int i = 0; i < 10_000; i++) {
      samples.add(r.nextLong(0, 253_402_300_799_999L)); // up to 9999-12-31
    }
    for (long m : samples) {
      if (m >= 0) {
        assertThat(Rfc3339.utc(m)).as("%d", m).isEqualTo(f.format(Instant.ofEpochMilli(m)));
      }
    }
  }

  @Test
  void keyValuePairsOfEveryType() throws Exception {
    String line =
        JsonLine.format(
            T,
            Level.INFO,
            "l",
            null,
            null,
            null,
            null,
            List.of(
                new KeyValuePair("n", null),
                new KeyValuePair("d", 1.5),
                new KeyValuePair("o", List.of("x"))),
            null,
            null);
    JsonNode n = JSON.readTree(line);
    assertThat(n.path("n").isNull()).isTrue();
    assertThat(n.path("d").asDouble()).isEqualTo(1.5);
    assertThat(n.path("o").asText()).isEqualTo("[x]");
    assertThat(n.has("message")).isFalse();
  }
}
