package io.pagureci.inbound.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.domain.BuildClaims.AlreadyStarted;
import io.pagureci.inbound.domain.BuildClaims.Claim;
import io.pagureci.inbound.domain.BuildClaims.ClaimLostException;
import io.pagureci.inbound.domain.BuildClaims.Claimed;
import io.pagureci.inbound.domain.BuildClaims.HeldElsewhere;
import io.pagureci.inbound.domain.BuildClaims.Record;
import io.pagureci.inbound.domain.BuildClaims.RecordException;
import io.pagureci.inbound.domain.BuildClaims.State;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.testsupport.DynaliteServer;
import io.pagureci.inbound.testsupport.Race;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * {@link DynamoDbBuildClaims} against dynalite: the transitions of docs/queue.md §5 and their
 * races.
 */
class DynamoDbBuildClaimsIT {

  private static final String TABLE = "build-records";
  private static final Duration LEASE = Duration.ofSeconds(900);
  private static final int TTL_DAYS = 30;
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.250Z");
  private static final int RUNNERS = 8;
  private static final int ROUNDS = 30;

  private static DynaliteServer dynamo;
  private static DynamoDbBuildClaims claims;

  @BeforeAll
  static void start() {
    dynamo = DynaliteServer.start();
    dynamo.createTable(TABLE);
    claims = new DynamoDbBuildClaims(dynamo.client(), TABLE, LEASE, TTL_DAYS);
  }

  @AfterAll
  static void stop() {
    if (dynamo != null) {
      dynamo.close();
    }
  }

  @Test
  void claimingAnAbsentKeyWritesAClaimedRecordWithALeaseAndATtl() throws Exception {
    String key = freshKey();

    Claim claim = claims.claim(key, "delivery-1", "c0ffee", T0);

    assertThat(claim).isInstanceOf(Claimed.class);
    Claimed claimed = (Claimed) claim;
    assertThat(claimed.buildKey()).isEqualTo(key);
    assertThat(claimed.leaseUntil()).isEqualTo(Instant.ofEpochSecond(T0.getEpochSecond() + 900));
    assertThat(claimed.token()).isNotBlank();
    Map<String, AttributeValue> item = rawItem(key);
    assertThat(item.get("id").s()).isEqualTo("build/" + key);
    assertThat(item.get("state").s()).isEqualTo("CLAIMED");
    assertThat(item.get("claimId").s()).isEqualTo(claimed.token());
    assertThat(item.get("leaseUntil").n()).isEqualTo(Long.toString(T0.getEpochSecond() + 900));
    assertThat(item.get("deliveryId").s()).isEqualTo("delivery-1");
    assertThat(item.get("commit").s()).isEqualTo("c0ffee");
    assertThat(item.get("updatedAt").n()).isEqualTo(Long.toString(T0.toEpochMilli()));
    assertThat(item.get("expiresAt").n())
        .isEqualTo(Long.toString(T0.getEpochSecond() + 30 * 86_400));
    assertThat(claims.find(key))
        .hasValueSatisfying(
            r -> {
              assertThat(r.state()).isEqualTo(State.CLAIMED);
              assertThat(r.leaseUntil()).isEqualTo(claimed.leaseUntil());
              assertThat(r.deliveryId()).isEqualTo("delivery-1");
              assertThat(r.commit()).isEqualTo("c0ffee");
              assertThat(r.build()).isNull();
              assertThat(r.updatedAt()).isEqualTo(T0);
            });
  }

  @Test
  void aClaimWhoseFirstAnswerWasLostIsStillOurs() throws Exception {
    // the SDK retries a PutItem whose answer was lost; the retry is refused by our own write.
    // Played here with a client that answers the first PutItem's success as a 500 (then retries).
    String key = freshKey();
    try (DynamoDbClient lossy =
        dynamo.newClient(
            b ->
                b.overrideConfiguration(
                    o -> o.addExecutionInterceptor(new LoseFirstPutItemAnswer())))) {
      DynamoDbBuildClaims worker = new DynamoDbBuildClaims(lossy, TABLE, LEASE, TTL_DAYS);

      Claim claim = worker.claim(key, "delivery-1", "c0ffee", T0);

      assertThat(claim).isInstanceOf(Claimed.class);
      assertThat(rawItem(key).get("claimId").s()).isEqualTo(((Claimed) claim).token());
    }
  }

  /** Turns the first PutItem's 200 into a 500 after the write happened (a lost answer). */
  private static final class LoseFirstPutItemAnswer implements ExecutionInterceptor {
    private final AtomicBoolean lost = new AtomicBoolean();

    @Override
    public SdkHttpResponse modifyHttpResponse(
        Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
      if (context.request() instanceof PutItemRequest && lost.compareAndSet(false, true)) {
        return context.httpResponse().toBuilder().statusCode(500).build();
      }
      return context.httpResponse();
    }
  }

  @Test
  void twoClaimsGetDifferentTokens() throws Exception {
    Claimed a = (Claimed) claims.claim(freshKey(), "d", "c", T0);
    Claimed b = (Claimed) claims.claim(freshKey(), "d", "c", T0);
    assertThat(a.token()).isNotEqualTo(b.token());
  }

  @Test
  void startedRecordsTheBuildAndTheSourceAndRenewsTheTtl() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    Instant later = T0.plusSeconds(42);

    claims.started(claimed, build("b-1"), source(), later);

    Record r = claims.find(key).orElseThrow();
    assertThat(r.state()).isEqualTo(State.STARTED);
    assertThat(r.build()).isEqualTo(build("b-1"));
    assertThat(r.bucket()).isEqualTo("sources");
    assertThat(r.key()).isEqualTo("source/demo/pr/1/c0ffee.zip");
    assertThat(r.versionId()).isEqualTo("v-1");
    assertThat(r.deliveryId()).isEqualTo("delivery-1");
    assertThat(r.commit()).isEqualTo("c0ffee");
    assertThat(r.updatedAt()).isEqualTo(later);
    assertThat(rawItem(key).get("expiresAt").n())
        .isEqualTo(Long.toString(later.getEpochSecond() + 30 * 86_400));
  }

  @Test
  void aStartedKeyIsAlreadyStartedForEveryLaterClaim() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    claims.started(claimed, build("b-1"), source(), T0.plusSeconds(1));

    Claim again = claims.claim(key, "delivery-2", "c0ffee", T0.plusSeconds(2));
    Claim muchLater = claims.claim(key, "delivery-3", "c0ffee", T0.plus(Duration.ofDays(3)));

    assertThat(again)
        .isInstanceOfSatisfying(
            AlreadyStarted.class, s -> assertThat(s.record().build()).isEqualTo(build("b-1")));
    assertThat(muchLater).isInstanceOf(AlreadyStarted.class);
    assertThat(claims.find(key).orElseThrow().deliveryId()).isEqualTo("delivery-1");
  }

  @Test
  void aLiveLeaseIsHeldElsewhereThroughItsLastSecond() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);

    Claim soon = claims.claim(key, "delivery-2", "c0ffee", T0.plusSeconds(1));
    Claim lastSecond = claims.claim(key, "delivery-2", "c0ffee", claimed.leaseUntil());

    assertThat(soon).isEqualTo(new HeldElsewhere(claimed.leaseUntil()));
    assertThat(lastSecond).isEqualTo(new HeldElsewhere(claimed.leaseUntil()));
    assertThat(rawItem(key).get("claimId").s()).isEqualTo(claimed.token());
  }

  @Test
  void anExpiredLeaseIsTakenOver() throws Exception {
    String key = freshKey();
    Claimed first = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    Instant afterLease = first.leaseUntil().plusSeconds(1);

    Claim second = claims.claim(key, "delivery-2", "c0ffee", afterLease);

    assertThat(second)
        .isInstanceOfSatisfying(
            Claimed.class,
            c -> {
              assertThat(c.token()).isNotEqualTo(first.token());
              assertThat(c.leaseUntil())
                  .isEqualTo(Instant.ofEpochSecond(afterLease.getEpochSecond() + 900));
            });
    assertThat(claims.find(key).orElseThrow().deliveryId()).isEqualTo("delivery-2");
  }

  @Test
  void aFailedKeyIsClaimableAgainAndTheNewClaimDropsTheFailure() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);

    claims.failed(claimed, "HEAD_MOVED", "The pull request's head moved on.", T0.plusSeconds(5));

    Record failed = claims.find(key).orElseThrow();
    assertThat(failed.state()).isEqualTo(State.FAILED);
    assertThat(failed.code()).isEqualTo("HEAD_MOVED");
    assertThat(failed.reason()).isEqualTo("The pull request's head moved on.");
    assertThat(failed.updatedAt()).isEqualTo(T0.plusSeconds(5));

    Claim again = claims.claim(key, "delivery-2", "c0ffee", T0.plusSeconds(6));

    assertThat(again).isInstanceOf(Claimed.class);
    Record reclaimed = claims.find(key).orElseThrow();
    assertThat(reclaimed.state()).isEqualTo(State.CLAIMED);
    assertThat(reclaimed.code()).isNull();
    assertThat(reclaimed.reason()).isNull();
  }

  @Test
  void releaseEndsTheLeaseSoTheNextAttemptClaimsAtOnce() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    Instant failedAt = T0.plusSeconds(10);

    claims.release(claimed, failedAt);

    assertThat(claims.find(key).orElseThrow().leaseUntil()).isBefore(failedAt);
    assertThat(claims.claim(key, "delivery-1", "c0ffee", failedAt)).isInstanceOf(Claimed.class);
  }

  @Test
  void aClaimTakenOverAfterItsLeaseLosesEveryWrite() throws Exception {
    String key = freshKey();
    Claimed a = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    Claimed b = (Claimed) claims.claim(key, "delivery-2", "c0ffee", a.leaseUntil().plusSeconds(1));
    Instant late = a.leaseUntil().plusSeconds(2);

    assertThatThrownBy(() -> claims.started(a, build("a-build"), source(), late))
        .isInstanceOf(ClaimLostException.class)
        .hasMessageContaining(key);
    assertThatThrownBy(() -> claims.failed(a, "X", "y", late))
        .isInstanceOf(ClaimLostException.class);
    assertThatThrownBy(() -> claims.release(a, late)).isInstanceOf(ClaimLostException.class);

    Map<String, AttributeValue> item = rawItem(key);
    assertThat(item.get("claimId").s()).isEqualTo(b.token());
    assertThat(item.get("state").s()).isEqualTo("CLAIMED");
    assertThat(item).doesNotContainKeys("buildId", "code");
  }

  @Test
  void aClaimOfAKeyWithoutARecordLosesItsWritesAndCreatesNoItem() {
    String key = freshKey();
    Claimed invented = new Claimed(key, UUID.randomUUID().toString(), T0.plusSeconds(900));

    assertThatThrownBy(() -> claims.started(invented, build("b"), source(), T0))
        .isInstanceOf(ClaimLostException.class);
    assertThatThrownBy(() -> claims.release(invented, T0)).isInstanceOf(ClaimLostException.class);

    assertThat(rawItemOrNull(key)).isNull();
  }

  @Test
  void aStartedRecordIsNotTurnedIntoAFailedOne() throws Exception {
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    claims.started(claimed, build("b-1"), source(), T0.plusSeconds(1));

    assertThatThrownBy(() -> claims.failed(claimed, "X", "y", T0.plusSeconds(2)))
        .isInstanceOf(ClaimLostException.class);
    assertThat(claims.find(key).orElseThrow().state()).isEqualTo(State.STARTED);
  }

  @Test
  void startedTwiceByTheSameClaimWritesTheSameAgain() throws Exception {
    // the SDK retries a write whose answer was lost: the second write must not fail
    String key = freshKey();
    Claimed claimed = (Claimed) claims.claim(key, "delivery-1", "c0ffee", T0);
    claims.started(claimed, build("b-1"), source(), T0.plusSeconds(1));

    claims.started(claimed, build("b-1"), source(), T0.plusSeconds(1));

    assertThat(claims.find(key).orElseThrow().build()).isEqualTo(build("b-1"));
  }

  @Test
  void findOfAnAbsentKeyIsEmpty() throws Exception {
    assertThat(claims.find(freshKey())).isEmpty();
  }

  /**
   * Unreadable items, and whether a claim's condition lets it replace them (FAILED, or an expired
   * lease).
   */
  static Stream<Arguments> garbageItems() {
    return Stream.of(
        Arguments.of("an unknown state", Map.of("state", s("RUNNING"), "updatedAt", n(1)), false),
        Arguments.of("no state", Map.of("updatedAt", n(1)), false),
        Arguments.of("a state that is a number", Map.of("state", n(3), "updatedAt", n(1)), false),
        Arguments.of(
            "a claim without its lease", Map.of("state", s("CLAIMED"), "updatedAt", n(1)), false),
        Arguments.of(
            "a lease that is a string",
            Map.of("state", s("CLAIMED"), "leaseUntil", s("soon"), "updatedAt", n(1)),
            false),
        Arguments.of(
            "a lease that is not whole",
            Map.of("state", s("CLAIMED"), "leaseUntil", n("1.5"), "updatedAt", n(1)),
            true),
        Arguments.of(
            "a lease out of Instant's range",
            Map.of(
                "state", s("CLAIMED"), "leaseUntil", n("9223372036854775807"), "updatedAt", n(1)),
            false),
        Arguments.of("no updatedAt", Map.of("state", s("FAILED")), true),
        Arguments.of(
            "a started record without its build",
            Map.of("state", s("STARTED"), "updatedAt", n(1)),
            false),
        Arguments.of(
            "a commit that is a number",
            Map.of("state", s("FAILED"), "commit", n(7), "updatedAt", n(1)),
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbageItems")
  void anUnreadableRecordIsARecordExceptionThatDoesNotQuoteIt(
      String what, Map<String, AttributeValue> attributes, boolean claimReplacesIt)
      throws Exception {
    String key = freshKey();
    Map<String, AttributeValue> item = new HashMap<>(attributes);
    item.put("id", s("build/" + key));
    dynamo.client().putItem(p -> p.tableName(TABLE).item(item));

    assertThatThrownBy(() -> claims.find(key))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("unreadable")
        .hasMessageNotContaining("RUNNING")
        .hasMessageNotContaining("soon");
    if (claimReplacesIt) {
      assertThat(claims.claim(key, "d", "c", T0)).isInstanceOf(Claimed.class);
      assertThat(claims.find(key).orElseThrow().state()).isEqualTo(State.CLAIMED);
    } else {
      assertThatThrownBy(() -> claims.claim(key, "d", "c", T0)).isInstanceOf(RecordException.class);
    }
  }

  @Test
  void aMissingTableIsARecordExceptionNamingTheError() {
    DynamoDbBuildClaims nowhere =
        new DynamoDbBuildClaims(dynamo.client(), "no-such-table", LEASE, TTL_DAYS);

    assertThatThrownBy(() -> nowhere.claim(freshKey(), "d", "c", T0))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("ResourceNotFoundException");
    assertThatThrownBy(() -> nowhere.find(freshKey()))
        .isInstanceOf(RecordException.class)
        .hasMessageContaining("ResourceNotFoundException");
  }

  @Test
  void aStoreThatStopsMidTestIsARecordExceptionNotACrash() throws Exception {
    DynaliteServer own = DynaliteServer.start();
    // the SDK's own retries (DynamoDB: up to 8 attempts with back-off) on the client as deployed,
    // none on a second client for the other calls, so the test does not wait for them each time
    DynamoDbClient asDeployed = own.newClient();
    DynamoDbClient noRetries =
        own.newClient(b -> b.overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1))));
    try {
      own.createTable(TABLE);
      DynamoDbBuildClaims ownClaims = new DynamoDbBuildClaims(asDeployed, TABLE, LEASE, TTL_DAYS);
      DynamoDbBuildClaims failFast = new DynamoDbBuildClaims(noRetries, TABLE, LEASE, TTL_DAYS);
      String key = freshKey();
      Claimed claimed = (Claimed) ownClaims.claim(key, "delivery-1", "c0ffee", T0);

      own.close();

      long t = System.nanoTime();
      assertThatThrownBy(() -> ownClaims.started(claimed, build("b"), source(), T0.plusSeconds(1)))
          .isInstanceOf(RecordException.class)
          .hasMessage("recording the started build failed: SdkClientException");
      System.out.printf(
          "store stopped: started() gave up after the SDK's retries in %d ms%n",
          (System.nanoTime() - t) / 1_000_000);
      assertThatThrownBy(() -> failFast.claim(freshKey(), "d", "c", T0))
          .isInstanceOf(RecordException.class)
          .hasMessage("claiming the build record failed: SdkClientException");
      assertThatThrownBy(() -> failFast.find(key))
          .isInstanceOf(RecordException.class)
          .hasMessage("reading the build record failed: SdkClientException");
      assertThatThrownBy(() -> failFast.failed(claimed, "X", "y", T0))
          .isInstanceOf(RecordException.class);
      assertThatThrownBy(() -> failFast.release(claimed, T0)).isInstanceOf(RecordException.class);
    } finally {
      asDeployed.close();
      noRetries.close();
      own.close();
    }
  }

  /**
   * THE race: {@value #RUNNERS} workers, each with its own client, claim one key at the same
   * instant; a winner starts its build at once. Exactly one claim per key, so exactly one build.
   */
  @Test
  void workersRacingForOneKeyGetExactlyOneClaimAndOneBuild() throws Exception {
    List<DynamoDbClient> clients = clients();
    List<DynamoDbBuildClaims> workers =
        clients.stream().map(c -> new DynamoDbBuildClaims(c, TABLE, LEASE, TTL_DAYS)).toList();
    int held = 0;
    int alreadyStarted = 0;
    int allInFlight = 0;
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String key = freshKey();
        Race.Round<Claim> r =
            race.run(
                i -> {
                  Claim c = workers.get(i).claim(key, "delivery-" + i, "c0ffee", T0);
                  if (c instanceof Claimed mine) {
                    workers.get(i).started(mine, build("build-" + i), source(), T0.plusMillis(1));
                  }
                  return c;
                });
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < RUNNERS; i++) {
          Claim c = r.results().get(i);
          if (c instanceof Claimed) {
            winners.add(i);
          } else if (c instanceof HeldElsewhere) {
            held++;
          } else if (c instanceof AlreadyStarted) {
            alreadyStarted++;
          }
        }
        assertThat(winners).as("round %d: claims of one key", round).hasSize(1);
        Record stored = claims.find(key).orElseThrow();
        assertThat(stored.state()).isEqualTo(State.STARTED);
        assertThat(stored.build()).isEqualTo(build("build-" + winners.get(0)));
        if (r.maxInFlight() == RUNNERS) {
          allInFlight++;
        }
      }
    } finally {
      clients.forEach(DynamoDbClient::close);
    }
    System.out.printf(
        "claim race: %d rounds x %d workers: %d Claimed, %d HeldElsewhere, %d AlreadyStarted;"
            + " all %d in flight together in %d rounds%n",
        ROUNDS, RUNNERS, ROUNDS, held, alreadyStarted, RUNNERS, allInFlight);
    assertThat(held + alreadyStarted).isEqualTo(ROUNDS * (RUNNERS - 1));
  }

  /** The crash race, step by step: A claims and is never heard of again until its lease is over. */
  @Test
  void aCrashedWorkersClaimIsTakenOverAfterItsLeaseAndItsLateStartIsRefused() throws Exception {
    String key = freshKey();
    try (DynamoDbClient clientA = dynamo.newClient();
        DynamoDbClient clientB = dynamo.newClient()) {
      DynamoDbBuildClaims workerA = new DynamoDbBuildClaims(clientA, TABLE, LEASE, TTL_DAYS);
      DynamoDbBuildClaims workerB = new DynamoDbBuildClaims(clientB, TABLE, LEASE, TTL_DAYS);
      Claimed a = (Claimed) workerA.claim(key, "delivery-1", "c0ffee", T0);

      assertThat(workerB.claim(key, "delivery-1", "c0ffee", T0.plus(LEASE)))
          .isInstanceOf(HeldElsewhere.class);
      Instant afterLease = a.leaseUntil().plusSeconds(1);
      Claimed b = (Claimed) workerB.claim(key, "delivery-1", "c0ffee", afterLease);
      workerB.started(b, build("build-B"), source(), afterLease.plusSeconds(30));

      assertThatThrownBy(
              () -> workerA.started(a, build("build-A"), source(), afterLease.plusSeconds(31)))
          .isInstanceOf(ClaimLostException.class);
      Record stored = claims.find(key).orElseThrow();
      assertThat(stored.state()).isEqualTo(State.STARTED);
      assertThat(stored.build()).isEqualTo(build("build-B"));
    }
  }

  /**
   * The crash race, raced: after A's lease, A's late start and {@value #RUNNERS}-1 workers taking
   * the key over all go at once. Whichever write lands first decides, but exactly one build is
   * recorded: either A's start (its claim was still stored) and every taker finds it started, or
   * one taker's claim and start, and A's start is refused.
   */
  @Test
  void aLateStartRacingWorkersThatTakeOverRecordsExactlyOneBuild() throws Exception {
    List<DynamoDbClient> clients = clients();
    List<DynamoDbBuildClaims> workers =
        clients.stream().map(c -> new DynamoDbBuildClaims(c, TABLE, LEASE, TTL_DAYS)).toList();
    int lateStartWon = 0;
    int takeOverWon = 0;
    try (Race race = new Race(RUNNERS)) {
      for (int round = 0; round < ROUNDS; round++) {
        String key = freshKey();
        Claimed a = (Claimed) workers.get(0).claim(key, "delivery-1", "c0ffee", T0);
        Instant afterLease = a.leaseUntil().plusSeconds(1);
        Race.Round<String> r =
            race.run(
                i -> {
                  if (i == 0) {
                    try {
                      workers.get(0).started(a, build("build-A"), source(), afterLease);
                      return "started";
                    } catch (ClaimLostException e) {
                      return "lost";
                    }
                  }
                  Claim c = workers.get(i).claim(key, "delivery-1", "c0ffee", afterLease);
                  if (c instanceof Claimed mine) {
                    workers
                        .get(i)
                        .started(mine, build("build-" + i), source(), afterLease.plusMillis(1));
                    return "started";
                  }
                  return c.getClass().getSimpleName();
                });
        List<String> results = r.results();
        assertThat(results).as("round %d", round).containsOnlyOnce("started");
        Record stored = claims.find(key).orElseThrow();
        assertThat(stored.state()).isEqualTo(State.STARTED);
        if (results.get(0).equals("started")) {
          lateStartWon++;
          assertThat(stored.build()).isEqualTo(build("build-A"));
          assertThat(results.subList(1, RUNNERS))
              .as("round %d", round)
              .containsOnly("AlreadyStarted");
        } else {
          takeOverWon++;
          assertThat(results.get(0)).isEqualTo("lost");
          assertThat(stored.build()).isEqualTo(build("build-" + results.indexOf("started")));
          assertThat(results.subList(1, RUNNERS))
              .as("round %d", round)
              .allMatch(
                  s ->
                      s.equals("started")
                          || s.equals("HeldElsewhere")
                          || s.equals("AlreadyStarted"));
        }
      }
    } finally {
      clients.forEach(DynamoDbClient::close);
    }
    System.out.printf(
        "late start vs take-over: %d rounds: the late start won %d, a take-over won %d%n",
        ROUNDS, lateStartWon, takeOverWon);
  }

  private static List<DynamoDbClient> clients() {
    List<DynamoDbClient> clients = new ArrayList<>();
    for (int i = 0; i < RUNNERS; i++) {
      DynamoDbClient c = dynamo.newClient();
      c.listTables(); // warm: class loading and the first connection before the race
      clients.add(c);
    }
    return clients;
  }

  private static String freshKey() {
    return UUID.randomUUID().toString().replace("-", "") + "00000000000000000000000000000000";
  }

  private static StartedBuild build(String id) {
    return new StartedBuild("codebuild", "demo:" + id);
  }

  private static PackagedSource source() {
    return new PackagedSource("sources", "source/demo/pr/1/c0ffee.zip", "v-1", 1234, null);
  }

  private static Map<String, AttributeValue> rawItem(String key) {
    Map<String, AttributeValue> item = rawItemOrNull(key);
    assertThat(item).as("item build/%s", key).isNotNull();
    return item;
  }

  private static Map<String, AttributeValue> rawItemOrNull(String key) {
    var got =
        dynamo
            .client()
            .getItem(
                g -> g.tableName(TABLE).key(Map.of("id", s("build/" + key))).consistentRead(true));
    return got.hasItem() && !got.item().isEmpty() ? got.item() : null;
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  private static AttributeValue n(String v) {
    return AttributeValue.fromN(v);
  }
}
