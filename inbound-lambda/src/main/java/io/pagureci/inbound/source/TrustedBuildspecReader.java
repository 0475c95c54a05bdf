package io.pagureci.inbound.source;

import io.pagureci.inbound.domain.BuildspecSource;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Reads the trusted buildspec — a file at a fixed path on the tip of the target project's branch,
 * never from the commit under test — into a string of at most {@code maxBytes}. A missing branch, a
 * missing file, a file that is not a regular file and one over the limit are {@code
 * BUILDSPEC_MISSING}; a directory on the way that is too large to read is {@code
 * DIRECTORY_TOO_LARGE}.
 */
final class TrustedBuildspecReader {

  /** Where the target branch's tip is fetched to in the scratch repository. */
  static final String LOCAL_BUILDSPEC = "refs/pagureci/buildspec";

  private final PagureGitRemote remote;
  private final int maxBytes;

  TrustedBuildspecReader(PagureGitRemote remote, int maxBytes) {
    this.remote = Objects.requireNonNull(remote, "remote");
    this.maxBytes = maxBytes;
  }

  /**
   * The buildspec's text. The source's project fullname is already checked by the caller (a
   * programming error otherwise).
   */
  String read(Repository repo, BuildspecSource source) throws SourceException {
    String branchRef =
        source.branch().startsWith("refs/") ? source.branch() : "refs/heads/" + source.branch();
    if (!Repository.isValidRefName(branchRef)) {
      throw new SourceException(
          Kind.BUILDSPEC_MISSING, "not a valid branch name: " + source.branch());
    }
    RepoRef ref = new RepoRef(source.projectFullname(), branchRef);
    String where = source.path() + " on " + branchRef + " of " + source.projectFullname();
    ObjectId tip =
        remote.lookUp(repo, ref) == null ? null : remote.fetch(repo, ref, LOCAL_BUILDSPEC);
    if (tip == null) {
      throw new SourceException(
          Kind.BUILDSPEC_MISSING, "no buildspec: " + where + " (no such branch)");
    }
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit commit = walk.parseCommit(tip);
      try (TreeWalk tw = TreeWalk.forPath(repo, source.path(), commit.getTree())) {
        if (tw == null) {
          throw new SourceException(Kind.BUILDSPEC_MISSING, "no buildspec: " + where);
        }
        FileMode mode = tw.getFileMode(0);
        if (!FileMode.REGULAR_FILE.equals(mode) && !FileMode.EXECUTABLE_FILE.equals(mode)) {
          throw new SourceException(
              Kind.BUILDSPEC_MISSING, "buildspec is not a regular file: " + where);
        }
        ObjectLoader loader = repo.open(tw.getObjectId(0));
        if (loader.getSize() > maxBytes) {
          throw new SourceException(
              Kind.BUILDSPEC_MISSING, "buildspec is larger than " + maxBytes + " bytes: " + where);
        }
        try (InputStream in = loader.openStream()) {
          return new String(in.readNBytes(maxBytes), StandardCharsets.UTF_8);
        }
      }
    } catch (LargeObjectException e) {
      // TreeWalk.forPath reads the trees on the way to the file whole
      throw new SourceException(
          Kind.DIRECTORY_TOO_LARGE,
          "cannot read "
              + where
              + ": a directory on"
              + " its path has too many entries (a git tree of "
              + JGitEnvironment.STREAM_FILE_THRESHOLD
              + " bytes or more, about 25,000 entries with short names)",
          e);
    } catch (IOException e) {
      throw new SourceException(Kind.GIT_FAILED, "cannot read " + where + ": " + e.getMessage(), e);
    }
  }
}
