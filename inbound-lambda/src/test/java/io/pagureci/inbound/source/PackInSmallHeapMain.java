package io.pagureci.inbound.source;

import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RepoRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs one {@link JGitSourcePackager#pack} in its own JVM (started by {@link
 * JGitSourcePackagerHeapIT} with a heap smaller than the repository), printing {@code versionId
 * bytes peakHeapBytes}.
 *
 * <p>Arguments: pagureBase s3Endpoint bucket project ref commit tempRoot key
 */
public final class PackInSmallHeapMain {

  private PackInSmallHeapMain() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(URI.create(args[1]))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")))
            .httpClient(UrlConnectionHttpClient.create())
            .build()) {
      JGitSourcePackager packager =
          new JGitSourcePackager(
              base,
              s3,
              args[2],
              Duration.ofSeconds(60),
              Path.of(args[6]),
              JGitSourcePackager.Tuning.DEFAULTS.withPartSize(
                  S3MultipartOutputStream.MIN_PART_SIZE),
              SourceLimits.DEFAULTS);
      PackagedSource p =
          packager.pack(
              new FetchPlan(List.of(new RepoRef(args[3], args[4])), args[5], Duration.ZERO, null),
              args[7]);
      long peak = 0;
      for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == java.lang.management.MemoryType.HEAP) {
          peak += pool.getPeakUsage().getUsed();
        }
      }
      System.out.println("RESULT " + p.versionId() + " " + p.bytes() + " " + peak);
    }
  }
}
