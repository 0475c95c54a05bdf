package io.pagureci.inbound.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Proves the stand-in does what the build-record tests rely on: conditional PutItem and UpdateItem
 * are enforced, and stay atomic when writers race on one item (exactly one winner per key). The S3
 * stand-in failed the same race (docs/queue.md §5).
 */
class DynaliteServerIT {

  private static final String TABLE = "stand-in";
  private static final int RUNNERS = 8;
  private static final int ROUNDS = 40;

  private static DynaliteServer dynamo;
  private static final List<DynamoDbClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    dynamo = DynaliteServer.start();
    dynamo.createTable(TABLE);
    for (int i = 0; i < RUNNERS; i++) {
      DynamoDbClient c = dynamo.newClient();
      c.listTables(); // load and warm every client before the races
      clients.add(c);
    }
  }

  @AfterAll
  static void stop() {
    clients.forEach(DynamoDbClient::close);
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @Test
  void aConditionalPutItemIsRefusedWhenItsConditionFails() {
    String id = "put-" + UUID.randomUUID();
    DynamoDbClient c = dynamo.client();
    c.putItem(
        p ->
            p.tableName(TABLE)
                .item(item(id, "writer", "first"))
                .conditionExpression("attribute_not_exists(id)"));

    assertThatThrownBy(
            () ->
                c.putItem(
                    p ->
                        p.tableName(TABLE)
                            .item(item(id, "writer", "second"))
                            .conditionExpression("attribute_not_exists(id)")))
        .isInstanceOf(ConditionalCheckFailedException.class);
    assertThat(writerOf(id)).isEqualTo("first");
  }

  @Test
  void aConditionalUpdateItemIsRefusedWhenItsConditionFailsAndOnAMissingItem() {
    String id = "update-" + UUID.randomUUID();
    DynamoDbClient c = dynamo.client();
    c.putItem(p -> p.tableName(TABLE).item(item(id, "claimId", "c0")));

    c.updateItem(
        u ->
            u.tableName(TABLE)
                .key(key(id))
                .updateExpression("SET claimId = :new")
                .conditionExpression("claimId = :old")
                .expressionAttributeValues(Map.of(":old", s("c0"), ":new", s("c1"))));
    assertThatThrownBy(
            () ->
                c.updateItem(
                    u ->
                        u.tableName(TABLE)
                            .key(key(id))
                            .updateExpression("SET claimId = :new")
                            .conditionExpression("claimId = :old")
                            .expressionAttributeValues(Map.of(":old", s("c0"), ":new", s("c2")))))
        .isInstanceOf(ConditionalCheckFailedException.class);
    assertThat(
            c.getItem(g -> g.tableName(TABLE).key(key(id)).consistentRead(true))
                .item()
                .get("claimId")
                .s())
        .isEqualTo("c1");

    String missing = "update-missing-" + UUID.randomUUID();
    assertThatThrownBy(
            () ->
                c.updateItem(
                    u ->
                        u.tableName(TABLE)
                            .key(key(missing))
                            .updateExpression("SET claimId = :new")
                            .conditionExpression("claimId = :old")
                            .expressionAttributeValues(Map.of(":old", s("c0"), ":new", s("c1")))))
        .isInstanceOf(ConditionalCheckFailedException.class);
    assertThat(c.getItem(g -> g.tableName(TABLE).key(key(missing)).consistentRead(true)).hasItem())
        .isFalse();
  }

  @Test
  void racingConditionalPutsHaveExactlyOneWinnerPerKey() throws InterruptedException {
    Tally tally = new Tally();
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "put-race-" + UUID.randomUUID();
        Race.Round<Boolean> r =
            race.run(
                i -> {
                  try {
                    clients
                        .get(i)
                        .putItem(
                            p ->
                                p.tableName(TABLE)
                                    .item(item(id, "writer", "w" + i))
                                    .conditionExpression("attribute_not_exists(id)"));
                    return true;
                  } catch (ConditionalCheckFailedException e) {
                    return false;
                  }
                });
        int winner = r.results().indexOf(true);
        tally.add(r);
        assertThat(r.results()).as("round %d: winners", round).containsOnlyOnce(true);
        assertThat(writerOf(id))
            .as("round %d: the stored item is the winner's", round)
            .isEqualTo("w" + winner);
      }
    }
    tally.print("PutItem attribute_not_exists(id)");
    tally.assertTheRacesOverlapped();
  }

  @Test
  void racingConditionalUpdatesHaveExactlyOneWinnerPerKey() throws InterruptedException {
    Tally tally = new Tally();
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "update-race-" + UUID.randomUUID();
        dynamo.client().putItem(p -> p.tableName(TABLE).item(item(id, "claimId", "old")));
        Race.Round<Boolean> r =
            race.run(
                i -> {
                  try {
                    clients
                        .get(i)
                        .updateItem(
                            u ->
                                u.tableName(TABLE)
                                    .key(key(id))
                                    .updateExpression("SET claimId = :mine, writer = :mine")
                                    .conditionExpression("claimId = :old")
                                    .expressionAttributeValues(
                                        Map.of(":old", s("old"), ":mine", s("w" + i))));
                    return true;
                  } catch (ConditionalCheckFailedException e) {
                    return false;
                  }
                });
        int winner = r.results().indexOf(true);
        tally.add(r);
        assertThat(r.results()).as("round %d: winners", round).containsOnlyOnce(true);
        assertThat(writerOf(id))
            .as("round %d: the stored item is the winner's", round)
            .isEqualTo("w" + winner);
      }
    }
    tally.print("UpdateItem claimId = :old");
    tally.assertTheRacesOverlapped();
  }

  /**
   * The control: without a condition, "read, then write if absent" lets several writers win under
   * the same harness — so the races above are real races that the conditions decide.
   */
  @Test
  void theHarnessRacesForRealAReadThenWriteLetsSeveralWritersWin() throws InterruptedException {
    int roundsWithSeveralWinners = 0;
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String id = "read-then-write-" + UUID.randomUUID();
        Race.Round<Boolean> r =
            race.run(
                i -> {
                  DynamoDbClient c = clients.get(i);
                  if (c.getItem(g -> g.tableName(TABLE).key(key(id)).consistentRead(true))
                      .hasItem()) {
                    return false;
                  }
                  c.putItem(p -> p.tableName(TABLE).item(item(id, "writer", "w" + i)));
                  return true;
                });
        if (r.results().stream().filter(b -> b).count() > 1) {
          roundsWithSeveralWinners++;
        }
      }
    }
    System.out.printf(
        "read-then-write without a condition: %d of %d rounds had several winners%n",
        roundsWithSeveralWinners, ROUNDS);
    assertThat(roundsWithSeveralWinners).isPositive();
  }

  @Test
  void listensOnLoopbackAndStopsItsProcessOnClose() throws Exception {
    DynaliteServer own = DynaliteServer.start();
    URI endpoint = own.endpoint();
    assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
    assertThat(own.isRunning()).isTrue();

    own.close();
    own.close(); // idempotent

    assertThat(own.isRunning()).isFalse();
    HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
    connection.setConnectTimeout(2_000);
    assertThatThrownBy(connection::getResponseCode).isInstanceOf(ConnectException.class);
  }

  /** Winners and overlap over all rounds of a race. */
  private static final class Tally {
    int rounds;
    int winners;
    int losers;
    int roundsAllInFlight;
    int minInFlight = Integer.MAX_VALUE;

    void add(Race.Round<Boolean> r) {
      rounds++;
      winners += (int) r.results().stream().filter(b -> b).count();
      losers += (int) r.results().stream().filter(b -> !b).count();
      if (r.maxInFlight() == r.results().size()) {
        roundsAllInFlight++;
      }
      minInFlight = Math.min(minInFlight, r.maxInFlight());
    }

    void print(String what) {
      System.out.printf(
          "%s: %d rounds x %d writers: %d winners, %d refused (ConditionalCheckFailed);"
              + " all %d requests in flight together in %d rounds, at least %d in every round%n",
          what, rounds, RUNNERS, winners, losers, RUNNERS, roundsAllInFlight, minInFlight);
    }

    void assertTheRacesOverlapped() {
      assertThat(minInFlight).as("requests in flight together, worst round").isGreaterThan(1);
    }
  }

  private static String writerOf(String id) {
    Map<String, AttributeValue> stored =
        dynamo.client().getItem(g -> g.tableName(TABLE).key(key(id)).consistentRead(true)).item();
    return stored.get("writer").s();
  }

  private static Map<String, AttributeValue> key(String id) {
    return Map.of("id", s(id));
  }

  private static Map<String, AttributeValue> item(String id, String name, String value) {
    return Map.of("id", s(id), name, s(value));
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }
}
