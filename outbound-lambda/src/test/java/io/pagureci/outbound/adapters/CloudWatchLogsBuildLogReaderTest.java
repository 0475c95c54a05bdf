package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.outbound.domain.BuildLogs;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class CloudWatchLogsBuildLogReaderTest {
  private static final Region EU = Region.EU_WEST_1;

  @Test
  void theEndpointFollowsTheSdksVariablesInTheSdksOrder() {
    Map<String, String> props =
        Map.of(
            "aws.endpointUrlCloudWatchLogs",
            "http://127.0.0.1:1",
            "aws.endpointUrl",
            "http://127.0.0.1:2");
    Map<String, String> env =
        Map.of(
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
            "http://127.0.0.1:3",
            "AWS_ENDPOINT_URL",
            "http://127.0.0.1:4");
    assertThat(CloudWatchLogsBuildLogReader.endpoint(props::get, env, EU))
        .isEqualTo(URI.create("http://127.0.0.1:1"));
    assertThat(CloudWatchLogsBuildLogReader.endpoint(k -> null, env, EU))
        .isEqualTo(URI.create("http://127.0.0.1:3"));
    assertThat(
            CloudWatchLogsBuildLogReader.endpoint(
                Map.of("aws.endpointUrl", "http://127.0.0.1:2")::get,
                Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4"),
                EU))
        .isEqualTo(URI.create("http://127.0.0.1:2"));
    assertThat(
            CloudWatchLogsBuildLogReader.endpoint(
                k -> null, Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:4"), EU))
        .isEqualTo(URI.create("http://127.0.0.1:4"));
  }

  @Test
  void withoutAnOverrideOrWhenOverridesAreIgnoredItIsTheRegionsLogsEndpoint() {
    assertThat(CloudWatchLogsBuildLogReader.endpoint(k -> null, Map.of(), EU))
        .isEqualTo(URI.create("https://logs.eu-west-1.amazonaws.com"));
    assertThat(CloudWatchLogsBuildLogReader.endpoint(k -> null, Map.of(), Region.CN_NORTH_1))
        .isEqualTo(URI.create("https://logs.cn-north-1.amazonaws.com.cn"));
    assertThat(
            CloudWatchLogsBuildLogReader.endpoint(
                k -> null,
                Map.of(
                    "AWS_ENDPOINT_URL", "http://127.0.0.1:4",
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
                EU))
        .isEqualTo(URI.create("https://logs.eu-west-1.amazonaws.com"));
  }

  @Test
  void theRequestReadsBackwardsFromTheEndAndCarriesTheToken() {
    BuildLogs logs = new BuildLogs("/aws/codebuild/p", "u-1");
    assertThat(CloudWatchLogsBuildLogReader.request(logs, null))
        .isEqualTo(
            "{\"logGroupName\":\"/aws/codebuild/p\",\"logStreamName\":\"u-1\",\"startFromHead\":false}");
    assertThat(CloudWatchLogsBuildLogReader.request(logs, "b/1"))
        .endsWith(",\"nextToken\":\"b/1\"}");
  }

  @Test
  void errorsNameTheirTypeAndOnlyThrottlingAndServerErrorsAreRetried() {
    var throttled =
        CloudWatchLogsBuildLogReader.error(
            400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    assertThat(throttled).hasMessage("GetLogEvents: ThrottlingException: Rate exceeded (HTTP 400)");
    assertThat(throttled.retryable()).isTrue();
    var denied =
        CloudWatchLogsBuildLogReader.error(
            400,
            "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"no\"}");
    assertThat(denied).hasMessage("GetLogEvents: AccessDeniedException: no (HTTP 400)");
    assertThat(denied.retryable()).isFalse();
    assertThat(CloudWatchLogsBuildLogReader.error(503, "<html/>").retryable()).isTrue();
    assertThat(CloudWatchLogsBuildLogReader.error(503, "<html/>"))
        .hasMessage("GetLogEvents: error (HTTP 503)");
  }

  @Test
  void aMessageOfSeveralLinesIsSeveralLinesAndItsLastNewlineNone() {
    assertThat(CloudWatchLogsBuildLogReader.split("a\r\nb\nc\n")).containsExactly("a", "b", "c");
    assertThat(CloudWatchLogsBuildLogReader.split("\n")).containsExactly("");
    assertThat(CloudWatchLogsBuildLogReader.split(null)).isEmpty();
  }
}
