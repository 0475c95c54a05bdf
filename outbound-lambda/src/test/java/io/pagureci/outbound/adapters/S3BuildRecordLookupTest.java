package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup.UnreadableRecordException;
import io.pagureci.outbound.domain.BuildSystem;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The record format of docs/queue.md §5 as the adapter reads it (S3 itself: S3BuildRecordLookupIT). */
class S3BuildRecordLookupTest {
    private static BuildRecord parse(String json) {
        return S3BuildRecordLookup.parse(json.getBytes(StandardCharsets.UTF_8), "build record s3://b/k");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', nullValues = "NULL", value = {
        // v2, as the worker writes it
        "{\"v\":2,\"state\":\"STARTED\",\"deliveryId\":\"b3a4\",\"commit\":\"ee04\",\"target\":\"codebuild\","
            + "\"buildId\":\"demo-ci:6f1c\",\"bucket\":\"s\",\"key\":\"k\",\"versionId\":\"v\","
            + "\"updatedAt\":\"2026-12-06T20:15:09Z\"}|STARTED|CODEBUILD|demo-ci:6f1c|b3a4",
        // v1 (S3BuildRecords before claims): no state, counts as STARTED
        "{\"target\":\"codepipeline\",\"buildId\":\"4f5a8d2e\",\"bucket\":\"s\",\"key\":\"k\",\"versionId\":\"v\","
            + "\"commit\":\"ee04\"}|STARTED|CODEPIPELINE|4f5a8d2e|NULL",
        "{\"v\":2,\"state\":\"CLAIMED\",\"leaseUntil\":\"2026-12-06T20:30:00Z\",\"deliveryId\":\"b3a4\"}"
            + "|CLAIMED|NULL|NULL|b3a4",
        "{\"v\":2,\"state\":\"FAILED\",\"code\":\"HEAD_MOVED\",\"reason\":\"moved\"}|FAILED|NULL|NULL|NULL",
    })
    void readsEveryRecordState(String json, BuildRecord.State state, BuildSystem system, String buildId,
            String deliveryId) {
        assertThat(parse(json)).isEqualTo(new BuildRecord(state, system, buildId, deliveryId));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "\"STARTED\"", "{\"state\":\"RUNNING\"}", "{\"state\":\"started\"}",
        "{\"state\":null}", "{\"state\":2}", "{\"state\":\"STARTED\",\"target\":\"codebuild\"}",
        "{\"target\":\"jenkins\",\"buildId\":\"x\"}", "{\"v\":1}"})
    void throwsOnARecordItCannotRead(String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(UnreadableRecordException.class)
                .hasMessageStartingWith("build record s3://b/k");
    }
}
