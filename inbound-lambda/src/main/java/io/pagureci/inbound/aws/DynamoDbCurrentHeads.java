package io.pagureci.inbound.aws;

import static io.pagureci.inbound.aws.DynamoDbItems.n;
import static io.pagureci.inbound.aws.DynamoDbItems.optionalString;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredNumber;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredString;
import static io.pagureci.inbound.aws.DynamoDbItems.s;

import io.pagureci.inbound.aws.DynamoDbItems.UnreadableItemException;
import io.pagureci.inbound.domain.BuildClaims.RecordException;
import io.pagureci.inbound.domain.CurrentHeads;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The current heads in the build-records table (docs/queue.md §5): one item per (project, scope,
 * target), {@code id = head/<project>/<scope>/<target>}. A head is written by reading the stored
 * one (consistent read), deciding in delivery order ({@link Head#isNewerThan}) and one {@code
 * PutItem} conditioned on exactly the item that was read ({@code deliveryId} and {@code
 * acceptedAt}), which carries the read head's build as {@code previous*}: each replaced build goes
 * to exactly one writer, the one whose write replaced it. A refused write (someone else wrote
 * between the read and the write) is decided again. Every write sets the TTL attribute {@code
 * expiresAt} to the record TTL after the head's {@code acceptedAt}.
 */
public final class DynamoDbCurrentHeads implements CurrentHeads {

  /**
   * How often a write is tried when the item keeps changing between the read and the write. A
   * refused write means another writer's write succeeded, and each writer writes a head at most
   * once, so with up to this many workers on one head nobody runs out of attempts (past that, the
   * item's own retry decides again).
   */
  static final int MAX_ATTEMPTS = 10;

  private final DynamoDbClient dynamo;
  private final String table;
  private final long recordTtlSeconds;

  /**
   * @param table the build-records table ({@code BUILD_RECORDS_TABLE})
   * @param recordTtlDays how long after its last write an item expires (the stack's source
   *     expiration days)
   */
  public DynamoDbCurrentHeads(DynamoDbClient dynamo, String table, int recordTtlDays) {
    this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
    this.table = Objects.requireNonNull(table, "table");
    if (recordTtlDays < 1) {
      throw new IllegalArgumentException("recordTtlDays must be at least 1: " + recordTtlDays);
    }
    this.recordTtlSeconds = Duration.ofDays(recordTtlDays).toSeconds();
  }

  /** The partition key of a (project, scope, target)'s head item. */
  public static String itemId(String project, String scope, String target) {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(target, "target");
    if (!scope.startsWith("pr/") && !scope.startsWith("branch/")) {
      throw new IllegalArgumentException("scope is pr/<id> or branch/<name>: " + scope);
    }
    return "head/" + project + "/" + scope + "/" + target;
  }

  @Override
  public Recorded record(String project, String scope, String target, Head head)
      throws RecordException {
    String id = itemId(project, scope, target);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<Head> seen = read(id, project, scope);
      Head written;
      String condition;
      Map<String, AttributeValue> values = new HashMap<>();
      if (seen.isPresent()) {
        Head stored = seen.get();
        if (stored.sameDelivery(head)) {
          // this delivery's head is stored already (a redelivered item, or an SDK retry whose
          // answer was lost): what it replaced is still recorded with it
          return new Recorded(true, stored);
        }
        if (!head.isNewerThan(stored)) {
          return new Recorded(false, stored);
        }
        written = head.replacing(stored.build() != null ? stored.build() : stored.previous());
        condition = "deliveryId = :seenDelivery AND acceptedAt = :seenAccepted";
        values.put(":seenDelivery", s(stored.deliveryId()));
        values.put(":seenAccepted", n(stored.acceptedAt().toEpochMilli()));
      } else {
        written = head.replacing(null);
        condition = "attribute_not_exists(id)";
      }
      Map<String, AttributeValue> item = item(id, written);
      try {
        dynamo.putItem(
            p -> {
              p.tableName(table).item(item).conditionExpression(condition);
              if (!values.isEmpty()) {
                p.expressionAttributeValues(values);
              }
            });
        return new Recorded(true, written);
      } catch (ConditionalCheckFailedException e) {
        // written meanwhile (or our own write, retried by the SDK after a lost answer): decide on
        // what is stored now
      } catch (SdkException e) {
        throw new RecordException("recording the current head failed: " + AwsErrors.describe(e), e);
      }
    }
    throw new RecordException(
        "the current head of "
            + project
            + " "
            + scope
            + " kept changing while it was written ("
            + MAX_ATTEMPTS
            + " attempts)",
        null);
  }

  @Override
  public Optional<Head> find(String project, String scope, String target) throws RecordException {
    return read(itemId(project, scope, target), project, scope);
  }

  private Optional<Head> read(String id, String project, String scope) throws RecordException {
    GetItemResponse got;
    try {
      got = dynamo.getItem(g -> g.tableName(table).key(Map.of("id", s(id))).consistentRead(true));
    } catch (SdkException e) {
      throw new RecordException("reading the current head failed: " + AwsErrors.describe(e), e);
    }
    if (!got.hasItem() || got.item().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(head(got.item()));
    } catch (UnreadableItemException | IllegalArgumentException e) {
      throw new RecordException(
          "the current head of " + project + " " + scope + " is unreadable: " + e.getMessage(), e);
    }
  }

  private Map<String, AttributeValue> item(String id, Head head) {
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("id", s(id));
    item.put("deliveryId", s(head.deliveryId()));
    item.put("acceptedAt", n(head.acceptedAt().toEpochMilli()));
    item.put("commit", s(head.commit()));
    if (head.closed() != null) {
      item.put("closed", s(head.closed().id()));
    }
    put(item, "", head.build());
    put(item, "previous", head.previous());
    item.put("expiresAt", n(head.acceptedAt().getEpochSecond() + recordTtlSeconds));
    return item;
  }

  /** A build's attributes: {@code system, resource, buildId, buildKey, buildCommit}, prefixed. */
  private static void put(Map<String, AttributeValue> item, String prefix, Build build) {
    if (build == null) {
      return;
    }
    item.put(name(prefix, "system"), s(build.system()));
    item.put(name(prefix, "resource"), s(build.resource()));
    item.put(name(prefix, "buildId"), s(build.id()));
    item.put(name(prefix, "buildKey"), s(build.buildKey()));
    item.put(name(prefix, "buildCommit"), s(build.commit()));
  }

  private static Build build(Map<String, AttributeValue> item, String prefix)
      throws UnreadableItemException {
    if (!item.containsKey(name(prefix, "buildId"))) {
      return null;
    }
    return new Build(
        requiredString(item, name(prefix, "system")),
        requiredString(item, name(prefix, "resource")),
        requiredString(item, name(prefix, "buildId")),
        requiredString(item, name(prefix, "buildKey")),
        requiredString(item, name(prefix, "buildCommit")));
  }

  private static String name(String prefix, String attribute) {
    return prefix.isEmpty()
        ? attribute
        : prefix + Character.toUpperCase(attribute.charAt(0)) + attribute.substring(1);
  }

  private static Head head(Map<String, AttributeValue> item) throws UnreadableItemException {
    String closed = optionalString(item, "closed");
    Closed why = closed == null ? null : Closed.of(closed);
    if (closed != null && why == null) {
      throw new UnreadableItemException("attribute closed is not closed or merged");
    }
    return new Head(
        requiredString(item, "deliveryId"),
        Instant.ofEpochMilli(requiredNumber(item, "acceptedAt")),
        requiredString(item, "commit"),
        build(item, ""),
        build(item, "previous"),
        why);
  }
}
