package io.pagureci.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.jr.ob.JSON;
import io.pagureci.outbound.json.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 15 item 7: what the outbound function's first JSON costs at cold start with its own code
 * (jackson-core streaming into {@code Map}/{@code List} trees, {@code outbound/json/Json}) against
 * jackson-jr ({@code JSON.std}) and jackson-databind's tree ({@code ObjectMapper.readTree}). Each
 * run is a fresh JVM with Lambda's flags doing what a cold invocation does first: parse a real
 * CodeBuild state-change event (outbound's test fixture), read the fields the parser reads, and
 * write one decision line. Reported: classes loaded and microseconds for that work alone (the JVM
 * start, the file read and the class-count bean are outside it). Variants alternate.
 *
 * <pre>
 *   java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) \
 *     -Druns=15 io.pagureci.bench.JsonColdPathBench
 * </pre>
 */
public final class JsonColdPathBench {
  static final List<String> LAMBDA_FLAGS =
      List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
  static final List<String> VARIANTS = List.of("current", "jr", "databind");
  static final String EVENT =
      "outbound-lambda/src/test/resources/events/eventbridge/codebuild/state-failed-in-build.json";

  private JsonColdPathBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2) {
      once(args[0], Path.of(args[1]));
      return;
    }
    int runs = Integer.getInteger("runs", 15);
    Path event = Path.of(System.getProperty("event", EVENT));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Map<String, List<long[]>> results = new LinkedHashMap<>();
    VARIANTS.forEach(v -> results.put(v, new ArrayList<>()));
    for (int i = -1; i < runs; i++) { // run -1: untimed warm-up of the OS caches
      for (String v : VARIANTS) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(LAMBDA_FLAGS);
        cmd.addAll(
            List.of(
                "-cp", childClasspath(), JsonColdPathBench.class.getName(), v, event.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0 || !out.startsWith("classes=")) {
          throw new IllegalStateException(v + ": " + out);
        }
        String[] f = out.split("[ =]");
        if (i >= 0) {
          results
              .get(v)
              .add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[3]), Long.parseLong(f[5])});
        }
      }
    }
    summary(results);
  }

  /**
   * One line per variant from rows of {classes, wall µs, thread CPU µs}: medians, minima, maxima;
   * then the load.
   */
  static void summary(Map<String, List<long[]>> results) {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    for (var e : results.entrySet()) {
      List<Long> classes = e.getValue().stream().map(r -> r[0]).toList();
      List<Long> wall = e.getValue().stream().map(r -> r[1]).toList();
      List<Long> cpu = e.getValue().stream().map(r -> r[2]).toList();
      System.out.printf(
          "%-9s classes %d, wall median %.1f ms (min %.1f, max %.1f), thread CPU median %.1f ms"
              + " (min %.1f), n=%d%n",
          e.getKey(),
          median(classes),
          median(wall) / 1000.0,
          Collections.min(wall) / 1000.0,
          Collections.max(wall) / 1000.0,
          median(cpu) / 1000.0,
          Collections.min(cpu) / 1000.0,
          wall.size());
    }
    System.out.printf("1-minute load at the end: %.2f%n", load);
  }

  /**
   * Only the jars the three variants use (not the orchestrator's long classpath, whose look-ups
   * would cost every variant alike).
   */
  static String childClasspath() throws Exception {
    List<String> entries = new ArrayList<>();
    for (Class<?> k :
        List.of(
            JsonColdPathBench.class,
            Json.class,
            com.fasterxml.jackson.core.JsonFactory.class,
            JSON.class,
            ObjectMapper.class,
            com.fasterxml.jackson.annotation.JsonProperty.class)) {
      String e = Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      if (!entries.contains(e)) {
        entries.add(e);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  /** One cold run: prints {@code classes=<loaded> micros=<elapsed>}. */
  static void once(String variant, Path event) throws Exception {
    String text = Files.readString(event);
    var bean = ManagementFactory.getClassLoadingMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    long classes0 = bean.getTotalLoadedClassCount();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    String line =
        switch (variant) {
          case "current" -> current(text);
          case "jr" -> jr(text);
          case "databind" -> databind(text);
          default -> throw new IllegalArgumentException(variant);
        };
    long t1 = System.nanoTime();
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    long classes = bean.getTotalLoadedClassCount() - classes0;
    if (!line.contains("\"status\":\"FAILED\"") || !line.contains("\"build\":42")) {
      throw new IllegalStateException("wrong line " + line);
    }
    System.out.println(
        "classes=" + classes + " micros=" + (t1 - t0) / 1000 + " cpuMicros=" + cpu / 1000);
  }

  /** The function's own code: outbound/json/Json over jackson-core. */
  static String current(String text) throws Exception {
    Object root = Json.parse(text);
    Object detail = Json.path(root, "detail");
    Object info = Json.path(detail, "additional-information");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "posted");
    line.put("event", Json.string(root, "id"));
    line.put("status", Json.string(detail, "build-status"));
    line.put("project", Json.string(detail, "project-name"));
    line.put("build", ((Number) Json.path(info, "build-number")).longValue());
    int vars = 0;
    for (Object v :
        Json.elements(Json.path(Json.path(info, "environment"), "environment-variables"))) {
      if (Json.asText(Json.path(v, "name")).startsWith("PAGURE_")) {
        vars++;
      }
    }
    line.put("vars", vars);
    return Json.write(line);
  }

  /** jackson-jr: JSON.std reads Map/List trees and writes them. */
  @SuppressWarnings("unchecked")
  static String jr(String text) throws Exception {
    Map<String, Object> root = JSON.std.mapFrom(text);
    Map<String, Object> detail = (Map<String, Object>) root.get("detail");
    Map<String, Object> info = (Map<String, Object>) detail.get("additional-information");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "posted");
    line.put("event", root.get("id"));
    line.put("status", detail.get("build-status"));
    line.put("project", detail.get("project-name"));
    line.put("build", ((Number) info.get("build-number")).longValue());
    int vars = 0;
    Map<String, Object> env = (Map<String, Object>) info.get("environment");
    for (Object v : (List<Object>) env.get("environment-variables")) {
      if (String.valueOf(((Map<String, Object>) v).get("name")).startsWith("PAGURE_")) {
        vars++;
      }
    }
    line.put("vars", vars);
    return JSON.std.asString(line);
  }

  /** jackson-databind's tree model. */
  static String databind(String text) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode root = mapper.readTree(text);
    JsonNode detail = root.path("detail");
    JsonNode info = detail.path("additional-information");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "posted");
    line.put("event", root.path("id").asText());
    line.put("status", detail.path("build-status").asText());
    line.put("project", detail.path("project-name").asText());
    line.put("build", info.path("build-number").asLong());
    int vars = 0;
    for (JsonNode v : info.path("environment").path("environment-variables")) {
      if (v.path("name").asText().startsWith("PAGURE_")) {
        vars++;
      }
    }
    line.put("vars", vars);
    return mapper.writeValueAsString(line);
  }
}
