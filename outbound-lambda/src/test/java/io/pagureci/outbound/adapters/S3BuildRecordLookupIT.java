package io.pagureci.outbound.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup.UnreadableRecordException;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.testing.S3Server;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The adapter against S3Mock (records as the worker writes them) and, for the answers S3Mock does not give (403
 * for a missing key without {@code s3:ListBucket}, other 403s), against WireMock answering with S3's own XML errors.
 */
class S3BuildRecordLookupIT {
    private static final String BUCKET = "outbound-records-lookup-it";
    private static final String PREFIX = "source/.builds/";
    private static final String KEY = "3f9c2a7e5b1d4c8f0a6e2b9d7c5a3f1e8b4d6c0a2e9f7b5d3c1a8e6f4b2d0c9a";

    private static S3Server s3;
    private static WireMockServer fakeS3;

    @BeforeAll
    static void start() {
        s3 = S3Server.shared();
        s3.createVersionedBucket(BUCKET);
        fakeS3 = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        fakeS3.start();
    }

    @AfterAll
    static void stop() {
        fakeS3.stop();
    }

    private static S3BuildRecordLookup lookup() {
        return new S3BuildRecordLookup(s3.client(), BUCKET, PREFIX);
    }

    private static void put(String buildKey, String json) {
        s3.client().putObject(b -> b.bucket(BUCKET).key(PREFIX + buildKey + ".json").contentType("application/json"),
                RequestBody.fromString(json));
    }

    private static String key(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Test
    void aMissingRecordIsNone() {
        assertThat(lookup().find(key('0'))).isEmpty();
    }

    @Test
    void readsAStartedRecordFromItsKey() {
        put(KEY, "{\"v\":2,\"state\":\"STARTED\",\"deliveryId\":\"b3a4\",\"commit\":\"ee04\",\"target\":\"codebuild\","
                + "\"buildId\":\"pagure-ci-demo:6f1c\",\"bucket\":\"s\",\"key\":\"k\",\"versionId\":\"v\"}");

        assertThat(lookup().find(KEY)).contains(
                new BuildRecord(BuildRecord.State.STARTED, BuildSystem.CODEBUILD, "pagure-ci-demo:6f1c", "b3a4"));
        assertThat(lookup().key(KEY)).isEqualTo("source/.builds/" + KEY + ".json");
    }

    @Test
    void aRecordWrittenBeforeV2IsStarted() {
        put(key('1'), "{\"target\":\"codepipeline\",\"buildId\":\"4f5a8d2e\",\"bucket\":\"s\",\"key\":\"k\","
                + "\"versionId\":\"v\",\"commit\":\"ee04\"}");

        assertThat(lookup().find(key('1')).map(BuildRecord::state)).contains(BuildRecord.State.STARTED);
    }

    @Test
    void readsTheLatestVersionOfARewrittenRecord() {
        put(key('2'), "{\"v\":2,\"state\":\"CLAIMED\",\"leaseUntil\":\"2026-12-06T20:30:00Z\"}");
        put(key('2'), "{\"v\":2,\"state\":\"FAILED\",\"code\":\"HEAD_MOVED\",\"reason\":\"moved\"}");

        assertThat(lookup().find(key('2')).map(BuildRecord::state)).contains(BuildRecord.State.FAILED);
    }

    @Test
    void throwsOnARecordThatIsNotOne() {
        put(key('3'), "<html>not a record</html>");

        assertThatThrownBy(() -> lookup().find(key('3'))).isInstanceOf(UnreadableRecordException.class)
                .hasMessage("build record s3://" + BUCKET + "/" + PREFIX + key('3') + ".json is not JSON");
    }

    @Test
    void throwsOnARecordTooLargeToBeOne() {
        put(key('4'), "{\"state\":\"CLAIMED\",\"pad\":\"" + "x".repeat(S3BuildRecordLookup.MAX_BYTES) + "\"}");

        assertThatThrownBy(() -> lookup().find(key('4'))).isInstanceOf(UnreadableRecordException.class)
                .hasMessageEndingWith("is larger than 65536 bytes");
    }

    @Test
    void throwsWhenTheBucketDoesNotExist() {
        S3BuildRecordLookup lookup = new S3BuildRecordLookup(s3.client(), "no-such-bucket-here", PREFIX);

        assertThatThrownBy(() -> lookup.find(KEY)).isInstanceOf(NoSuchBucketException.class);
    }

    private static S3Client fakeS3Client() {
        return S3Client.builder().endpointOverride(URI.create(fakeS3.baseUrl())).forcePathStyle(true)
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "s")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static void fakeS3Answers(int status, String code, String message) {
        fakeS3.resetAll();
        fakeS3.stubFor(get(urlPathEqualTo("/" + BUCKET + "/" + PREFIX + KEY + ".json")).willReturn(aResponse()
                .withStatus(status).withHeader("Content-Type", "application/xml")
                .withHeader("x-amz-request-id", "4442587FB7D0A2F9")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                        + message + "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>"
                        + "Y2lkZW50aWZpZXI=</HostId></Error>")));
    }

    @Test
    void accessDeniedIsHowS3AnswersAMissingKeyWithoutListBucketSoItIsNone() {
        fakeS3Answers(403, "AccessDenied", "Access Denied");
        try (S3Client client = fakeS3Client()) {
            Optional<BuildRecord> found = new S3BuildRecordLookup(client, BUCKET, PREFIX).find(KEY);

            assertThat(found).isEmpty();
        }
        fakeS3.verify(1, getRequestedFor(urlPathEqualTo("/" + BUCKET + "/" + PREFIX + KEY + ".json")));
    }

    @Test
    void anyOther403IsThrown() {
        fakeS3Answers(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        try (S3Client client = fakeS3Client()) {
            S3BuildRecordLookup lookup = new S3BuildRecordLookup(client, BUCKET, PREFIX);

            assertThatThrownBy(() -> lookup.find(KEY)).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId"));
        }
    }
}
