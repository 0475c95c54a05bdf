package io.pagureci.inbound.aws;

import io.pagureci.inbound.source.S3MultipartOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * SnapStart priming of the AWS SDK without any network call: throw-away clients of every service
 * the inbound function calls, on an HTTP client that answers in memory, each make the requests
 * the function makes (S3 GetObject / PutObject and a two-part multipart upload through {@link
 * S3MultipartOutputStream}, Secrets Manager GetSecretValue, CodeBuild StartBuild, CodePipeline
 * StartPipelineExecution). That loads and runs the SDK's request path — endpoint rules, SigV4
 * signing, checksums, marshalling and unmarshalling — before the snapshot, so the first real
 * request after a restore only pays its TLS handshake.
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
        StaticCredentialsProvider.create(AwsBasicCredentials.create("PRIMINGPRIMINGPRIMING", "priming-not-a-secret"));
    Region region = Region.US_EAST_1;
    try (S3Client s3 = S3Client.builder().httpClient(http).credentialsProvider(fake).region(region).build();
        SecretsManagerClient secrets =
            SecretsManagerClient.builder().httpClient(http).credentialsProvider(fake).region(region).build();
        CodeBuildClient codebuild =
            CodeBuildClient.builder().httpClient(http).credentialsProvider(fake).region(region).build();
        CodePipelineClient codepipeline =
            CodePipelineClient.builder().httpClient(http).credentialsProvider(fake).region(region).build()) {
      s3.getObjectAsBytes(b -> b.bucket("priming-bucket").key("priming/.builds/x.json"));
      s3.putObject(b -> b.bucket("priming-bucket").key("priming/.builds/x.json").contentType("application/json"),
          RequestBody.fromString("{}"));
      byte[] chunk = new byte[64 * 1024];
      try (S3MultipartOutputStream out = new S3MultipartOutputStream(
          s3, "priming-bucket", "priming/x.zip", "application/zip", S3MultipartOutputStream.MIN_PART_SIZE)) {
        for (int written = 0; written <= S3MultipartOutputStream.MIN_PART_SIZE; written += chunk.length) {
          out.write(chunk);
        }
        out.complete();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      secrets.getSecretValue(b -> b.secretId("priming"));
      codebuild.startBuild(b -> b.projectName("priming").sourceTypeOverride("S3")
          .sourceLocationOverride("priming-bucket/priming/x.zip").idempotencyToken("priming"));
      codepipeline.startPipelineExecution(b -> b.name("priming").clientRequestToken("priming-token-0000000000000"));
    }
    return new Result(Map.copyOf(http.requests));
  }

  /** Answers every request in memory with what the service would say, by request shape. */
  private static final class InMemoryHttpClient implements SdkHttpClient {
    private static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    final Map<String, Integer> requests = new ConcurrentHashMap<>();
    private final AtomicInteger parts = new AtomicInteger();

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
      Optional<? extends InputStream> content = request.contentStreamProvider().map(p -> p.newStream());
      if (content.isPresent()) {
        try (InputStream in = content.get()) {
          in.transferTo(java.io.OutputStream.nullOutputStream()); // runs the SDK's body encoding and checksums
        }
      }
      String target = http.firstMatchingHeader("X-Amz-Target").orElse("");
      Map<String, java.util.List<String>> query = http.rawQueryParameters();
      String method = http.method().name();
      String operation;
      String body;
      SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder().statusCode(200);
      if (target.endsWith("GetSecretValue")) {
        operation = "GetSecretValue";
        body = "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:priming-AbCdEf\","
            + "\"Name\":\"priming\",\"VersionId\":\"v1\",\"SecretString\":\"{}\",\"CreatedDate\":1.7E9}";
      } else if (target.endsWith("StartBuild")) {
        operation = "StartBuild";
        body = "{\"build\":{\"id\":\"priming:1\",\"arn\":\"arn:aws:codebuild:us-east-1:000000000000:build/priming:1\","
            + "\"buildNumber\":1,\"buildStatus\":\"IN_PROGRESS\",\"projectName\":\"priming\"}}";
      } else if (target.endsWith("StartPipelineExecution")) {
        operation = "StartPipelineExecution";
        body = "{\"pipelineExecutionId\":\"00000000-0000-0000-0000-000000000000\"}";
      } else if (method.equals("POST") && query.containsKey("uploads")) {
        operation = "CreateMultipartUpload";
        body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult xmlns=\"" + S3_NS
            + "\"><Bucket>priming-bucket</Bucket><Key>priming/x.zip</Key><UploadId>priming</UploadId>"
            + "</InitiateMultipartUploadResult>";
      } else if (method.equals("PUT") && query.containsKey("partNumber")) {
        operation = "UploadPart";
        body = "";
        response.putHeader("ETag", "\"part-" + parts.incrementAndGet() + "\"");
      } else if (method.equals("POST") && query.containsKey("uploadId")) {
        operation = "CompleteMultipartUpload";
        body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult xmlns=\"" + S3_NS
            + "\"><Bucket>priming-bucket</Bucket><Key>priming/x.zip</Key><ETag>\"zip-2\"</ETag>"
            + "</CompleteMultipartUploadResult>";
        response.putHeader("x-amz-version-id", "priming");
      } else if (method.equals("DELETE")) {
        operation = "AbortMultipartUpload";
        body = "";
        response.statusCode(204);
      } else if (method.equals("PUT")) {
        operation = "PutObject";
        body = "";
        response.putHeader("ETag", "\"put\"").putHeader("x-amz-version-id", "priming");
      } else if (method.equals("GET")) {
        operation = "GetObject";
        body = "{}";
        response.putHeader("ETag", "\"get\"").putHeader("Content-Type", "application/json");
      } else {
        throw new IOException("priming: unexpected request " + method + " " + http.encodedPath());
      }
      requests.merge(operation, 1, Integer::sum);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      response.putHeader("Content-Length", Integer.toString(bytes.length));
      if (!target.isEmpty()) {
        response.putHeader("Content-Type", "application/x-amz-json-1.1");
      }
      return HttpExecuteResponse.builder()
          .response(response.build())
          .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes)))
          .build();
    }

    @Override
    public void close() {}
  }
}
