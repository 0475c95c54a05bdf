package io.pagureci.bench;

import io.pagureci.inbound.testsupport.GitHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Benchmarks 1 and 2: the project's packager versus the git CLI, side by side and alternating, a
 * fresh process for every run, against JGit smart HTTP (protocol v0) and S3Mock on 127.0.0.1.
 *
 * <p>System properties: {@code sizes} (10m,100m,1g), {@code runs} (5), {@code cpus} ("" = all, or a
 * taskset CPU list such as "1"), {@code dir} (where the generated repositories are kept, default
 * /tmp/pagureci-bench), {@code jar} (the inbound function.jar), {@code classes} (these classes),
 * {@code jvmFlags}, {@code out} (a JSON results file), {@code tools} (project,git), {@code warmup}
 * (true: one untimed pair first).
 */
public final class PackagingBench {

  static final String LAMBDA_FLAGS =
      "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MaxRAM=2048m";

  record Run(
      String size,
      int run,
      String tool,
      long wallMs,
      long maxRssKb,
      long peakTempBytes,
      long leftBehind,
      long zipBytes,
      String childJson) {}

  public static void main(String[] args) throws Exception {
    List<String> sizes = List.of(System.getProperty("sizes", "10m,100m,1g").split(","));
    int runs = Integer.getInteger("runs", 5);
    String cpus = System.getProperty("cpus", "");
    Path dir = Path.of(System.getProperty("dir", "/tmp/pagureci-bench"));
    Path jar =
        Path.of(System.getProperty("jar", "inbound-lambda/target/function.jar")).toAbsolutePath();
    Path classes =
        Path.of(System.getProperty("classes", "benchmarks/target/classes")).toAbsolutePath();
    String jvmFlags = System.getProperty("jvmFlags", LAMBDA_FLAGS);
    Path outFile = Path.of(System.getProperty("out", "benchmarks/target/results/packaging.json"));
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> tools = List.of(System.getProperty("tools", "project,git").split(","));
    boolean warmup = Boolean.parseBoolean(System.getProperty("warmup", "true"));

    Path repos = dir.resolve("repos");
    Map<String, String> commits = new LinkedHashMap<>();
    Map<String, Long> packs = new LinkedHashMap<>();
    for (String size : sizes) {
      RepoGen.Spec spec = RepoGen.spec(size);
      long t = System.nanoTime();
      commits.put(size, RepoGen.ensure(repos, spec));
      packs.put(size, RepoGen.packBytes(repos.resolve(spec.name() + ".git")));
      log(
          "repo %s: commit %s, pack %.1f MiB (ready in %d ms)",
          spec.name(),
          commits.get(size),
          packs.get(size) / 1048576.0,
          (System.nanoTime() - t) / 1_000_000);
    }

    List<Run> results = new ArrayList<>();
    Tls tls = Tls.create(Files.createDirectories(dir.resolve("tls")));
    try (GitHttpServer git = GitHttpServer.start(repos);
        S3StandIn s3 = S3StandIn.start(tls, dir)) {
      s3.createVersionedBucket("bench");
      log("git http %s, s3 %s, load %s", git.baseUri(), s3.https, load());
      for (String size : sizes) {
        String name = RepoGen.spec(size).name();
        String commit = commits.get(size);
        // the servers' JIT warm-up happens once, on the first size
        for (int i = warmup && size.equals(sizes.get(0)) ? 0 : 1; i <= runs; i++) {
          boolean projectFirst = i % 2 == 0;
          for (String tool : projectFirst ? List.of("project", "git") : List.of("git", "project")) {
            if (!tools.contains(tool)) {
              continue;
            }
            Path work = Files.createTempDirectory(dir, "run-");
            Path home = Files.createDirectories(work.resolve("home"));
            Path tmp = Files.createDirectories(work.resolve("tmp"));
            String key = "src/" + name + "/" + tool + "-" + i + ".zip";
            List<String> cmd =
                new ArrayList<>(
                    List.of(
                        "/usr/bin/time",
                        "-f",
                        "%e %U %S %M",
                        "-o",
                        work.resolve("time.txt").toString()));
            if (!cpus.isEmpty()) {
              cmd.addAll(List.of("taskset", "-c", cpus));
            }
            if (tool.equals("project")) {
              cmd.add(java);
              cmd.addAll(List.of(jvmFlags.trim().split("\\s+")));
              cmd.addAll(
                  List.of(
                      "-Djava.io.tmpdir=" + tmp,
                      "-Djavax.net.ssl.trustStore=" + tls.trustStore(),
                      "-Djavax.net.ssl.trustStorePassword=" + tls.password(),
                      "-cp",
                      jar + ":" + classes,
                      PackOnce.class.getName(),
                      git.baseUri().toString(),
                      name,
                      "refs/heads/master",
                      commit,
                      s3.https.toString(),
                      "bench",
                      key,
                      tmp.toString()));
            } else {
              String url = git.cloneUri(name).toString();
              String put = s3.https + "/bench/" + key;
              String script =
                  String.join(
                      "\n",
                      "set -eo pipefail",
                      "cd " + tmp,
                      "git init -q --bare repo.git",
                      "cd repo.git",
                      "git -c protocol.version=0 fetch -q --depth 1 --no-tags "
                          + url
                          + " refs/heads/master",
                      "git archive --format=zip FETCH_HEAD | curl -sSf -o /dev/null --cacert "
                          + tls.keyStore().resolveSibling("standin.crt")
                          + " -H 'Content-Type: application/zip' -T - "
                          + put,
                      "cd " + tmp,
                      "rm -rf repo.git");
              cmd.addAll(List.of("bash", "-c", script));
            }
            ProcessBuilder pb =
                new ProcessBuilder(cmd)
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.to(work.resolve("stderr.txt").toFile()));
            pb.environment().put("HOME", home.toString());
            pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            pb.environment().put("TMPDIR", tmp.toString());
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong peak = new AtomicLong();
            Thread sampler =
                Thread.ofPlatform()
                    .daemon()
                    .start(
                        () -> {
                          while (running.get()) {
                            peak.accumulateAndGet(du(tmp), Math::max);
                            try {
                              Thread.sleep(20);
                            } catch (InterruptedException e) {
                              return;
                            }
                          }
                        });
            long serverCpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            Process p = pb.start();
            String stdout =
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = p.waitFor();
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            running.set(false);
            sampler.join();
            // the functions log JSON lines to stdout (lambda-log); PackOnce's result is the last
            String err = Files.readString(work.resolve("stderr.txt"));
            int lastLine = stdout.lastIndexOf('\n');
            if (lastLine >= 0) {
              err = err + stdout.substring(0, lastLine);
              stdout = stdout.substring(lastLine + 1);
            }
            if (rc != 0) {
              throw new IllegalStateException(tool + " failed (" + rc + "): " + err + stdout);
            }
            String[] time = Files.readString(work.resolve("time.txt")).trim().split("\\s+");
            long rssKb = Long.parseLong(time[time.length - 1]);
            // CPU seconds: the measured process tree (user + sys), and this JVM (git server,
            // S3Mock,
            // the temp-dir sampler) during the same run
            double childCpu = Double.parseDouble(time[1]) + Double.parseDouble(time[2]);
            double serverCpu = (processCpuNanos() - serverCpu0) / 1e9;
            long left;
            try (Stream<Path> s = Files.list(tmp)) {
              left = s.count();
            }
            long zipBytes = s3.admin.headObject(b -> b.bucket("bench").key(key)).contentLength();
            if (i > 0) {
              Run r = new Run(size, i, tool, wallMs, rssKb, peak.get(), left, zipBytes, stdout);
              results.add(r);
              // the packager's own phase split, from its "source packaged" log line
              Matcher phases =
                  Pattern.compile("\"fetchMs\":(\\d+),\"zipUploadMs\":(\\d+)").matcher(err);
              String split =
                  phases.find()
                      ? " fetch " + phases.group(1) + " ms, zip+upload " + phases.group(2) + " ms"
                      : "";
              Matcher zip = Pattern.compile("\"zipMs\":(\\d+),\"completeMs\":(\\d+)").matcher(err);
              if (zip.find()) {
                split +=
                    " (zip "
                        + zip.group(1)
                        + " ms, then "
                        + zip.group(2)
                        + " ms to finish the upload";
                // the last one: with -Dpagureci.bench.prime=true, priming logs its own upload first
                Matcher call =
                    Pattern.compile(
                            "key=(?!priming/)\\S+ parts=\\d+ bytes=\\d+ completeCallMs=(\\d+)")
                        .matcher(err);
                String callMs = null;
                while (call.find()) {
                  callMs = call.group(1);
                }
                split +=
                    callMs != null ? ", of which CompleteMultipartUpload " + callMs + " ms)" : ")";
              }
              log(
                  "%s run %d %-7s %6d ms%s  cpu %.1f s (servers %.1f s)  rss %4d MiB  temp peak %6.1f MiB  left %d  zip %.1f MiB  load %s %s",
                  size,
                  i,
                  tool,
                  wallMs,
                  split,
                  childCpu,
                  serverCpu,
                  rssKb / 1024,
                  peak.get() / 1048576.0,
                  left,
                  zipBytes / 1048576.0,
                  load(),
                  stdout);
            } else {
              log("%s warm-up %-7s %6d ms", size, tool, wallMs);
            }
            for (ObjectVersion v :
                s3.admin.listObjectVersions(b -> b.bucket("bench").prefix(key)).versions()) {
              s3.admin.deleteObject(b -> b.bucket("bench").key(v.key()).versionId(v.versionId()));
            }
            deleteTree(work);
          }
        }
        summarise(results, size, packs.get(size));
      }
    }
    Files.createDirectories(outFile.toAbsolutePath().getParent());
    Files.writeString(outFile, toJson(results, packs, cpus, jvmFlags));
    log("results in %s", outFile);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static void summarise(List<Run> all, String size, long packBytes) {
    List<Run> project =
        all.stream().filter(r -> r.size().equals(size) && r.tool().equals("project")).toList();
    List<Run> git =
        all.stream().filter(r -> r.size().equals(size) && r.tool().equals("git")).toList();
    long pm = median(project.stream().map(Run::wallMs).toList());
    long gm = median(git.stream().map(Run::wallMs).toList());
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(project.size(), git.size()); i++) {
      ratios.add(project.get(i).wallMs() / (double) git.get(i).wallMs());
    }
    ratios.sort(Comparator.naturalOrder());
    log(
        "SUMMARY %s: project median %d ms, git median %d ms, ratio of medians %.2f, median pair ratio %.2f;"
            + " project max RSS %d MiB, git max RSS %d MiB; project temp peak %.1f MiB, git temp peak %.1f MiB,"
            + " pack %.1f MiB; left behind %d; runs %d",
        size,
        pm,
        gm,
        pm / (double) gm,
        ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() / 2),
        project.stream().mapToLong(Run::maxRssKb).max().orElse(0) / 1024,
        git.stream().mapToLong(Run::maxRssKb).max().orElse(0) / 1024,
        project.stream().mapToLong(Run::peakTempBytes).max().orElse(0) / 1048576.0,
        git.stream().mapToLong(Run::peakTempBytes).max().orElse(0) / 1048576.0,
        packBytes / 1048576.0,
        project.stream().mapToLong(Run::leftBehind).sum(),
        project.size());
  }

  static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(Comparator.naturalOrder());
    if (s.isEmpty()) {
      return 0;
    }
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static String toJson(List<Run> runs, Map<String, Long> packs, String cpus, String flags) {
    StringBuilder sb =
        new StringBuilder(
            "{\"cpus\":\""
                + (cpus.isEmpty() ? "all" : cpus)
                + "\",\"jvmFlags\":\""
                + flags
                + "\",\"java\":\""
                + System.getProperty("java.vm.version")
                + "\",\"packs\":{");
    packs.forEach((k, v) -> sb.append('"').append(k).append("\":").append(v).append(','));
    if (!packs.isEmpty()) {
      sb.setLength(sb.length() - 1);
    }
    sb.append("},\"runs\":[\n");
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      sb.append(
          String.format(
              Locale.ROOT,
              "{\"size\":\"%s\",\"run\":%d,\"tool\":\"%s\",\"wallMs\":%d,\"maxRssKb\":%d,\"peakTempBytes\":%d,"
                  + "\"leftBehind\":%d,\"zipBytes\":%d,\"child\":%s}%s\n",
              r.size(),
              r.run(),
              r.tool(),
              r.wallMs(),
              r.maxRssKb(),
              r.peakTempBytes(),
              r.leftBehind(),
              r.zipBytes(),
              r.childJson().isEmpty() ? "null" : r.childJson(),
              i + 1 < runs.size() ? "," : ""));
    }
    return sb.append("]}\n").toString();
  }

  static long du(Path root) {
    long[] n = {0};
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(
          p -> {
            try {
              if (Files.isRegularFile(p)) {
                n[0] += Files.size(p);
              }
            } catch (IOException e) {
              // deleted while walking
            }
          });
    } catch (IOException | UncheckedIOException e) {
      // deleted while walking
    }
    return n[0];
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (NoSuchFileException e) {
      // gone
    }
  }

  static String load() {
    try {
      String s = Files.readString(Path.of("/proc/loadavg"));
      Matcher m = Pattern.compile("^(\\S+) (\\S+) (\\S+)").matcher(s);
      return m.find() ? m.group(1) + "/" + m.group(2) + "/" + m.group(3) : s;
    } catch (IOException e) {
      return "?";
    }
  }

  static void log(String fmt, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] " + fmt + "%n", prepend(java.time.LocalTime.now(), args));
    System.out.flush();
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
