package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.outbound.events.EventBridgeEventParser;
import io.pagureci.outbound.events.ParsedEvent;
import io.pagureci.outbound.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once rules of the log comment over in-memory stand-ins of its ports that keep their
 * contracts (a ledger with DynamoDB's conditional semantics, a pagure that stores comments, or
 * stores one and then fails to answer). The same rules over DynamoDB (dynalite) and HTTP (WireMock)
 * are in {@code LogCommentIT}.
 */
class LogCommentServiceTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:30:00Z"));
  private final MemoryLedger ledger = new MemoryLedger();
  private final MemoryPagure pagure = new MemoryPagure();
  private final AtomicInteger logReads = new AtomicInteger();
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  private BuildLogReader logs =
      (where, startAt, max) -> {
        logReads.incrementAndGet();
        assertThat(where)
            .isEqualTo(
                new BuildLogs(
                    "/aws/codebuild/pagure-ci-demo", "6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44"));
        return LogTailTest.codeBuildLog(80);
      };

  private LogCommentService service(int attempts) {
    return new LogCommentService(
        LogAccess.parse("comment", 50),
        (where, startAt, max) -> logs.lastLines(where, startAt, max),
        pagure,
        ledger,
        clock,
        () -> Duration.ofSeconds(65),
        attempts,
        Duration.ofMillis(1),
        sleeps::add);
  }

  static BuildEvent event(String fixture) {
    ParsedEvent parsed =
        new EventBridgeEventParser()
            .parse(
                new ByteArrayInputStream(Fixtures.event(fixture).getBytes(StandardCharsets.UTF_8)));
    return ((ParsedEvent.Usable) parsed).event();
  }

  static FlagUpdate update(BuildEvent e) {
    PagureBuild build = PagureBuild.from(e.variables());
    Flag flag = new FlagMapper(null, new BuildUrls(null)).flagFor(build, e.ref(), e.state());
    return new FlagUpdate(build, e.ref(), e.state(), flag);
  }

  private static final BuildEvent FAILED = event("codebuild/state-failed-in-build.json");

  private void handle(LogCommentService s) {
    s.handle(FAILED, "d-1", update(FAILED));
  }

  @Test
  void aFailedPullRequestBuildGetsOneCommentWithTheFailingPhasesTail() {
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    String c = pagure.comments.get(0);
    assertThat(c)
        .startsWith("**build · failed in BUILD after 1m31s** · [build](https://eu-west-1.console")
        .contains("The last 50 lines of the BUILD phase")
        .contains("test line 80")
        .doesNotContain("post build line")
        .endsWith(LogTail.marker(FAILED.ref()) + "\n");
    assertThat(ledger.state("logcomment/" + FAILED.ref().shortId())).isEqualTo("POSTED");
  }

  @Test
  void aRedeliveredEventFindsTheCommentPostedAndPostsNothing() {
    handle(service(4));
    handle(service(4));
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    assertThat(pagure.posts).hasValue(1);
    assertThat(logReads).hasValue(1);
  }

  @Test
  void onlyFailedCodeBuildPullRequestBuildsThatNameTheirLogGetAComment() {
    BuildEvent succeeded = event("codebuild/state-succeeded.json");
    BuildEvent stopped = event("codebuild/state-stopped.json");
    BuildEvent timedOut = event("codebuild/state-timed-out.json");
    assertThat(LogCommentService.notCommented(succeeded, update(succeeded)))
        .contains("did not fail");
    assertThat(LogCommentService.notCommented(stopped, update(stopped))).contains("did not fail");
    assertThat(LogCommentService.notCommented(timedOut, update(timedOut))).isNull();
    Map<String, String> push = new HashMap<>(FAILED.variables());
    push.remove("PAGURE_PR_ID");
    push.remove("PAGURE_PR_UID");
    push.put("PAGURE_TRIGGER", "push");
    BuildEvent pushed = new BuildEvent(FAILED.ref(), FAILED.state(), push, "e", FAILED.logs());
    assertThat(LogCommentService.notCommented(pushed, update(pushed)))
        .isEqualTo("a push has no pull request to comment on");
    BuildEvent noLogs = new BuildEvent(FAILED.ref(), FAILED.state(), FAILED.variables(), "e");
    assertThat(LogCommentService.notCommented(noLogs, update(noLogs))).contains("names no");

    service(4).handle(pushed, null, update(pushed));
    service(4).handle(succeeded, null, update(succeeded));
    assertThat(pagure.posts).hasValue(0);
    assertThat(ledger.items).isEmpty();
  }

  @Test
  void aPostWhoseAnswerIsLostButWhichPagureStoredIsFoundByItsMarkerAndNotRepeated() {
    pagure.storeThenFail.set(1);
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    assertThat(pagure.posts).hasValue(1);
    assertThat(pagure.markerChecks).hasValue(1);
    assertThat(ledger.state("logcomment/" + FAILED.ref().shortId())).isEqualTo("POSTED");
  }

  @Test
  void aPostThatFailedBeforePagureStoredItIsRepeatedAfterTheMarkerCheck() {
    pagure.failWithoutStoring.set(2);
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    assertThat(pagure.posts).hasValue(3);
    assertThat(pagure.markerChecks).hasValue(2);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void whenEveryAttemptHasAnUnknownOutcomeTheLeaseIsKeptAndTheNextHolderAsksPagureFirst() {
    pagure.storeThenFail.set(1);
    pagure.failWithoutStoring.set(10);
    assertThatThrownBy(() -> handle(service(1)))
        .isInstanceOf(ReportFailedException.class)
        .matches(e -> ((ReportFailedException) e).retryable());
    assertThat(pagure.comments).hasSize(1);
    // Lambda's retry, while the lease of the failed invocation still runs: retried later
    assertThatThrownBy(() -> handle(service(1)))
        .isInstanceOf(LogCommentService.CommentInProgressException.class);
    clock.advance(Duration.ofSeconds(66));
    pagure.failWithoutStoring.set(0);
    handle(service(1));
    assertThat(pagure.comments).as("found by its marker, not posted again").hasSize(1);
    assertThat(ledger.state("logcomment/" + FAILED.ref().shortId())).isEqualTo("POSTED");
  }

  @Test
  void aHolderThatDiedAfterItsPostLeavesNoDoubleTheTakeoverFindsTheMarker() {
    ledger.failPosted.set(true);
    assertThatThrownBy(() -> handle(service(4))).hasMessageContaining("DynamoDB down");
    assertThat(pagure.comments).hasSize(1);
    ledger.failPosted.set(false);
    clock.advance(Duration.ofSeconds(66));
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    assertThat(pagure.posts).hasValue(1);
    assertThat(ledger.state("logcomment/" + FAILED.ref().shortId())).isEqualTo("POSTED");
  }

  @Test
  void aHolderThatDiedBeforeItsPostIsNotLostTheTakeoverPosts() {
    // the first invocation took the lease and died (no post, no release)
    ledger.acquire(
        "logcomment/" + FAILED.ref().shortId(), "k", clock.instant(), Duration.ofSeconds(65));
    assertThatThrownBy(() -> handle(service(4)))
        .isInstanceOf(LogCommentService.CommentInProgressException.class);
    clock.advance(Duration.ofSeconds(66));
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
    assertThat(pagure.markerChecks).hasValue(1);
  }

  @Test
  void aRejectedPostReleasesTheLeaseAtOnceAndIsThrown() {
    pagure.reject.set(true);
    assertThatThrownBy(() -> handle(service(4)))
        .isInstanceOf(ReportFailedException.class)
        .hasMessageContaining("401");
    assertThat(pagure.posts).hasValue(1);
    pagure.reject.set(false);
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
  }

  @Test
  void aFailedLogReadReleasesTheLeaseAndIsThrownAndTheRetryPosts() {
    BuildLogReader good = logs;
    logs =
        (where, startAt, max) -> {
          throw new IllegalStateException("ThrottlingException: Rate exceeded");
        };
    assertThatThrownBy(() -> handle(service(4))).hasMessageContaining("Rate exceeded");
    assertThat(pagure.posts).hasValue(0);
    logs = good;
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
  }

  @Test
  void twoConcurrentInvocationsForOneBuildPostOneComment() throws Exception {
    pagure.slow.set(true);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(
          pool.submit(
              () -> {
                go.await();
                try {
                  handle(service(4));
                  return "ok";
                } catch (LogCommentService.CommentInProgressException e) {
                  return "busy";
                }
              }));
    }
    go.countDown();
    List<String> outcomes = new ArrayList<>();
    for (Future<String> f : results) {
      outcomes.add(f.get());
    }
    pool.shutdown();
    assertThat(pagure.comments).hasSize(1);
    assertThat(outcomes).contains("busy");
    // the busy ones are retried by Lambda: then they find it posted
    handle(service(4));
    assertThat(pagure.comments).hasSize(1);
  }

  @Test
  void
      theServiceCommentsOnTheTerminalStateEventOnlyAfterItsFlagAndNotOnARunningEventThatFoundTheEnd() {
    List<FlagUpdate> flags = new ArrayList<>();
    List<Integer> commentsWhenFlagged = new ArrayList<>();
    OutboundService outbound =
        new OutboundService(
            new Scope("https://pagure.example.org/", java.util.Set.of(), java.util.Set.of()),
            Fixtures.provenance(),
            new FlagMapper(null, new BuildUrls(null)),
            u -> {
              commentsWhenFlagged.add(pagure.comments.size());
              flags.add(u);
            },
            ref -> java.util.Optional.of(new BuildSnapshot(FAILED.state(), FAILED.variables())),
            ref -> java.util.Optional.empty(),
            service(4));
    outbound.handle(event("codebuild/phase-pre-build-completed.json"));
    assertThat(flags).isNotEmpty();
    assertThat(pagure.posts).as("a phase event that finds the build failed").hasValue(0);
    outbound.handle(FAILED);
    assertThat(commentsWhenFlagged.getLast()).as("the flag goes first").isZero();
    assertThat(pagure.comments).hasSize(1);
    outbound.handle(FAILED);
    assertThat(pagure.comments).hasSize(1);
  }

  /** The ledger's DynamoDB semantics: conditional put of a lease, owner-conditional updates. */
  static final class MemoryLedger implements CommentLedger {
    final Map<String, String[]> items = new HashMap<>(); // state, owner, leaseUntil(epoch s)
    final java.util.concurrent.atomic.AtomicBoolean failPosted =
        new java.util.concurrent.atomic.AtomicBoolean();

    synchronized String state(String id) {
      return items.get(id)[0];
    }

    @Override
    public synchronized Lease acquire(String id, String buildKey, Instant now, Duration lease) {
      String[] item = items.get(id);
      long nowS = now.getEpochSecond();
      if (item != null && item[0].equals("POSTED")) {
        return new Lease.Posted();
      }
      if (item != null && Long.parseLong(item[2]) >= nowS) {
        return new Lease.Busy(Instant.ofEpochSecond(Long.parseLong(item[2])));
      }
      String owner = UUID.randomUUID().toString();
      items.put(
          id, new String[] {"POSTING", owner, Long.toString(now.plus(lease).getEpochSecond())});
      return new Lease.Acquired(owner, item != null);
    }

    @Override
    public synchronized void posted(String id, String owner, Instant now) {
      if (failPosted.get()) {
        throw new IllegalStateException("DynamoDB down");
      }
      String[] item = items.get(id);
      if (item != null && item[1].equals(owner)) {
        item[0] = "POSTED";
      }
    }

    @Override
    public synchronized void release(String id, String owner) {
      String[] item = items.get(id);
      if (item != null && item[1].equals(owner) && item[0].equals("POSTING")) {
        item[2] = "0";
      }
    }
  }

  /** pagure's comments: stored in order; faults before or after storing. */
  static final class MemoryPagure implements PullRequestComments {
    final List<String> comments = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger posts = new AtomicInteger();
    final AtomicInteger markerChecks = new AtomicInteger();
    final AtomicInteger storeThenFail = new AtomicInteger();
    final AtomicInteger failWithoutStoring = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicBoolean reject =
        new java.util.concurrent.atomic.AtomicBoolean();
    final java.util.concurrent.atomic.AtomicBoolean slow =
        new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void post(PagureBuild build, String comment) {
      posts.incrementAndGet();
      assertThat(build.prId()).isEqualTo(1L);
      if (reject.get()) {
        throw new ReportFailedException("pagure rejected POST: 401 EINVALIDTOK", 401, false, null);
      }
      if (storeThenFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        comments.add(comment);
        throw new ReportFailedException("no answer (HttpTimeoutException)", 0, true, null);
      }
      if (failWithoutStoring.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new ReportFailedException("502 Bad Gateway", 502, true, null);
      }
      if (slow.get()) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      comments.add(comment);
    }

    @Override
    public boolean contains(PagureBuild build, String marker) {
      markerChecks.incrementAndGet();
      synchronized (comments) {
        return comments.stream().anyMatch(c -> c.contains(marker));
      }
    }
  }

  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @SuppressWarnings("unused")
  private static Predicate<String> any() {
    return l -> true;
  }
}
