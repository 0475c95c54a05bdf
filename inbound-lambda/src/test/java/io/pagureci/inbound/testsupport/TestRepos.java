package io.pagureci.inbound.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;

/**
 * Bare git repositories laid out the way pagure serves them ({@code <root>/<fullname>.git}), with
 * real commits made through JGit, for {@link GitHttpServer}.
 *
 * <p>{@link #create(Path)} builds the standard fixture:
 *
 * <ul>
 *   <li>{@value #TARGET}: {@code master} (two commits; the tip holds {@link #masterTree()}: a
 *       {@code buildspec.yml}, an executable {@code bin/run.sh}, a symlink {@code docs/readme-link
 *       -> ../README.md}, a nested {@code src/main/java/demo/App.java}, a binary {@code
 *       assets/logo.png}, an empty file and a submodule {@code vendor/lib}); branch {@code
 *       feature-same} (same-repo PR #{@value #SAME_REPO_PR}); {@code refs/pull/1/head} and {@code
 *       refs/pull/2/head}.
 *   <li>{@value #FORK}: a fork of {@value #TARGET} with branch {@code feature} (fork PR #{@value
 *       #FORK_PR}).
 *   <li>{@value #NAMESPACED}: a namespaced project with {@code master}.
 * </ul>
 *
 * Helpers change repositories later, also from a background thread ({@link #later}), for "the ref
 * appears after a delay" and "the head moved" cases. Every commit has a fixed, increasing time, so
 * the same calls give the same shas.
 */
public final class TestRepos {

  /** The target project. */
  public static final String TARGET = "demo";

  /** bob's fork of {@link #TARGET}. */
  public static final String FORK = "forks/bob/demo";

  /** A namespaced project. */
  public static final String NAMESPACED = "rpms/widget";

  /** PR id of the pull request from {@link #FORK} branch {@code feature} into {@code master}. */
  public static final int FORK_PR = 1;

  /** PR id of the pull request from branch {@code feature-same} into {@code master}. */
  public static final int SAME_REPO_PR = 2;

  /** The buildspec on {@link #TARGET}'s master. */
  public static final String MASTER_BUILDSPEC =
      "version: 0.2\nphases:\n  build:\n    commands:\n      - ./bin/run.sh\n";

  private static final Instant EPOCH = Instant.parse("2026-01-02T03:04:05Z");

  private final Path root;
  private int commits;
  private String masterHead;
  private String sameRepoPrHead;
  private String forkPrHead;

  private TestRepos(Path root) {
    this.root = root;
  }

  /** Builds the standard fixture under {@code root} (an empty or new directory). */
  public static TestRepos create(Path root) {
    TestRepos repos = new TestRepos(root);
    repos.buildFixture();
    return repos;
  }

  /** Directory holding {@code <fullname>.git}; give it to {@link GitHttpServer#start(Path)}. */
  public Path root() {
    return root;
  }

  /** Tip of {@value #TARGET} {@code master}. */
  public String masterHead() {
    return masterHead;
  }

  /** Tip of {@value #TARGET} {@code feature-same} (= {@code refs/pull/2/head}). */
  public String sameRepoPrHead() {
    return sameRepoPrHead;
  }

  /** Tip of {@value #FORK} {@code feature} (= {@value #TARGET} {@code refs/pull/1/head}). */
  public String forkPrHead() {
    return forkPrHead;
  }

  /** The full tree of {@link #masterHead()}, by path. */
  public static Map<String, TestFile> masterTree() {
    Map<String, TestFile> files = new TreeMap<>();
    files.put("README.md", TestFile.file("# demo\n\nA project to test pagure-ci.\n"));
    files.put("buildspec.yml", TestFile.file(MASTER_BUILDSPEC));
    files.put("bin/run.sh", TestFile.executable("#!/bin/sh\necho built\n"));
    files.put("docs/readme-link", TestFile.symlink("../README.md"));
    files.put("src/main/java/demo/App.java", TestFile.file("package demo;\n\nclass App {}\n"));
    files.put("assets/logo.png", TestFile.file(randomBytes(4096, 42)));
    files.put("empty.txt", TestFile.file(""));
    files.put("vendor/lib", TestFile.gitlink("0123456789abcdef0123456789abcdef01234567"));
    return files;
  }

  /** Changes of {@code feature-same} on top of master. */
  public static Map<String, TestFile> sameRepoPrChanges() {
    Map<String, TestFile> files = new LinkedHashMap<>();
    files.put("README.md", TestFile.file("# demo\n\nChanged on a same-repo branch.\n"));
    files.put("feature.txt", TestFile.file("same-repo feature\n"));
    return files;
  }

  /** Changes of the fork's {@code feature} on top of master ({@code null} = deleted). */
  public static Map<String, TestFile> forkPrChanges() {
    Map<String, TestFile> files = new LinkedHashMap<>();
    files.put("fork.txt", TestFile.file("from bob's fork\n"));
    files.put("bin/run.sh", TestFile.executable("#!/bin/sh\necho built by bob\n"));
    files.put("buildspec.yml", TestFile.file("version: 0.2\n# bob tries to change CI\n"));
    files.put("empty.txt", null);
    return files;
  }

  // ------------------------------------------------------------------ generic helpers

  /** Creates an empty bare repository for {@code fullname}. */
  public void createProject(String fullname) {
    try (Repository repo =
        new FileRepositoryBuilder().setGitDir(gitDir(fullname).toFile()).setBare().build()) {
      repo.create(true);
      RefUpdate head = repo.updateRef(Constants.HEAD);
      head.disableRefLog();
      head.link("refs/heads/master");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Commits {@code changes} on top of {@code branch} of {@code fullname} (creating the branch if
   * needed) and moves the branch to the new commit.
   *
   * @param branch short name ({@code master}) or full ref name
   * @param changes path to new content; a {@code null} value deletes the path
   * @return the new commit's sha
   */
  public String commit(
      String fullname, String branch, Map<String, TestFile> changes, String message) {
    String ref = branch.startsWith("refs/") ? branch : "refs/heads/" + branch;
    try (Repository repo = open(fullname);
        ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      Ref current = repo.exactRef(ref);
      DirCache index =
          current == null
              ? DirCache.newInCore()
              : DirCache.read(reader, walk.parseCommit(current.getObjectId()).getTree());
      DirCacheEditor editor = index.editor();
      for (Map.Entry<String, TestFile> change : changes.entrySet()) {
        String path = change.getKey();
        TestFile file = change.getValue();
        if (file == null) {
          editor.add(new DirCacheEditor.DeletePath(path));
          continue;
        }
        ObjectId id =
            file.gitlink() != null
                ? file.gitlink()
                : inserter.insert(Constants.OBJ_BLOB, file.content());
        editor.add(
            new DirCacheEditor.PathEdit(path) {
              @Override
              public void apply(DirCacheEntry entry) {
                entry.setFileMode(file.mode());
                entry.setObjectId(id);
                entry.setLength(file.content().length);
              }
            });
      }
      editor.finish();
      ObjectId tree = index.writeTree(inserter);
      return commit(repo, inserter, ref, current, tree, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the objects of a tree and returns the tree's id. */
  @FunctionalInterface
  public interface TreeMaker {
    ObjectId make(ObjectInserter inserter) throws IOException;
  }

  /**
   * Commits the tree {@code maker} writes (entries of any name, in any order, duplicates too: what
   * a hostile client can push) as the new tip of {@code branch} of {@code fullname}, whose old tip
   * (if any) becomes the parent.
   *
   * @return the new commit's sha
   */
  public String commitTree(String fullname, String branch, TreeMaker maker, String message) {
    String ref = branch.startsWith("refs/") ? branch : "refs/heads/" + branch;
    try (Repository repo = open(fullname);
        ObjectInserter inserter = repo.newObjectInserter()) {
      ObjectId tree = maker.make(inserter);
      return commit(repo, inserter, ref, repo.exactRef(ref), tree, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String commit(
      Repository repo,
      ObjectInserter inserter,
      String ref,
      Ref current,
      ObjectId tree,
      String message)
      throws IOException {
    PersonIdent who =
        new PersonIdent(
            "Test Author",
            "author@example.org",
            EPOCH.plusSeconds(60L * commits++),
            ZoneOffset.UTC);
    CommitBuilder commit = new CommitBuilder();
    commit.setTreeId(tree);
    if (current != null) {
      commit.setParentId(current.getObjectId());
    }
    commit.setAuthor(who);
    commit.setCommitter(who);
    commit.setMessage(message + "\n");
    ObjectId id = inserter.insert(commit);
    inserter.flush();
    update(repo, ref, id);
    return id.name();
  }

  /**
   * Commits a tree holding one file {@code path} of {@code size} zero bytes (and the files of
   * {@code others}) as the new tip of {@code branch}, cheaply: the blob is written as a pack of its
   * own whose compressed data is one deflate block repeated (about 1 KiB per MiB), so only its id
   * costs a pass over {@code size} bytes. A 1 GiB file takes about a second and 1 MiB on disk.
   *
   * @return the new commit's sha
   */
  public String commitZeroFile(
      String fullname,
      String branch,
      String path,
      long size,
      Map<String, TestFile> others,
      String message) {
    try {
      ObjectId blob = writeZeroBlobPack(gitDir(fullname).resolve("objects/pack"), size);
      Map<String, TestFile> files = new TreeMap<>(others);
      return commitTree(
          fullname,
          branch,
          ins -> {
            DirCache index = DirCache.newInCore();
            DirCacheEditor editor = index.editor();
            editor.add(
                new DirCacheEditor.PathEdit(path) {
                  @Override
                  public void apply(DirCacheEntry entry) {
                    entry.setFileMode(FileMode.REGULAR_FILE);
                    entry.setObjectId(blob);
                  }
                });
            for (Map.Entry<String, TestFile> f : files.entrySet()) {
              ObjectId id = ins.insert(Constants.OBJ_BLOB, f.getValue().content());
              editor.add(
                  new DirCacheEditor.PathEdit(f.getKey()) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                      entry.setFileMode(f.getValue().mode());
                      entry.setObjectId(id);
                    }
                  });
            }
            editor.finish();
            return index.writeTree(ins);
          },
          message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code pack-*.pack} and its version-2 {@code .idx} holding one blob of {@code size} zero
   * bytes; returns the blob's id. The zlib stream is a deflate of 1 MiB of zeros ended with a full
   * flush (which resets the compressor, so every 1 MiB deflates to the same bytes), repeated, then
   * the remainder and an empty final block; Adler-32 of n zeros is {@code (n mod 65521) << 16 | 1}.
   */
  private static ObjectId writeZeroBlobPack(Path packDir, long size) throws IOException {
    int chunk = 1 << 20;
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.write(0x78);
    data.write(0x01);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    try {
      byte[] repeated = deflateZeros(deflater, chunk, Deflater.FULL_FLUSH);
      if (!Arrays.equals(repeated, deflateZeros(deflater, chunk, Deflater.FULL_FLUSH))) {
        throw new IllegalStateException("a full flush did not make the deflate output repeat");
      }
      for (long i = 0; i < size / chunk; i++) {
        data.write(repeated);
      }
      data.write(deflateZeros(deflater, (int) (size % chunk), Deflater.FULL_FLUSH));
      deflater.finish();
      byte[] buf = new byte[64];
      while (!deflater.finished()) {
        data.write(buf, 0, deflater.deflate(buf));
      }
    } finally {
      deflater.end();
    }
    long adler = ((size % 65521) << 16) | 1;
    data.write(
        new byte[] {
          (byte) (adler >>> 24), (byte) (adler >>> 16), (byte) (adler >>> 8), (byte) adler
        });

    ByteArrayOutputStream object = new ByteArrayOutputStream();
    long left = size >>> 4;
    object.write((int) ((Constants.OBJ_BLOB << 4) | (size & 0x0F) | (left != 0 ? 0x80 : 0)));
    while (left != 0) {
      object.write((int) ((left & 0x7F) | (left >>> 7 != 0 ? 0x80 : 0)));
      left >>>= 7;
    }
    data.writeTo(object);
    byte[] packed = object.toByteArray();

    MessageDigest sha1 = sha1();
    sha1.update(Constants.encodedTypeString(Constants.OBJ_BLOB));
    sha1.update((" " + size + "\0").getBytes(StandardCharsets.US_ASCII));
    byte[] zeros = new byte[chunk];
    for (long done = 0; done < size; done += chunk) {
      sha1.update(zeros, 0, (int) Math.min(chunk, size - done));
    }
    ObjectId id = ObjectId.fromRaw(sha1.digest());

    ByteBuffer pack = ByteBuffer.allocate(12 + packed.length + 20);
    pack.put(new byte[] {'P', 'A', 'C', 'K'}).putInt(2).putInt(1).put(packed);
    MessageDigest packSha = sha1();
    packSha.update(pack.array(), 0, pack.position());
    byte[] packChecksum = packSha.digest();
    pack.put(packChecksum);

    CRC32 crc = new CRC32();
    crc.update(packed);
    ByteBuffer idx = ByteBuffer.allocate(8 + 256 * 4 + 20 + 4 + 4 + 20 + 20);
    idx.put(new byte[] {(byte) 0xFF, 't', 'O', 'c'}).putInt(2);
    int first = id.getFirstByte();
    for (int b = 0; b < 256; b++) {
      idx.putInt(b >= first ? 1 : 0);
    }
    byte[] raw = new byte[20];
    id.copyRawTo(raw, 0);
    idx.put(raw).putInt((int) crc.getValue()).putInt(12).put(packChecksum);
    MessageDigest idxSha = sha1();
    idxSha.update(idx.array(), 0, idx.position());
    idx.put(idxSha.digest());

    String name = "pack-" + ObjectId.fromRaw(packChecksum).name();
    Files.createDirectories(packDir);
    Files.write(packDir.resolve(name + ".pack"), pack.array());
    Files.write(packDir.resolve(name + ".idx"), idx.array());
    return id;
  }

  private static byte[] deflateZeros(Deflater deflater, int length, int flush) {
    deflater.setInput(new byte[length]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    int n;
    do {
      n = deflater.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, n);
    } while (n == buf.length || !deflater.needsInput());
    return out.toByteArray();
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where {@code ref} of {@code fullname} points, or {@code null} if it does not exist. */
  public String ref(String fullname, String ref) {
    try (Repository repo = open(fullname)) {
      Ref r = repo.exactRef(ref);
      return r == null ? null : r.getObjectId().name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Points {@code ref} of {@code fullname} at {@code sha} (an object already in that repo). */
  public void setRef(String fullname, String ref, String sha) {
    try (Repository repo = open(fullname)) {
      update(repo, ref, ObjectId.fromString(sha));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code ref} of {@code fullname} if it exists. */
  public void deleteRef(String fullname, String ref) {
    try (Repository repo = open(fullname)) {
      if (repo.exactRef(ref) == null) {
        return;
      }
      RefUpdate u = repo.updateRef(ref);
      u.setForceUpdate(true);
      u.disableRefLog();
      RefUpdate.Result r = u.delete();
      if (r != RefUpdate.Result.FORCED && r != RefUpdate.Result.NO_CHANGE) {
        throw new IllegalStateException("cannot delete " + ref + ": " + r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What pagure's {@code sync_pull_ref} does: copies branch {@code sourceBranch} of {@code source}
   * (objects included) into {@code target} as {@code refs/pull/<prId>/head}.
   *
   * @return the sha of {@code refs/pull/<prId>/head}
   */
  public String syncPullRef(String target, int prId, String source, String sourceBranch) {
    String pullRef = "refs/pull/" + prId + "/head";
    String branchRef =
        sourceBranch.startsWith("refs/") ? sourceBranch : "refs/heads/" + sourceBranch;
    try (Repository repo = open(target);
        Git git = Git.wrap(repo)) {
      git.fetch()
          .setRemote(gitDir(source).toUri().toString())
          .setRefSpecs(new RefSpec("+" + branchRef + ":" + pullRef))
          .call();
      return repo.exactRef(pullRef).getObjectId().name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bare-clones {@code source} as {@code fork} (as pagure does when forking). */
  public void fork(String source, String fork) {
    try (Git ignored =
        Git.cloneRepository()
            .setBare(true)
            .setURI(gitDir(source).toUri().toString())
            .setGitDir(gitDir(fork).toFile())
            .call()) {
      // nothing else
    } catch (GitAPIException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Something to run later. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /**
   * Runs {@code action} on a background thread after {@code delay}, e.g. {@code
   * repos.later(Duration.ofSeconds(1), () -> repos.syncPullRef(TARGET, 3, FORK, "feature"))}. Join
   * the returned future to see its failure.
   */
  public CompletableFuture<Void> later(Duration delay, Action action) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            action.run();
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Opens the bare repository of {@code fullname}; the caller closes it. */
  public Repository open(String fullname) throws IOException {
    return new FileRepositoryBuilder()
        .setGitDir(gitDir(fullname).toFile())
        .setBare()
        .setMustExist(true)
        .build();
  }

  /** {@code <root>/<fullname>.git}. */
  public Path gitDir(String fullname) {
    return root.resolve(fullname + ".git");
  }

  /** {@code size} pseudo-random (incompressible) bytes from {@code seed}. */
  public static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * Writes a tree (a directory listing) of exactly {@code bytes} bytes whose entries all have
   * {@code mode} (a regular file or a gitlink: both are written with 6 digits) and point at {@code
   * id}: entries {@code f00000000000}, ... of 40 bytes each, and a last one whose name ({@code
   * zzz...}) makes up the rest.
   *
   * @param bytes at least 29
   */
  public static ObjectId treeOfExactly(
      ObjectInserter inserter, long bytes, FileMode mode, ObjectId id) throws IOException {
    int entry = 28 + 12; // "100644 " + 12-character name + NUL + 20-byte id
    long full = (bytes - 29) / entry;
    TreeFormatter tree = new TreeFormatter();
    for (long i = 0; i < full; i++) {
      tree.append(String.format("f%011d", i), mode, id);
    }
    tree.append("z".repeat((int) (bytes - full * entry - 28)), mode, id);
    byte[] raw = tree.toByteArray();
    if (raw.length != bytes) {
      throw new IllegalStateException("tree of " + raw.length + " bytes, not " + bytes);
    }
    return inserter.insert(tree);
  }

  /** A stream of {@code size} zero bytes that holds none of them (for big, cheap blobs). */
  public static InputStream zeros(long size) {
    return new InputStream() {
      private long left = size;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        Arrays.fill(b, off, off + n, (byte) 0);
        left -= n;
        return n;
      }
    };
  }

  // ------------------------------------------------------------------ fixture

  private void buildFixture() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    createProject(TARGET);
    commit(TARGET, "master", Map.of("README.md", TestFile.file("# demo\n")), "Initial commit");
    masterHead = commit(TARGET, "master", masterTree(), "Add the project");

    setRef(TARGET, "refs/heads/feature-same", masterHead);
    sameRepoPrHead = commit(TARGET, "feature-same", sameRepoPrChanges(), "Same-repo feature");

    fork(TARGET, FORK);
    setRef(FORK, "refs/heads/feature", masterHead);
    forkPrHead = commit(FORK, "feature", forkPrChanges(), "Feature from bob");

    syncPullRef(TARGET, FORK_PR, FORK, "feature");
    setRef(TARGET, "refs/pull/" + SAME_REPO_PR + "/head", sameRepoPrHead);

    createProject(NAMESPACED);
    commit(NAMESPACED, "master", Map.of("widget.spec", TestFile.file("Name: widget\n")), "Initial");
  }

  private static void update(Repository repo, String ref, ObjectId id) throws IOException {
    RefUpdate u = repo.updateRef(ref);
    u.setNewObjectId(id);
    u.setForceUpdate(true);
    u.disableRefLog();
    RefUpdate.Result r = u.update();
    switch (r) {
      case NEW, FORCED, FAST_FORWARD, NO_CHANGE -> {}
      default -> throw new IllegalStateException("cannot update " + ref + ": " + r);
    }
  }
}
