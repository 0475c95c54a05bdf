package io.pagureci.outbound.domain;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code LOG_ACCESS=…,comment}: a failed CodeBuild build of a pull request leaves exactly one PR
 * comment with the redacted tail of its failing phase's log (docs/outbound.md, "Log tail comment").
 * Called by {@link OutboundService} after the final flag of a terminal state event was posted.
 *
 * <p>Exactly once, whatever retries: a lease item {@code logcomment/<project:uuid>} in the
 * build-records table ({@link CommentLedger}) is taken before anything is posted and marked posted
 * after. A second invocation meanwhile (a redelivered event, a concurrent one) finds the lease held
 * and throws, so Lambda retries it later, when it finds the comment posted. A holder that died
 * after its POST leaves a lease that ends with its invocation; whoever takes over first asks pagure
 * whether a comment with the build's marker exists. A POST whose outcome is unknown (no answer,
 * 5xx) is never repeated blindly: pagure is asked for the marker first; and if the invocation gives
 * up, the lease is kept to its end, so the next attempt asks too.
 */
public final class LogCommentService {
  /** Terminal CodeBuild states whose log is worth a comment (STOPPED is a person's decision). */
  public static final Set<String> FAILED = Set.of("FAILED", "FAULT", "TIMED_OUT");

  /** Item ids of the ledger (the LeadingKeys prefix the stack's policy allows). */
  public static final String ID_PREFIX = "logcomment/";

  /** Lines read back from the end of the log at most, to find the start of the failing phase. */
  static final int MAX_LINES_READ = 20_000;

  private final LogAccess access;
  private final BuildLogReader logs;
  private final PullRequestComments comments;
  private final CommentLedger ledger;
  private final Clock clock;
  private final Supplier<Duration> leaseLength;
  private final int postAttempts;
  private final Duration backOff;
  private final Consumer<Duration> sleeper;

  /**
   * @param leaseLength how long a lease taken now lasts: at least the rest of this invocation (so a
   *     live holder never loses it)
   * @param postAttempts POSTs per invocation at most (each after asking pagure for the marker)
   * @param backOff pause before asking again after an unknown outcome
   */
  public LogCommentService(
      LogAccess access,
      BuildLogReader logs,
      PullRequestComments comments,
      CommentLedger ledger,
      Clock clock,
      Supplier<Duration> leaseLength,
      int postAttempts,
      Duration backOff,
      Consumer<Duration> sleeper) {
    this.access = access;
    this.logs = logs;
    this.comments = comments;
    this.ledger = ledger;
    this.clock = clock;
    this.leaseLength = leaseLength;
    this.postAttempts = Math.max(1, postAttempts);
    this.backOff = backOff;
    this.sleeper = sleeper;
  }

  /** Why {@code update} (the final flag of {@code event}) gets no comment, or {@code null}. */
  public static String notCommented(BuildEvent event, FlagUpdate update) {
    BuildState state = update.state();
    if (update.ref().system() != BuildSystem.CODEBUILD) {
      return "a pipeline's events name no build log";
    }
    if (!event.state().finished() || state == null || !state.finished()) {
      return "the build has not finished";
    }
    if (!FAILED.contains(state.status())) {
      return "the build did not fail (" + state.status() + ")";
    }
    if (update.build().prId() == null) {
      return "a push has no pull request to comment on";
    }
    if (event.logs() == null) {
      return "the event names no CloudWatch Logs group and stream";
    }
    return null;
  }

  /** Posts the comment for {@code update} once; throws to have the event retried. */
  public void handle(BuildEvent event, String delivery, FlagUpdate update) {
    String skip = notCommented(event, update);
    if (skip != null) {
      DecisionLog.comment("comment-skipped", event.eventId(), delivery, update, skip);
      return;
    }
    BuildRef ref = update.ref();
    String id = ID_PREFIX + ref.shortId();
    String marker = LogTail.marker(ref);
    String buildKey = PagureBuild.buildKey(event.variables());
    CommentLedger.Lease lease = ledger.acquire(id, buildKey, clock.instant(), leaseLength.get());
    switch (lease) {
      case CommentLedger.Lease.Posted p -> {
        DecisionLog.comment(
            "comment-already-posted", event.eventId(), delivery, update, "the ledger says posted");
        return;
      }
      case CommentLedger.Lease.Busy b -> {
        String why =
            "another invocation is posting the log comment of "
                + ref.shortId()
                + " (lease until "
                + b.until()
                + "): retried later";
        DecisionLog.comment("comment-in-progress", event.eventId(), delivery, update, why);
        throw new CommentInProgressException(why);
      }
      case CommentLedger.Lease.Acquired a -> post(event, delivery, update, id, marker, a);
    }
  }

  private void post(
      BuildEvent event,
      String delivery,
      FlagUpdate update,
      String id,
      String marker,
      CommentLedger.Lease.Acquired lease) {
    PagureBuild build = update.build();
    boolean unknown = false;
    try {
      if (lease.takeover() && comments.contains(build, marker)) {
        ledger.posted(id, lease.owner(), clock.instant());
        DecisionLog.comment(
            "comment-already-posted",
            event.eventId(),
            delivery,
            update,
            "an earlier attempt had posted it (marker found on the pull request)");
        return;
      }
      PhaseResult failed = FlagMapper.firstFailedPhase(update.state());
      String phase = failed == null ? null : failed.phase();
      List<String> lines =
          logs.lastLines(event.logs(), line -> LogTail.entersPhase(line, phase), MAX_LINES_READ);
      String body =
          LogTail.comment(
              update.flag().comment(),
              update.flag().url(),
              phase,
              lines,
              access.tailLines(),
              Redaction.of(event.variables()),
              marker);
      for (int attempt = 1; ; attempt++) {
        try {
          comments.post(build, body);
          break;
        } catch (ReportFailedException e) {
          if (!e.retryable()) {
            throw e;
          }
          unknown = true;
          if (attempt >= postAttempts) {
            throw e;
          }
          sleeper.accept(backOff);
          if (comments.contains(build, marker)) {
            break;
          }
        }
      }
      ledger.posted(id, lease.owner(), clock.instant());
      DecisionLog.comment("comment-posted", event.eventId(), delivery, update, null);
    } catch (RuntimeException e) {
      if (!unknown) {
        // nothing can have reached pagure: the next attempt need not wait for the lease to end
        try {
          ledger.release(id, lease.owner());
        } catch (RuntimeException r) {
          e.addSuppressed(r);
        }
      }
      DecisionLog.failed(event.eventId(), delivery, update.ref(), build, e);
      throw e;
    }
  }

  /** Another invocation holds the comment's lease: thrown, so that Lambda retries the event. */
  public static final class CommentInProgressException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommentInProgressException(String message) {
      super(message);
    }
  }
}
