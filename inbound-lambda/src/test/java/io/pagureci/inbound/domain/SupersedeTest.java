package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.config.QueueConfig;
import io.pagureci.inbound.domain.CurrentHeads.Build;
import io.pagureci.inbound.domain.CurrentHeads.Closed;
import io.pagureci.inbound.domain.CurrentHeads.Head;
import io.pagureci.inbound.domain.CurrentHeads.Recorded;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cancel superseded builds (docs/queue.md §5 "Current heads"): the decisions ({@link Superseding})
 * and the worker's flows on in-memory ports, with the real pagure captures of PR #2 of demo: {@code
 * pull-request.new-2} (4443…), {@code .updated-2} (b6f9…), {@code .rebased-2} (5b7f…), then {@code
 * pull-request.closed-1} (closed) / {@code -2} (merged).
 */
class SupersedeTest {

  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims claims = new Fakes.MemoryClaims();
  private final Fakes.MemoryHeads heads = new Fakes.MemoryHeads();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.CapturingWorkLog log = new Fakes.CapturingWorkLog();

  /** The reason in the stopped build's record at the moment of each stop. */
  private final List<String> reasonAtStop = new ArrayList<>();

  private final Fakes.RecordingStopper stopper =
      new Fakes.RecordingStopper() {
        @Override
        public synchronized Stop stop(Build build, String reason) throws StopException {
          reasonAtStop.add(claims.cancelReasons.get(build.buildKey()));
          return super.stop(build, reason);
        }
      };

  private WorkerService worker(QueueConfig queueConfig) {
    return new WorkerService(
        TestConfigs.config(),
        queueConfig,
        packager,
        starter,
        claims,
        heads,
        stopper,
        null,
        events,
        new Fakes.MemoryQueue(),
        log,
        Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC));
  }

  private final WorkerService worker = worker(TestConfigs.queueConfig());

  /** The item the accept function queues for a capture, accepted at {@code at}. */
  static WorkItem accepted(String fixture, Instant at) {
    Fakes.MemoryQueue q = new Fakes.MemoryQueue();
    Outcome outcome =
        new InboundService(
                TestConfigs.config("BUILD_BRANCHES", "master"),
                TestConfigs.secrets(),
                new Fakes.MemoryClaims(),
                q,
                new Fakes.RecordingEvents(),
                new Fakes.CapturingLog(),
                Clock.fixed(at, ZoneOffset.UTC),
                true)
            .handle(PagureFixtures.webhook(fixture).request());
    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    return q.sent.getFirst();
  }

  private static WorkerService.Message message(WorkItem item, int receiveCount) {
    return new WorkerService.Message(
        "m-" + item.deliveryId(), "rh", WorkItemJson.write(item), receiveCount);
  }

  private WorkerService.Result work(WorkItem item) {
    return worker.handle(message(item, 1));
  }

  private final WorkItem first = accepted("pull-request.new-2", T0);
  private final WorkItem second = accepted("pull-request.updated-2", T0.plusSeconds(10));
  private final WorkItem third = accepted("pull-request.rebased-2", T0.plusSeconds(20));

  private static Build build(String id, WorkItem item) {
    return new Build("codebuild", "proj", id, item.buildKey(), item.request().commit());
  }

  // --- the decisions ---

  @Test
  void aQueuedItemIsDroppedOnlyForANewerHeadOfAnotherCommitOrAClose() {
    Head newer = Head.started(second, build("proj:2", second));
    Head older = Head.started(first, build("proj:1", first));

    assertThat(Superseding.dropReason(null, first)).isNull();
    assertThat(Superseding.dropReason(newer, first)).isEqualTo("superseded by b6f9612");
    assertThat(Superseding.dropReason(older, second)).isNull();
    assertThat(Superseding.dropReason(newer, second)).as("its own head").isNull();
    Head rebuildOfSameCommit =
        new Head(
            "d-later", T0.plusSeconds(30), first.request().commit(), newer.build(), null, null);
    assertThat(Superseding.dropReason(rebuildOfSameCommit, first)).isNull();
    Head merged = Head.closed(accepted("pull-request.closed-2", T0.plusSeconds(30)), Closed.MERGED);
    assertThat(Superseding.dropReason(merged, third)).isEqualTo("PR merged");
  }

  @Test
  void deliveryOrderIsAcceptedAtThenDeliveryIdNeverTheWorkersClock() {
    Head a = new Head("d-a", T0, "a".repeat(40), build("proj:a", first), null, null);
    Head b = new Head("d-b", T0, "b".repeat(40), build("proj:b", first), null, null);
    Head later =
        new Head("d-0", T0.plusMillis(1), "c".repeat(40), build("proj:c", first), null, null);

    assertThat(b.isNewerThan(a)).isTrue();
    assertThat(a.isNewerThan(b)).isFalse();
    assertThat(later.isNewerThan(b)).isTrue();
    assertThat(a.isNewerThan(a)).isFalse();
  }

  @Test
  void aStartedHeadStopsThePreviousCommitsBuildOrItselfWhenANewerHeadWasFirst() {
    Build mine = build("proj:2", second);
    Build old = build("proj:1", first);
    Head current = Head.started(second, mine).replacing(old);

    assertThat(Superseding.afterStart(new Recorded(true, current), mine))
        .isEqualTo(new Superseding.Stop(old, "superseded by b6f9612"));
    assertThat(Superseding.afterStart(new Recorded(true, Head.started(second, mine)), mine))
        .as("nothing before it")
        .isNull();
    Build sameCommit = new Build("codebuild", "proj", "proj:0", "k0", second.request().commit());
    assertThat(
            Superseding.afterStart(
                new Recorded(true, Head.started(second, mine).replacing(sameCommit)), mine))
        .as("a rebuild of the same commit stops nothing")
        .isNull();
    Head newer = Head.started(third, build("proj:3", third));
    assertThat(Superseding.afterStart(new Recorded(false, newer), mine))
        .isEqualTo(new Superseding.Stop(mine, "superseded by 5b7fb6a"));
  }

  // --- the worker ---

  @Test
  void aNewPushStopsTheRunningBuildOfThePreviousHeadAfterWritingWhyIntoItsRecord() {
    assertThat(work(first)).isEqualTo(new WorkerService.Done("started"));
    assertThat(work(second)).isEqualTo(new WorkerService.Done("started"));

    assertThat(starter.items).containsExactly(first, second);
    assertThat(stopper.stopped).containsExactly(build("proj:build-1", first));
    assertThat(stopper.reasons).containsExactly("superseded by b6f9612");
    assertThat(reasonAtStop)
        .as("the reason is in the record before the stop")
        .containsExactly("superseded by b6f9612");
    assertThat(claims.cancelReasons).doesNotContainKey(second.buildKey());
    assertThat(events.events).as("the stopped build's own event says canceled").isEmpty();
    assertThat(log.lines.getLast())
        .contains("\"stoppedBuildId\":\"proj:build-1\"")
        .contains("\"stop\":\"stopped\"");
  }

  @Test
  void anOlderItemPickedUpAfterANewerHeadStartedIsDroppedWithACanceledFlag() {
    work(second);

    WorkerService.Result late = work(first);

    assertThat(late).isEqualTo(new WorkerService.Done("canceled"));
    assertThat(starter.items).as("nothing built for the old commit").containsExactly(second);
    assertThat(packager.plans).hasSize(1);
    assertThat(stopper.stopped).isEmpty();
    RequestEvent canceled = events.events.getLast();
    assertThat(canceled.state()).isEqualTo(RequestEvent.State.CANCELED);
    assertThat(canceled.reason()).isEqualTo("superseded by b6f9612");
    assertThat(canceled.buildKey()).isEqualTo(first.buildKey());
    assertThat(canceled.variables()).containsEntry("PAGURE_COMMIT", first.request().commit());
    assertThat(RequestEventJson.write(canceled))
        .contains("\"state\":\"CANCELED\"")
        .contains("\"reason\":\"superseded by b6f9612\"");
  }

  @Test
  void anOlderBuildThatStartsWhileANewerHeadIsRecordedStopsItselfAndNeverTheNewerOne() {
    // the first item passed the drop check; while it is packaged, the second one starts
    Fakes.RecordingPackager racing =
        new Fakes.RecordingPackager() {
          boolean once;

          @Override
          public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
            if (!once) {
              once = true;
              assertThat(work(second)).isEqualTo(new WorkerService.Done("started"));
            }
            return super.pack(plan, objectKey);
          }
        };
    WorkerService slow =
        new WorkerService(
            TestConfigs.config(),
            TestConfigs.queueConfig(),
            racing,
            starter,
            claims,
            heads,
            stopper,
            null,
            events,
            new Fakes.MemoryQueue(),
            log,
            Clock.systemUTC());

    assertThat(slow.handle(message(first, 1))).isEqualTo(new WorkerService.Done("started"));

    // second started as build-1, first as build-2
    assertThat(starter.items).containsExactly(second, first);
    assertThat(stopper.stopped).containsExactly(build("proj:build-2", first));
    assertThat(stopper.reasons).containsExactly("superseded by b6f9612");
    assertThat(heads.heads.values().iterator().next().build().id()).isEqualTo("proj:build-1");
  }

  @Test
  void twoHeadsWorkedInEitherOrderEndWithTheNewerBuildRunningAndTheOlderOneStoppedOrNeverBuilt() {
    for (boolean newerFirst : new boolean[] {true, false}) {
      Fakes.MemoryHeads h = new Fakes.MemoryHeads();
      Fakes.RecordingStopper s = new Fakes.RecordingStopper();
      Fakes.RecordingStarter st = new Fakes.RecordingStarter();
      WorkerService w =
          new WorkerService(
              TestConfigs.config(),
              TestConfigs.queueConfig(),
              packager,
              st,
              new Fakes.MemoryClaims(),
              h,
              s,
              null,
              events,
              new Fakes.MemoryQueue(),
              log,
              Clock.systemUTC());
      // the newer one first: the older is dropped before it builds; the older one first: the
      // newer one stops it (the interleaving inside one item is anOlderBuildThatStarts...)
      List<WorkItem> order = newerFirst ? List.of(second, first) : List.of(first, second);
      Map<String, WorkerService.Result> results = new HashMap<>();
      for (WorkItem i : order) {
        results.put(i.deliveryId(), w.handle(message(i, 1)));
      }
      String olderBuild = st.items.get(0).equals(first) ? "proj:build-1" : "proj:build-2";
      if (newerFirst) {
        assertThat(results.get(first.deliveryId()))
            .as("dropped before it builds")
            .isEqualTo(new WorkerService.Done("canceled"));
        assertThat(st.items).containsExactly(second);
        assertThat(s.stopped).isEmpty();
      } else {
        assertThat(st.items).containsExactly(first, second);
        assertThat(s.stopped).extracting(Build::id).containsExactly(olderBuild);
      }
      assertThat(h.heads.values().iterator().next().commit()).isEqualTo(second.request().commit());
    }
  }

  @Test
  void anOlderItemWhoseBranchMovedWhileItWaitedIsCanceledWhenTheNewerHeadStartedMeanwhile() {
    // the first item waits for its commit; meanwhile the second head starts and is recorded
    Fakes.RecordingPackager moved =
        new Fakes.RecordingPackager() {
          @Override
          public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
            if (plan.commit().equals(first.request().commit())) {
              assertThat(work(second)).isEqualTo(new WorkerService.Done("started"));
              throw new SourceException(SourceException.Kind.HEAD_MOVED, "feature-same moved");
            }
            return super.pack(plan, objectKey);
          }
        };
    WorkerService w =
        new WorkerService(
            TestConfigs.config(),
            TestConfigs.queueConfig(),
            moved,
            starter,
            claims,
            heads,
            stopper,
            null,
            events,
            new Fakes.MemoryQueue(),
            log,
            Clock.systemUTC());

    assertThat(w.handle(message(first, 1))).isEqualTo(new WorkerService.Done("canceled"));

    assertThat(starter.items).containsExactly(second);
    assertThat(events.events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(RequestEvent.State.CANCELED);
              assertThat(e.reason()).isEqualTo("superseded by b6f9612");
            });
    assertThat(claims.records.get(first.buildKey()).state())
        .as("claimable again by a later delivery")
        .isEqualTo(BuildClaims.State.FAILED);
  }

  @Test
  void aBranchThatMovedWithoutANewerHeadRecordedStaysAHeadMovedError() {
    packager.failWith = new SourceException(SourceException.Kind.HEAD_MOVED, "moved");

    assertThat(work(first)).isEqualTo(new WorkerService.Done("failed"));

    assertThat(events.events.getLast().state()).isEqualTo(RequestEvent.State.ERROR);
    assertThat(events.events.getLast().code()).isEqualTo("HEAD_MOVED");
  }

  @Test
  void aStopThatFailsTransientlyIsRetriedByTheItemWithoutStartingAnythingTwice() {
    work(first);
    stopper.failures.add(new BuildStopper.StopException("CodeBuild throttled", true, null));

    WorkerService.Result failed = work(second);
    WorkerService.Result again = worker.handle(message(second, 2));

    assertThat(failed).isInstanceOf(WorkerService.Retry.class);
    assertThat(again).isEqualTo(new WorkerService.Done("duplicate"));
    assertThat(starter.items).as("the second build started once").containsExactly(first, second);
    assertThat(stopper.stopped)
        .containsExactly(build("proj:build-1", first), build("proj:build-1", first));
    assertThat(log.lines.get(log.lines.size() - 2)).contains("\"stop\":\"failed\"");
    assertThat(log.lines.getLast()).contains("\"stop\":\"stopped\"");
  }

  @Test
  void aStopRefusedForGoodIsNotRetriedAndOnTheLastAttemptTheItemEnds() {
    work(first);
    stopper.failures.add(new BuildStopper.StopException("AccessDeniedException", false, null));
    assertThat(work(second)).isEqualTo(new WorkerService.Done("started"));

    WorkItem later = accepted("pull-request.rebased-2", T0.plusSeconds(20));
    stopper.failures.add(new BuildStopper.StopException("throttled", true, null));
    int max = TestConfigs.queueConfig().maxAttempts();
    assertThat(worker.handle(message(later, max))).isEqualTo(new WorkerService.Done("started"));
  }

  @Test
  void aBuildThatFinishedBeforeTheStopKeepsItsResult() {
    work(first);
    stopper.finished.add("proj:build-1");

    assertThat(work(second)).isEqualTo(new WorkerService.Done("started"));

    assertThat(log.lines.getLast()).contains("\"stop\":\"already-finished\"");
    assertThat(events.events).as("no word from the worker about the finished build").isEmpty();
  }

  @Test
  void aMergedPullRequestStopsItsRunningBuildAndDropsItsLateItems() {
    work(third);
    WorkItem merge = accepted("pull-request.closed-2", T0.plusSeconds(30));
    assertThat(merge.close()).isEqualTo(Closed.MERGED);

    assertThat(work(merge)).isEqualTo(new WorkerService.Done("closed"));
    WorkItem late = accepted("pull-request.updated-2", T0.plusSeconds(25));
    WorkerService.Result dropped = work(late);

    assertThat(stopper.stopped).containsExactly(build("proj:build-1", third));
    assertThat(stopper.reasons).containsExactly("PR merged");
    assertThat(reasonAtStop).containsExactly("PR merged");
    assertThat(dropped).isEqualTo(new WorkerService.Done("canceled"));
    assertThat(events.events.getLast().reason()).isEqualTo("PR merged");
    assertThat(starter.items).containsExactly(third);
  }

  @Test
  void aClosedPullRequestWithNothingRunningStopsNothingAndSaysNothing() {
    WorkItem close = accepted("pull-request.closed-1", T0.plusSeconds(30));
    assertThat(close.close()).isEqualTo(Closed.CLOSED);

    assertThat(work(close)).isEqualTo(new WorkerService.Done("closed"));
    assertThat(work(close)).as("a redelivered close").isEqualTo(new WorkerService.Done("closed"));

    assertThat(stopper.stopped).isEmpty();
    assertThat(events.events).isEmpty();
    assertThat(starter.items).isEmpty();
    assertThat(claims.records).as("a close never claims the head's build key").isEmpty();
  }

  @Test
  void aReopenedPullRequestBuildsAgain() {
    work(first);
    work(accepted("pull-request.closed-1", T0.plusSeconds(5)));

    assertThat(work(accepted("pull-request.rebased-2", T0.plusSeconds(20))))
        .isEqualTo(new WorkerService.Done("started"));
  }

  @Test
  void withCancelSupersededOffNothingIsStoppedOrDropped() {
    WorkerService off =
        worker(
            QueueConfig.fromEnv(
                Map.of(
                    "WORK_QUEUE_URL", "http://127.0.0.1/q",
                    "BUILD_RECORDS_TABLE", "build-records",
                    "CANCEL_SUPERSEDED", "false")));

    off.handle(message(second, 1));
    off.handle(message(first, 1));

    assertThat(starter.items).containsExactly(second, first);
    assertThat(stopper.stopped).isEmpty();
    assertThat(events.events).isEmpty();
  }

  @Test
  void branchPushesAreNotCanceledByDefaultButAreWithTheBranchKey() {
    WorkItem push1 = accepted("git.receive-1", T0);
    WorkItem push2 = accepted("git.receive-6", T0.plusSeconds(10));
    work(push1);
    work(push2);
    assertThat(stopper.stopped).as("cancelSupersededBranches defaults to off").isEmpty();

    WorkerService branches =
        worker(
            QueueConfig.fromEnv(
                Map.of(
                    "WORK_QUEUE_URL", "http://127.0.0.1/q",
                    "BUILD_RECORDS_TABLE", "build-records",
                    "CANCEL_SUPERSEDED_BRANCHES", "true")));
    WorkItem push3 = accepted("git.receive-1", T0.plusSeconds(20));
    claims.records.clear();
    branches.handle(message(push3, 1));
    assertThat(stopper.stopped).extracting(Build::commit).containsExactly(push2.request().commit());
  }

  @Test
  void theAcceptFunctionIgnoresACloseWhenCancelSupersededIsOff() {
    Fakes.MemoryQueue q = new Fakes.MemoryQueue();
    Outcome outcome =
        new InboundService(
                TestConfigs.config(),
                TestConfigs.secrets(),
                new Fakes.MemoryClaims(),
                q,
                new Fakes.RecordingEvents(),
                new Fakes.CapturingLog(),
                Clock.fixed(T0, ZoneOffset.UTC),
                false)
            .handle(PagureFixtures.webhook("pull-request.closed-2").request());

    assertThat(outcome).isInstanceOf(Outcome.Ignored.class);
    assertThat(q.sent).isEmpty();
  }

  @Test
  void aCloseItemSurvivesTheQueueAndABadCloseValueIsRefused() throws Exception {
    WorkItem merge = accepted("pull-request.closed-2", T0);
    assertThat(WorkItemJson.read(WorkItemJson.write(merge))).isEqualTo(merge);

    String bad = WorkItemJson.write(merge).replace("\"close\":\"merged\"", "\"close\":\"gone\"");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkItemJson.read(bad))
        .isInstanceOf(Rejection.class)
        .hasMessageContaining("close");
  }
}
