package io.pagureci.inbound.aws;

import static io.pagureci.inbound.aws.DynamoDbItems.n;
import static io.pagureci.inbound.aws.DynamoDbItems.optionalNumber;
import static io.pagureci.inbound.aws.DynamoDbItems.optionalString;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredNumber;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredString;
import static io.pagureci.inbound.aws.DynamoDbItems.s;

import io.pagureci.inbound.aws.DynamoDbItems.UnreadableItemException;
import io.pagureci.inbound.domain.BuildClaims;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.StartedBuild;
import io.pagureci.pagure.BuildRecordKey;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Build records as DynamoDB items (docs/queue.md §5): one item per build key, {@code id =
 * build/<buildKey>}; every transition is one conditional {@code PutItem} / {@code UpdateItem}, so
 * concurrent workers on one key cannot both win. A refused claim is decided on a consistent read.
 *
 * <p>Times: {@code leaseUntil} and the TTL attribute {@code expiresAt} are epoch seconds, {@code
 * updatedAt} epoch milliseconds; a lease is live through its {@code leaseUntil} second. Every write
 * sets {@code expiresAt} to the record TTL after {@code now}.
 */
public final class DynamoDbBuildClaims implements BuildClaims {

  /** How often a claim is tried when the item keeps changing between the write and the read. */
  static final int MAX_CLAIM_ATTEMPTS = 5;

  private static final String CLAIM_CONDITION =
      "attribute_not_exists(id) OR #state = :failed OR #state = :awaiting"
          + " OR (#state = :claimed AND leaseUntil < :now)";
  private static final String OURS = "claimId = :mine";

  private final DynamoDbClient dynamo;
  private final String table;
  private final long leaseSeconds;
  private final long recordTtlSeconds;

  /**
   * @param table the build-records table ({@code BUILD_RECORDS_TABLE})
   * @param lease how long a claim keeps other workers off the key ({@code CLAIM_LEASE_SECONDS};
   *     whole seconds, at least one)
   * @param recordTtlDays how long after its last write an item expires (the TTL attribute {@code
   *     expiresAt}; the stack's source expiration days)
   */
  public DynamoDbBuildClaims(
      DynamoDbClient dynamo, String table, Duration lease, int recordTtlDays) {
    this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
    this.table = Objects.requireNonNull(table, "table");
    if (lease.toSeconds() < 1) {
      throw new IllegalArgumentException("lease must be at least one second: " + lease);
    }
    if (recordTtlDays < 1) {
      throw new IllegalArgumentException("recordTtlDays must be at least 1: " + recordTtlDays);
    }
    this.leaseSeconds = lease.toSeconds();
    this.recordTtlSeconds = Duration.ofDays(recordTtlDays).toSeconds();
  }

  /** The partition key of a build key's item. */
  public static String itemId(String buildKey) {
    return BuildRecordKey.of(buildKey);
  }

  @Override
  public Claim claim(String buildKey, String deliveryId, String commit, Instant now)
      throws RecordException {
    Objects.requireNonNull(buildKey, "buildKey");
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(commit, "commit");
    long nowSeconds = now.getEpochSecond();
    long leaseUntil = nowSeconds + leaseSeconds;
    for (int attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      String claimId = UUID.randomUUID().toString();
      Map<String, AttributeValue> item = item(buildKey, State.CLAIMED, deliveryId, commit, now);
      item.put("claimId", s(claimId));
      item.put("leaseUntil", n(leaseUntil));
      try {
        putIfClaimable(item, nowSeconds);
        return new Claimed(buildKey, claimId, Instant.ofEpochSecond(leaseUntil));
      } catch (ConditionalCheckFailedException e) {
        // someone else's record is there: decide on what it is now
      } catch (SdkException e) {
        throw new RecordException("claiming the build record failed: " + AwsErrors.describe(e), e);
      }
      Map<String, AttributeValue> stored = read(buildKey);
      if (stored == null) {
        continue; // gone meanwhile (expired): try again
      }
      Record r = readable(buildKey, stored);
      if (stored.containsKey("claimId") && claimId.equals(stored.get("claimId").s())) {
        // our own write: the SDK retried a PutItem whose answer was lost, and the retry was refused
        return new Claimed(buildKey, claimId, Instant.ofEpochSecond(leaseUntil));
      }
      if (r.state() == State.STARTED) {
        return new AlreadyStarted(r);
      }
      if (r.state() == State.CLAIMED && r.leaseUntil().getEpochSecond() >= nowSeconds) {
        return new HeldElsewhere(r.leaseUntil());
      }
      // FAILED, AWAITING_APPROVAL or an expired lease now (it changed between the write and the
      // read): try again
    }
    throw new RecordException(
        "the build record of "
            + buildKey
            + " kept changing while it was claimed ("
            + MAX_CLAIM_ATTEMPTS
            + " attempts)",
        null);
  }

  /**
   * A new item of {@code buildKey} in {@code state}, as a claim or a wait for approval writes it.
   */
  private Map<String, AttributeValue> item(
      String buildKey, State state, String deliveryId, String commit, Instant now) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("id", s(itemId(buildKey)));
    item.put("state", s(state.name()));
    item.put("deliveryId", s(deliveryId));
    item.put("commit", s(commit));
    item.put("updatedAt", n(now.toEpochMilli()));
    item.put("expiresAt", n(now.getEpochSecond() + recordTtlSeconds));
    return item;
  }

  /** Writes {@code item} unless the stored one is a started build or a live claim. */
  private void putIfClaimable(Map<String, AttributeValue> item, long nowSeconds) {
    dynamo.putItem(
        p ->
            p.tableName(table)
                .item(item)
                .conditionExpression(CLAIM_CONDITION)
                .expressionAttributeNames(Map.of("#state", "state"))
                .expressionAttributeValues(claimable(nowSeconds)));
  }

  private static Map<String, AttributeValue> claimable(long nowSeconds) {
    return Map.of(
        ":failed", s(State.FAILED.name()),
        ":awaiting", s(State.AWAITING_APPROVAL.name()),
        ":claimed", s(State.CLAIMED.name()),
        ":now", n(nowSeconds));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A {@code PutItem} under the claim's own condition: it never replaces a started build or a
   * live claim. No {@code claimId} is written, so no worker holds the key afterwards.
   */
  @Override
  public boolean awaitingApproval(String buildKey, String deliveryId, String commit, Instant now)
      throws RecordException {
    try {
      putIfClaimable(
          item(buildKey, State.AWAITING_APPROVAL, deliveryId, commit, now), now.getEpochSecond());
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw new RecordException(
          "recording the wait for approval failed: " + AwsErrors.describe(e), e);
    }
  }

  @Override
  public void started(Claimed claim, StartedBuild build, PackagedSource source, Instant now)
      throws RecordException, ClaimLostException {
    Map<String, String> names =
        Map.of("#state", "state", "#target", "target", "#bucket", "bucket", "#key", "key");
    Map<String, AttributeValue> values = new HashMap<>(written(claim, now));
    values.put(":state", s(State.STARTED.name()));
    values.put(":target", s(build.target()));
    values.put(":buildId", s(build.id()));
    values.put(":bucket", s(source.bucket()));
    values.put(":key", s(source.key()));
    values.put(":versionId", s(source.versionId()));
    // only our claim: a repeated call of ours (an SDK retry after a lost answer) writes the same
    // again
    update(
        claim,
        "SET #state = :state, #target = :target, buildId = :buildId, #bucket = :bucket,"
            + " #key = :key, versionId = :versionId, updatedAt = :updatedAt, expiresAt = :expiresAt",
        OURS,
        names,
        values,
        "recording the started build");
  }

  /**
   * {@inheritDoc}
   *
   * <p>Besides {@code claimId = :mine} (docs/queue.md §5) the write requires that the record is not
   * {@code STARTED}: a started key is never made claimable again.
   */
  @Override
  public void failed(Claimed claim, String code, String reason, Instant now)
      throws RecordException, ClaimLostException {
    Map<String, String> names = Map.of("#state", "state", "#code", "code", "#reason", "reason");
    Map<String, AttributeValue> values = new HashMap<>(written(claim, now));
    values.put(":state", s(State.FAILED.name()));
    values.put(":started", s(State.STARTED.name()));
    values.put(":code", s(Objects.requireNonNull(code, "code")));
    values.put(":reason", s(Objects.requireNonNull(reason, "reason")));
    update(
        claim,
        "SET #state = :state, #code = :code, #reason = :reason, updatedAt = :updatedAt,"
            + " expiresAt = :expiresAt",
        OURS + " AND #state <> :started",
        names,
        values,
        "recording the failure");
  }

  /**
   * {@inheritDoc} The lease is set to end one second before {@code now}: a claim at {@code now}
   * takes the key.
   */
  @Override
  public void release(Claimed claim, Instant now) throws RecordException, ClaimLostException {
    Map<String, AttributeValue> values = new HashMap<>(written(claim, now));
    values.put(":ended", n(now.getEpochSecond() - 1));
    update(
        claim,
        "SET leaseUntil = :ended, updatedAt = :updatedAt, expiresAt = :expiresAt",
        OURS,
        Map.of(),
        values,
        "releasing the claim");
  }

  @Override
  public boolean stopping(String buildKey, String buildId, String reason, Instant now)
      throws RecordException {
    Map<String, AttributeValue> values = new HashMap<>();
    values.put(":started", s(State.STARTED.name()));
    values.put(":buildId", s(Objects.requireNonNull(buildId, "buildId")));
    values.put(":reason", s(Objects.requireNonNull(reason, "reason")));
    values.put(":updatedAt", n(now.toEpochMilli()));
    values.put(":expiresAt", n(now.getEpochSecond() + recordTtlSeconds));
    try {
      dynamo.updateItem(
          u ->
              u.tableName(table)
                  .key(Map.of("id", s(itemId(buildKey))))
                  .updateExpression(
                      "SET cancelReason = :reason, updatedAt = :updatedAt, expiresAt = :expiresAt")
                  .conditionExpression("#state = :started AND buildId = :buildId")
                  .expressionAttributeNames(Map.of("#state", "state"))
                  .expressionAttributeValues(values));
      return true;
    } catch (ConditionalCheckFailedException e) {
      return false;
    } catch (SdkException e) {
      throw new RecordException("recording why a build stops failed: " + AwsErrors.describe(e), e);
    }
  }

  /** {@inheritDoc} A consistent read. */
  @Override
  public Optional<Record> find(String buildKey) throws RecordException {
    Map<String, AttributeValue> item = read(buildKey);
    return item == null ? Optional.empty() : Optional.of(readable(buildKey, item));
  }

  /** The item of {@code buildKey} (consistent read), or null. */
  private Map<String, AttributeValue> read(String buildKey) throws RecordException {
    GetItemResponse got;
    try {
      got =
          dynamo.getItem(
              g -> g.tableName(table).key(Map.of("id", s(itemId(buildKey)))).consistentRead(true));
    } catch (SdkException e) {
      throw new RecordException("reading the build record failed: " + AwsErrors.describe(e), e);
    }
    return got.hasItem() && !got.item().isEmpty() ? got.item() : null;
  }

  private static Record readable(String buildKey, Map<String, AttributeValue> item)
      throws RecordException {
    try {
      return record(item);
    } catch (UnreadableItemException e) {
      throw new RecordException(
          "the build record of " + buildKey + " is unreadable: " + e.getMessage(), e);
    }
  }

  private Map<String, AttributeValue> written(Claimed claim, Instant now) {
    return Map.of(
        ":mine", s(claim.token()),
        ":updatedAt", n(now.toEpochMilli()),
        ":expiresAt", n(now.getEpochSecond() + recordTtlSeconds));
  }

  private void update(
      Claimed claim,
      String updateExpression,
      String condition,
      Map<String, String> names,
      Map<String, AttributeValue> values,
      String what)
      throws RecordException, ClaimLostException {
    try {
      dynamo.updateItem(
          u -> {
            u.tableName(table)
                .key(Map.of("id", s(itemId(claim.buildKey()))))
                .updateExpression(updateExpression)
                .conditionExpression(condition)
                .expressionAttributeValues(values);
            if (!names.isEmpty()) {
              u.expressionAttributeNames(names);
            }
          });
    } catch (ConditionalCheckFailedException e) {
      throw new ClaimLostException(
          "the claim of build "
              + claim.buildKey()
              + " is no longer ours (taken over after its lease, or the record changed): "
              + what
              + " refused");
    } catch (SdkException e) {
      throw new RecordException(what + " failed: " + AwsErrors.describe(e), e);
    }
  }

  private static Record record(Map<String, AttributeValue> item) throws UnreadableItemException {
    String stateName = requiredString(item, "state");
    State state;
    try {
      state = State.valueOf(stateName);
    } catch (IllegalArgumentException e) {
      throw new UnreadableItemException(
          "attribute state is not one of CLAIMED, STARTED, FAILED, AWAITING_APPROVAL");
    }
    Long leaseUntil = optionalNumber(item, "leaseUntil");
    if (state == State.CLAIMED && leaseUntil == null) {
      throw new UnreadableItemException("attribute leaseUntil is missing");
    }
    StartedBuild build = null;
    if (state == State.STARTED) {
      build = new StartedBuild(requiredString(item, "target"), requiredString(item, "buildId"));
    }
    return new Record(
        state,
        leaseUntil == null ? null : instant(leaseUntil, "leaseUntil", false),
        optionalString(item, "deliveryId"),
        optionalString(item, "commit"),
        build,
        optionalString(item, "bucket"),
        optionalString(item, "key"),
        optionalString(item, "versionId"),
        optionalString(item, "code"),
        optionalString(item, "reason"),
        instant(requiredNumber(item, "updatedAt"), "updatedAt", true));
  }

  private static Instant instant(long value, String name, boolean millis)
      throws UnreadableItemException {
    try {
      return millis ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
    } catch (DateTimeException e) {
      throw new UnreadableItemException("attribute " + name + " is out of range");
    }
  }
}
