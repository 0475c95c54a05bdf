package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * A git tree a hostile client can push (git accepts it unless fsck is on): entries whose names the
 * zip library or an unzip on Linux, Windows or macOS would turn into paths outside the extraction
 * directory or into {@code .git}, duplicate names, and a symlink {@code a} next to a directory
 * {@code a}. Small blobs (written raw) and a big one (streamed) both carry hostile names.
 */
final class HostileTree {

  /** The entries a safe zip of {@link #write} holds, in order. */
  static final List<String> KEPT = List.of("a", "dup.txt", "lib/evil", "ok.txt", "src/Main.java");

  /** Content of every kept regular file ({@code a} is a symlink to {@code /etc}). */
  static final String KEPT_CONTENT = "x";

  private HostileTree() {}

  /** Writes the tree's objects and returns the tree. */
  static ObjectId write(ObjectInserter ins) throws IOException {
    ObjectId small = ins.insert(Constants.OBJ_BLOB, KEPT_CONTENT.getBytes(StandardCharsets.UTF_8));
    ObjectId other = ins.insert(Constants.OBJ_BLOB, "other".getBytes(StandardCharsets.UTF_8));
    ObjectId big = ins.insert(Constants.OBJ_BLOB, new byte[TreeZipWriter.PARALLEL_LIMIT + 1]);
    ObjectId config = tree(ins, "config", small);
    TreeFormatter src = new TreeFormatter();
    src.append(".Git", FileMode.TREE, config); // src/.Git/config
    src.append("Main.java", FileMode.REGULAR_FILE, small);
    src.append("x\\..\\..\\y", FileMode.REGULAR_FILE, small); // src/x\..\..\y: a path on Windows
    TreeFormatter root = new TreeFormatter();
    root.append(".git\\config", FileMode.REGULAR_FILE, small);
    root.append("..\\..\\..\\tmp\\evil.sh", FileMode.EXECUTABLE_FILE, small);
    root.append("\\tmp\\abs.sh", FileMode.REGULAR_FILE, small);
    root.append("big\\..\\..\\escape.bin", FileMode.REGULAR_FILE, big); // streamed, not raw
    root.append("GIT~1", FileMode.TREE, config); // NTFS short name of .git
    root.append(".git.", FileMode.TREE, config); // Windows drops the trailing dot
    root.append(".git\u200c", FileMode.TREE, config); // HFS+ ignores U+200C
    root.append("/etc", FileMode.TREE, config);
    root.append(
        "a",
        FileMode.SYMLINK,
        ins.insert(Constants.OBJ_BLOB, "/etc".getBytes(StandardCharsets.UTF_8)));
    root.append("a", FileMode.TREE, tree(ins, "file", other)); // a/file: through the symlink
    root.append("dup.txt", FileMode.REGULAR_FILE, small);
    root.append("dup.txt", FileMode.REGULAR_FILE, big);
    root.append("lib/evil", FileMode.REGULAR_FILE, other); // a name with a slash in it
    root.append("lib", FileMode.TREE, tree(ins, "evil", small));
    root.append("ok.txt", FileMode.REGULAR_FILE, small);
    root.append("src", FileMode.TREE, ins.insert(src));
    return ins.insert(root);
  }

  /**
   * Reads {@code zip} back entry by entry four ways — commons-compress from the central directory
   * and from the local headers, java.util.zip from the local headers and (through a file in {@code
   * tmp}) from the central directory — and asserts that each sees exactly {@link #KEPT}, all plain
   * relative names, with no entry below another one, then that the kept entries hold what the first
   * safe entry of that name held.
   */
  static void assertZipHoldsOnlyTheSafeEntries(byte[] zip, Path tmp) throws IOException {
    List<List<String>> views = new ArrayList<>();
    List<String> central = new ArrayList<>();
    Map<String, String> contents = new LinkedHashMap<>();
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        central.add(e.getName());
        try (var in = z.getInputStream(e)) {
          byte[] bytes = in.readAllBytes();
          String content =
              bytes.length > 64
                  ? bytes.length + " bytes"
                  : new String(bytes, StandardCharsets.UTF_8);
          contents.put(e.getName(), (e.isUnixSymlink() ? "symlink to " : "") + content);
        }
      }
    }
    views.add(central);
    List<String> local = new ArrayList<>();
    try (ZipArchiveInputStream in = new ZipArchiveInputStream(new ByteArrayInputStream(zip))) {
      for (ZipArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        local.add(e.getName());
      }
    }
    views.add(local);
    List<String> jdkLocal = new ArrayList<>();
    try (ZipInputStream in =
        new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
      for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        jdkLocal.add(e.getName());
      }
    }
    views.add(jdkLocal);
    Path file = Files.write(Files.createTempFile(tmp, "source", ".zip"), zip);
    try (java.util.zip.ZipFile z =
        new java.util.zip.ZipFile(file.toFile(), StandardCharsets.UTF_8)) {
      views.add(
          Collections.list(z.entries()).stream().map(java.util.zip.ZipEntry::getName).toList());
    }
    for (List<String> names : views) {
      assertThat(names).containsExactlyElementsOf(KEPT);
      names.forEach(HostileTree::assertPlainRelativeName);
      for (String name : names) {
        assertThat(names).as("nothing below " + name).noneMatch(n -> n.startsWith(name + "/"));
      }
    }
    // the first dup.txt is kept; lib/evil is the file of directory lib, not the entry "lib/evil"
    assertThat(contents)
        .containsExactly(
            Map.entry("a", "symlink to /etc"),
            Map.entry("dup.txt", KEPT_CONTENT),
            Map.entry("lib/evil", KEPT_CONTENT),
            Map.entry("ok.txt", KEPT_CONTENT),
            Map.entry("src/Main.java", KEPT_CONTENT));
  }

  /** What extracting {@code name} under a directory can only ever create inside that directory. */
  static void assertPlainRelativeName(String name) {
    assertThat(name).doesNotContain("\\").doesNotContain("\0").doesNotStartWith("/");
    for (String segment : name.split("/", -1)) {
      assertThat(segment)
          .as(name)
          .isNotEmpty()
          .isNotEqualTo(".")
          .isNotEqualTo("..")
          .isNotEqualToIgnoringCase("git~1");
      // .git as NTFS (trailing dots and spaces dropped) and HFS+ (ignorable code points) see it
      String folded =
          segment
              .replaceAll("[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]", "")
              .replaceAll("[. ]+$", "");
      assertThat(folded).as(name).isNotEqualToIgnoringCase(".git");
    }
  }

  private static ObjectId tree(ObjectInserter ins, String name, ObjectId blob) throws IOException {
    TreeFormatter f = new TreeFormatter();
    f.append(name, FileMode.REGULAR_FILE, blob);
    return ins.insert(f);
  }
}
