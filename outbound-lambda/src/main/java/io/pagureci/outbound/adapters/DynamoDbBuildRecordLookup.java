package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.pagure.BuildRecordKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * Build records as the worker writes them (docs/queue.md §5; inbound's {@code
 * DynamoDbBuildClaims}): one {@code GetItem} of {@code id = build/<buildKey>} on the build-records
 * table, a consistent read, so a record the worker wrote a moment ago is seen. No item is no
 * record; an item that is not a build record is thrown as {@link UnreadableRecordException}; a
 * failure of DynamoDB is thrown as the SDK's exception (an {@code SdkException}: the table does not
 * exist, access denied, throttling after the SDK's retries, ...).
 *
 * <p>Only the attributes outbound needs are read: {@code state} (S, required: CLAIMED, STARTED or
 * FAILED), {@code target} and {@code buildId} (S, required when STARTED), {@code deliveryId} and
 * {@code commit} and {@code cancelReason} (S, optional); each one, when present, must be a string.
 * The others ({@code claimId}, {@code leaseUntil}, {@code bucket}, {@code key}, {@code versionId},
 * {@code code}, {@code reason}, {@code updatedAt}, {@code expiresAt}) are not looked at.
 */
public final class DynamoDbBuildRecordLookup implements BuildRecordLookup {
  private final DynamoDbClient client;
  private final String table;

  /**
   * @param table the build-records table ({@code BUILD_RECORDS_TABLE})
   */
  public DynamoDbBuildRecordLookup(DynamoDbClient client, String table) {
    this.client = Objects.requireNonNull(client, "client");
    this.table = Objects.requireNonNull(table, "table");
  }

  /** The partition key of a build key's item (as inbound's {@code DynamoDbBuildClaims.itemId}). */
  static String itemId(String buildKey) {
    return BuildRecordKey.of(buildKey);
  }

  @Override
  public Optional<BuildRecord> find(String buildKey) {
    String id = itemId(buildKey);
    GetItemResponse got =
        client.getItem(
            g ->
                g.tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(id)))
                    .consistentRead(true));
    if (!got.hasItem() || got.item().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(parse(got.item(), "build record " + id + " in table " + table));
  }

  /**
   * The record of a stored item; {@code where} names it in the exception's message (never a value).
   */
  static BuildRecord parse(Map<String, AttributeValue> item, String where) {
    String stateName = string(item, "state", where);
    if (stateName == null) {
      throw new UnreadableRecordException(where + ": attribute state is missing", null);
    }
    BuildRecord.State state;
    try {
      state = BuildRecord.State.valueOf(stateName);
    } catch (IllegalArgumentException e) {
      throw new UnreadableRecordException(
          where + ": attribute state is not one of CLAIMED, STARTED, FAILED, AWAITING_APPROVAL", e);
    }
    String target = string(item, "target", where);
    BuildSystem system = null;
    if (target != null) {
      system = BuildSystem.ofId(target);
      if (system == null && state == BuildRecord.State.STARTED) {
        throw new UnreadableRecordException(
            where + ": attribute target is not codebuild or codepipeline", null);
      }
    }
    String buildId = string(item, "buildId", where);
    String deliveryId = string(item, "deliveryId", where);
    String commit = string(item, "commit", where);
    String cancelReason = string(item, "cancelReason", where);
    try {
      return new BuildRecord(state, system, buildId, deliveryId, commit, cancelReason);
    } catch (IllegalArgumentException e) {
      throw new UnreadableRecordException(where + ": " + e.getMessage(), e);
    }
  }

  /** A string attribute, or {@code null} when absent; any other type is unreadable. */
  private static String string(Map<String, AttributeValue> item, String name, String where) {
    AttributeValue v = item.get(name);
    if (v == null) {
      return null;
    }
    if (v.s() == null) {
      throw new UnreadableRecordException(where + ": attribute " + name + " is not a string", null);
    }
    return v.s();
  }
}
