package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeZipWriterTest {

  private final InMemoryRepository repo = new InMemoryRepository(new DfsRepositoryDescription("t"));

  @Test
  void storesAlreadyCompressedFormatsAndDeflatesTheRest() {
    assertThat(TreeZipWriter.isStored("lib/app.JAR")).isTrue();
    assertThat(TreeZipWriter.isStored("dist/x.tar.gz")).isTrue();
    assertThat(TreeZipWriter.isStored("img/logo.png")).isTrue();
    assertThat(TreeZipWriter.isStored("pkg/tool-1.0-py3-none-any.whl")).isTrue();
    assertThat(TreeZipWriter.isStored("src/Main.java")).isFalse();
    assertThat(TreeZipWriter.isStored("Makefile")).isFalse();
    assertThat(TreeZipWriter.isStored("conf/.gz")).isFalse(); // a dot-file, not an extension
    assertThat(TreeZipWriter.isStored("archive.zip/README")).isFalse();
  }

  @Test
  void pathsThatCouldEscapeOrCarryGitMetadataNeverReachTheZip() throws Exception {
    ObjectId blob;
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      blob = ins.insert(Constants.OBJ_BLOB, "x".getBytes(StandardCharsets.UTF_8));
      ObjectId inner = tree(ins, List.of("config"), blob, FileMode.REGULAR_FILE);
      TreeFormatter root = new TreeFormatter();
      root.append("..", FileMode.REGULAR_FILE, blob);
      root.append(".GIT", FileMode.TREE, inner);
      root.append(".git", FileMode.TREE, inner);
      root.append("ok.txt", FileMode.REGULAR_FILE, blob);
      tree = ins.insert(root);
      ins.flush();
    }

    List<String> names = names(zip(commit(tree)));

    assertThat(names).containsExactly("ok.txt");
  }

  /**
   * Git tree entries may hold any byte but NUL; the zip library turns {@code \} into {@code /} in
   * a name without {@code /} (its default FAT platform), so {@code .git\config} would become {@code
   * .git/config}. What the written zip holds, read back by four readers, is only the safe entries.
   */
  @Test
  void hostileNamesNeverReachTheZipWhateverTheZipLibraryMakesOfThem(@TempDir Path tmp) throws Exception {
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      tree = HostileTree.write(ins);
      ins.flush();
    }

    TreeZipWriter.Summary summary;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectReader reader = repo.newObjectReader()) {
      summary = new TreeZipWriter(2).write(reader, commit(tree), out);
    }

    HostileTree.assertZipHoldsOnlyTheSafeEntries(out.toByteArray(), tmp);
    assertThat(summary.files() + summary.symlinks()).isEqualTo(HostileTree.KEPT.size());
    assertThat(summary.skippedUnsafe()).as("entries left out: 11 in the root, 2 in src (a directory counts once)")
        .isEqualTo(13);
  }

  @Test
  void thePathRuleRefusesWhatNoGitTreeCanHoldToo() {
    assertThat(TreeZipWriter.isSafePath("src/Main.java")).isTrue();
    assertThat(TreeZipWriter.isSafePath("a b/c:d/.gitignore")).isTrue();
    assertThat(TreeZipWriter.isSafePath("docs/.github/x.yml")).isTrue();
    for (String bad : List.of("", "a\0b", "/abs", "a//b", "a/", "./a", "a/./b", "a/../b", "..", "a\\b",
        ".git", "x/.GIT/config", "x/.git /config", "x/git~1/config", ".git\ufeff", "\\server\\share")) {
      assertThat(TreeZipWriter.isSafePath(bad)).as(bad).isFalse();
    }
  }

  @Test
  void moreThan65535EntriesUseZip64AndStayReadable() throws Exception {
    int count = 70_000;
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, "same\n".getBytes(StandardCharsets.UTF_8));
      List<String> files = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        files.add(String.format("f%05d", i));
      }
      TreeFormatter root = new TreeFormatter();
      root.append("many", FileMode.TREE, tree(ins, files, blob, FileMode.REGULAR_FILE));
      tree = ins.insert(root);
      ins.flush();
    }

    byte[] zip = zip(commit(tree));

    assertThat(names(zip)).hasSize(count);
    assertThat(hasZip64EndOfCentralDirectory(zip)).isTrue();
  }

  @Test
  void smallZipHasNoZip64Records() throws Exception {
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, "a".getBytes(StandardCharsets.UTF_8));
      tree = tree(ins, List.of("a.txt", "b.txt"), blob, FileMode.REGULAR_FILE);
      ins.flush();
    }

    byte[] zip = zip(commit(tree));

    assertThat(names(zip)).containsExactly("a.txt", "b.txt");
    assertThat(hasZip64EndOfCentralDirectory(zip)).isFalse();
  }

  @Test
  void incompressibleBlobsAreStoredByContentAndTheBytesDoNotDependOnTheThreadCount() throws Exception {
    java.util.Random rnd = new java.util.Random(42);
    java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
    byte[] noise = new byte[100_000];
    rnd.nextBytes(noise);
    byte[] bigNoise = new byte[TreeZipWriter.PARALLEL_LIMIT + 1_000_000];
    rnd.nextBytes(bigNoise);
    StringBuilder text = new StringBuilder();
    while (text.length() < TreeZipWriter.PARALLEL_LIMIT + 1_000_000) {
      text.append("line ").append(rnd.nextInt(1000)).append(" of some compressible text\n");
    }
    files.put("big.dat", bigNoise);
    files.put("bigtext.txt", text.toString().getBytes(StandardCharsets.UTF_8));
    files.put("noise.bin", noise);
    files.put("text.txt", "hello hello hello hello hello hello\n".repeat(500).getBytes(StandardCharsets.UTF_8));
    files.put("empty.txt", new byte[0]);
    for (int i = 0; i < 300; i++) {
      files.put(String.format("s%04d.txt", i), ("small file " + i + "\n").repeat(1 + i % 7).getBytes(StandardCharsets.UTF_8));
    }
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      TreeFormatter f = new TreeFormatter();
      for (java.util.Map.Entry<String, byte[]> e : files.entrySet()) {
        f.append(e.getKey(), FileMode.REGULAR_FILE, ins.insert(Constants.OBJ_BLOB, e.getValue()));
      }
      tree = ins.insert(f);
      ins.flush();
    }
    RevCommit commit = commit(tree);

    byte[] zip = zip(commit, 4);

    assertThat(zip).isEqualTo(zip(commit, 1));
    try (ZipFile z = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      assertThat(Collections.list(z.getEntries()).stream().map(ZipArchiveEntry::getName).toList())
          .containsExactlyElementsOf(files.keySet());
      for (java.util.Map.Entry<String, byte[]> e : files.entrySet()) {
        ZipArchiveEntry entry = z.getEntry(e.getKey());
        try (java.io.InputStream in = z.getInputStream(entry)) {
          assertThat(in.readAllBytes()).as(e.getKey()).isEqualTo(e.getValue());
        }
      }
      assertThat(z.getEntry("noise.bin").getMethod()).isEqualTo(java.util.zip.ZipEntry.STORED);
      assertThat(z.getEntry("big.dat").getMethod()).isEqualTo(java.util.zip.ZipEntry.STORED);
      assertThat(z.getEntry("text.txt").getMethod()).isEqualTo(java.util.zip.ZipEntry.DEFLATED);
      assertThat(z.getEntry("bigtext.txt").getMethod()).isEqualTo(java.util.zip.ZipEntry.DEFLATED);
    }
  }

  private static ObjectId tree(ObjectInserter ins, List<String> sortedNames, ObjectId blob, FileMode mode)
      throws IOException {
    TreeFormatter f = new TreeFormatter();
    for (String name : sortedNames) {
      f.append(name, mode, blob);
    }
    return ins.insert(f);
  }

  private RevCommit commit(ObjectId tree) throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
      CommitBuilder c = new CommitBuilder();
      c.setTreeId(tree);
      PersonIdent who = new PersonIdent("t", "t@example.org");
      c.setAuthor(who);
      c.setCommitter(who);
      c.setMessage("t\n");
      ObjectId id = ins.insert(c);
      ins.flush();
      return walk.parseCommit(id);
    }
  }

  private byte[] zip(RevCommit commit) throws IOException {
    return zip(commit, 2);
  }

  private byte[] zip(RevCommit commit, int threads) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectReader reader = repo.newObjectReader()) {
      new TreeZipWriter(threads).write(reader, commit, out);
    }
    return out.toByteArray();
  }

  private static List<String> names(byte[] zip) throws IOException {
    try (ZipFile z = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      return Collections.list(z.getEntries()).stream().map(ZipArchiveEntry::getName).toList();
    }
  }

  /** Looks for the Zip64 end-of-central-directory locator signature (PK 06 07) near the end. */
  private static boolean hasZip64EndOfCentralDirectory(byte[] zip) {
    for (int i = Math.max(0, zip.length - 200); i < zip.length - 3; i++) {
      if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 6 && zip[i + 3] == 7) {
        return true;
      }
    }
    return false;
  }
}
