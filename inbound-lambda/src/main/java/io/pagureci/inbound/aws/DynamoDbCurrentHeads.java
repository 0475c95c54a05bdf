package io.pagureci.inbound.aws;

import static io.pagureci.inbound.aws.DynamoDbItems.n;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredNumber;
import static io.pagureci.inbound.aws.DynamoDbItems.requiredString;
import static io.pagureci.inbound.aws.DynamoDbItems.s;

import io.pagureci.inbound.aws.DynamoDbItems.UnreadableItemException;
import io.pagureci.inbound.domain.BuildClaims.RecordException;
import io.pagureci.inbound.domain.CurrentHeads;
import io.pagureci.inbound.domain.StartedBuild;
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
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The current heads in the build-records table (docs/queue.md §5): one item per (project, scope),
 * {@code id = head/<project>/<scope>}, replaced by one conditional {@code PutItem} only when the
 * new head's {@code updatedAt} (epoch milliseconds) is later; the replaced item comes back with the
 * write ({@code ReturnValues=ALL_OLD}). Every write sets the TTL attribute {@code expiresAt} to the
 * record TTL after the head's {@code updatedAt}.
 */
public final class DynamoDbCurrentHeads implements CurrentHeads {

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

  /** The partition key of a (project, scope)'s head item. */
  public static String itemId(String project, String scope) {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(scope, "scope");
    if (!scope.startsWith("pr/") && !scope.startsWith("branch/")) {
      throw new IllegalArgumentException("scope is pr/<id> or branch/<name>: " + scope);
    }
    return "head/" + project + "/" + scope;
  }

  @Override
  public Recorded record(String project, String scope, Head head) throws RecordException {
    String id = itemId(project, scope);
    long updatedAt = head.updatedAt().toEpochMilli();
    Map<String, AttributeValue> item = new HashMap<>();
    item.put("id", s(id));
    item.put("commit", s(head.commit()));
    item.put("buildKey", s(head.buildKey()));
    item.put("target", s(head.build().target()));
    item.put("buildId", s(head.build().id()));
    item.put("deliveryId", s(head.deliveryId()));
    item.put("updatedAt", n(updatedAt));
    item.put("expiresAt", n(head.updatedAt().getEpochSecond() + recordTtlSeconds));
    PutItemResponse put;
    try {
      put =
          dynamo.putItem(
              p ->
                  p.tableName(table)
                      .item(item)
                      .conditionExpression("attribute_not_exists(id) OR updatedAt < :updatedAt")
                      .expressionAttributeValues(Map.of(":updatedAt", n(updatedAt)))
                      .returnValues(ReturnValue.ALL_OLD));
    } catch (ConditionalCheckFailedException e) {
      // refused: a newer (or equally new) head is stored — or ours, if the SDK retried a write
      // whose answer was lost (then the head it replaced is lost with that answer)
      Optional<Head> stored = find(project, scope);
      return new Recorded(stored.isPresent() && same(stored.get(), head), null);
    } catch (SdkException e) {
      throw new RecordException("recording the current head failed: " + AwsErrors.describe(e), e);
    }
    if (!put.hasAttributes() || put.attributes().isEmpty()) {
      return new Recorded(true, null);
    }
    try {
      return new Recorded(true, head(put.attributes()));
    } catch (UnreadableItemException e) {
      // the write is done: an unreadable item it replaced was no head to hand on
      return new Recorded(true, null);
    }
  }

  @Override
  public Optional<Head> find(String project, String scope) throws RecordException {
    String id = itemId(project, scope);
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
    } catch (UnreadableItemException e) {
      throw new RecordException(
          "the current head of " + project + " " + scope + " is unreadable: " + e.getMessage(), e);
    }
  }

  private static boolean same(Head stored, Head head) {
    return stored.updatedAt().toEpochMilli() == head.updatedAt().toEpochMilli()
        && stored.buildKey().equals(head.buildKey())
        && stored.build().equals(head.build())
        && stored.commit().equals(head.commit())
        && stored.deliveryId().equals(head.deliveryId());
  }

  private static Head head(Map<String, AttributeValue> item) throws UnreadableItemException {
    return new Head(
        requiredString(item, "commit"),
        requiredString(item, "buildKey"),
        new StartedBuild(requiredString(item, "target"), requiredString(item, "buildId")),
        requiredString(item, "deliveryId"),
        Instant.ofEpochMilli(requiredNumber(item, "updatedAt")));
  }
}
