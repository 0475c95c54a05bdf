package io.pagureci.inbound.aws;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SnapStart priming of the AWS SDK without any network call: throw-away clients of every service
 * the accept function calls, on an HTTP client that answers in memory, each make the requests the
 * function makes (Secrets Manager GetSecretValue, DynamoDB GetItem, SQS SendMessage, EventBridge
 * PutEvents). That loads and runs the SDK's request path — endpoint rules, SigV4 signing,
 * checksums, marshalling and unmarshalling — before the snapshot, so the first real request after a
 * restore only pays its TLS handshake. (The worker is triggered by SQS and has no SnapStart.)
 *
 * <p>The throw-away clients sign with fixed fake credentials (never the function's), are closed
 * afterwards and share nothing with the real clients but code.
 */
public final class SdkPriming {

  private SdkPriming() {}

  /** The requests made, by operation (for tests and the log). */
  public record Result(Map<String, Integer> requests) {
    public int total() {
      return requests.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** Runs every priming request; throws if the SDK rejected a canned answer. */
  public static Result primeAll() {
    InMemoryHttpClient http = new InMemoryHttpClient();
    StaticCredentialsProvider fake =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create("PRIMINGPRIMINGPRIMING", "priming-not-a-secret"));
    Region region = Region.US_EAST_1;
    try (SecretsManagerClient secrets =
            SecretsManagerClient.builder()
                .httpClient(http)
                .credentialsProvider(fake)
                .region(region)
                .build();
        DynamoDbClient dynamo =
            DynamoDbClient.builder()
                .httpClient(http)
                .credentialsProvider(fake)
                .region(region)
                .build();
        SqsClient sqs =
            SqsClient.builder().httpClient(http).credentialsProvider(fake).region(region).build();
        EventBridgeClient events =
            EventBridgeClient.builder()
                .httpClient(http)
                .credentialsProvider(fake)
                .region(region)
                .build()) {
      secrets.getSecretValue(b -> b.secretId("priming"));
      dynamo.getItem(
          b ->
              b.tableName("priming")
                  .consistentRead(true)
                  .key(Map.of("id", AttributeValue.fromS("build/priming"))));
      sqs.sendMessage(
          b ->
              b.queueUrl("https://sqs.us-east-1.amazonaws.com/000000000000/priming")
                  .messageBody("{\"v\":1,\"priming\":true}"));
      events.putEvents(
          b ->
              b.entries(
                  e ->
                      e.source("pagure-ci-aws")
                          .detailType("Build Request State Change")
                          .eventBusName("default")
                          .detail("{\"state\":\"QUEUED\"}")));
    }
    return new Result(Map.copyOf(http.requests));
  }

  /** Answers every request in memory with what the service would say, by request shape. */
  private static final class InMemoryHttpClient implements SdkHttpClient {
    final Map<String, Integer> requests = new ConcurrentHashMap<>();

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      return new ExecutableHttpRequest() {
        @Override
        public HttpExecuteResponse call() throws IOException {
          return answer(request);
        }

        @Override
        public void abort() {}
      };
    }

    private HttpExecuteResponse answer(HttpExecuteRequest request) throws IOException {
      SdkHttpRequest http = request.httpRequest();
      Optional<? extends InputStream> content =
          request.contentStreamProvider().map(p -> p.newStream());
      byte[] sentBody = new byte[0];
      if (content.isPresent()) {
        try (InputStream in = content.get()) {
          sentBody = in.readAllBytes(); // runs the SDK's body encoding and checksums
        }
      }
      String target = http.firstMatchingHeader("X-Amz-Target").orElse("");
      String method = http.method().name();
      String operation;
      String body;
      SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder().statusCode(200);
      if (target.endsWith("GetSecretValue")) {
        operation = "GetSecretValue";
        body =
            "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:priming-AbCdEf\","
                + "\"Name\":\"priming\",\"VersionId\":\"v1\",\"SecretString\":\"{}\",\"CreatedDate\":1.7E9}";
      } else if (target.endsWith("GetItem")) {
        operation = "GetItem";
        body = "{}";
      } else if (target.endsWith("SendMessage")) {
        operation = "SendMessage";
        // the SDK checks the MD5 of the body it sent against the answer
        String sent =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(sentBody)
                .path("MessageBody")
                .asText();
        body =
            "{\"MessageId\":\"00000000-0000-0000-0000-000000000000\",\"MD5OfMessageBody\":\""
                + md5(sent)
                + "\"}";
      } else if (target.endsWith("PutEvents")) {
        operation = "PutEvents";
        body = "{\"FailedEntryCount\":0,\"Entries\":[{\"EventId\":\"priming\"}]}";
      } else {
        throw new IOException(
            "priming: unexpected request " + method + " " + http.encodedPath() + " " + target);
      }
      requests.merge(operation, 1, Integer::sum);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.putHeader("Content-Length", Integer.toString(bytes.length));
      if (!target.isEmpty()) {
        response.putHeader(
            "Content-Type",
            target.startsWith("DynamoDB") || target.startsWith("AmazonSQS")
                ? "application/x-amz-json-1.0"
                : "application/x-amz-json-1.1");
      }
      return HttpExecuteResponse.builder()
          .response(response.build())
          .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
          .build();
    }

    @Override
    public void close() {}

    private static String md5(String text) {
      try {
        return java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
