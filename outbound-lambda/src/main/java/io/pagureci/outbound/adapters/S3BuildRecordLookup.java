package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Build records as the worker writes them (docs/queue.md §5): {@code GetObject}
 * {@code s3://<bucket>/<prefix><buildKey>.json}, read with jackson-core. A missing object — 404 {@code NoSuchKey},
 * or 403 {@code AccessDenied}, which S3 answers for a missing key when the role may not list the bucket — is no
 * record; any other failure is thrown (the SDK's exception, or {@link UnreadableRecordException}).
 */
public final class S3BuildRecordLookup implements BuildRecordLookup {
    /** A record is a few hundred bytes; anything much larger is not one. */
    static final int MAX_BYTES = 64 * 1024;

    private final S3Client client;
    private final String bucket;
    private final String prefix;

    /** @param prefix the records' key prefix ({@code SOURCE_PREFIX} + {@code .builds/}) */
    public S3BuildRecordLookup(S3Client client, String bucket, String prefix) {
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    String key(String buildKey) {
        return prefix + buildKey + ".json";
    }

    @Override
    public Optional<BuildRecord> find(String buildKey) {
        String key = key(buildKey);
        byte[] bytes;
        try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(bucket).key(key))) {
            bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                in.abort();
                throw new UnreadableRecordException(where(key) + " is larger than " + MAX_BYTES + " bytes", null);
            }
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 403 && e.awsErrorDetails() != null
                    && "AccessDenied".equals(e.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + where(key) + " failed", e);
        }
        return Optional.of(parse(bytes, where(key)));
    }

    private String where(String key) {
        return "build record s3://" + bucket + "/" + key;
    }

    /**
     * The record's {@code state} (absent: a record written before v2, STARTED), {@code target} and
     * {@code buildId} (STARTED), {@code deliveryId}; other members are not needed here.
     */
    static BuildRecord parse(byte[] bytes, String where) {
        Object root;
        try {
            root = Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UnreadableRecordException(where + " is not JSON", e);
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new UnreadableRecordException(where + " is not a JSON object", null);
        }
        BuildRecord.State state = BuildRecord.State.STARTED;
        if (Json.has(root, "state")) {
            String s = Json.string(root, "state");
            try {
                state = BuildRecord.State.valueOf(s == null ? "" : s);
            } catch (IllegalArgumentException e) {
                throw new UnreadableRecordException(where + " has an unknown state", e);
            }
        }
        String target = Json.string(root, "target");
        BuildSystem system = target == null ? null : BuildSystem.ofId(target);
        String buildId = Json.string(root, "buildId");
        try {
            return new BuildRecord(state, system, buildId, Json.string(root, "deliveryId"));
        } catch (IllegalArgumentException e) {
            throw new UnreadableRecordException(where + ": " + e.getMessage(), e);
        }
    }
}
