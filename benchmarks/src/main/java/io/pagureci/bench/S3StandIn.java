package io.pagureci.bench;

import com.adobe.testing.s3mock.S3MockApplication;
import io.pagureci.inbound.testsupport.S3Server;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * S3Mock on 127.0.0.1 serving HTTPS with the benchmark's throw-away certificate (as real S3 is only
 * reached over TLS: over plain HTTP the SDK would SHA-256 every payload for SigV4, which it does
 * not do over HTTPS), plus a plain-HTTP port for the orchestrator's own housekeeping.
 */
final class S3StandIn implements AutoCloseable {
  final S3MockApplication app;
  final Path store;
  final URI https;
  final URI http;
  final S3Client admin;

  // S3Mock 5 deprecates both port getters without a replacement (as in the tests' S3Server)
  @SuppressWarnings("deprecation")
  private S3StandIn(S3MockApplication app, Path store) {
    this.app = app;
    this.store = store;
    this.https = URI.create("https://127.0.0.1:" + app.getPort());
    this.http = URI.create("http://127.0.0.1:" + app.getHttpPort());
    this.admin =
        S3Client.builder()
            .endpointOverride(http)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  static S3StandIn start(Tls tls, Path parent) throws IOException {
    Path store = Files.createTempDirectory(parent, "s3-");
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(S3MockApplication.PROP_HTTPS_PORT, 0);
    props.put(S3MockApplication.PROP_HTTP_PORT, 0);
    props.put("server.address", "127.0.0.1");
    props.put(S3MockApplication.SERVER_SSL_KEY_STORE, "file:" + tls.keyStore());
    props.put(S3MockApplication.SERVER_SSL_KEY_STORE_PASSWORD, tls.password());
    props.put(S3MockApplication.SERVER_SSL_KEY_ALIAS, "standin");
    props.put(S3MockApplication.SERVER_SSL_KEY_PASSWORD, tls.password());
    props.put("server.ssl.key-store-type", "PKCS12");
    props.put("com.adobe.testing.s3mock.store.root", store.toString());
    props.put("com.adobe.testing.s3mock.store.retain-files-on-exit", false);
    props.put("com.adobe.testing.s3mock.max-payload-size", "512MB");
    props.put("spring.main.sources", S3Server.LoopbackOnly.class.getName());
    props.put(S3MockApplication.PROP_SILENT, true);
    return new S3StandIn(S3MockApplication.start(props), store);
  }

  void createVersionedBucket(String name) {
    admin.createBucket(b -> b.bucket(name));
    admin.putBucketVersioning(
        b -> b.bucket(name).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
  }

  @Override
  public void close() throws IOException {
    admin.close();
    app.stop();
    PackagingBench.deleteTree(store);
  }
}
