package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The worker (docs/queue.md §5–6): exactly one build per build key, transient failures retried with
 * back-off, permanent ones and exhausted retries told to the PR through an ERROR event.
 */
class WorkerServiceTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims claims = new Fakes.MemoryClaims();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.MemoryQueue queue = new Fakes.MemoryQueue();
  private final Fakes.CapturingWorkLog log = new Fakes.CapturingWorkLog();
  private final WorkerService worker =
      new WorkerService(
          TestConfigs.config(),
          TestConfigs.queueConfig(),
          packager,
          starter,
          claims,
          null,
          null,
          null,
          events,
          queue,
          log,
          Clock.fixed(NOW, ZoneOffset.UTC));

  private final WorkItem item = queuedItem("pull-request.new-1");
  private final String body = WorkItemJson.write(item);

  static WorkItem queuedItem(String fixture) {
    Fakes.MemoryQueue q = new Fakes.MemoryQueue();
    new InboundService(
            TestConfigs.config(),
            TestConfigs.secrets(),
            new Fakes.MemoryClaims(),
            q,
            new Fakes.RecordingEvents(),
            new Fakes.CapturingLog(),
            Clock.fixed(NOW.minusSeconds(5), ZoneOffset.UTC),
            false)
        .handle(PagureFixtures.webhook(fixture).request());
    return q.sent.getFirst();
  }

  private WorkerService.Message message(int receiveCount) {
    return new WorkerService.Message("m-1", "rh-1", body, receiveCount);
  }

  @Test
  void aQueuedRequestIsPackagedAndStartedOnceWithItsDeliveryId() {
    WorkerService.Result result = worker.handle(message(1));

    assertThat(result).isEqualTo(new WorkerService.Done("started"));
    assertThat(starter.items).containsExactly(item);
    assertThat(starter.items.getFirst().buildVariables())
        .containsEntry("PAGURE_DELIVERY_ID", item.deliveryId())
        .as("outbound checks the build record of this key before it posts")
        .containsEntry("PAGURE_BUILD_KEY", item.buildKey());
    assertThat(starter.tokens).containsExactly(item.buildKey());
    assertThat(packager.keys).containsExactly(BuildKey.objectKey("source/", item.request()));
    assertThat(claims.records.get(item.buildKey()).state()).isEqualTo(BuildClaims.State.STARTED);
    assertThat(claims.records.get(item.buildKey()).build())
        .isEqualTo(new StartedBuild("codebuild", "proj:build-1"));
    assertThat(events.events).as("the build's own events report from here").isEmpty();
    assertThat(log.lines.getFirst())
        .startsWith("INFO")
        .contains("\"decision\":\"started\"")
        .contains("\"deliveryId\":\"" + item.deliveryId() + "\"")
        .contains("\"buildId\":\"proj:build-1\"");
  }

  @Test
  void theStartedBuildBecomesThePullRequestsCurrentHeadAndAHeadStoreOutageDoesNotStopIt()
      throws Exception {
    Fakes.MemoryHeads heads = new Fakes.MemoryHeads();
    WorkerService withHeads =
        new WorkerService(
            TestConfigs.config(),
            TestConfigs.queueConfig(),
            packager,
            starter,
            claims,
            heads,
            null,
            null,
            events,
            queue,
            log,
            Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(withHeads.handle(message(1))).isEqualTo(new WorkerService.Done("started"));
    assertThat(heads.find("demo", "pr/1", "build"))
        .hasValueSatisfying(
            h -> {
              assertThat(h.commit()).isEqualTo(item.request().commit());
              assertThat(h.build().id()).isEqualTo("proj:build-1");
              assertThat(h.build().system()).isEqualTo("codebuild");
              assertThat(h.deliveryId()).isEqualTo(item.deliveryId());
            });

    heads.unavailable = true;
    claims.records.clear();
    assertThat(withHeads.handle(message(2))).isEqualTo(new WorkerService.Done("started"));
    assertThat(log.lines.getLast()).contains("current head not recorded");
  }

  @Test
  void whileAnItemIsWorkedOnItsDeliveryIsInTheMdcSoEveryLogLineCarriesIt() {
    String[] seen = new String[1];
    Fakes.RecordingPackager naming =
        new Fakes.RecordingPackager() {
          @Override
          public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
            seen[0] = org.slf4j.MDC.get(io.pagureci.log.LambdaLog.DELIVERY_ID);
            return super.pack(plan, objectKey);
          }
        };
    new WorkerService(
            TestConfigs.config(),
            TestConfigs.queueConfig(),
            naming,
            starter,
            claims,
            null,
            null,
            null,
            events,
            queue,
            log,
            Clock.fixed(NOW, ZoneOffset.UTC))
        .handle(message(1));

    assertThat(seen[0]).isEqualTo(item.deliveryId());
    // and no longer once the item is done
    assertThat(org.slf4j.MDC.get(io.pagureci.log.LambdaLog.DELIVERY_ID)).isNull();
  }

  @Test
  void aRedeliveredMessageStartsNoSecondBuild() {
    worker.handle(message(1));

    WorkerService.Result again = worker.handle(message(2));

    assertThat(again).isEqualTo(new WorkerService.Done("duplicate"));
    assertThat(starter.requests).hasSize(1);
    assertThat(packager.plans).hasSize(1);
  }

  @Test
  void aTransientGitFailureIsRetriedWithExponentialBackOffAndTheClaimReleased() {
    packager.failWith =
        new SourceException(SourceException.Kind.GIT_FAILED, "git fetch failed: 503");

    List<WorkerService.Result> results = new ArrayList<>();
    for (int attempt = 1; attempt <= 7; attempt++) {
      results.add(worker.handle(message(attempt)));
    }

    assertThat(results)
        .extracting(r -> ((WorkerService.Retry) r).delay().toSeconds())
        .containsExactly(30L, 60L, 120L, 240L, 480L, 900L, 900L);
    assertThat(TestConfigs.queueConfig().retryWindow())
        .isGreaterThanOrEqualTo(Duration.ofMinutes(15));
    assertThat(starter.requests).isEmpty();
    assertThat(events.events).as("nothing to tell the PR yet: it shows 'queued'").isEmpty();
    assertThat(claims.records.get(item.buildKey()).leaseUntil())
        .as("released, not held for the lease")
        .isEqualTo(NOW);
  }

  @Test
  void theLastAttemptTellsThePrWhyAndHowToRetryThenGoesToTheDeadLetterQueue() {
    packager.failWith =
        new SourceException(SourceException.Kind.GIT_FAILED, "git fetch failed: 503");

    WorkerService.Result result = worker.handle(message(8));

    assertThat(result).isEqualTo(new WorkerService.Retry(Duration.ZERO, "gave-up"));
    assertThat(events.events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(RequestEvent.State.ERROR);
              assertThat(e.code()).isEqualTo("GIT_FETCH_FAILED");
              assertThat(e.reason())
                  .startsWith(
                      "fetching commit ad1d3ca from pagure failed; gave up after 8 attempts");
              assertThat(e.retry()).isEqualTo("pretty please pagure-ci rebuild");
              assertThat(e.attempts()).isEqualTo(8);
              assertThat(e.buildKey()).isEqualTo(item.buildKey());
            });
    assertThat(claims.records.get(item.buildKey()).state()).isEqualTo(BuildClaims.State.FAILED);
  }

  @Test
  void aHeadThatMovedIsNotRetriedAndThePrIsTold() {
    packager.failWith =
        new SourceException(SourceException.Kind.HEAD_MOVED, "refs/pull/1/head is at 1234567");

    WorkerService.Result result = worker.handle(message(1));

    assertThat(result).isEqualTo(new WorkerService.Done("failed"));
    assertThat(events.events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo("HEAD_MOVED");
              assertThat(e.reason()).contains("no longer points at commit ad1d3ca");
              assertThat(e.attempts()).isEqualTo(1);
            });
    assertThat(claims.records.get(item.buildKey()).state()).isEqualTo(BuildClaims.State.FAILED);
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void aMissingTrustedBuildspecIsNotRetriedAndNamesTheBranchAndFile() {
    packager.failWith = new SourceException(SourceException.Kind.BUILDSPEC_MISSING, "no buildspec");

    assertThat(worker.handle(message(1))).isEqualTo(new WorkerService.Done("failed"));
    assertThat(events.events.getFirst().code()).isEqualTo("TRUSTED_BUILDSPEC_MISSING");
    assertThat(events.events.getFirst().reason()).contains("'master'").contains("buildspec.yml");
  }

  @Test
  void aRefPagureHasNotWrittenYetIsRetried() {
    packager.failWith =
        new SourceException(SourceException.Kind.COMMIT_NOT_FOUND, "no candidate ref yet");

    assertThat(worker.handle(message(1))).isInstanceOf(WorkerService.Retry.class);
    packager.failWith = null;
    assertThat(worker.handle(message(2))).isEqualTo(new WorkerService.Done("started"));
    assertThat(starter.requests).hasSize(1);
  }

  @Test
  void aThrottledStartIsRetriedAndStartsOnceItPasses() {
    starter.failWith = new BuildStarter.BuildStartException("AccountLimitExceededException", null);

    assertThat(worker.handle(message(1))).isInstanceOf(WorkerService.Retry.class);
    starter.failWith = null;
    assertThat(worker.handle(message(2))).isEqualTo(new WorkerService.Done("started"));
    assertThat(claims.records.get(item.buildKey()).build())
        .isEqualTo(new StartedBuild("codebuild", "proj:build-2"));
  }

  @Test
  void aRecordStoreOutageIsTransient() {
    claims.unavailable = true;

    assertThat(worker.handle(message(1))).isInstanceOf(WorkerService.Retry.class);
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void aKeyHeldByALiveClaimWaitsAndOnItsLastAttemptLeavesItToTheHolder() throws Exception {
    claims.claim(item.buildKey(), "other-delivery", item.request().commit(), NOW);

    assertThat(worker.handle(message(1)))
        .isEqualTo(new WorkerService.Retry(Duration.ofSeconds(30), "held"));
    assertThat(worker.handle(message(8))).isEqualTo(new WorkerService.Done("held"));
    assertThat(starter.requests).isEmpty();
    assertThat(events.events).isEmpty();
  }

  @Test
  void whenTheErrorEventCannotBeSentThePermanentFailureIsKeptToTryAgain() {
    packager.failWith = new SourceException(SourceException.Kind.HEAD_MOVED, "moved");
    events.unavailable = true;

    assertThat(worker.handle(message(1))).isInstanceOf(WorkerService.Retry.class);
    events.unavailable = false;
    assertThat(worker.handle(message(2))).isEqualTo(new WorkerService.Done("failed"));
    assertThat(events.events).hasSize(1);
  }

  @Test
  void anUnreadableOrTamperedItemIsDroppedWithoutStartingAnything() {
    for (String bad :
        List.of(
            "",
            "{}",
            "not json",
            body.replace(item.buildKey(), "0".repeat(64)),
            body.replace("\"v\":1", "\"v\":2"))) {
      assertThat(worker.handle(new WorkerService.Message("m", "rh", bad, 1)))
          .isEqualTo(new WorkerService.Done("dropped"));
    }
    assertThat(starter.requests).isEmpty();
    assertThat(log.lines)
        .allSatisfy(l -> assertThat(l).startsWith("ERROR").contains("INVALID_WORK_ITEM"));
  }

  @Test
  void anItemForAnotherInstanceOrAProjectOffTheAllowListIsRefusedAgain() {
    String foreign = body.replace("http://127.0.0.1:5000/", "https://evil.example/");
    WorkItem other = queuedItem("pull-request.new-1");
    String offList =
        WorkItemJson.write(
            new WorkItem(
                other.deliveryId(),
                other.acceptedAt(),
                BuildKey.idempotencyToken(withProject(other.request(), "other")),
                withProject(other.request(), "other")));

    assertThat(worker.handle(new WorkerService.Message("m", "rh", foreign, 1)))
        .isEqualTo(new WorkerService.Done("dropped"));
    assertThat(worker.handle(new WorkerService.Message("m", "rh", offList, 1)))
        .isEqualTo(new WorkerService.Done("dropped"));
    assertThat(starter.requests).isEmpty();
    assertThat(events.events)
        .as("no flag on a project for an item only a queue sender could make")
        .isEmpty();
    assertThat(log.lines)
        .allSatisfy(l -> assertThat(l).startsWith("ERROR").contains("INVALID_WORK_ITEM"));
  }

  @Test
  void aBatchReturnsOnlyTheFailedMessagesAndSetsTheirBackOff() {
    WorkItem second = queuedItem("pull-request.updated-1");
    List<WorkerService.Message> batch =
        List.of(
            message(1),
            new WorkerService.Message("m-2", "rh-2", "garbage", 1),
            new WorkerService.Message("m-3", "rh-3", WorkItemJson.write(second), 3));
    starter.failWith = new BuildStarter.BuildStartException("throttled", null);

    List<String> failed = worker.handleBatch(batch, () -> 60_000);

    assertThat(failed)
        .as("the garbage item is dropped, not returned")
        .containsExactly("m-1", "m-3");
    assertThat(queue.backoffs)
        .containsEntry("rh-1", Duration.ofSeconds(30))
        .containsEntry("rh-3", Duration.ofSeconds(120));
  }

  @Test
  void withTooLittleTimeLeftAMessageIsReturnedUntouched() {
    List<String> failed = worker.handleBatch(List.of(message(1)), () -> 5_000);

    assertThat(failed).containsExactly("m-1");
    assertThat(packager.plans).isEmpty();
    assertThat(claims.records).isEmpty();
  }

  @Test
  void manyWorkersRacingOnOneKeyStartExactlyOneBuild() throws Exception {
    int workers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<WorkerService.Result>> futures = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                go.await();
                return worker.handle(new WorkerService.Message("m-" + n, "rh-" + n, body, 1));
              }));
    }
    go.countDown();
    List<WorkerService.Result> results = new ArrayList<>();
    for (Future<WorkerService.Result> f : futures) {
      results.add(f.get());
    }
    pool.shutdown();

    assertThat(starter.requests).hasSize(1);
    assertThat(results).filteredOn(r -> r.equals(new WorkerService.Done("started"))).hasSize(1);
    assertThat(results)
        .filteredOn(r -> !r.equals(new WorkerService.Done("started")))
        .allSatisfy(
            r ->
                assertThat(r)
                    .isIn(
                        new WorkerService.Done("duplicate"),
                        new WorkerService.Retry(Duration.ofSeconds(30), "held")));
  }

  private static BuildRequest withProject(BuildRequest r, String project) {
    return new BuildRequest(
        r.origin(),
        r.trigger(),
        r.instance(),
        project,
        project,
        r.sourceBranch(),
        r.targetBranch(),
        r.commit(),
        r.prId(),
        r.prUid(),
        r.cause(),
        r.rebuildId());
  }
}
