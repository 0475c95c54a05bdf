package io.pagureci.inbound.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.BuildRecords;
import io.pagureci.inbound.domain.StartedBuild;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Build records as small JSON objects in the source bucket: {@code <prefix>.builds/<token>.json}
 * ({@code .} cannot start a pagure project name, so the folder never collides with a project).
 */
public final class S3BuildRecords implements BuildRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3BuildRecords(S3Client s3, String bucket, String sourcePrefix) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = sourcePrefix + ".builds/";
  }

  public String recordKey(String token) {
    return prefix + token + ".json";
  }

  @Override
  public Optional<BuildRecord> find(String token) throws RecordException {
    ResponseBytes<GetObjectResponse> bytes;
    try {
      bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(recordKey(token)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new RecordException("reading the build record failed: " + AwsErrors.describe(e), e);
    }
    try {
      JsonNode n = JSON.readTree(bytes.asByteArray());
      return Optional.of(new BuildRecord(
          new StartedBuild(n.path("target").asText(), n.path("buildId").asText()),
          n.path("bucket").asText(), n.path("key").asText(), n.path("versionId").asText(),
          n.path("commit").asText()));
    } catch (IOException | NullPointerException e) {
      throw new RecordException("the build record is not valid JSON", e);
    }
  }

  @Override
  public void save(String token, BuildRecord record) throws RecordException {
    ObjectNode n = JSON.createObjectNode();
    n.put("target", record.build().target());
    n.put("buildId", record.build().id());
    n.put("bucket", record.bucket());
    n.put("key", record.key());
    n.put("versionId", record.versionId());
    n.put("commit", record.commit());
    try {
      s3.putObject(b -> b.bucket(bucket).key(recordKey(token)).contentType("application/json"),
          RequestBody.fromString(n.toString()));
    } catch (SdkException e) {
      throw new RecordException("writing the build record failed: " + AwsErrors.describe(e), e);
    }
  }
}
