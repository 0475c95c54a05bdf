package io.pagureci.outbound.testing;

import io.pagureci.inbound.aws.DynamoDbBuildClaims;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.BuildClaims.Claimed;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.inbound.testsupport.DynaliteServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The build-records table as the worker writes it: the DynamoDB stand-in of the inbound test-jar
 * ({@code DynaliteServer}, dynalite in a child {@code node}; the build installs it,
 * docs/testing.md) holding a table with the stack's key schema, written through the worker's own
 * adapter, inbound's {@code DynamoDbBuildClaims} (claim → started / failed / released), so the ITs
 * prove that what the worker writes is what outbound reads. Only for tests: the outbound function
 * jar holds no inbound class.
 *
 * <p>One dynalite per test JVM ({@link #shared()}, stopped when the JVM exits), one fresh table per
 * {@link #create()}.
 */
public final class WorkerRecords {
  /** The worker's defaults: {@code CLAIM_LEASE_SECONDS} 900, {@code RECORD_TTL_DAYS} 30. */
  public static final Duration LEASE = Duration.ofSeconds(900);

  public static final int TTL_DAYS = 30;

  private static final AtomicInteger TABLES = new AtomicInteger();
  private static DynaliteServer shared;

  private final DynaliteServer dynamo;
  private final String table;
  private final DynamoDbBuildClaims claims;

  private WorkerRecords(DynaliteServer dynamo, String table) {
    this.dynamo = dynamo;
    this.table = table;
    this.claims = new DynamoDbBuildClaims(dynamo.client(), table, LEASE, TTL_DAYS);
  }

  /** The JVM-wide dynalite, started on first use. */
  public static synchronized DynaliteServer shared() {
    if (shared == null) {
      shared = DynaliteServer.start();
    }
    return shared;
  }

  /** A new, empty build-records table (partition key {@code id}, S) on the shared dynalite. */
  public static WorkerRecords create() {
    DynaliteServer dynamo = shared();
    String table = "outbound-build-records-" + TABLES.incrementAndGet();
    dynamo.createTable(table);
    return new WorkerRecords(dynamo, table);
  }

  /** dynalite's endpoint, for {@code aws.endpointUrlDynamoDb}. */
  public URI endpoint() {
    return dynamo.endpoint();
  }

  public String table() {
    return table;
  }

  /**
   * Points the SDK's DynamoDB clients at dynalite ({@code aws.endpointUrlDynamoDb}; every other
   * service keeps its endpoint) until the answer is closed, which restores what was set before.
   */
  public SdkEndpoint pointSdkHere() {
    SdkEndpoint before = new SdkEndpoint(System.getProperty(SdkEndpoint.PROPERTY));
    System.setProperty(SdkEndpoint.PROPERTY, endpoint().toString());
    return before;
  }

  /** The {@code aws.endpointUrlDynamoDb} value {@link #pointSdkHere} replaced. */
  public static final class SdkEndpoint implements AutoCloseable {
    static final String PROPERTY = "aws.endpointUrlDynamoDb";
    private final String saved;

    private SdkEndpoint(String saved) {
      this.saved = saved;
    }

    @Override
    public void close() {
      if (saved == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, saved);
      }
    }
  }

  /** A client of the stand-in (owned by it). */
  public DynamoDbClient client() {
    return dynamo.client();
  }

  /** The worker's {@code claim} at {@code now}; fails unless it is {@code Claimed}. */
  public Claimed claim(String buildKey, String deliveryId, String commit, Instant now) {
    BuildClaims.Claim claim;
    try {
      claim = claims.claim(buildKey, deliveryId, commit, now);
    } catch (BuildClaims.RecordException e) {
      throw new IllegalStateException(e);
    }
    if (!(claim instanceof Claimed c)) {
      throw new IllegalStateException(
          "the worker did not get the claim of " + buildKey + ": " + claim);
    }
    return c;
  }

  /** The worker's {@code claim} now. */
  public Claimed claim(String buildKey, String deliveryId, String commit) {
    return claim(buildKey, deliveryId, commit, Instant.now());
  }

  /**
   * What the worker writes after StartBuild: its claim, then {@code started} with the build and its
   * source.
   */
  public void started(
      String buildKey, String deliveryId, String commit, String target, String buildId) {
    Claimed claim = claim(buildKey, deliveryId, commit);
    try {
      claims.started(
          claim,
          new StartedBuild(target, buildId),
          new PackagedSource(
              "pagure-ci-source-123456789012",
              "source/demo/pr/1/" + commit + ".zip",
              "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
              4096,
              null),
          Instant.now());
    } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the worker writes before it stops a superseded build: {@code cancelReason}. */
  public void stopping(String buildKey, String buildId, String reason) {
    try {
      if (!claims.stopping(buildKey, buildId, reason, Instant.now())) {
        throw new IllegalStateException("the record of " + buildKey + " does not name " + buildId);
      }
    } catch (BuildClaims.RecordException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the worker writes on a permanent failure: its claim, then {@code failed}. */
  public void failed(
      String buildKey, String deliveryId, String commit, String code, String reason) {
    Claimed claim = claim(buildKey, deliveryId, commit);
    try {
      claims.failed(claim, code, reason, Instant.now());
    } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the worker writes on a transient failure: its claim, then {@code release}. */
  public void released(String buildKey, String deliveryId, String commit) {
    Claimed claim = claim(buildKey, deliveryId, commit);
    try {
      claims.release(claim, Instant.now());
    } catch (BuildClaims.RecordException | BuildClaims.ClaimLostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The item of {@code buildKey} as stored (consistent read), or an empty map. */
  public Map<String, AttributeValue> item(String buildKey) {
    return client()
        .getItem(
            g ->
                g.tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(DynamoDbBuildClaims.itemId(buildKey))))
                    .consistentRead(true))
        .item();
  }

  /**
   * Writes {@code item} as it is (for items the worker would not write); {@code id} is set from the
   * key.
   */
  public void putRaw(String buildKey, Map<String, AttributeValue> item) {
    Map<String, AttributeValue> withId = new java.util.HashMap<>(item);
    withId.put("id", AttributeValue.fromS(DynamoDbBuildClaims.itemId(buildKey)));
    client().putItem(p -> p.tableName(table).item(withId));
  }

  /** Deletes the item of {@code buildKey} (no-op when there is none). */
  public void delete(String buildKey) {
    client()
        .deleteItem(
            d ->
                d.tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(DynamoDbBuildClaims.itemId(buildKey)))));
  }
}
