package io.pagureci.bench;

import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.source.JGitSourcePackager;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
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
 * One packaging in a fresh JVM (a cold Lambda): the project's {@link JGitSourcePackager} fetches
 * one exact commit and streams its zip to S3. Run by {@link PackagingBench} on the classpath {@code
 * inbound-lambda/target/function.jar} + these classes; prints one JSON line on stdout.
 *
 * <p>Arguments: pagureBase fullname ref commit s3Endpoint bucket key tempRoot
 */
public final class PackOnce {
  private PackOnce() {}

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    URI base = URI.create(args[0]);
    String fullname = args[1];
    String ref = args[2];
    String commit = args[3];
    URI s3Endpoint = URI.create(args[4]);
    String bucket = args[5];
    String key = args[6];
    Path tempRoot = Path.of(args[7]);
    S3Client s3 =
        S3Client.builder()
            .endpointOverride(s3Endpoint)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        "AKIDTESTTESTTESTTEST", "test-secret-key-not-a-secret")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    JGitSourcePackager packager =
        new JGitSourcePackager(base, s3, bucket, Duration.ofSeconds(60), tempRoot);
    // -Dpagureci.bench.prime=true: what SnapStart's beforeCheckpoint does first (no network)
    long tp = System.nanoTime();
    if (Boolean.getBoolean("pagureci.bench.prime")) {
      packager.prime();
      io.pagureci.inbound.aws.SdkPriming.primeAll();
    }
    long t1 = System.nanoTime();
    PackagedSource out =
        packager.pack(
            new FetchPlan(List.of(new RepoRef(fullname, ref)), commit, Duration.ofSeconds(5), null),
            key);
    long t2 = System.nanoTime();
    long heapPeak = 0;
    long heapCommittedPeak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        heapPeak += pool.getPeakUsage().getUsed();
        heapCommittedPeak += pool.getPeakUsage().getCommitted();
      }
    }
    long gcCount = 0;
    long gcMs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMs += Math.max(0, gc.getCollectionTime());
    }
    System.out.printf(
        "{\"initMs\":%d,\"primeMs\":%d,\"packMs\":%d,\"zipBytes\":%d,\"versionId\":\"%s\",\"heapPeakBytes\":%d,"
            + "\"heapCommittedPeakBytes\":%d,\"maxHeapBytes\":%d,\"gcCount\":%d,\"gcMs\":%d,\"cpus\":%d}%n",
        (tp - t0) / 1_000_000,
        (t1 - tp) / 1_000_000,
        (t2 - t1) / 1_000_000,
        out.bytes(),
        out.versionId(),
        heapPeak,
        heapCommittedPeak,
        Runtime.getRuntime().maxMemory(),
        gcCount,
        gcMs,
        Runtime.getRuntime().availableProcessors());
    s3.close();
  }
}
