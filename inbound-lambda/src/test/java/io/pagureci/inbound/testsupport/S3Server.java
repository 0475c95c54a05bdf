package io.pagureci.inbound.testsupport;

import com.adobe.testing.s3mock.S3MockApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.config.BeanPostProcessor;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * A local S3 stand-in with <em>real object versioning</em>: Adobe S3Mock (in-process, plain HTTP on
 * 127.0.0.1, random port, objects in a temp dir deleted on {@link #close()}).
 *
 * <p>Why not S3Proxy: its transient store answers {@code PutBucketVersioning} with 501 and returns
 * no version id, and the source bucket of this product must be versioned.
 *
 * <p>Supports what the source packager needs: versioned buckets (PutObject and
 * CompleteMultipartUpload return a version id, GetObject by version id), multipart upload and
 * abort, ListMultipartUploads. Uploads up to 512 MB per request are accepted.
 *
 * <pre>{@code
 * try (S3Server s3 = S3Server.start()) {
 *   s3.createVersionedBucket("sources");
 *   S3Client client = s3.client();
 *   ...
 * }
 * }</pre>
 *
 * Starting takes several seconds, so test classes should share one: {@link #shared()} starts it
 * once per JVM (stopped when the JVM exits) and each class uses its own bucket names. {@link
 * #start()} gives a private instance that the caller closes.
 */
public final class S3Server implements AutoCloseable {

  /** Access key the stand-in accepts (it does not check signatures). */
  public static final String ACCESS_KEY = "AKIDTESTTESTTESTTEST";

  /** Secret key used by {@link #client()}. */
  public static final String SECRET_KEY = "test-secret-key-not-a-secret";

  private static S3Server shared;

  private final S3MockApplication app;
  private volatile boolean isShared;
  private final Path storeRoot;
  private final URI endpoint;
  private final S3Client client;

  private S3Server(S3MockApplication app, Path storeRoot) {
    this.app = app;
    this.storeRoot = storeRoot;
    this.endpoint = URI.create("http://127.0.0.1:" + httpPort(app));
    this.client = newClient(endpoint);
  }

  /**
   * The JVM-wide instance, started on first use and stopped when the JVM exits; {@link #close()} on
   * it does nothing. Use bucket names of your own.
   */
  public static synchronized S3Server shared() {
    if (shared == null) {
      S3Server server = start();
      server.isShared = true;
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "s3server-stop"));
      shared = server;
    }
    return shared;
  }

  // S3Mock 5 deprecates its plain-HTTP connector's port getter without a replacement (getPort() is
  // the HTTPS one); the tests talk plain HTTP on 127.0.0.1
  @SuppressWarnings("deprecation")
  private static int httpPort(S3MockApplication app) {
    return app.getHttpPort();
  }

  /** Starts a fresh, empty stand-in on 127.0.0.1 (random ports); the caller closes it. */
  public static S3Server start() {
    Path root;
    try {
      root = Files.createTempDirectory("s3server-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Spring Boot would otherwise try to take over logging (another SLF4J provider is bound).
    System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(S3MockApplication.PROP_HTTPS_PORT, 0);
    props.put(S3MockApplication.PROP_HTTP_PORT, 0);
    props.put("server.address", "127.0.0.1");
    props.put("com.adobe.testing.s3mock.store.root", root.toString());
    props.put("com.adobe.testing.s3mock.store.retain-files-on-exit", false);
    props.put("com.adobe.testing.s3mock.max-payload-size", "512MB");
    props.put("spring.main.sources", LoopbackOnly.class.getName());
    props.put(S3MockApplication.PROP_SILENT, true);
    S3MockApplication app = S3MockApplication.start(props);
    return new S3Server(app, root);
  }

  /** Plain-HTTP endpoint, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * An S3 client for this stand-in: path-style, region us-east-1, static fake credentials,
   * URL-connection HTTP client. Owned by this server (closed by {@link #close()}).
   */
  public S3Client client() {
    return client;
  }

  /** A new client like {@link #client()} that the caller closes. */
  public S3Client newClient() {
    return newClient(endpoint);
  }

  /** Creates {@code name} (unless it exists) and enables versioning on it. */
  public void createVersionedBucket(String name) {
    createIfMissing(name);
    client.putBucketVersioning(
        b -> b.bucket(name).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
  }

  /** Creates {@code name} (unless it exists) without versioning: S3 then returns no version ids. */
  public void createUnversionedBucket(String name) {
    createIfMissing(name);
  }

  private void createIfMissing(String name) {
    try {
      client.createBucket(b -> b.bucket(name));
    } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
      // fine: shared server, bucket made by an earlier test
    }
  }

  /** Stops the server and deletes its store; does nothing on the {@link #shared()} instance. */
  @Override
  public void close() {
    if (!isShared) {
      stop();
    }
  }

  private void stop() {
    client.close();
    app.stop();
    try (Stream<Path> paths = Files.walk(storeRoot)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: the store lives in the system temp dir
    }
  }

  private static S3Client newClient(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  /**
   * S3Mock adds a plain-HTTP Tomcat connector without an address (all interfaces); this bean
   * post-processor, added as an extra Spring source, binds it to the loopback interface.
   */
  public static class LoopbackOnly implements BeanPostProcessor {
    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
      if (bean instanceof Connector connector) {
        connector.setProperty("address", "127.0.0.1");
      }
      return bean;
    }
  }
}
