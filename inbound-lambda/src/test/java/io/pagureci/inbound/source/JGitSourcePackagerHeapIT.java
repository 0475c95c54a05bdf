package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestFile;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat: a repository with 48 MiB of content (a 50 MB zip) is packaged by a JVM whose
 * whole heap is 48 MiB (the zip, the pack, or all the blobs could never be held in memory there).
 *
 * <p>Why 48: what the packager holds at once is bounded, not small — up to three S3 part buffers
 * (one being filled, {@code DEFAULT_MAX_IN_FLIGHT} = 2 uploading; 5 MiB each here, 8 MiB in
 * production), JGit's pack window cache ({@code packedGitLimit}, 10 MiB) and the blobs being read.
 * Measured (2 cores, load 15–20): 40 and 44 MiB fail with {@code OutOfMemoryError} (allocating the
 * next part buffer in {@code S3MultipartOutputStream.flushPart}, or a pack window in {@code
 * WindowCache.load}); 48, 56 and 64 MiB pass. The docs' earlier "passes with 40 MiB" was written
 * before the upload kept two parts in flight (commit beb8004).
 *
 * <p>Opt-in (about a minute on 2 cores, most of it moving 48 MiB through git and S3): {@code ./mvnw
 * -pl inbound-lambda verify -Dit.test=JGitSourcePackagerHeapIT -Dpagureci.heapIT=true}.
 */
@EnabledIfSystemProperty(named = "pagureci.heapIT", matches = "true")
class JGitSourcePackagerHeapIT {

  private static final int MIB = 1024 * 1024;
  private static final String BUCKET = "heap-it";

  /** The child's heap; {@code -Dpagureci.heapIT.mib=N} tries another (to find the smallest). */
  private static final int HEAP_MIB = Integer.getInteger("pagureci.heapIT.mib", 48);

  @TempDir Path dir;

  @Test
  void packagesARepositoryLargerThanTheHeap() throws Exception {
    S3Server s3 = S3Server.shared();
    s3.createVersionedBucket(BUCKET);
    TestRepos repos = TestRepos.create(dir.resolve("repos"));
    repos.createProject("huge");
    Map<String, TestFile> tree = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      // *.gz: stored, so the test spends its time moving bytes, not deflating noise
      tree.put(
          "dist/part-" + i + ".tar.gz", TestFile.file(TestRepos.randomBytes(12 * MIB, 100 + i)));
    }
    tree.put("README.md", TestFile.file("huge\n"));
    String head = repos.commit("huge", "master", tree, "48 MiB of incompressible files");
    tree.clear(); // drop the test's own copy of the content
    Path tempRoot = Files.createDirectories(dir.resolve("tmp"));
    Path log = dir.resolve("child.log");

    try (GitHttpServer git = GitHttpServer.start(repos.root())) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx" + HEAP_MIB + "m");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(PackInSmallHeapMain.class.getName());
      cmd.addAll(
          List.of(
              git.baseUri().toString(),
              s3.endpoint().toString(),
              BUCKET,
              "huge",
              "refs/heads/master",
              head,
              tempRoot.toString(),
              "source/huge/master/" + head + ".zip"));
      Process child =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = child.waitFor(180, TimeUnit.SECONDS);
      if (!done) {
        child.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(done).as("child finished:\n" + output).isTrue();
      assertThat(child.exitValue()).as(output).isZero();

      String result = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
      String[] parts = result.split(" ");
      String versionId = parts[1];
      long bytes = Long.parseLong(parts[2]);
      long peakHeap = Long.parseLong(parts[3]);
      System.out.printf(
          "zip %,d bytes packaged with a peak heap of %,d bytes (-Xmx%dm)%n",
          bytes, peakHeap, HEAP_MIB);
      assertThat(bytes).isGreaterThan(48L * MIB);

      Path zip = dir.resolve("downloaded.zip");
      s3.client()
          .getObject(
              g -> g.bucket(BUCKET).key("source/huge/master/" + head + ".zip").versionId(versionId),
              zip);
      try (ZipFile z = ZipFile.builder().setFile(zip.toFile()).get()) {
        List<ZipArchiveEntry> entries = Collections.list(z.getEntries());
        assertThat(entries)
            .extracting(ZipArchiveEntry::getName)
            .containsExactly(
                "README.md",
                "dist/part-0.tar.gz",
                "dist/part-1.tar.gz",
                "dist/part-2.tar.gz",
                "dist/part-3.tar.gz");
        for (ZipArchiveEntry e : entries.subList(1, entries.size())) {
          assertThat(e.getSize()).isEqualTo(12L * MIB);
          assertThat(e.getMethod()).isEqualTo(ZipArchiveEntry.STORED);
        }
        byte[] start = z.getInputStream(entries.get(2)).readNBytes(64);
        byte[] expected = new byte[64];
        System.arraycopy(TestRepos.randomBytes(12 * MIB, 101), 0, expected, 0, 64);
        assertThat(start).isEqualTo(expected);
      }
    }
    try (Stream<Path> left = Files.list(tempRoot)) {
      assertThat(left).isEmpty();
    }
    assertThat(new File(dir.toFile(), "repos")).isDirectory();
  }
}
