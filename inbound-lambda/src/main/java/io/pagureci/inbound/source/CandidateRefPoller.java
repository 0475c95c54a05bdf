package io.pagureci.inbound.source;

import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for the plan's commit to show up on one of its candidate refs and fetches it: the refs are
 * looked up (ref advertisement only) round after round, with a pause that doubles from the first to
 * the longest retry delay, until one points at the commit or the plan's wait has passed; the
 * matching ref is fetched with depth 1 and checked again (pagure syncs {@code refs/pull/<id>/head}
 * asynchronously, and a branch can move between the look-up and the fetch).
 *
 * <p>Ends with the commit, {@code HEAD_MOVED} (a candidate was seen at another commit until the
 * end) or {@code COMMIT_NOT_FOUND} (none showed up).
 */
final class CandidateRefPoller {

  private static final Logger log = LoggerFactory.getLogger(CandidateRefPoller.class);

  /** Where candidate {@code i} is fetched to in the scratch repository. */
  static final String LOCAL_CANDIDATE = "refs/pagureci/candidate/";

  private final PagureGitRemote remote;
  private final Duration firstRetryDelay;
  private final Duration maxRetryDelay;

  CandidateRefPoller(PagureGitRemote remote, Duration firstRetryDelay, Duration maxRetryDelay) {
    this.remote = Objects.requireNonNull(remote, "remote");
    this.firstRetryDelay = firstRetryDelay;
    this.maxRetryDelay = maxRetryDelay;
  }

  /** The plan's commit, fetched into {@code repo} from the first candidate that has it. */
  RevCommit fetchCommit(Repository repo, FetchPlan plan) throws SourceException {
    ObjectId want = ObjectId.fromString(plan.commit());
    long deadline = System.nanoTime() + plan.waitForRef().toNanos();
    Duration delay = firstRetryDelay;
    List<RepoRef> candidates = plan.candidates();
    int rounds = 0;
    while (true) {
      rounds++;
      String moved = null;
      for (int i = 0; i < candidates.size(); i++) {
        RepoRef candidate = candidates.get(i);
        ObjectId tip = remote.lookUp(repo, candidate);
        if (tip == null) {
          continue;
        }
        if (tip.equals(want)) {
          ObjectId fetched = remote.fetch(repo, candidate, LOCAL_CANDIDATE + i);
          if (want.equals(fetched)) {
            try (RevWalk walk = new RevWalk(repo)) {
              log.info(
                  "commit found project={} ref={} commit={} rounds={}",
                  candidate.projectFullname(),
                  candidate.ref(),
                  want.name(),
                  rounds);
              return walk.parseCommit(want);
            } catch (IOException e) {
              throw new SourceException(
                  Kind.GIT_FAILED, "fetched commit " + want.name() + " is unreadable", e);
            }
          }
          tip = fetched; // moved between the look-up and the fetch (or vanished)
          if (tip == null) {
            continue;
          }
        }
        moved =
            candidate.ref()
                + " of "
                + candidate.projectFullname()
                + " points at "
                + tip.name()
                + ", not at "
                + want.name();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (moved != null) {
          log.info("head moved commit={} detail={}", want.name(), moved);
          throw new SourceException(Kind.HEAD_MOVED, moved);
        }
        throw new SourceException(
            Kind.COMMIT_NOT_FOUND,
            "no candidate ref ("
                + describe(candidates)
                + ") showed up within "
                + plan.waitForRef().toMillis()
                + " ms");
      }
      sleep(Math.min(delay.toNanos(), left));
      delay = delay.multipliedBy(2);
      if (delay.compareTo(maxRetryDelay) > 0) {
        delay = maxRetryDelay;
      }
    }
  }

  private static String describe(List<RepoRef> refs) {
    StringBuilder sb = new StringBuilder();
    for (RepoRef r : refs) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(r.projectFullname()).append(' ').append(r.ref());
    }
    return sb.toString();
  }

  private static void sleep(long nanos) throws SourceException {
    try {
      Thread.sleep(Duration.ofNanos(Math.max(0, nanos)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException(Kind.GIT_FAILED, "interrupted while waiting for the ref", e);
    }
  }
}
