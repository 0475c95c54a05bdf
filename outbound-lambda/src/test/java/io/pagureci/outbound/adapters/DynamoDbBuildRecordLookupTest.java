package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup.UnreadableRecordException;
import io.pagureci.outbound.domain.BuildSystem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The item format of docs/queue.md §5 as the adapter reads it (against dynalite, with items written
 * by the worker's own adapter: DynamoDbBuildRecordLookupIT).
 */
class DynamoDbBuildRecordLookupTest {
  private static final String WHERE = "build record build/k in table t";

  private static AttributeValue s(String v) {
    return AttributeValue.fromS(v);
  }

  private static AttributeValue n(long v) {
    return AttributeValue.fromN(Long.toString(v));
  }

  private static Map<String, AttributeValue> item(Object... nameValue) {
    Map<String, AttributeValue> m = new HashMap<>();
    m.put("id", s("build/k"));
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put((String) nameValue[i], (AttributeValue) nameValue[i + 1]);
    }
    return m;
  }

  /** Every attribute the worker writes, per state (DynamoDbBuildClaims). */
  static Stream<Arguments> workerItems() {
    return Stream.of(
        Arguments.of(
            item(
                "state",
                s("CLAIMED"),
                "claimId",
                s("c1"),
                "leaseUntil",
                n(1_796_000_000L),
                "deliveryId",
                s("b3a4"),
                "commit",
                s("ee04"),
                "updatedAt",
                n(1_795_999_100_000L),
                "expiresAt",
                n(1_798_591_100L)),
            new BuildRecord(BuildRecord.State.CLAIMED, null, null, "b3a4", "ee04")),
        Arguments.of(
            item(
                "state",
                s("STARTED"),
                "claimId",
                s("c1"),
                "leaseUntil",
                n(1_796_000_000L),
                "deliveryId",
                s("b3a4"),
                "commit",
                s("ee04"),
                "target",
                s("codebuild"),
                "buildId",
                s("demo-ci:6f1c"),
                "bucket",
                s("src"),
                "key",
                s("k.zip"),
                "versionId",
                s("v1"),
                "updatedAt",
                n(1_795_999_100_000L),
                "expiresAt",
                n(1_798_591_100L)),
            new BuildRecord(
                BuildRecord.State.STARTED, BuildSystem.CODEBUILD, "demo-ci:6f1c", "b3a4", "ee04")),
        Arguments.of(
            item(
                "state",
                s("STARTED"),
                "target",
                s("codepipeline"),
                "buildId",
                s("4f5a8d2e"),
                "updatedAt",
                n(1L)),
            new BuildRecord(BuildRecord.State.STARTED, BuildSystem.CODEPIPELINE, "4f5a8d2e", null)),
        Arguments.of(
            item(
                "state",
                s("FAILED"),
                "claimId",
                s("c1"),
                "leaseUntil",
                n(1_796_000_000L),
                "deliveryId",
                s("b3a4"),
                "commit",
                s("ee04"),
                "code",
                s("HEAD_MOVED"),
                "reason",
                s("moved"),
                "updatedAt",
                n(1_795_999_100_000L),
                "expiresAt",
                n(1_798_591_100L)),
            new BuildRecord(BuildRecord.State.FAILED, null, null, "b3a4", "ee04")),
        // a build the worker stopped as superseded: why, for its STOPPED event's flag
        Arguments.of(
            item(
                "state",
                s("STARTED"),
                "target",
                s("codebuild"),
                "buildId",
                s("demo-ci:6f1c"),
                "commit",
                s("ee04"),
                "cancelReason",
                s("superseded by 5b7fb6a"),
                "updatedAt",
                n(1L)),
            new BuildRecord(
                BuildRecord.State.STARTED,
                BuildSystem.CODEBUILD,
                "demo-ci:6f1c",
                null,
                "ee04",
                "superseded by 5b7fb6a")));
  }

  @ParameterizedTest
  @MethodSource("workerItems")
  void readsEveryRecordState(Map<String, AttributeValue> item, BuildRecord expected) {
    assertThat(DynamoDbBuildRecordLookup.parse(item, WHERE)).isEqualTo(expected);
  }

  static Stream<Arguments> unreadableItems() {
    return Stream.of(
        Arguments.of(item(), "attribute state is missing"),
        Arguments.of(item("deliveryId", s("b3a4")), "attribute state is missing"),
        Arguments.of(item("state", n(2)), "attribute state is not a string"),
        Arguments.of(
            item("state", s("RUNNING")),
            "attribute state is not one of CLAIMED, STARTED, FAILED, AWAITING_APPROVAL"),
        Arguments.of(
            item("state", s("started")),
            "attribute state is not one of CLAIMED, STARTED, FAILED, AWAITING_APPROVAL"),
        Arguments.of(
            item("state", AttributeValue.fromNul(true)), "attribute state is not a string"),
        Arguments.of(
            item("state", s("STARTED"), "target", s("codebuild")),
            "a STARTED record names its build (target and buildId)"),
        Arguments.of(
            item("state", s("STARTED"), "buildId", s("x")),
            "a STARTED record names its build (target and buildId)"),
        Arguments.of(
            item("state", s("STARTED"), "target", s("codebuild"), "buildId", s(" ")),
            "a STARTED record names its build (target and buildId)"),
        Arguments.of(
            item("state", s("STARTED"), "target", s("jenkins"), "buildId", s("x")),
            "attribute target is not codebuild or codepipeline"),
        Arguments.of(
            item("state", s("STARTED"), "target", s("codebuild"), "buildId", n(7)),
            "attribute buildId is not a string"),
        Arguments.of(
            item("state", s("CLAIMED"), "deliveryId", AttributeValue.fromSs(List.of("a"))),
            "attribute deliveryId is not a string"),
        Arguments.of(
            item(
                "state",
                s("STARTED"),
                "target",
                s("codebuild"),
                "buildId",
                s("x"),
                "cancelReason",
                n(1)),
            "attribute cancelReason is not a string"));
  }

  @ParameterizedTest
  @MethodSource("unreadableItems")
  void throwsOnAnItemItCannotRead(Map<String, AttributeValue> item, String why) {
    assertThatThrownBy(() -> DynamoDbBuildRecordLookup.parse(item, WHERE))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessage(WHERE + ": " + why);
  }

  @Test
  void aTargetItDoesNotKnowOnARecordThatIsNotStartedIsNotLookedAt() {
    assertThat(
            DynamoDbBuildRecordLookup.parse(
                item("state", s("FAILED"), "target", s("jenkins")), WHERE))
        .isEqualTo(new BuildRecord(BuildRecord.State.FAILED, null, null, null));
  }

  @Test
  void theItemIdIsTheWorkers() {
    assertThat(DynamoDbBuildRecordLookup.itemId("3f9c")).isEqualTo("build/3f9c");
  }
}
