package io.pagureci.infra;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

/**
 * The build-records table (docs/queue.md §5): one item per build key (the claim that makes one
 * build per key) and one per PR / branch head. On-demand, TTL on {@code expiresAt}, point-in-time
 * recovery; the statements each function gets name exactly the actions it uses.
 */
public final class BuildRecords extends Construct {

  /** The table's partition key and TTL attribute (the functions' items use them). */
  static final String PARTITION_KEY = "id";

  static final String TTL_ATTRIBUTE = "expiresAt";

  /**
   * @param removalPolicy RETAIN unless the stack's objects are deleted with it
   */
  record Props(RemovalPolicy removalPolicy) {}

  private final Table table;

  BuildRecords(Construct scope, String id, Props props) {
    super(scope, id);
    table =
        Table.Builder.create(this, "Table")
            .partitionKey(
                Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .timeToLiveAttribute(TTL_ATTRIBUTE)
            .pointInTimeRecoverySpecification(
                PointInTimeRecoverySpecification.builder().pointInTimeRecoveryEnabled(true).build())
            .encryption(TableEncryption.AWS_MANAGED)
            .removalPolicy(props.removalPolicy())
            .build();
  }

  public ITable table() {
    return table;
  }

  /** {@code BUILD_RECORDS_TABLE} of every function. */
  public String tableName() {
    return table.getTableName();
  }

  /** Accept (duplicates) and outbound (did the build start?): {@code dynamodb:GetItem} only. */
  PolicyStatement read() {
    return Statements.allow(
        "ReadBuildRecords", List.of("dynamodb:GetItem"), List.of(table.getTableArn()));
  }

  /** The worker: claims and heads are conditional PutItem / UpdateItem, decided on a GetItem. */
  /**
   * The outbound function's log-comment ledger (logAccess=…,comment): put and update only items
   * whose key starts {@code logcomment/} — never a build record or a head.
   */
  PolicyStatement writeLogComments() {
    return PolicyStatement.Builder.create()
        .sid("WriteLogCommentLedger")
        .actions(List.of("dynamodb:PutItem", "dynamodb:UpdateItem"))
        .resources(List.of(table.getTableArn()))
        .conditions(
            Map.of(
                "ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", List.of(LOG_COMMENT_PREFIX + "*"))))
        .build();
  }

  /** The ledger's item ids (outbound's {@code LogCommentService.ID_PREFIX}). */
  static final String LOG_COMMENT_PREFIX = "logcomment/";

  PolicyStatement write() {
    return Statements.allow(
        "WriteBuildRecords",
        List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
        List.of(table.getTableArn()));
  }
}
