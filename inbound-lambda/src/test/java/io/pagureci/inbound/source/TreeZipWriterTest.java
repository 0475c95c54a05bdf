package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
   * Git tree entries may hold any byte but NUL; the zip library turns {@code \} into {@code /} in a
   * name without {@code /} (its default FAT platform), so {@code .git\config} would become {@code
   * .git/config}. What the written zip holds, read back by four readers, is only the safe entries.
   */
  @Test
  void hostileNamesNeverReachTheZipWhateverTheZipLibraryMakesOfThem(@TempDir Path tmp)
      throws Exception {
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
    assertThat(summary.skippedUnsafe())
        .as("entries left out: 11 in the root, 2 in src (a directory counts once)")
        .isEqualTo(13);
  }

  @Test
  void thePathRuleRefusesWhatNoGitTreeCanHoldToo() {
    assertThat(TreeZipWriter.isSafePath("src/Main.java")).isTrue();
    assertThat(TreeZipWriter.isSafePath("a b/c:d/.gitignore")).isTrue();
    assertThat(TreeZipWriter.isSafePath("docs/.github/x.yml")).isTrue();
    for (String bad :
        List.of(
            "",
            "a\0b",
            "/abs",
            "a//b",
            "a/",
            "./a",
            "a/./b",
            "a/../b",
            "..",
            "a\\b",
            ".git",
            "x/.GIT/config",
            "x/.git /config",
            "x/git~1/config",
            ".git\ufeff",
            "\\server\\share")) {
      assertThat(TreeZipWriter.isSafePath(bad)).as(bad).isFalse();
    }
  }

  // ------------------------------------------------------------------ limits

  private static final SourceLimits DEFAULTS = SourceLimits.DEFAULTS;
  private static final long BIG = 16L << 20;

  /**
   * {@code a.txt} (10 bytes), {@code big.bin} ({@link #BIG} zero bytes), {@code z.txt} (10 bytes).
   */
  private RevCommit smallBigSmall() throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter()) {
      TreeFormatter root = new TreeFormatter();
      root.append(
          "a.txt",
          FileMode.REGULAR_FILE,
          ins.insert(Constants.OBJ_BLOB, "0123456789".getBytes(StandardCharsets.UTF_8)));
      root.append(
          "big.bin",
          FileMode.REGULAR_FILE,
          ins.insert(Constants.OBJ_BLOB, BIG, TestRepos.zeros(BIG)));
      root.append(
          "z.txt",
          FileMode.REGULAR_FILE,
          ins.insert(Constants.OBJ_BLOB, "abcdefghij".getBytes(StandardCharsets.UTF_8)));
      ObjectId tree = ins.insert(root);
      ins.flush();
      return commit(tree);
    }
  }

  /** What one write did: the failure (null if none), the blob bytes it read, what it wrote. */
  private record Run(SourceException refused, long blobBytesRead, byte[] out) {
    List<String> names() throws IOException {
      assertThat(refused).as("refused").isNull();
      return TreeZipWriterTest.names(out);
    }
  }

  private Run run(RevCommit commit, SourceLimits limits) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CountingReader reader = new CountingReader(repo.newObjectReader())) {
      try {
        new TreeZipWriter(2, limits).write(reader, commit, out);
        return new Run(null, reader.blobBytes(), out.toByteArray());
      } catch (SourceException e) {
        return new Run(e, reader.blobBytes(), out.toByteArray());
      }
    }
  }

  /** Refused with {@code kind}: nothing read past {@code maxBlobBytesRead}, and no finished zip. */
  private static SourceException assertRefused(Run run, Kind kind, long maxBlobBytesRead) {
    assertThat(run.refused()).as("refused").isNotNull();
    assertThat(run.refused().kind()).isEqualTo(kind);
    assertThat(run.blobBytesRead()).as("blob bytes read").isLessThanOrEqualTo(maxBlobBytesRead);
    assertThat(hasEndOfCentralDirectory(run.out())).as("a finished zip").isFalse();
    return run.refused();
  }

  @Test
  void aFileOverMaxFileBytesIsRefusedBeforeAByteOfItIsRead() throws Exception {
    RevCommit commit = smallBigSmall();

    Run over =
        run(
            commit,
            new SourceLimits(
                DEFAULTS.maxSourceBytes(),
                BIG - 1,
                DEFAULTS.maxSourceFiles(),
                DEFAULTS.maxTreeDepth()));
    Run at =
        run(
            commit,
            new SourceLimits(
                DEFAULTS.maxSourceBytes(),
                BIG,
                DEFAULTS.maxSourceFiles(),
                DEFAULTS.maxTreeDepth()));

    assertThat(assertRefused(over, Kind.SOURCE_TOO_LARGE, 10))
        .hasMessage(
            "the file 'big.bin' is 16777216 bytes, more than the 16777215 bytes (16.0 MiB, MAX_FILE_BYTES) a file may have");
    assertThat(at.names()).containsExactly("a.txt", "big.bin", "z.txt");
  }

  @Test
  void aTreeOverMaxSourceBytesIsRefusedAtTheFileThatWouldCrossIt() throws Exception {
    RevCommit commit = smallBigSmall();
    long total = 10 + BIG + 10;

    Run early =
        run(
            commit,
            new SourceLimits(
                1L << 20,
                DEFAULTS.maxFileBytes(),
                DEFAULTS.maxSourceFiles(),
                DEFAULTS.maxTreeDepth()));
    Run late =
        run(
            commit,
            new SourceLimits(
                total - 1,
                DEFAULTS.maxFileBytes(),
                DEFAULTS.maxSourceFiles(),
                DEFAULTS.maxTreeDepth()));
    Run at =
        run(
            commit,
            new SourceLimits(
                total,
                DEFAULTS.maxFileBytes(),
                DEFAULTS.maxSourceFiles(),
                DEFAULTS.maxTreeDepth()));

    assertThat(assertRefused(early, Kind.SOURCE_TOO_LARGE, 10))
        .hasMessage(
            "the files of the tree add up to more than 1048576 bytes (1 MiB, MAX_SOURCE_BYTES), uncompressed");
    assertRefused(late, Kind.SOURCE_TOO_LARGE, total - 10); // z.txt is not read
    assertThat(at.names()).containsExactly("a.txt", "big.bin", "z.txt");
  }

  @Test
  void aTreeWithMoreEntriesThanMaxSourceFilesIsRefusedAtTheFirstOneTooMany() throws Exception {
    RevCommit commit = smallBigSmall(); // 3 entries

    Run over =
        run(
            commit,
            new SourceLimits(
                DEFAULTS.maxSourceBytes(), DEFAULTS.maxFileBytes(), 1, DEFAULTS.maxTreeDepth()));
    Run at =
        run(
            commit,
            new SourceLimits(
                DEFAULTS.maxSourceBytes(), DEFAULTS.maxFileBytes(), 3, DEFAULTS.maxTreeDepth()));

    assertThat(assertRefused(over, Kind.SOURCE_TOO_LARGE, 10))
        .hasMessage("the tree has more than 1 files and directories (MAX_SOURCE_FILES)");
    assertThat(at.names()).containsExactly("a.txt", "big.bin", "z.txt");
  }

  @Test
  void directoriesCountAsEntriesToo() throws Exception {
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId empty = ins.insert(new TreeFormatter());
      TreeFormatter root =
          new TreeFormatter(); // 1,000 empty directories: nothing to zip, much to walk
      for (int i = 0; i < 1_000; i++) {
        root.append(String.format("d%03d", i), FileMode.TREE, empty);
      }
      tree = ins.insert(root);
      ins.flush();
    }

    Run over =
        run(
            commit(tree),
            new SourceLimits(
                DEFAULTS.maxSourceBytes(), DEFAULTS.maxFileBytes(), 999, DEFAULTS.maxTreeDepth()));

    assertRefused(over, Kind.SOURCE_TOO_LARGE, 0);
    assertThat(run(commit(tree), DEFAULTS).names()).isEmpty();
  }

  /** {@code d/d/.../d/f.txt} with {@code dirs} directories, then {@code z.txt}. */
  private RevCommit nested(int dirs) throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, "0123456789".getBytes(StandardCharsets.UTF_8));
      ObjectId inner = tree(ins, List.of("f.txt"), blob, FileMode.REGULAR_FILE);
      for (int i = 1; i < dirs; i++) {
        TreeFormatter f = new TreeFormatter();
        f.append("d", FileMode.TREE, inner);
        inner = ins.insert(f);
      }
      TreeFormatter root = new TreeFormatter();
      root.append("d", FileMode.TREE, inner);
      root.append("z.txt", FileMode.REGULAR_FILE, blob);
      ObjectId tree = ins.insert(root);
      ins.flush();
      return commit(tree);
    }
  }

  @Test
  void directoriesNestedDeeperThanMaxTreeDepthAreRefusedBeforeTheRestIsRead() throws Exception {
    Run over = run(nested(DEFAULTS.maxTreeDepth() + 1), DEFAULTS);
    Run at = run(nested(DEFAULTS.maxTreeDepth()), DEFAULTS);

    assertThat(assertRefused(over, Kind.SOURCE_TOO_LARGE, 0))
        .hasMessage(
            "the tree has directories nested more than 64 deep (MAX_TREE_DEPTH): '"
                + "d/".repeat(64)
                + "d'");
    assertThat(at.names()).containsExactly("d/".repeat(64) + "f.txt", "z.txt");
  }

  @Test
  void aPathLongerThanAZipNameCanBeIsPathTooLongAndOneAtTheLimitRoundTrips(@TempDir Path tmp)
      throws Exception {
    String longest =
        "x".repeat(TreeZipWriter.MAX_NAME_BYTES - 2) + "é"; // 65,461 bytes, 65,460 chars
    for (String name :
        List.of(
            "x".repeat(TreeZipWriter.MAX_NAME_BYTES + 1),
            "é".repeat(32_768) /* 65,536 bytes in 32,768 characters */,
            longest + "x")) {
      Run over = run(oneFile(name), DEFAULTS);
      assertThat(assertRefused(over, Kind.PATH_TOO_LONG, 0).getMessage())
          .as(name.length() + " characters")
          .endsWith(" bytes long; a path in a zip can be at most 65461 bytes")
          .hasSizeLessThan(300);
    }

    Run at = run(oneFile(longest), DEFAULTS);

    assertThat(at.names()).containsExactly(longest);
    Path file = Files.write(tmp.resolve("longest.zip"), at.out());
    try (java.util.zip.ZipFile z =
        new java.util.zip.ZipFile(file.toFile(), StandardCharsets.UTF_8)) {
      assertThat(Collections.list(z.entries()).stream().map(java.util.zip.ZipEntry::getName))
          .containsExactly(longest);
    }
  }

  private RevCommit oneFile(String name) throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter()) {
      TreeFormatter root = new TreeFormatter();
      root.append(
          name,
          FileMode.REGULAR_FILE,
          ins.insert(Constants.OBJ_BLOB, "0123456789".getBytes(StandardCharsets.UTF_8)));
      ObjectId tree = ins.insert(root);
      ins.flush();
      return commit(tree);
    }
  }

  @Test
  void aDirectoryListingOverMaxTreeBytesIsDirectoryTooLargeAndOneAtTheLimitIsZipped()
      throws Exception {
    ObjectId overTree;
    ObjectId atTree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, "0123456789".getBytes(StandardCharsets.UTF_8));
      TreeFormatter root = new TreeFormatter();
      root.append(
          "many",
          FileMode.TREE,
          TestRepos.treeOfExactly(
              ins, TreeZipWriter.MAX_TREE_BYTES + 1, FileMode.REGULAR_FILE, blob));
      overTree = ins.insert(root);
      root = new TreeFormatter();
      root.append(
          "many",
          FileMode.TREE,
          TestRepos.treeOfExactly(ins, TreeZipWriter.MAX_TREE_BYTES, FileMode.REGULAR_FILE, blob));
      atTree = ins.insert(root);
      ins.flush();
    }
    RevCommit over = commit(overTree);
    RevCommit at = commit(atTree);

    assertThat(assertRefused(run(over, DEFAULTS), Kind.DIRECTORY_TOO_LARGE, 0))
        .hasMessage(
            "the directory 'many' has too many entries to package: its git tree is 1048576 bytes, and a directory"
                + " listing can be at most 1048575 bytes (under 1 MiB: about 25,000 entries with short names)");
    assertThat(run(at, DEFAULTS).names()).hasSizeGreaterThan(25_000);
  }

  @Test
  void moreThan65535EntriesUseZip64AndStayReadable() throws Exception {
    int count = 70_000;
    ObjectId tree;
    try (ObjectInserter ins = repo.newObjectInserter()) {
      ObjectId blob = ins.insert(Constants.OBJ_BLOB, "same\n".getBytes(StandardCharsets.UTF_8));
      List<String> files = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        files.add(String.format("f%03d", i));
      }
      ObjectId thousand = tree(ins, files, blob, FileMode.REGULAR_FILE);
      TreeFormatter root = new TreeFormatter(); // 70 directories: one would be over MAX_TREE_BYTES
      for (int d = 0; d < count / 1_000; d++) {
        root.append(String.format("d%02d", d), FileMode.TREE, thousand);
      }
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
  void incompressibleBlobsAreStoredByContentAndTheBytesDoNotDependOnTheThreadCount()
      throws Exception {
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
    files.put(
        "text.txt",
        "hello hello hello hello hello hello\n".repeat(500).getBytes(StandardCharsets.UTF_8));
    files.put("empty.txt", new byte[0]);
    for (int i = 0; i < 300; i++) {
      files.put(
          String.format("s%04d.txt", i),
          ("small file " + i + "\n").repeat(1 + i % 7).getBytes(StandardCharsets.UTF_8));
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
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
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

  private static ObjectId tree(
      ObjectInserter ins, List<String> sortedNames, ObjectId blob, FileMode mode)
      throws IOException {
    TreeFormatter f = new TreeFormatter();
    for (String name : sortedNames) {
      f.append(name, mode, blob);
    }
    return ins.insert(f);
  }

  private RevCommit commit(ObjectId tree) throws IOException {
    try (ObjectInserter ins = repo.newObjectInserter();
        RevWalk walk = new RevWalk(repo)) {
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

  private byte[] zip(RevCommit commit) throws IOException, SourceException {
    return zip(commit, 2);
  }

  private byte[] zip(RevCommit commit, int threads) throws IOException, SourceException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ObjectReader reader = repo.newObjectReader()) {
      new TreeZipWriter(threads).write(reader, commit, out);
    }
    return out.toByteArray();
  }

  private static List<String> names(byte[] zip) throws IOException {
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      return Collections.list(z.getEntries()).stream().map(ZipArchiveEntry::getName).toList();
    }
  }

  /** Looks for the end-of-central-directory signature (PK 05 06) near the end. */
  private static boolean hasEndOfCentralDirectory(byte[] zip) {
    for (int i = Math.max(0, zip.length - 200); i < zip.length - 3; i++) {
      if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 5 && zip[i + 3] == 6) {
        return true;
      }
    }
    return false;
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
