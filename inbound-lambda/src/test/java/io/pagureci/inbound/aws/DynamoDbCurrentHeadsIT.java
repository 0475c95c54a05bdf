package io.pagureci.inbound.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.domain.BuildClaims.RecordException;
import io.pagureci.inbound.domain.CurrentHeads.Build;
import io.pagureci.inbound.domain.CurrentHeads.Closed;
import io.pagureci.inbound.domain.CurrentHeads.Head;
import io.pagureci.inbound.domain.CurrentHeads.Recorded;
import io.pagureci.inbound.testsupport.DynaliteServer;
import io.pagureci.inbound.testsupport.Race;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DynamoDbCurrentHeads} against dynalite: only a newer head replaces the stored one. */
class DynamoDbCurrentHeadsIT {

  private static final String TABLE = "build-records";
  private static final int TTL_DAYS = 30;
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.250Z");
  // at most DynamoDbCurrentHeads.MAX_ATTEMPTS: then no writer can run out of attempts
  private static final int RUNNERS = 8;
  private static final int ROUNDS = 30;

  private static DynaliteServer dynamo;
  private static DynamoDbCurrentHeads heads;

  @BeforeAll
  static void start() {
    dynamo = DynaliteServer.start();
    dynamo.createTable(TABLE);
    heads = new DynamoDbCurrentHeads(dynamo.client(), TABLE, TTL_DAYS);
  }

  @AfterAll
  static void stop() {
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @Test
  void theFirstHeadIsCurrentAndStoredWithATtl() throws Exception {
    String project = freshProject();
    Head head = head("aaa", T0);

    Recorded recorded = heads.record(project, "pr/1", "build", head);

    assertThat(recorded).isEqualTo(new Recorded(true, head));
    assertThat(heads.find(project, "pr/1", "build")).hasValue(head);
    Map<String, AttributeValue> item =
        dynamo
            .client()
            .getItem(
                g ->
                    g.tableName(TABLE)
                        .key(Map.of("id", AttributeValue.fromS("head/" + project + "/pr/1/build"))))
            .item();
    assertThat(item.get("acceptedAt").n()).isEqualTo(Long.toString(T0.toEpochMilli()));
    assertThat(item.get("expiresAt").n())
        .isEqualTo(Long.toString(T0.getEpochSecond() + 30 * 86_400));
    assertThat(item.get("buildKey").s()).isEqualTo(head.build().buildKey());
    assertThat(item.get("system").s()).isEqualTo("codebuild");
    assertThat(item.get("resource").s()).isEqualTo("demo");
  }

  @Test
  void aNewerHeadReplacesTheStoredOneAndKeepsItsBuildAsPrevious() throws Exception {
    String project = freshProject();
    Head older = head("aaa", T0);
    Head newer = head("bbb", T0.plusMillis(1));
    heads.record(project, "branch/main", "build", older);

    Recorded recorded = heads.record(project, "branch/main", "build", newer);

    assertThat(recorded).isEqualTo(new Recorded(true, newer.replacing(older.build())));
    assertThat(heads.find(project, "branch/main", "build"))
        .hasValue(newer.replacing(older.build()));
  }

  @Test
  void anOlderHeadIsRefusedWithTheNewerOne() throws Exception {
    String project = freshProject();
    Head newer = head("bbb", T0.plusSeconds(10));
    heads.record(project, "pr/7", "build", newer);

    Recorded older = heads.record(project, "pr/7", "build", head("aaa", T0));

    assertThat(older).isEqualTo(new Recorded(false, newer));
    assertThat(heads.find(project, "pr/7", "build")).hasValue(newer);
  }

  @Test
  void twoDeliveriesOfOneMillisecondAreOrderedByDeliveryId() throws Exception {
    String project = freshProject();
    Head a = head("aaa", T0);
    Head b = head("bbb", T0); // delivery-bbb > delivery-aaa
    heads.record(project, "pr/7", "build", b);

    assertThat(heads.record(project, "pr/7", "build", a).current()).isFalse();
    assertThat(heads.find(project, "pr/7", "build")).hasValue(b);
  }

  @Test
  void recordingTheStoredHeadAgainFindsItCurrentWithWhatItReplaced() throws Exception {
    // what a redelivered item (or an SDK retry of a write whose answer was lost) does
    String project = freshProject();
    Head older = head("aaa", T0);
    Head head = head("bbb", T0.plusSeconds(1));
    heads.record(project, "pr/3", "build", older);
    heads.record(project, "pr/3", "build", head);

    assertThat(heads.record(project, "pr/3", "build", head))
        .isEqualTo(new Recorded(true, head.replacing(older.build())));
  }

  @Test
  void aCloseKeepsTheBuildItReplacedAndABuildAfterItKeepsThatToo() throws Exception {
    String project = freshProject();
    Head running = head("aaa", T0);
    heads.record(project, "pr/4", "build", running);
    Head close = new Head("delivery-close", T0.plusSeconds(5), "aaa", null, null, Closed.MERGED);

    Recorded closed = heads.record(project, "pr/4", "build", close);
    Recorded late = heads.record(project, "pr/4", "build", head("bbb", T0.plusSeconds(1)));

    assertThat(closed).isEqualTo(new Recorded(true, close.replacing(running.build())));
    assertThat(late).isEqualTo(new Recorded(false, close.replacing(running.build())));
  }

  @Test
  void scopesProjectsAndTargetsAreSeparate() throws Exception {
    String project = freshProject();
    heads.record(project, "pr/1", "build", head("aaa", T0));

    assertThat(heads.find(project, "pr/2", "build")).isEmpty();
    assertThat(heads.find(project, "branch/pr/1", "build")).isEmpty();
    assertThat(heads.find(project + "-other", "pr/1", "build")).isEmpty();
    assertThat(heads.find(project, "pr/1", "rpmbuild")).isEmpty();
  }

  @Test
  void aScopeThatIsNeitherAPullRequestNorABranchIsRefused() {
    assertThatThrownBy(() -> heads.record("demo", "tag/v1", "build", head("aaa", T0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnreadableHeadIsARecordException() {
    String project = freshProject();
    dynamo
        .client()
        .putItem(
            p ->
                p.tableName(TABLE)
                    .item(
                        Map.of(
                            "id",
                            AttributeValue.fromS("head/" + project + "/pr/1/build"),
                            "commit",
                            AttributeValue.fromN("1"))));

    assertThatThrownBy(() -> heads.find(project, "pr/1", "build"))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("unreadable");
    assertThatThrownBy(() -> heads.record(project, "pr/1", "build", head("aaa", T0)))
        .isInstanceOf(RecordException.class);
  }

  /**
   * {@value #RUNNERS} writers record heads of one scope at the same instant, each with another
   * {@code acceptedAt}: the newest ends current, and every other head's build is accounted for
   * exactly once — refused (its own writer is told, and stops it) or replaced (the {@code previous}
   * of the one writer whose write replaced it).
   */
  @Test
  void concurrentWritersNeverLoseTheNewestHeadAndHandOnEveryReplacedBuildOnce() throws Exception {
    List<DynamoDbClient> clients = new ArrayList<>();
    for (int i = 0; i < RUNNERS; i++) {
      DynamoDbClient c = dynamo.newClient();
      c.listTables();
      clients.add(c);
    }
    List<DynamoDbCurrentHeads> writers =
        clients.stream().map(c -> new DynamoDbCurrentHeads(c, TABLE, TTL_DAYS)).toList();
    int refused = 0;
    int replaced = 0;
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String project = freshProject();
        // writer i's head is (i * 7 mod 8) ms after T0: the newest is not always the last index
        List<Head> written = new ArrayList<>();
        for (int i = 0; i < RUNNERS; i++) {
          written.add(head("c" + i, T0.plusMillis((i * 7L) % RUNNERS)));
        }
        Race.Round<Recorded> r =
            race.run(i -> writers.get(i).record(project, "pr/1", "build", written.get(i)));

        Head newest = written.stream().reduce((x, y) -> x.isNewerThan(y) ? x : y).orElseThrow();
        assertThat(heads.find(project, "pr/1", "build").orElseThrow().deliveryId())
            .as("round %d", round)
            .isEqualTo(newest.deliveryId());
        Set<Build> accounted = new HashSet<>();
        accounted.add(newest.build());
        for (int i = 0; i < RUNNERS; i++) {
          Recorded rec = r.results().get(i);
          if (!rec.current()) {
            refused++;
            assertThat(rec.stored().isNewerThan(written.get(i))).isTrue();
            assertThat(accounted.add(written.get(i).build()))
                .as("round %d: refused head %d counted once", round, i)
                .isTrue();
          } else if (rec.stored().previous() != null) {
            replaced++;
            assertThat(accounted.add(rec.stored().previous()))
                .as("round %d: replaced build counted once", round)
                .isTrue();
          }
        }
        assertThat(accounted)
            .as("round %d: every head's build accounted for", round)
            .containsExactlyInAnyOrderElementsOf(written.stream().map(Head::build).toList());
        assertThat(r.results().get(written.indexOf(newest)).current()).isTrue();
      }
    } finally {
      clients.forEach(DynamoDbClient::close);
    }
    System.out.printf(
        "heads race: %d rounds x %d writers: %d refused as older, %d replaced%n",
        ROUNDS, RUNNERS, refused, replaced);
  }

  private static String freshProject() {
    return "demo-" + UUID.randomUUID();
  }

  private static Head head(String commit, Instant acceptedAt) {
    return new Head(
        "delivery-" + commit,
        acceptedAt,
        commit,
        new Build("codebuild", "demo", "demo:" + commit, "key-" + commit, commit),
        null,
        null);
  }
}
