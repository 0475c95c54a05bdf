package io.pagureci.inbound.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.domain.BuildClaims.RecordException;
import io.pagureci.inbound.domain.CurrentHeads.Head;
import io.pagureci.inbound.domain.CurrentHeads.Recorded;
import io.pagureci.inbound.domain.StartedBuild;
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

    Recorded recorded = heads.record(project, "pr/1", head);

    assertThat(recorded).isEqualTo(new Recorded(true, null));
    assertThat(heads.find(project, "pr/1")).hasValue(head);
    Map<String, AttributeValue> item =
        dynamo
            .client()
            .getItem(
                g ->
                    g.tableName(TABLE)
                        .key(Map.of("id", AttributeValue.fromS("head/" + project + "/pr/1"))))
            .item();
    assertThat(item.get("updatedAt").n()).isEqualTo(Long.toString(T0.toEpochMilli()));
    assertThat(item.get("expiresAt").n())
        .isEqualTo(Long.toString(T0.getEpochSecond() + 30 * 86_400));
    assertThat(item.get("buildKey").s()).isEqualTo(head.buildKey());
  }

  @Test
  void aNewerHeadReplacesTheStoredOneAndHandsItBack() throws Exception {
    String project = freshProject();
    Head older = head("aaa", T0);
    Head newer = head("bbb", T0.plusMillis(1));
    heads.record(project, "branch/main", older);

    Recorded recorded = heads.record(project, "branch/main", newer);

    assertThat(recorded).isEqualTo(new Recorded(true, older));
    assertThat(heads.find(project, "branch/main")).hasValue(newer);
  }

  @Test
  void anOlderOrEquallyOldHeadIsIgnored() throws Exception {
    String project = freshProject();
    Head newer = head("bbb", T0.plusSeconds(10));
    heads.record(project, "pr/7", newer);

    Recorded older = heads.record(project, "pr/7", head("aaa", T0));
    Recorded sameTime = heads.record(project, "pr/7", head("ccc", T0.plusSeconds(10)));

    assertThat(older).isEqualTo(new Recorded(false, null));
    assertThat(sameTime).isEqualTo(new Recorded(false, null));
    assertThat(heads.find(project, "pr/7")).hasValue(newer);
  }

  @Test
  void recordingTheStoredHeadAgainFindsItCurrent() throws Exception {
    // what an SDK retry of a write whose answer was lost does
    String project = freshProject();
    Head head = head("aaa", T0);
    heads.record(project, "pr/3", head);

    assertThat(heads.record(project, "pr/3", head)).isEqualTo(new Recorded(true, null));
  }

  @Test
  void scopesAndProjectsAreSeparate() throws Exception {
    String project = freshProject();
    heads.record(project, "pr/1", head("aaa", T0));

    assertThat(heads.find(project, "pr/2")).isEmpty();
    assertThat(heads.find(project, "branch/pr/1")).isEmpty();
    assertThat(heads.find(project + "-other", "pr/1")).isEmpty();
  }

  @Test
  void aScopeThatIsNeitherAPullRequestNorABranchIsRefused() {
    assertThatThrownBy(() -> heads.record("demo", "tag/v1", head("aaa", T0)))
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
                            AttributeValue.fromS("head/" + project + "/pr/1"),
                            "commit",
                            AttributeValue.fromN("1"))));

    assertThatThrownBy(() -> heads.find(project, "pr/1"))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("unreadable");
  }

  /**
   * {@value #RUNNERS} writers record heads of one scope at the same instant, each with another
   * {@code updatedAt}: the newest ends current, and every other head is accounted for exactly once
   * — ignored (its own writer is told) or replaced (handed to the one writer that replaced it).
   */
  @Test
  void concurrentWritersNeverLoseTheNewestHeadAndHandOnEveryReplacedOneOnce() throws Exception {
    List<DynamoDbClient> clients = new ArrayList<>();
    for (int i = 0; i < RUNNERS; i++) {
      DynamoDbClient c = dynamo.newClient();
      c.listTables();
      clients.add(c);
    }
    List<DynamoDbCurrentHeads> writers =
        clients.stream().map(c -> new DynamoDbCurrentHeads(c, TABLE, TTL_DAYS)).toList();
    int ignored = 0;
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
            race.run(i -> writers.get(i).record(project, "pr/1", written.get(i)));

        Head newest =
            written.stream().max((x, y) -> x.updatedAt().compareTo(y.updatedAt())).orElseThrow();
        assertThat(heads.find(project, "pr/1")).as("round %d", round).hasValue(newest);
        Set<Head> accounted = new HashSet<>();
        accounted.add(newest);
        for (int i = 0; i < RUNNERS; i++) {
          Recorded rec = r.results().get(i);
          if (!rec.current()) {
            ignored++;
            assertThat(accounted.add(written.get(i)))
                .as("round %d: ignored head %d counted once", round, i)
                .isTrue();
          } else if (rec.replaced() != null) {
            replaced++;
            assertThat(rec.replaced().updatedAt()).isBefore(written.get(i).updatedAt());
            assertThat(accounted.add(rec.replaced()))
                .as("round %d: replaced head counted once", round)
                .isTrue();
          }
        }
        assertThat(accounted)
            .as("round %d: every head accounted for", round)
            .containsExactlyInAnyOrderElementsOf(written);
        assertThat(r.results().get(written.indexOf(newest)).current()).isTrue();
      }
    } finally {
      clients.forEach(DynamoDbClient::close);
    }
    System.out.printf(
        "heads race: %d rounds x %d writers: %d ignored as older, %d replaced%n",
        ROUNDS, RUNNERS, ignored, replaced);
  }

  private static String freshProject() {
    return "demo-" + UUID.randomUUID();
  }

  private static Head head(String commit, Instant updatedAt) {
    return new Head(
        commit,
        "key-" + commit,
        new StartedBuild("codebuild", "demo:" + commit),
        "delivery-" + commit,
        updatedAt);
  }
}
