package io.pagureci.inbound.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;

/**
 * The small repository {@link JGitSourcePackager#prime()} fetches and zips: every kind of entry the
 * zip writer handles, generated (deterministically) in memory, no network and no fixture file.
 */
final class PrimingRepository {

  private static final String[] WORDS = {
    "public", "final", "class", "return", "import", "commit", "branch", "project", "value", "build",
  };

  private PrimingRepository() {}

  /** Writes one commit with a small tree into {@code repo} and points {@code ref} at it. */
  static ObjectId fill(Repository repo, String ref) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    ObjectId commit;
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      TreeFormatter src = new TreeFormatter();
      for (int i = 0; i < 24; i++) {
        src.append(
            String.format("File%02d.java", i),
            FileMode.REGULAR_FILE,
            blob(inserter, text(random, 2_000 + i * 500)));
      }
      ObjectId srcTree = inserter.insert(src);

      // git's entry order: sorted by name, a tree as if its name ended in '/'
      TreeFormatter root = new TreeFormatter();
      root.append("README.md", FileMode.REGULAR_FILE, blob(inserter, text(random, 1_000)));
      root.append(
          "build.sh",
          FileMode.EXECUTABLE_FILE,
          blob(inserter, "#!/bin/sh\nexec make\n".getBytes(StandardCharsets.UTF_8)));
      root.append(
          "data.bin",
          FileMode.REGULAR_FILE,
          blob(inserter, bytes(random, 64 * 1024))); // stored by content
      root.append(
          "docs.txt",
          FileMode.REGULAR_FILE,
          blob(
              inserter,
              text(random, TreeZipWriter.PARALLEL_LIMIT + 256 * 1024))); // streamed, deflated
      root.append(
          "image.gz",
          FileMode.REGULAR_FILE,
          blob(inserter, bytes(random, 16 * 1024))); // stored by name
      root.append(
          "link", FileMode.SYMLINK, blob(inserter, "README.md".getBytes(StandardCharsets.UTF_8)));
      root.append("src", FileMode.TREE, srcTree);
      ObjectId tree = inserter.insert(root);

      CommitBuilder builder = new CommitBuilder();
      PersonIdent ident =
          new PersonIdent(
              "pagure-ci-aws", "priming@pagure-ci-aws.invalid", Instant.EPOCH, ZoneOffset.UTC);
      builder.setAuthor(ident);
      builder.setCommitter(ident);
      builder.setMessage("priming\n");
      builder.setTreeId(tree);
      commit = inserter.insert(builder);
      inserter.flush();
    }
    RefUpdate update = repo.updateRef(ref);
    update.setNewObjectId(commit);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.update();
    if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED) {
      throw new IOException("cannot create " + ref + " in the priming repository: " + result);
    }
    return commit;
  }

  private static ObjectId blob(ObjectInserter inserter, byte[] data) throws IOException {
    return inserter.insert(Constants.OBJ_BLOB, data);
  }

  private static byte[] text(SplittableRandom random, int size) {
    StringBuilder b = new StringBuilder(size + 16);
    while (b.length() < size) {
      b.append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(8) == 0 ? '\n' : ' ');
    }
    b.setLength(size);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(SplittableRandom random, int size) {
    byte[] data = new byte[size];
    random.nextBytes(data);
    return data;
  }
}
