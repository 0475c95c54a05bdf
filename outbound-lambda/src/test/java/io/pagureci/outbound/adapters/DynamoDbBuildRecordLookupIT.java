package io.pagureci.outbound.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup.UnreadableRecordException;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.testing.WorkerRecords;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The adapter against dynalite holding records written by the worker's own adapter (inbound's
 * {@code DynamoDbBuildClaims}, through {@link WorkerRecords}), and, for the request itself and the
 * errors dynalite does not give (access denied), against WireMock answering with DynamoDB's own
 * JSON.
 */
class DynamoDbBuildRecordLookupIT {
  private static final String KEY =
      "3f9c2a7e5b1d4c8f0a6e2b9d7c5a3f1e8b4d6c0a2e9f7b5d3c1a8e6f4b2d0c9a";
  private static final String DELIVERY = "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d";
  private static final String SHA = "ee04f4c5b2a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5";

  private static WorkerRecords records;
  private static WireMockServer fakeDynamo;

  @BeforeAll
  static void start() {
    records = WorkerRecords.create();
    fakeDynamo = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    fakeDynamo.start();
  }

  @AfterAll
  static void stop() {
    fakeDynamo.stop();
  }

  private static DynamoDbBuildRecordLookup lookup() {
    return new DynamoDbBuildRecordLookup(records.client(), records.table());
  }

  private static String key(char c) {
    return String.valueOf(c).repeat(64);
  }

  @Test
  void aMissingItemIsNone() {
    assertThat(lookup().find(key('0'))).isEmpty();
  }

  @Test
  void readsAStartedRecordAsTheWorkerWritesIt() {
    records.started(KEY, DELIVERY, SHA, "codebuild", "pagure-ci-demo:6f1c");

    assertThat(lookup().find(KEY))
        .contains(
            new BuildRecord(
                BuildRecord.State.STARTED,
                BuildSystem.CODEBUILD,
                "pagure-ci-demo:6f1c",
                DELIVERY,
                SHA));
    assertThat(records.item(KEY).get("id").s())
        .isEqualTo("build/" + KEY)
        .isEqualTo(DynamoDbBuildRecordLookup.itemId(KEY));
  }

  @Test
  void readsAStartedPipelineExecution() {
    records.started(
        key('1'), DELIVERY, SHA, "codepipeline", "4f5a8d2e-0b1c-4d2e-9f3a-5b6c7d8e9f01");

    assertThat(lookup().find(key('1')))
        .contains(
            new BuildRecord(
                BuildRecord.State.STARTED,
                BuildSystem.CODEPIPELINE,
                "4f5a8d2e-0b1c-4d2e-9f3a-5b6c7d8e9f01",
                DELIVERY,
                SHA));
  }

  @Test
  void readsAClaimedRecord() {
    records.claim(key('2'), DELIVERY, SHA);

    assertThat(lookup().find(key('2')))
        .contains(new BuildRecord(BuildRecord.State.CLAIMED, null, null, DELIVERY, SHA));
  }

  @Test
  void aReleasedClaimIsStillClaimed() {
    records.released(key('3'), DELIVERY, SHA);

    assertThat(lookup().find(key('3')).map(BuildRecord::state)).contains(BuildRecord.State.CLAIMED);
  }

  @Test
  void readsAFailedRecord() {
    records.failed(key('4'), DELIVERY, SHA, "HEAD_MOVED", "the pull request's head moved on");

    assertThat(lookup().find(key('4')))
        .contains(new BuildRecord(BuildRecord.State.FAILED, null, null, DELIVERY, SHA));
  }

  @Test
  void readsTheLatestWriteOfAKeyClaimedAgainAfterAFailure() {
    records.failed(key('5'), DELIVERY, SHA, "HEAD_MOVED", "moved");
    records.started(
        key('5'), "c0ffee00-7e8f-4a9b-8c0d-1e2f3a4b5c6d", SHA, "codebuild", "pagure-ci-demo:77aa");

    assertThat(lookup().find(key('5')))
        .contains(
            new BuildRecord(
                BuildRecord.State.STARTED,
                BuildSystem.CODEBUILD,
                "pagure-ci-demo:77aa",
                "c0ffee00-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
                SHA));
  }

  @Test
  void anExpiredLeaseIsStillClaimedUntilAnotherWorkerWrites() {
    records.claim(
        key('6'), DELIVERY, SHA, Instant.now().minus(WorkerRecords.LEASE).minusSeconds(60));

    assertThat(lookup().find(key('6')).map(BuildRecord::state)).contains(BuildRecord.State.CLAIMED);
  }

  @Test
  void throwsOnAnItemThatIsNotABuildRecord() {
    records.putRaw(key('7'), Map.of("commit", AttributeValue.fromS(SHA)));

    assertThatThrownBy(() -> lookup().find(key('7')))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessage(
            "build record build/"
                + key('7')
                + " in table "
                + records.table()
                + ": attribute state is missing");
  }

  @Test
  void throwsOnAStartedItemThatDoesNotNameItsBuild() {
    records.putRaw(
        key('8'),
        Map.of(
            "state", AttributeValue.fromS("STARTED"), "target", AttributeValue.fromS("codebuild")));

    assertThatThrownBy(() -> lookup().find(key('8')))
        .isInstanceOf(UnreadableRecordException.class)
        .hasMessageEndingWith("a STARTED record names its build (target and buildId)");
  }

  @Test
  void throwsWhenTheTableDoesNotExist() {
    DynamoDbBuildRecordLookup lookup =
        new DynamoDbBuildRecordLookup(records.client(), "no-such-table-here");

    assertThatThrownBy(() -> lookup.find(KEY)).isInstanceOf(ResourceNotFoundException.class);
  }

  private static DynamoDbClient fakeDynamoClient() {
    return DynamoDbClient.builder()
        .endpointOverride(URI.create(fakeDynamo.baseUrl()))
        .region(Region.EU_WEST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Test
  void sendsOneConsistentGetItemOfTheBuildKeysItem() {
    fakeDynamo.resetAll();
    fakeDynamo.stubFor(
        post(urlEqualTo("/"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody("{}")));
    try (DynamoDbClient client = fakeDynamoClient()) {
      assertThat(
              new DynamoDbBuildRecordLookup(client, "PagureCi-BuildRecordsTable-AbCdEf123456")
                  .find(KEY))
          .isEmpty();
    }
    fakeDynamo.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.GetItem"))
            .withRequestBody(
                equalToJson(
                    "{\"TableName\":\"PagureCi-BuildRecordsTable-AbCdEf123456\","
                        + "\"Key\":{\"id\":{\"S\":\"build/"
                        + KEY
                        + "\"}},\"ConsistentRead\":true}")));
  }

  @Test
  void accessDeniedIsThrownNotTakenForAMissingRecord() {
    fakeDynamo.resetAll();
    fakeDynamo.stubFor(
        post(urlEqualTo("/"))
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withHeader(
                        "x-amzn-RequestId", "4KBNVRGD25RG0KQ7NKU3A6OJ4JVV4KQNSO5AEMVJF66Q9ASUAAJG")
                    .withBody(
                        "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User:"
                            + " arn:aws:sts::123456789012:assumed-role/outbound/fn is not authorized to perform:"
                            + " dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/t\"}")));
    try (DynamoDbClient client = fakeDynamoClient()) {
      DynamoDbBuildRecordLookup lookup = new DynamoDbBuildRecordLookup(client, "t-records");

      assertThatThrownBy(() -> lookup.find(KEY))
          .isInstanceOfSatisfying(
              DynamoDbException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"))
          .isInstanceOf(SdkException.class);
    }
    fakeDynamo.verify(1, postRequestedFor(urlEqualTo("/")));
  }
}
