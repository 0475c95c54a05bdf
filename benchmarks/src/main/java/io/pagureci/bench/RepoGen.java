package io.pagureci.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the benchmark repositories with {@code git fast-import} (no working tree): one commit
 * on {@code refs/heads/master} of a bare repository, deterministic for a given spec.
 *
 * <ul>
 *   <li>Small files are code-like text (compresses about 3-4x like real sources), spread over
 *       directories of 40 files, two levels deep.
 *   <li>A fraction of the small files are incompressible (random bytes); their extensions cycle
 *       through png, gz, jpg and bin - the first three are stored by the zip writer by extension,
 *       bin is not (not every incompressible file says so in its name).
 *   <li>Big binaries are random bytes too, with the names given.
 * </ul>
 */
final class RepoGen {

  /** What to generate. */
  record Spec(String name, int smallFiles, long smallBytes, double incompressible, List<Big> big) {}

  /** A big binary: its path and size. */
  record Big(String path, long bytes) {}

  static final List<Spec> SPECS =
      List.of(
          new Spec("bench-10m", 1_000, 10L << 20, 0.15, List.of()),
          new Spec("bench-100m", 10_000, 100L << 20, 0.15, List.of()),
          new Spec(
              "bench-1g",
              10_000,
              224L << 20,
              0.15,
              List.of(
                  new Big("dist/release-1.0.tar.gz", 250L << 20),
                  new Big("firmware/board.bin", 200L << 20),
                  new Big("media/demo.mp4", 200L << 20),
                  new Big("images/disk.img", 150L << 20))));

  static Spec spec(String size) {
    for (Spec s : SPECS) {
      if (s.name().equals("bench-" + size)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown size " + size + " (10m, 100m, 1g)");
  }

  private static final String[] WORDS = {
    "public",
    "private",
    "static",
    "final",
    "return",
    "if",
    "else",
    "for",
    "while",
    "class",
    "void",
    "int",
    "long",
    "String",
    "new",
    "null",
    "true",
    "false",
    "this",
    "import",
    "request",
    "response",
    "build",
    "commit",
    "branch",
    "project",
    "config",
    "value",
    "result",
    "error",
    "buffer",
    "stream",
    "reader",
    "writer",
    "handler",
    "service",
    "client",
    "server",
    "count",
    "index",
    "size",
    "length",
    "name",
    "path",
    "file",
    "entry",
    "token",
    "state",
  };

  private RepoGen() {}

  /** Creates {@code root/<name>.git} unless it is already there; returns the commit id. */
  static String ensure(Path root, Spec spec) throws IOException, InterruptedException {
    Path gitDir = root.resolve(spec.name() + ".git");
    Path done = root.resolve(spec.name() + ".commit");
    if (Files.exists(done) && Files.isDirectory(gitDir)) {
      return Files.readString(done).trim();
    }
    Files.createDirectories(root);
    run(root, "git", "init", "-q", "--bare", "-b", "master", gitDir.toString());
    ProcessBuilder pb =
        new ProcessBuilder("git", "fast-import", "--quiet", "--depth=1")
            .directory(gitDir.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("GIT_DIR", gitDir.toString());
    Process p = pb.start();
    try (OutputStream out = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
      write(out, spec);
    }
    if (p.waitFor() != 0) {
      throw new IOException("git fast-import failed for " + spec.name());
    }
    String commit = capture(gitDir, "git", "rev-parse", "refs/heads/master");
    Files.writeString(done, commit + "\n");
    return commit;
  }

  private static void write(OutputStream out, Spec spec) throws IOException {
    SplittableRandom rnd = new SplittableRandom(spec.name().hashCode());
    StringBuilder header = new StringBuilder();
    header.append("commit refs/heads/master\n");
    header.append("committer Bench <bench@example.org> 1764000000 +0000\n");
    String msg = "benchmark tree " + spec.name() + "\n";
    header
        .append("data ")
        .append(msg.getBytes(StandardCharsets.UTF_8).length)
        .append('\n')
        .append(msg);
    out.write(header.toString().getBytes(StandardCharsets.UTF_8));
    long avg = spec.smallBytes() / spec.smallFiles();
    int incompressibleEvery =
        spec.incompressible() <= 0
            ? Integer.MAX_VALUE
            : (int) Math.round(1 / spec.incompressible());
    String[] binExt = {"png", "gz", "jpg", "bin"};
    for (int i = 0; i < spec.smallFiles(); i++) {
      String dir = "src/m" + (i / 1600) + "/d" + ((i / 40) % 40);
      int size = (int) Math.max(16, avg / 2 + rnd.nextLong(Math.max(1, avg)));
      byte[] data;
      String path;
      if (i % incompressibleEvery == incompressibleEvery - 1) {
        data = new byte[size];
        rnd.nextBytes(data);
        path = dir + "/blob" + i + "." + binExt[(i / incompressibleEvery) % binExt.length];
      } else {
        data = text(rnd, size);
        path = dir + "/File" + i + (i % 3 == 0 ? ".java" : i % 3 == 1 ? ".py" : ".md");
      }
      inline(out, path, data);
    }
    byte[] chunk = new byte[8 << 20];
    for (Big big : spec.big()) {
      out.write(
          ("M 100644 inline " + big.path() + "\ndata " + big.bytes() + "\n")
              .getBytes(StandardCharsets.UTF_8));
      long left = big.bytes();
      while (left > 0) {
        int n = (int) Math.min(chunk.length, left);
        rnd.nextBytes(chunk);
        out.write(chunk, 0, n);
        left -= n;
      }
      out.write('\n');
    }
    out.write("\n".getBytes(StandardCharsets.UTF_8));
  }

  private static void inline(OutputStream out, String path, byte[] data) throws IOException {
    out.write(
        ("M 100644 inline " + path + "\ndata " + data.length + "\n")
            .getBytes(StandardCharsets.UTF_8));
    out.write(data);
    out.write('\n');
  }

  private static byte[] text(SplittableRandom rnd, int size) {
    StringBuilder sb = new StringBuilder(size + 64);
    while (sb.length() < size) {
      int indent = rnd.nextInt(4) * 2;
      sb.append(" ".repeat(indent));
      int words = 2 + rnd.nextInt(9);
      for (int w = 0; w < words; w++) {
        sb.append(WORDS[rnd.nextInt(WORDS.length)]);
        if (rnd.nextInt(5) == 0) {
          sb.append(rnd.nextInt(1000));
        }
        sb.append(w + 1 < words ? (rnd.nextInt(6) == 0 ? "(" : " ") : ";");
      }
      sb.append('\n');
    }
    sb.setLength(size);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd));
    }
  }

  static String capture(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IOException("failed: " + String.join(" ", cmd) + ": " + out);
    }
    return out;
  }

  static long packBytes(Path gitDir) throws IOException {
    List<Path> packs = new ArrayList<>();
    try (var s = Files.list(gitDir.resolve("objects/pack"))) {
      s.filter(p -> p.toString().endsWith(".pack")).forEach(packs::add);
    }
    long n = 0;
    for (Path p : packs) {
      n += Files.size(p);
    }
    return n;
  }
}
