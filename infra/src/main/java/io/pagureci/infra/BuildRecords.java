package io.pagureci.infra;

import java.util.List;
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
    return PolicyStatement.Builder.create()
        .sid("ReadBuildRecords")
        .actions(List.of("dynamodb:GetItem"))
        .resources(List.of(table.getTableArn()))
        .build();
  }

  /** The worker: claims and heads are conditional PutItem / UpdateItem, decided on a GetItem. */
  PolicyStatement write() {
    return PolicyStatement.Builder.create()
        .sid("WriteBuildRecords")
        .actions(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"))
        .resources(List.of(table.getTableArn()))
        .build();
  }
}
