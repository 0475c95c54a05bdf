package io.pagureci.inbound.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
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
 *       {@code buildspec.yml}, an executable {@code bin/run.sh}, a symlink {@code
 *       docs/readme-link -> ../README.md}, a nested {@code src/main/java/demo/App.java}, a binary
 *       {@code assets/logo.png}, an empty file and a submodule {@code vendor/lib}); branch {@code
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
  public String commit(String fullname, String branch, Map<String, TestFile> changes, String message) {
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
            file.gitlink() != null ? file.gitlink() : inserter.insert(Constants.OBJ_BLOB, file.content());
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
    try (Repository repo = open(fullname); ObjectInserter inserter = repo.newObjectInserter()) {
      ObjectId tree = maker.make(inserter);
      return commit(repo, inserter, ref, repo.exactRef(ref), tree, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String commit(Repository repo, ObjectInserter inserter, String ref, Ref current, ObjectId tree,
      String message) throws IOException {
    PersonIdent who =
        new PersonIdent("Test Author", "author@example.org", EPOCH.plusSeconds(60L * commits++), ZoneOffset.UTC);
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
    String branchRef = sourceBranch.startsWith("refs/") ? sourceBranch : "refs/heads/" + sourceBranch;
    try (Repository repo = open(target); Git git = Git.wrap(repo)) {
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
