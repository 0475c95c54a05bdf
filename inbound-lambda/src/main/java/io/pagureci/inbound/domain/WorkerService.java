package io.pagureci.inbound.domain;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.QueueConfig;
import io.pagureci.log.LambdaLog;
import io.pagureci.pagure.routing.Rule;
import io.pagureci.pagure.routing.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.MDC;

/**
 * The worker's logic: one queued build request becomes exactly one started build, or an {@code
 * ERROR} request event that tells the PR why not (docs/queue.md §5–6). Transient failures (git, S3,
 * the build service, the record store, a ref pagure has not written yet) are retried with back-off
 * until {@link QueueConfig#maxAttempts()}; permanent ones are not retried.
 */
public final class WorkerService {

  /** A received queue message. */
  public record Message(String messageId, String receiptHandle, String body, int receiveCount) {}

  /** What becomes of one message. */
  public sealed interface Result {}

  /** Finished: delete the message (built, duplicate, or told the PR why not). */
  public record Done(String decision) implements Result {}

  /** Try again after {@code delay} (the message stays in the queue). */
  public record Retry(Duration delay, String decision) implements Result {}

  /**
   * Below this much time left in the invocation a message is not started (it is returned to the
   * queue).
   */
  static final long MIN_MILLIS_LEFT = 20_000;

  /** The reason code of a rebuild comment that names a target the project does not have. */
  public static final String UNKNOWN_TARGET = "UNKNOWN_TARGET";

  private final InboundConfig config;
  private final QueueConfig queueConfig;
  private final SourcePackager packager;
  private final BuildStarter starter;
  private final BuildClaims claims;
  private final RequestEvents events;
  private final WorkQueue queue;
  private final WorkLog log;
  private final Clock clock;
  private final CurrentHeads heads;
  private final BuildStopper stopper;
  private final ProjectMembers members;

  /**
   * @param heads the store of each PR's / branch's current head ({@code null}: not kept)
   * @param stopper the stopper of superseded builds ({@code null}: none; then nothing is stopped or
   *     dropped, whatever {@link QueueConfig#cancelSuperseded()} says)
   * @param members pagure's access lists for the contributor policy ({@code null}: none; then a
   *     pull request or rebuild that needs a membership check fails as {@code
   *     MEMBERSHIP_CHECK_FAILED})
   */
  public WorkerService(
      InboundConfig config,
      QueueConfig queueConfig,
      SourcePackager packager,
      BuildStarter starter,
      BuildClaims claims,
      CurrentHeads heads,
      BuildStopper stopper,
      ProjectMembers members,
      RequestEvents events,
      WorkQueue queue,
      WorkLog log,
      Clock clock) {
    this.members = members;
    this.heads = heads;
    this.stopper = stopper;
    this.config = config;
    this.queueConfig = queueConfig;
    this.packager = packager;
    this.starter = starter;
    this.claims = claims;
    this.events = events;
    this.queue = queue;
    this.log = log;
    this.clock = clock;
  }

  /**
   * Handles a batch; returns the ids of the messages to return to the queue ({@code
   * batchItemFailures}), each made visible again after its back-off. Never throws.
   *
   * @param millisLeft the invocation's remaining time
   */
  public List<String> handleBatch(List<Message> messages, LongSupplier millisLeft) {
    List<String> failed = new ArrayList<>();
    // membership looked up once per invocation
    ContributorGate gate = new ContributorGate(config, members);
    for (Message m : messages) {
      Result result =
          millisLeft.getAsLong() < MIN_MILLIS_LEFT
              ? new Retry(Duration.ZERO, "not started: too little time left in this invocation")
              : handle(m, gate);
      if (result instanceof Retry retry) {
        failed.add(m.messageId());
        if (!retry.delay().isZero()) {
          try {
            queue.retryAfter(m.receiptHandle(), retry.delay());
          } catch (WorkQueue.QueueException e) {
            // the queue's own visibility timeout then sets the pace
            log.line(m, null).cause("back-off not set: " + e.getMessage()).write("WARN");
          }
        }
      }
    }
    return failed;
  }

  /** Handles one message; never throws. */
  public Result handle(Message message) {
    return handle(message, new ContributorGate(config, members));
  }

  private Result handle(Message message, ContributorGate gate) {
    long started = System.nanoTime();
    WorkItem item;
    try {
      item = WorkItemJson.read(message.body());
    } catch (Rejection r) {
      // nothing to tell the PR with: no trustworthy project or commit in it
      log.line(message, null)
          .decision("dropped")
          .code(r.code())
          .cause(r.getMessage())
          .millis(started)
          .write("ERROR");
      return new Done("dropped");
    }
    WorkLog.Line line = log.line(message, item);
    // every other line written while this item is worked on (the packager's timings, the upload,
    // from this thread and the threads it starts) names the delivery too: a field of every line
    MDC.put(LambdaLog.DELIVERY_ID, item.deliveryId());
    try {
      Result result = work(message, item, line, gate);
      line.millis(started)
          .write(
              result instanceof Retry
                  ? "WARN"
                  : result.equals(new Done("dropped")) ? "ERROR" : "INFO");
      return result;
    } catch (RuntimeException e) {
      // a bug: keep the stack trace, retry like a transient failure (the DLQ catches a loop)
      org.slf4j.LoggerFactory.getLogger(WorkerService.class).error("unexpected failure", e);
      line.cause(e.getClass().getName());
      Result result =
          transientFailure(
              message,
              item,
              line,
              "INTERNAL_ERROR",
              "an internal error stopped the build from starting");
      line.millis(started).write("ERROR");
      return result;
    } finally {
      MDC.remove(LambdaLog.DELIVERY_ID);
    }
  }

  private Result work(Message message, WorkItem item, WorkLog.Line line, ContributorGate gate) {
    String invalid = recheck(item.request());
    if (invalid != null) {
      // only whoever may send to the queue can make such an item: tell no PR, start nothing
      line.decision("dropped").code("INVALID_WORK_ITEM").cause(invalid);
      return new Done("dropped");
    }
    if (item.close() != null) {
      return close(message, item, line);
    }
    Rule rule = config.routes().ruleFor(item.request().project()).orElseThrow();
    Optional<Target> routed =
        item.target() == null ? Optional.of(rule.targets().get(0)) : rule.target(item.target());
    if (routed.isEmpty() && !BuildRequest.TRIGGER_REBUILD.equals(item.request().trigger())) {
      // only a rebuild comment names a target; the accept function queues no other unknown one
      line.decision("dropped")
          .code("INVALID_WORK_ITEM")
          .cause("target '" + item.target() + "' is not a target of the project's rule");
      return new Done("dropped");
    }
    if (routed.isPresent()) {
      Result superseded = dropIfSuperseded(message, item, line);
      if (superseded != null) {
        return superseded;
      }
    }
    Result refused = applyPolicy(message, item, line, gate, routed.isPresent());
    if (refused != null) {
      return refused;
    }
    if (routed.isEmpty()) {
      // a member (or anyone, under rebuildPolicy all) asked to rebuild a target the project does
      // not have: tell the PR which ones it has (docs/protocol.md, "Rebuild one target")
      return permanent(
          item,
          line,
          null,
          UNKNOWN_TARGET,
          "there is no target '"
              + item.target()
              + "' for "
              + item.request().project()
              + "; its targets are "
              + String.join(", ", rule.targetNames()));
    }
    Target target = routed.get();
    line.target(target.name());
    Instant now = clock.instant();
    BuildClaims.Claim claim;
    try {
      claim = claims.claim(item.buildKey(), item.deliveryId(), item.request().commit(), now);
    } catch (BuildClaims.RecordException e) {
      line.cause(e.getMessage());
      return transientFailure(
          message, item, line, "RECORDS_UNAVAILABLE", "the build record store was unavailable");
    }
    if (claim instanceof BuildClaims.AlreadyStarted started) {
      line.decision("duplicate");
      if (started.record().build() != null) {
        line.build(started.record().build());
        if (item.deliveryId().equals(started.record().deliveryId())) {
          // this very item started the build: it came back because recording its head or
          // stopping what it superseded failed, so that is done again (both are idempotent)
          return supersede(message, item, line, started.record().build(), "duplicate");
        }
      }
      return new Done("duplicate");
    }
    if (claim instanceof BuildClaims.HeldElsewhere held) {
      line.decision("held").cause("another worker holds the claim until " + held.leaseUntil());
      if (message.receiveCount() >= queueConfig.maxAttempts()) {
        // the holder builds or reports; this copy of the request must not end in the DLQ as "lost"
        return new Done("held");
      }
      return new Retry(queueConfig.backoff(message.receiveCount()), "held");
    }
    BuildClaims.Claimed mine = (BuildClaims.Claimed) claim;

    PackagedSource source;
    try {
      source =
          packager.pack(
              plan(item.request(), target),
              BuildKey.objectKey(config.sourcePrefix(), item.request()));
    } catch (SourceException e) {
      line.cause(e.getMessage());
      return switch (e.kind()) {
        case HEAD_MOVED -> {
          // the branch moved on while this item waited: if the newer head's build started
          // meanwhile, this commit was superseded (a canceled flag), not a failure
          Result moved = supersededWhileFetching(item, line, mine);
          yield moved != null
              ? moved
              : permanent(
                  item,
                  line,
                  mine,
                  "HEAD_MOVED",
                  "the branch no longer points at commit "
                      + shortSha(item)
                      + " (it was pushed again or rebased), so this commit is not built; the new head gets its own build");
        }
        case BUILDSPEC_MISSING ->
            permanent(
                item,
                line,
                mine,
                "TRUSTED_BUILDSPEC_MISSING",
                "the target branch '"
                    + item.request().targetBranch()
                    + "' has no "
                    + target.trustedBuildspec().orElse("buildspec")
                    + " (CI runs the target branch's buildspec, not the pull request's)");
        case COMMIT_NOT_FOUND ->
            transientFailure(
                message,
                item,
                line,
                mine,
                "COMMIT_NOT_FOUND",
                "commit "
                    + shortSha(item)
                    + " was not found on the pull request's branch or refs/pull/<id>/head");
        case GIT_FAILED ->
            transientFailure(
                message,
                item,
                line,
                mine,
                "GIT_FETCH_FAILED",
                "fetching commit " + shortSha(item) + " from pagure failed");
        case UPLOAD_FAILED ->
            transientFailure(
                message,
                item,
                line,
                mine,
                "UPLOAD_FAILED",
                "storing the source for the build failed");
        default -> permanent(item, line, mine, e.kind().name(), e.getMessage());
      };
    }
    line.source(source);
    StartedBuild build;
    try {
      build = starter.start(item, target, source);
    } catch (BuildStarter.BuildStartException e) {
      line.cause(e.getMessage());
      return transientFailure(
          message,
          item,
          line,
          mine,
          "BUILD_START_FAILED",
          "the build service did not start the build (" + e.getMessage() + ")");
    }
    line.build(build);
    recordStarted(mine, build, source, line);
    line.decision("started");
    return supersede(message, item, line, build, "started");
  }

  /**
   * The contributor policy (docs/security.md "Who can make us build"): null when the item may
   * build, else what became of it. A failed membership lookup is retried like a git fetch.
   */
  private Result applyPolicy(
      Message message, WorkItem item, WorkLog.Line line, ContributorGate gate, boolean known) {
    ContributorGate.Verdict verdict;
    try {
      verdict = gate.decide(item);
    } catch (ProjectMembers.LookupException e) {
      line.cause(e.getMessage());
      String reason =
          "the commit access of '"
              + actorName(item)
              + "' to "
              + item.request().project()
              + " could not be checked with pagure's API"
              + (e.permanent() ? " (" + e.getMessage() + ")" : "")
              + ", so nothing was built";
      return e.permanent()
          ? permanent(item, line, null, "MEMBERSHIP_CHECK_FAILED", reason)
          : transientFailure(message, item, line, "MEMBERSHIP_CHECK_FAILED", reason);
    }
    line.policy(verdict.policy());
    return switch (verdict) {
      case ContributorGate.Build b -> {
        if (known && ContributorGate.quietUntilChecked(config, item)) {
          // the accept function kept quiet until the commenter was known to be a member
          try {
            events.publish(RequestEvent.queued(item, eventTarget(item)));
          } catch (RequestEvents.EventException e) {
            line.cause("queued flag not requested: " + e.getMessage());
          }
        }
        yield null;
      }
      case ContributorGate.Ignore ignore -> {
        // a non-member's comment: no build, and no flag (the commit's real flag stays)
        line.decision("ignored").cause(ignore.why());
        yield new Done("ignored");
      }
      case ContributorGate.NotMember n ->
          permanent(
              item,
              line,
              null,
              "NOT_A_MEMBER",
              notAMember(item)
                  + ", so this pull request is not built (contributorPolicy members); a member of the project can ask for a build");
      case ContributorGate.AwaitApproval a -> awaitApproval(message, item, line);
    };
  }

  /** Records the wait and asks for the pending flag that names the approval phrase. */
  private Result awaitApproval(Message message, WorkItem item, WorkLog.Line line) {
    boolean recorded;
    try {
      recorded =
          claims.awaitingApproval(
              item.buildKey(), item.deliveryId(), item.request().commit(), clock.instant());
    } catch (BuildClaims.RecordException e) {
      line.cause(e.getMessage());
      return transientFailure(
          message, item, line, "RECORDS_UNAVAILABLE", "the build record store was unavailable");
    }
    if (!recorded) {
      // approved meanwhile: the build started or is starting, and its flags own the commit
      line.decision("duplicate").cause("the key is built or being built: no pending flag");
      return new Done("duplicate");
    }
    line.decision("awaiting-approval");
    try {
      events.publish(
          RequestEvent.awaitingApproval(
              item,
              eventTarget(item),
              "'" + actorName(item) + "' has no commit access to " + item.request().project(),
              config.approvePhrase()));
    } catch (RequestEvents.EventException e) {
      line.cause("pending flag not requested: " + e.getMessage());
      return new Retry(queueConfig.retryBase(), "awaiting approval, PR not told");
    }
    return new Done("awaiting-approval");
  }

  /** Why the item counts as a non-member's, for the PR. */
  private static String notAMember(WorkItem item) {
    return item.actor() == null
        ? "the request names no author (it was queued by an earlier version), so it counts as a non-member's"
        : "'" + item.actor().name() + "' has no commit access to " + item.request().project();
  }

  private static String actorName(WorkItem item) {
    return item.actor() == null ? "(unknown)" : item.actor().name();
  }

  /** Whether this item's pull request / branch stops superseded builds. */
  private boolean cancels(WorkItem item) {
    return heads != null
        && stopper != null
        && queueConfig.cancelsSuperseded(item.request().isPullRequest());
  }

  /**
   * A queued item whose pull request / branch got a newer head of another commit, or was closed,
   * after it was accepted: dropped, its flag ends {@code canceled} with why. Null: it builds.
   */
  private Result dropIfSuperseded(Message message, WorkItem item, WorkLog.Line line) {
    if (!cancels(item)) {
      return null;
    }
    java.util.Optional<CurrentHeads.Head> current;
    try {
      current = heads.find(item.request().project(), item.request().scope(), headTarget(item));
    } catch (BuildClaims.RecordException e) {
      line.cause(e.getMessage());
      return transientFailure(
          message, item, line, "RECORDS_UNAVAILABLE", "the build record store was unavailable");
    }
    String why = Superseding.dropReason(current.orElse(null), item);
    if (why == null) {
      return null;
    }
    line.decision("canceled").code("SUPERSEDED").cause(why);
    return canceled(item, line, why);
  }

  /**
   * {@code HEAD_MOVED}: a newer head recorded meanwhile makes it a drop (CANCELED, record {@code
   * FAILED} so a later delivery may claim the key again); null when none is (or it cannot be told).
   */
  private Result supersededWhileFetching(
      WorkItem item, WorkLog.Line line, BuildClaims.Claimed mine) {
    if (!cancels(item)) {
      return null;
    }
    String why;
    try {
      why =
          Superseding.dropReason(
              heads
                  .find(item.request().project(), item.request().scope(), headTarget(item))
                  .orElse(null),
              item);
    } catch (BuildClaims.RecordException e) {
      return null;
    }
    if (why == null) {
      return null;
    }
    line.decision("canceled").code("SUPERSEDED").cause(why);
    try {
      claims.failed(mine, "SUPERSEDED", why, clock.instant());
    } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
      line.cause("failure not recorded: " + e.getMessage());
    }
    return canceled(item, line, why);
  }

  /** A dropped item's flag ends {@code canceled} with why; retried when it cannot be requested. */
  private Result canceled(WorkItem item, WorkLog.Line line, String why) {
    try {
      events.publish(RequestEvent.canceled(item, eventTarget(item), why));
    } catch (RequestEvents.EventException e) {
      line.cause("canceled flag not requested: " + e.getMessage());
      return new Retry(queueConfig.retryBase(), "canceled, PR not told");
    }
    return new Done("canceled");
  }

  /**
   * After this item's build started: records it as the current head and stops what it superseded —
   * the previous head's build, or its own build when a newer head (or the close) was recorded
   * first. Retried like a transient failure when the record or the stop fails; the build runs
   * either way.
   */
  private Result supersede(
      Message message, WorkItem item, WorkLog.Line line, StartedBuild build, String decision) {
    if (heads == null) {
      return new Done(decision);
    }
    RequestEvent.Target target = eventTarget(item);
    CurrentHeads.Build mine =
        new CurrentHeads.Build(
            build.target(), target.name(), build.id(), item.buildKey(), item.request().commit());
    CurrentHeads.Recorded recorded;
    try {
      recorded = recordHead(item, headTarget(item), CurrentHeads.Head.started(item, mine));
    } catch (BuildClaims.RecordException e) {
      line.cause("current head not recorded: " + e.getMessage());
      return cancels(item) ? afterStartRetry(message, decision) : new Done(decision);
    }
    if (!cancels(item)) {
      return new Done(decision);
    }
    Superseding.Stop stop = Superseding.afterStart(recorded, mine);
    return stop == null ? new Done(decision) : stop(message, line, stop, decision);
  }

  /** Records {@code head} as the current one of the item's pull request / branch and target. */
  private CurrentHeads.Recorded recordHead(WorkItem item, String target, CurrentHeads.Head head)
      throws BuildClaims.RecordException {
    return heads.record(item.request().project(), item.request().scope(), target, head);
  }

  /**
   * A close: the pull request's head of every target of its rule becomes "closed", and each running
   * build is stopped. Recording and stopping are idempotent, so a retry does all of it again.
   */
  private Result close(Message message, WorkItem item, WorkLog.Line line) {
    if (!cancels(item)) {
      line.decision("ignored").cause("CANCEL_SUPERSEDED is off: a close stops nothing");
      return new Done("ignored");
    }
    List<Superseding.Stop> stops = new ArrayList<>();
    for (Target target :
        config.routes().ruleFor(item.request().project()).map(Rule::targets).orElse(List.of())) {
      CurrentHeads.Recorded recorded;
      try {
        recorded = recordHead(item, target.name(), CurrentHeads.Head.closed(item, item.close()));
      } catch (BuildClaims.RecordException e) {
        line.cause(e.getMessage());
        return afterStartRetry(message, "closed");
      }
      Superseding.Stop stop = Superseding.afterClose(recorded);
      if (stop != null) {
        stops.add(stop);
      }
    }
    line.decision("closed");
    Result result = new Done("closed");
    for (Superseding.Stop stop : stops) {
      Result r = stop(message, line, stop, "closed");
      if (r instanceof Retry) {
        result = r;
      }
    }
    return result;
  }

  /** The build target whose current head an item moves: its own, or its rule's first. */
  private String headTarget(WorkItem item) {
    return eventTarget(item).label();
  }

  /**
   * Writes why into the stopped build's record, then stops exactly that build. A transient failure
   * returns the item (its next attempt does this again); a build that finished first keeps its
   * result.
   */
  private Result stop(Message message, WorkLog.Line line, Superseding.Stop stop, String decision) {
    CurrentHeads.Build victim = stop.build();
    try {
      if (!claims.stopping(victim.buildKey(), victim.id(), stop.why(), clock.instant())) {
        line.cause("the build record of " + victim.buildKey() + " does not name " + victim.id());
      }
    } catch (BuildClaims.RecordException e) {
      // the reason must be there before the stop: its flag would not say why
      line.stopped(victim, stop.why(), "not-tried").cause(e.getMessage());
      return afterStartRetry(message, decision);
    }
    try {
      BuildStopper.Stop done = stopper.stop(victim, stop.why());
      line.stopped(
          victim, stop.why(), done == BuildStopper.Stop.STOPPED ? "stopped" : "already-finished");
      return new Done(decision);
    } catch (BuildStopper.StopException e) {
      line.stopped(victim, stop.why(), "failed").cause(e.getMessage());
      return e.transientFailure() ? afterStartRetry(message, decision) : new Done(decision);
    }
  }

  /**
   * The item comes back to finish the head record or the stop (its build, if any, runs); on its
   * last attempt it is done, the superseded build then runs to its end and keeps its own flag.
   */
  private Result afterStartRetry(Message message, String decision) {
    if (message.receiveCount() >= queueConfig.maxAttempts()) {
      return new Done(decision);
    }
    return new Retry(queueConfig.backoff(message.receiveCount()), decision + ", stop pending");
  }

  /** The build runs: its record must say so, or a later delivery could start it again. */
  private void recordStarted(
      BuildClaims.Claimed mine, StartedBuild build, PackagedSource source, WorkLog.Line line) {
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        claims.started(mine, build, source, clock.instant());
        return;
      } catch (BuildClaims.ClaimLostException e) {
        // only possible if this worker outlived its lease: another one may have started a build too
        line.cause("claim lost after the build started (possible second build): " + e.getMessage());
        return;
      } catch (BuildClaims.RecordException e) {
        line.cause("build record not saved (attempt " + attempt + "): " + e.getMessage());
      }
    }
  }

  private Result permanent(
      WorkItem item, WorkLog.Line line, BuildClaims.Claimed mine, String code, String reason) {
    line.decision("failed").code(code);
    if (mine != null) {
      try {
        claims.failed(mine, code, reason, clock.instant());
      } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
        line.cause("failure not recorded: " + e.getMessage());
      }
    }
    return tell(item, line, code, reason, 1)
        ? new Done("failed")
        : new Retry(queueConfig.retryBase(), "failed, PR not told");
  }

  private Result transientFailure(
      Message message, WorkItem item, WorkLog.Line line, String code, String reason) {
    return transientFailure(message, item, line, null, code, reason);
  }

  private Result transientFailure(
      Message message,
      WorkItem item,
      WorkLog.Line line,
      BuildClaims.Claimed mine,
      String code,
      String reason) {
    int attempt = message.receiveCount();
    line.code(code);
    if (attempt >= queueConfig.maxAttempts()) {
      line.decision("gave-up");
      Duration window = Duration.between(item.acceptedAt(), clock.instant());
      String why = reason + "; gave up after " + attempt + " attempts over " + minutes(window);
      if (mine != null) {
        try {
          claims.failed(mine, code, why, clock.instant());
        } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
          line.cause("failure not recorded: " + e.getMessage());
        }
      }
      tell(item, line, code, why, attempt);
      // returned to the queue once more, so SQS moves it to the dead-letter queue for a redrive
      return new Retry(Duration.ZERO, "gave-up");
    }
    line.decision("retry");
    if (mine != null) {
      try {
        claims.release(mine, clock.instant());
      } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
        line.cause("claim not released (the lease runs out instead): " + e.getMessage());
      }
    }
    return new Retry(queueConfig.backoff(attempt), "retry");
  }

  /** Publishes the ERROR event; false when that failed (the item is then kept to try again). */
  private boolean tell(WorkItem item, WorkLog.Line line, String code, String reason, int attempts) {
    try {
      events.publish(
          RequestEvent.error(
              item, eventTarget(item), code, reason, config.rebuildPhrase(), attempts));
      return true;
    } catch (RequestEvents.EventException e) {
      line.cause("error flag not requested: " + e.getMessage());
      return false;
    }
  }

  /** The request is checked again: the queue is only as trustworthy as whoever may send to it. */
  private String recheck(BuildRequest r) {
    if (!r.instance().equals(config.pagureUrl().toString())) {
      return "the request names another pagure instance";
    }
    if (!Names.isProjectFullname(r.project())
        || !Names.isProjectFullname(r.sourceProject())
        || !Names.isSourceOf(r.sourceProject(), r.project())) {
      return "the request's project names are not a pagure project and itself or one of its forks";
    }
    if (config.routes().ruleFor(r.project()).isEmpty()) {
      return "project '"
          + r.project()
          + "' is not in ALLOWED_PROJECTS (no rule of the routing table)";
    }
    if (!Names.isBranch(r.sourceBranch())
        || !Names.isBranch(r.targetBranch())
        || !Names.isCommit(r.commit())) {
      return "the request's branch or commit is malformed";
    }
    return null;
  }

  /**
   * The target whose flag an event is for: the item's own, or the first of its rule when it names
   * none. An {@code UNKNOWN_TARGET} answer goes out under the rule's first target too (outbound
   * gives that code a flag of its own, docs/outbound.md); only a bug reaches the table's first.
   */
  private RequestEvent.Target eventTarget(WorkItem item) {
    Optional<Rule> rule = config.routes().ruleFor(item.request().project());
    Target target =
        rule.flatMap(r -> item.target() == null ? Optional.empty() : r.target(item.target()))
            .or(() -> rule.map(r -> r.targets().get(0)))
            .orElse(config.routes().targets().get(0));
    return RequestEvent.Target.of(target);
  }

  /** Which refs may hold the commit, and where the target's trusted buildspec comes from. */
  FetchPlan plan(BuildRequest request, Target target) {
    List<RepoRef> candidates = new ArrayList<>();
    candidates.add(new RepoRef(request.sourceProject(), "refs/heads/" + request.sourceBranch()));
    if (request.isPullRequest()) {
      candidates.add(new RepoRef(request.project(), "refs/pull/" + request.prId() + "/head"));
    }
    BuildspecSource buildspec = null;
    if (request.isPullRequest() && target.trustedBuildspec().isPresent()) {
      buildspec =
          new BuildspecSource(
              request.project(), request.targetBranch(), target.trustedBuildspec().get());
    }
    return new FetchPlan(candidates, request.commit(), config.refWait(), buildspec);
  }

  private static String shortSha(WorkItem item) {
    return item.request().commit().substring(0, 7);
  }

  private static String minutes(Duration d) {
    long m = d.toMinutes();
    return m < 1 ? d.toSeconds() + " s" : m + " min";
  }
}
