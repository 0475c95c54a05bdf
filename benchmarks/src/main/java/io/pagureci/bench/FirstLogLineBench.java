package io.pagureci.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.pagureci.log.LambdaLog;
import java.io.File;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the first JSON log line costs a cold function (issue 15 item 6): a fresh JVM per run with
 * Lambda's flags and jackson-core already loaded and used (as the accept function has it when it
 * logs its first decision: the event was parsed, the decision line generated), timed from the first
 * {@code LoggerFactory.getLogger} to the rejected request's decision line written by lambda-log.
 * Reported: classes loaded and thread CPU / wall time of that alone. Variants are directories (or
 * jars) of lambda-log classes, alternating:
 *
 * <pre>
 *   java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) -Druns=15 \
 *     -Dvariants=before=benchmarks/target/log-before,after=lambda-log/target/classes \
 *     io.pagureci.bench.FirstLogLineBench
 * </pre>
 */
public final class FirstLogLineBench {
  static final String LINE =
      "{\"deliveryId\":\"11111111-2222-3333-4444-555555555555\",\"format\":\"pagure\","
          + "\"topic\":\"pull-request.new\",\"decision\":\"rejected\",\"status\":401,"
          + "\"code\":\"UNAUTHENTICATED\",\"reason\":\"no signature\",\"millis\":3}";

  private FirstLogLineBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 1 && args[0].equals("once")) {
      once();
      return;
    }
    int runs = Integer.getInteger("runs", 15);
    Map<String, String> variants = new LinkedHashMap<>();
    for (String v : System.getProperty("variants").split(",(?=[^,;=]+=)")) {
      String[] kv = v.split("=", 2);
      variants.put(kv[0], kv[1]);
    }
    Map<String, List<long[]>> results = new LinkedHashMap<>();
    variants.keySet().forEach(v -> results.put(v, new ArrayList<>()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = -1; i < runs; i++) {
      for (var v : variants.entrySet()) {
        String[] spec = v.getValue().split(";");
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(List.of(spec).subList(1, spec.length));
        cmd.addAll(
            List.of(
                "-cp",
                spec[0] + File.pathSeparator + libraries(),
                FirstLogLineBench.class.getName(),
                "once"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AWS_LAMBDA_FUNCTION_NAME", "bench-accept");
        pb.environment().put("AWS_LAMBDA_LOG_LEVEL", "INFO");
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        String line = new String(p.getInputStream().readAllBytes()).trim();
        String err = new String(p.getErrorStream().readAllBytes()).trim();
        err = err.substring(err.lastIndexOf('\n') + 1); // SLF4J's own notes come before
        if (p.waitFor() != 0 || !err.startsWith("classes=") || !line.contains("\"status\":401")) {
          throw new IllegalStateException(v.getKey() + ": " + line + " / " + err);
        }
        String[] f = err.split("[ =]");
        if (i >= 0) {
          results
              .get(v.getKey())
              .add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[3]), Long.parseLong(f[5])});
        } else {
          System.out.println(v.getKey() + " line: " + line);
        }
      }
    }
    JsonColdPathBench.summary(results);
  }

  /** slf4j-api, jackson-core, aws-lambda-java-core and these classes (no lambda-log). */
  static String libraries() throws Exception {
    List<String> entries = new ArrayList<>();
    for (Class<?> k :
        List.of(
            FirstLogLineBench.class,
            LoggerFactory.class,
            JsonFactory.class,
            com.amazonaws.services.lambda.runtime.Context.class)) {
      entries.add(
          Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /** One cold run: the line on stdout, {@code classes= micros= cpuMicros=} on stderr. */
  static void once() throws Exception {
    // what the function has done before its first line: read the event, generated the line
    JsonFactory json = new JsonFactory();
    try (JsonParser p = json.createParser(LINE)) {
      while (p.nextToken() != null) {
        p.getText();
      }
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = json.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("decision", "rejected");
      g.writeNumberField("status", 401);
      g.writeEndObject();
    }
    var bean = ManagementFactory.getClassLoadingMXBean();
    var threads = ManagementFactory.getThreadMXBean();
    long classes0 = bean.getTotalLoadedClassCount();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    Logger log = LoggerFactory.getLogger("io.pagureci.inbound");
    MDC.put(LambdaLog.DELIVERY_ID, "11111111-2222-3333-4444-555555555555");
    LambdaLog.Invocation invocation = LambdaLog.begin("req-1");
    try {
      log.warn("{}", LINE);
    } finally {
      invocation.close();
    }
    long t1 = System.nanoTime();
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    long classes = bean.getTotalLoadedClassCount() - classes0;
    System.err.println(
        "classes=" + classes + " micros=" + (t1 - t0) / 1000 + " cpuMicros=" + cpu / 1000);
  }
}
