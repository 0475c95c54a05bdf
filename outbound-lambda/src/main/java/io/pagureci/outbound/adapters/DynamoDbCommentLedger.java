package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.CommentLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The log comments' ledger in the build-records table: one item per build, {@code id =
 * logcomment/<project:uuid>} (the only keys outbound may write: the stack's policy pins {@code
 * dynamodb:LeadingKeys} to that prefix), {@code state} {@code POSTING} or {@code POSTED}, the
 * holder's {@code owner} token and {@code leaseUntil} (epoch seconds), {@code buildKey}, {@code
 * updatedAt}, and {@code expiresAt} (the table's TTL, {@link #TTL}).
 *
 * <ul>
 *   <li>acquire: {@code PutItem} if {@code attribute_not_exists(id) OR (state = POSTING AND
 *       leaseUntil < now)}; the old item, when one was replaced, makes it a takeover. Refused: a
 *       consistent {@code GetItem} says posted or busy.
 *   <li>posted: {@code UpdateItem} {@code state = POSTED} if {@code owner} is still ours.
 *   <li>release: {@code UpdateItem} {@code leaseUntil = 0} if ours and still {@code POSTING}.
 * </ul>
 */
public final class DynamoDbCommentLedger implements CommentLedger {
  /** How long the item is kept (the worker's build records: 30 days). */
  static final Duration TTL = Duration.ofDays(30);

  private final DynamoDbClient client;
  private final String table;

  public DynamoDbCommentLedger(DynamoDbClient client, String table) {
    this.client = Objects.requireNonNull(client);
    this.table = Objects.requireNonNull(table);
  }

  @Override
  public Lease acquire(String commentId, String buildKey, Instant now, Duration lease) {
    for (int round = 0; round < 3; round++) {
      String owner = UUID.randomUUID().toString();
      long nowS = now.getEpochSecond();
      Map<String, AttributeValue> item = new HashMap<>();
      item.put("id", s(commentId));
      item.put("state", s("POSTING"));
      item.put("owner", s(owner));
      item.put("leaseUntil", n(now.plus(lease).getEpochSecond()));
      if (buildKey != null) {
        item.put("buildKey", s(buildKey));
      }
      item.put("updatedAt", n(nowS));
      item.put("expiresAt", n(now.plus(TTL).getEpochSecond()));
      try {
        PutItemResponse r =
            client.putItem(
                p ->
                    p.tableName(table)
                        .item(item)
                        .conditionExpression(
                            "attribute_not_exists(id) OR (#s = :posting AND leaseUntil < :now)")
                        .expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(
                            Map.of(":posting", s("POSTING"), ":now", n(nowS)))
                        .returnValues(ReturnValue.ALL_OLD));
        return new Lease.Acquired(owner, r.hasAttributes() && !r.attributes().isEmpty());
      } catch (ConditionalCheckFailedException e) {
        Map<String, AttributeValue> got =
            client
                .getItem(
                    g -> g.tableName(table).key(Map.of("id", s(commentId))).consistentRead(true))
                .item();
        if (got == null || got.isEmpty()) {
          continue; // expired and deleted between the two calls: try again
        }
        AttributeValue state = got.get("state");
        if (state != null && "POSTED".equals(state.s())) {
          return new Lease.Posted();
        }
        AttributeValue until = got.get("leaseUntil");
        long u = until != null && until.n() != null ? Long.parseLong(until.n()) : 0;
        if (u < nowS) {
          continue; // ended between the two calls
        }
        return new Lease.Busy(Instant.ofEpochSecond(u));
      }
    }
    throw new IllegalStateException(
        "the log comment item " + commentId + " changed under every attempt to take its lease");
  }

  @Override
  public void posted(String commentId, String owner, Instant now) {
    try {
      client.updateItem(
          u ->
              u.tableName(table)
                  .key(Map.of("id", s(commentId)))
                  .updateExpression("SET #s = :posted, updatedAt = :now")
                  .conditionExpression("#o = :owner")
                  .expressionAttributeNames(Map.of("#s", "state", "#o", "owner"))
                  .expressionAttributeValues(
                      Map.of(
                          ":posted", s("POSTED"),
                          ":now", n(now.getEpochSecond()),
                          ":owner", s(owner))));
    } catch (ConditionalCheckFailedException e) {
      // another invocation took the lease over: it finds the marker on the PR and marks it
    }
  }

  @Override
  public void release(String commentId, String owner) {
    try {
      client.updateItem(
          u ->
              u.tableName(table)
                  .key(Map.of("id", s(commentId)))
                  .updateExpression("SET leaseUntil = :zero")
                  .conditionExpression("#o = :owner AND #s = :posting")
                  .expressionAttributeNames(Map.of("#s", "state", "#o", "owner"))
                  .expressionAttributeValues(
                      Map.of(":zero", n(0), ":owner", s(owner), ":posting", s("POSTING"))));
    } catch (ConditionalCheckFailedException e) {
      // no longer ours
    }
  }

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }
}
