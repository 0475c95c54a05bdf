package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The accept function (docs/queue.md §1, §6): an authentic delivery is kept in the work queue and a
 * "queued" event asked for; nothing is fetched, packaged or started on this path, and every failure
 * is one the caller or the PR sees.
 */
class AcceptPathTest {

  private final Fakes.MemoryClaims claims = new Fakes.MemoryClaims();
  private final Fakes.MemoryQueue queue = new Fakes.MemoryQueue();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.CapturingLog log = new Fakes.CapturingLog();
  private final InboundService accept =
      new InboundService(
          TestConfigs.config(),
          TestConfigs.secrets(),
          claims,
          queue,
          events,
          log,
          Clock.systemUTC(),
          false);

  private final PagureFixtures.Delivery delivery = PagureFixtures.webhook("pull-request.new-1");

  @Test
  void anAuthenticDeliveryIsQueuedWithItsNormalisedRequestAndAQueuedEvent() throws Exception {
    Outcome outcome = accept.handle(delivery.request());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    Outcome.Queued q = (Outcome.Queued) outcome;
    assertThat(queue.sent).hasSize(1);
    WorkItem item = WorkItemJson.read(queue.bodies.getFirst());
    assertThat(item).isEqualTo(queue.sent.getFirst());
    assertThat(item.deliveryId())
        .isEqualTo(q.deliveryId())
        .isEqualTo(delivery.request().requestId());
    assertThat(item.buildKey())
        .isEqualTo(q.buildKey())
        .isEqualTo(BuildKey.idempotencyToken(item.request(), "build"));
    assertThat(item.target()).as("the one-rule table's target").isEqualTo("build");
    assertThat(q.targets()).containsExactly(new Outcome.ForTarget("build", q.buildKey(), "queued"));
    assertThat(item.request().commit()).isEqualTo("ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f");
    assertThat(queue.bodies.getFirst())
        .as("the work item is not pagure's body")
        .doesNotContain("initial_comment")
        .doesNotContain("access_users");
    assertThat(events.events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(RequestEvent.State.QUEUED);
              assertThat(e.buildKey()).isEqualTo(q.buildKey());
              assertThat(e.target())
                  .isEqualTo(new RequestEvent.Target("codebuild", "proj", "build"));
              assertThat(e.variables())
                  .containsEntry("PAGURE_COMMIT", item.request().commit())
                  .containsEntry("PAGURE_DELIVERY_ID", q.deliveryId())
                  .containsEntry("PAGURE_BUILD_KEY", q.buildKey());
            });
    assertThat(log.lines.getFirst())
        .contains("\"decision\":\"queued\"")
        .contains("\"messageId\":\"msg-1\"")
        .contains("\"deliveryId\":\"" + q.deliveryId() + "\"");
  }

  @Test
  void whenTheQueueFailsTheCallerGetsA503AndNoQueuedFlagIsAskedFor() {
    queue.unavailable = true;

    Outcome outcome = accept.handle(delivery.request());

    assertThat(outcome)
        .isEqualTo(
            new Outcome.Rejected(
                503,
                "QUEUE_UNAVAILABLE",
                "the request could not be queued; nothing will be built"));
    assertThat(events.events).as("no 'queued' flag for a request that is not queued").isEmpty();
    assertThat(log.lines.getFirst()).startsWith("ERROR").contains("queue down");
  }

  @Test
  void whenTheEventBusFailsTheRequestIsStillQueuedAndTheCallerToldSo() {
    events.unavailable = true;

    Outcome outcome = accept.handle(delivery.request());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(queue.sent).hasSize(1);
    assertThat(log.lines.getFirst()).contains("queued flag not requested: event bus down");
  }

  @Test
  void aStartedBuildKeyIsADuplicateAndNothingIsQueued() {
    WorkItem item =
        WorkItem.of("earlier", java.time.Instant.EPOCH, requestOf(delivery), null, "build");
    claims.startedBefore(item.buildKey(), new StartedBuild("codebuild", "proj:b-1"));

    Outcome outcome = accept.handle(delivery.request());

    assertThat(outcome).isInstanceOf(Outcome.Duplicate.class);
    assertThat(((Outcome.Duplicate) outcome).build())
        .isEqualTo(new StartedBuild("codebuild", "proj:b-1"));
    assertThat(queue.sent).isEmpty();
    assertThat(events.events).isEmpty();
  }

  @Test
  void aClaimedButNotStartedKeyIsQueuedAgain() throws Exception {
    WorkItem item = WorkItem.of("earlier", java.time.Instant.EPOCH, requestOf(delivery));
    claims.claim(item.buildKey(), "earlier", item.request().commit(), java.time.Instant.now());

    assertThat(accept.handle(delivery.request())).isInstanceOf(Outcome.Queued.class);
    assertThat(queue.sent).hasSize(1);
  }

  @Test
  void whenTheRecordStoreFailsTheDeliveryIsQueuedAnyway() {
    claims.unavailable = true;

    assertThat(accept.handle(delivery.request())).isInstanceOf(Outcome.Queued.class);
    assertThat(queue.sent).hasSize(1);
    assertThat(log.lines.getFirst()).contains("build record lookup failed");
  }

  @Test
  void anIgnoredTopicQueuesNothing() {
    Outcome outcome = accept.handle(PagureFixtures.webhook("pull-request.closed-1").request());

    assertThat(outcome).isInstanceOf(Outcome.Ignored.class);
    assertThat(queue.sent).isEmpty();
    assertThat(events.events).isEmpty();
  }

  private static BuildRequest requestOf(PagureFixtures.Delivery d) {
    Fakes.MemoryQueue q = new Fakes.MemoryQueue();
    new InboundService(
            TestConfigs.config(),
            TestConfigs.secrets(),
            new Fakes.MemoryClaims(),
            q,
            new Fakes.RecordingEvents(),
            new Fakes.CapturingLog(),
            Clock.systemUTC(),
            false)
        .handle(d.request());
    return q.sent.getFirst().request();
  }
}
