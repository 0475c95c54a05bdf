package io.pagureci.inbound.source;

import static io.pagureci.inbound.testsupport.TestRepos.FORK;
import static io.pagureci.inbound.testsupport.TestRepos.NAMESPACED;
import static io.pagureci.inbound.testsupport.TestRepos.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.BuildspecSource;
import io.pagureci.inbound.domain.FetchPlan;
import io.pagureci.inbound.domain.PackagedSource;
import io.pagureci.inbound.domain.RepoRef;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import io.pagureci.inbound.testsupport.GitHttpServer;
import io.pagureci.inbound.testsupport.S3Server;
import io.pagureci.inbound.testsupport.TestFile;
import io.pagureci.inbound.testsupport.TestRepos;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.TreeFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The packager against a real git smart-HTTP server and a versioned S3 stand-in. */
class JGitSourcePackagerIT {

  private static final String BUCKET = "pagure-ci-sources";
  private static final String UNVERSIONED = "pagure-ci-unversioned";
  private static final String BIG = "big";
  private static final String LIMITS = "limits";
  private static final int MIB = 1024 * 1024;
  private static final JGitSourcePackager.Tuning FAST =
      new JGitSourcePackager.Tuning(
          S3MultipartOutputStream.DEFAULT_PART_SIZE,
          Duration.ofMillis(50),
          Duration.ofMillis(200),
          256 * 1024);

  @TempDir static Path shared;
  private static S3Server s3;
  private static GitHttpServer git;
  private static TestRepos repos;
  private static String bigHead;
  private static Map<String, TestFile> bigTree;

  /** a.bin (5 MiB, random), m/1.txt, m/n/2.txt, z.bin (= a.bin): 6 entries, 2 directories deep. */
  private static Map<String, TestFile> limitsTree;

  private static final long LIMITS_BYTES = 2L * 5 * MIB + 4 + 4;
  private static final int LIMITS_ENTRIES = 6;
  private static String limitsHead;

  @TempDir Path tempRoot;
  private int keys;

  @BeforeAll
  static void startServers() {
    s3 = S3Server.shared();
    s3.createVersionedBucket(BUCKET);
    s3.createUnversionedBucket(UNVERSIONED);
    repos = TestRepos.create(shared.resolve("repos"));
    repos.createProject(BIG);
    bigTree = new LinkedHashMap<>();
    // ~13 MiB of incompressible data: three parts of 5 MiB
    for (int i = 0; i < 2; i++) {
      bigTree.put("data/blob-" + i + ".bin", TestFile.file(TestRepos.randomBytes(5 * MIB, i)));
    }
    bigTree.put("dist/archive.tar.gz", TestFile.file(TestRepos.randomBytes(3 * MIB, 99)));
    for (int i = 0; i < 300; i++) {
      bigTree.put(
          "src/gen/File" + i + ".java",
          TestFile.file("class File" + i + " { /* " + "x".repeat(i) + " */ }\n"));
    }
    bigHead = repos.commit(BIG, "master", bigTree, "Big generated tree");
    repos.createProject(LIMITS);
    limitsTree = new LinkedHashMap<>();
    byte[] five = TestRepos.randomBytes(5 * MIB, 7); // one blob, twice in the tree
    limitsTree.put("a.bin", TestFile.file(five));
    limitsTree.put("m/1.txt", TestFile.file("one\n"));
    limitsTree.put("m/n/2.txt", TestFile.file("two\n"));
    limitsTree.put("z.bin", TestFile.file(five));
    limitsHead = repos.commit(LIMITS, "master", limitsTree, "Two big files around two small ones");
    git = GitHttpServer.start(repos.root());
  }

  @AfterAll
  static void stopServers() {
    if (git != null) {
      git.close();
    }
  }

  @BeforeEach
  void healthyGit() {
    git.setFault(GitHttpServer.Fault.NONE);
    git.clearRequests();
  }

  @AfterEach
  void nothingLeftBehind() throws IOException {
    try (Stream<Path> left = Files.list(tempRoot)) {
      assertThat(left).as("temp dir after the call").isEmpty();
    }
    assertThat(s3.client().listMultipartUploads(l -> l.bucket(BUCKET)).uploads())
        .as("multipart uploads left in S3")
        .isEmpty();
  }

  // ------------------------------------------------------------------ success

  @Test
  void zipHoldsExactlyTheTreeOfTheCommitWithModesAndSymlinkAndNoGitDir() throws Exception {
    String key = key();

    PackagedSource packaged =
        packager()
            .pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key);

    assertThat(packaged.bucket()).isEqualTo(BUCKET);
    assertThat(packaged.key()).isEqualTo(key);
    assertThat(packaged.buildspec()).isEmpty();
    byte[] zip = download(packaged);
    assertThat(packaged.bytes()).isEqualTo(zip.length);
    Map<String, Entry> entries = unzip(zip);
    assertThat(entries).isEqualTo(expected(TestRepos.masterTree()));
    assertThat(entries.keySet()).noneMatch(n -> n.startsWith(".git") || n.contains("/.git"));
    assertThat(entries.get("bin/run.sh").mode()).isEqualTo(UnixStat.FILE_FLAG | 0755);
    assertThat(entries.get("README.md").mode()).isEqualTo(UnixStat.FILE_FLAG | 0644);
    assertThat(entries.get("docs/readme-link").mode()).isEqualTo(UnixStat.LINK_FLAG | 0777);
    assertThat(entries.get("docs/readme-link").text()).isEqualTo("../README.md");
    assertThat(entries).doesNotContainKey("vendor/lib"); // the submodule is skipped
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        assertThat(e.getExtraField(new org.apache.commons.compress.archivers.zip.ZipShort(0x0001)))
            .as("no Zip64 record in a small zip: " + e.getName())
            .isNull();
        assertThat(e.getMethod())
            .as(e.getName())
            .isEqualTo(
                e.getName().endsWith(".png") ? ZipArchiveEntry.STORED : ZipArchiveEntry.DEFLATED);
      }
    }
  }

  @Test
  void sameCommitGivesTheSameZipBytes() throws Exception {
    FetchPlan plan = plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead());

    byte[] first = download(packager().pack(plan, key()));
    byte[] second = download(packager().pack(plan, key()));

    assertThat(second).isEqualTo(first);
  }

  @Test
  void forkPullRequestIsFetchedFromTheForkBranchAndTheBuildspecFromTheTargetBranch()
      throws Exception {
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(FORK, "refs/heads/feature")),
            repos.forkPrHead(),
            Duration.ZERO,
            new BuildspecSource(TARGET, "master", "buildspec.yml"));

    PackagedSource packaged = packager().pack(plan, key());

    Map<String, TestFile> tree = new TreeMap<>(TestRepos.masterTree());
    TestRepos.forkPrChanges()
        .forEach(
            (path, file) -> {
              if (file == null) {
                tree.remove(path);
              } else {
                tree.put(path, file);
              }
            });
    assertThat(unzip(download(packaged))).isEqualTo(expected(tree));
    assertThat(packaged.buildspec()).contains(TestRepos.MASTER_BUILDSPEC);
    assertThat(git.requests())
        .allMatch(r -> r.contains("/" + FORK + ".git/") || r.contains("/" + TARGET + ".git/"));
  }

  @Test
  void namespacedProjectAndSameRepoPullRefWork() throws Exception {
    String widget = repos.ref(NAMESPACED, "refs/heads/master");
    assertThat(
            unzip(
                download(
                    packager()
                        .pack(
                            plan(List.of(new RepoRef(NAMESPACED, "refs/heads/master")), widget),
                            key()))))
        .containsOnlyKeys("widget.spec");

    PackagedSource pr =
        packager()
            .pack(
                plan(List.of(new RepoRef(TARGET, "refs/pull/2/head")), repos.sameRepoPrHead()),
                key());
    assertThat(unzip(download(pr))).containsKey("feature.txt");
  }

  @Test
  void laterCandidateIsUsedWhenTheFirstIsMissing() throws Exception {
    FetchPlan plan =
        plan(
            List.of(
                new RepoRef(TARGET, "refs/pull/77/head"), new RepoRef(FORK, "refs/heads/feature")),
            repos.forkPrHead());

    PackagedSource packaged = packager().pack(plan, key());

    assertThat(unzip(download(packaged))).containsKey("fork.txt");
  }

  @Test
  void pullRefThatAppearsOnlyAfterADelayIsWaitedFor() throws Exception {
    String late =
        repos.commit(FORK, "late-feature", Map.of("late.txt", TestFile.file("late\n")), "Late");
    CompletableFuture<Void> sync =
        repos.later(
            Duration.ofSeconds(1), () -> repos.syncPullRef(TARGET, 3, FORK, "late-feature"));
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/pull/3/head")), late, Duration.ofSeconds(10), null);

    PackagedSource packaged = packager().pack(plan, key());

    sync.join();
    assertThat(unzip(download(packaged))).containsKey("late.txt");
    long lookUps =
        git.requests().stream().filter(r -> r.startsWith("GET /demo.git/info/refs")).count();
    assertThat(lookUps).as("looked again while the ref was missing").isGreaterThan(2);
  }

  @Test
  void aPushedTreeWithHostileNamesIsZippedWithOnlyItsSafeEntries() throws Exception {
    repos.createProject("hostile");
    String head = repos.commitTree("hostile", "master", HostileTree::write, "Names that escape");

    PackagedSource packaged =
        packager().pack(plan(List.of(new RepoRef("hostile", "refs/heads/master")), head), key());

    HostileTree.assertZipHoldsOnlyTheSafeEntries(download(packaged), shared);
  }

  // ------------------------------------------------------------------ git failures

  @Test
  void refAtAnotherCommitUntilTheDeadlineIsHeadMovedAndNothingIsUploaded() {
    String key = key();
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/heads/master")),
            repos.sameRepoPrHead(),
            Duration.ofSeconds(1),
            null);

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

    assertThat(e.kind()).isEqualTo(Kind.HEAD_MOVED);
    assertThat(e.getMessage()).contains(repos.masterHead()).contains(repos.sameRepoPrHead());
    assertNotStored(key);
    assertThat(git.requests()).noneMatch(r -> r.startsWith("POST")); // no pack was even fetched
  }

  @Test
  void unknownRepositoryIsCommitNotFoundWithinTheWait() {
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef("nosuchproject", "refs/heads/master")),
            repos.masterHead(),
            Duration.ofMillis(700),
            null);
    long start = System.nanoTime();

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key()));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(e.kind()).isEqualTo(Kind.COMMIT_NOT_FOUND);
    assertThat(took).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
  }

  @Test
  void refThatNeverAppearsIsCommitNotFound() {
    String key = key();
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/pull/99/head")),
            repos.masterHead(),
            Duration.ofMillis(500),
            null);

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

    assertThat(e.kind()).isEqualTo(Kind.COMMIT_NOT_FOUND);
    assertThat(e.getMessage()).contains("refs/pull/99/head");
    assertNotStored(key);
  }

  @Test
  void gitServerDownIsGitFailed() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    JGitSourcePackager packager =
        new JGitSourcePackager(
            URI.create("http://127.0.0.1:" + deadPort + "/"),
            s3.client(),
            BUCKET,
            Duration.ofSeconds(2),
            tempRoot,
            FAST,
            SourceLimits.DEFAULTS);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager.pack(
                    plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                    key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void gitServerErrorIsGitFailed() {
    git.setFault(GitHttpServer.Fault.HTTP_500);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager()
                    .pack(
                        plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                        key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void droppedConnectionIsGitFailed() {
    git.setFault(GitHttpServer.Fault.DROP_CONNECTION);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager()
                    .pack(
                        plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                        key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void aServerThatStopsSendingThePackIsGitFailedAfterTheGitTimeout() {
    git.setFault(GitHttpServer.Fault.STALL_PACK);
    String key = key();
    JGitSourcePackager packager =
        new JGitSourcePackager(
            git.baseUri(),
            s3.client(),
            BUCKET,
            Duration.ofSeconds(2),
            tempRoot,
            FAST,
            SourceLimits.DEFAULTS);

    long t0 = System.nanoTime();
    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager.pack(
                    plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                    key));
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    git.setFault(GitHttpServer.Fault.NONE); // releases the stalled request

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
    assertThat(e.getMessage()).containsIgnoringCase("timed out");
    assertThat(seconds)
        .as("seconds until the stall was detected (timeout 2 s; the stall lasts 60 s)")
        .isLessThan(30);
    assertThat(git.requests())
        .anyMatch(r -> r.startsWith("POST ") && r.endsWith("git-upload-pack"));
    assertNotStored(key);
  }

  // ------------------------------------------------------------------ buildspec

  @Test
  void missingBuildspecFileIsBuildspecMissing() {
    String key = key();
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/heads/master")),
            repos.masterHead(),
            Duration.ZERO,
            new BuildspecSource(TARGET, "master", "ci/nope.yml"));

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

    assertThat(e.kind()).isEqualTo(Kind.BUILDSPEC_MISSING);
    assertNotStored(key);
  }

  @Test
  void missingTargetBranchIsBuildspecMissing() {
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/heads/master")),
            repos.masterHead(),
            Duration.ZERO,
            new BuildspecSource(TARGET, "no-such-branch", "buildspec.yml"));

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key()));

    assertThat(e.kind()).isEqualTo(Kind.BUILDSPEC_MISSING);
  }

  // ------------------------------------------------------------------ S3

  @Test
  void zipOfSeveralPartsRoundTrips() throws Exception {
    JGitSourcePackager packager =
        packager(FAST.withPartSize(S3MultipartOutputStream.MIN_PART_SIZE));

    PackagedSource packaged =
        packager.pack(plan(List.of(new RepoRef(BIG, "refs/heads/master")), bigHead), key());

    assertThat(packaged.bytes()).isGreaterThan(2L * S3MultipartOutputStream.MIN_PART_SIZE);
    assertThat(unzip(download(packaged))).isEqualTo(expected(bigTree));
  }

  @Test
  void failureOnPartTwoIsUploadFailedAndTheUploadIsAborted() {
    String key = key();
    FailingS3Client failing = new FailingS3Client(s3.client(), 2);
    JGitSourcePackager packager =
        new JGitSourcePackager(
            git.baseUri(),
            failing,
            BUCKET,
            Duration.ofSeconds(20),
            tempRoot,
            FAST.withPartSize(S3MultipartOutputStream.MIN_PART_SIZE),
            SourceLimits.DEFAULTS);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager.pack(plan(List.of(new RepoRef(BIG, "refs/heads/master")), bigHead), key));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
    assertThat(failing.abortCalls).isEqualTo(1);
    assertNotStored(key);
    // and @AfterEach: no multipart upload left
  }

  @Test
  void missingBucketIsUploadFailed() {
    JGitSourcePackager packager =
        new JGitSourcePackager(
            git.baseUri(),
            s3.client(),
            "no-such-bucket",
            Duration.ofSeconds(20),
            tempRoot,
            FAST,
            SourceLimits.DEFAULTS);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager.pack(
                    plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                    key()));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
  }

  @Test
  void unversionedBucketIsUploadFailedSayingSo() {
    JGitSourcePackager packager =
        new JGitSourcePackager(
            git.baseUri(),
            s3.client(),
            UNVERSIONED,
            Duration.ofSeconds(20),
            tempRoot,
            FAST,
            SourceLimits.DEFAULTS);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager.pack(
                    plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()),
                    key()));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
    assertThat(e.getMessage()).contains("must be versioned");
  }

  // ------------------------------------------------------------------ limits

  private static final SourceLimits D = SourceLimits.DEFAULTS;

  static Stream<Arguments> limitsJustOverAndAt() {
    return Stream.of(
        arguments(
            InboundConfig.MAX_SOURCE_BYTES,
            new SourceLimits(
                LIMITS_BYTES - 1, D.maxFileBytes(), D.maxSourceFiles(), D.maxTreeDepth()),
            new SourceLimits(LIMITS_BYTES, D.maxFileBytes(), D.maxSourceFiles(), D.maxTreeDepth()),
            "the files of the tree add up to more than 10485767 bytes (10.0 MiB, MAX_SOURCE_BYTES), uncompressed"),
        arguments(
            InboundConfig.MAX_SOURCE_FILES,
            new SourceLimits(
                D.maxSourceBytes(), D.maxFileBytes(), LIMITS_ENTRIES - 1, D.maxTreeDepth()),
            new SourceLimits(
                D.maxSourceBytes(), D.maxFileBytes(), LIMITS_ENTRIES, D.maxTreeDepth()),
            "the tree has more than 5 files and directories (MAX_SOURCE_FILES)"),
        arguments(
            InboundConfig.MAX_TREE_DEPTH,
            new SourceLimits(D.maxSourceBytes(), D.maxFileBytes(), D.maxSourceFiles(), 1),
            new SourceLimits(D.maxSourceBytes(), D.maxFileBytes(), D.maxSourceFiles(), 2),
            "the tree has directories nested more than 1 deep (MAX_TREE_DEPTH): 'm/n'"));
  }

  /**
   * a.bin (5 MiB, stored) fills the first part, so the multipart upload has started when the limit
   * is hit, before z.bin: the upload is aborted, no byte of z.bin went to S3, and no object version
   * is left. At the limit the same tree is zipped whole.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("limitsJustOverAndAt")
  void aTreeJustOverALimitStopsBeforeItsLastFileAndAbortsTheUploadWhileOneAtItIsZipped(
      String variable, SourceLimits over, SourceLimits at, String message) throws Exception {
    String key = key();
    CountingPackager refused = counting(over);

    SourceException e =
        catchThrowableOfType(
            SourceException.class, () -> refused.packager().pack(limitsPlan(), key));

    assertThat(e.kind()).isEqualTo(Kind.SOURCE_TOO_LARGE);
    assertThat(e).hasMessage(message);
    assertThat(refused.s3().createCalls).as("multipart uploads started").isEqualTo(1);
    assertThat(refused.s3().uploadedBytes.get())
        .as("bytes sent to S3: the first part, a.bin's")
        .isEqualTo(S3MultipartOutputStream.MIN_PART_SIZE);
    assertThat(refused.s3().abortCalls).as("aborted").isEqualTo(1);
    assertThat(refused.s3().completeCalls + refused.s3().putCalls).isZero();
    assertNoVersion(key);
    // and @AfterEach: no multipart upload left, temp dir empty

    CountingPackager passes = counting(at);
    PackagedSource packaged = passes.packager().pack(limitsPlan(), key());
    assertThat(unzip(download(packaged))).isEqualTo(expected(limitsTree));
  }

  /** A file over MAX_FILE_BYTES stops the fetch at its header: no zip is started at all. */
  @Test
  void aFileOverMaxFileBytesStopsTheFetchAndNothingIsUploadedWhileOneAtTheLimitIsZipped()
      throws Exception {
    String key = key();
    CountingPackager refused =
        counting(
            new SourceLimits(
                D.maxSourceBytes(), 5 * MIB - 1, D.maxSourceFiles(), D.maxTreeDepth()));

    SourceException e =
        catchThrowableOfType(
            SourceException.class, () -> refused.packager().pack(limitsPlan(), key));

    assertThat(e.kind()).isEqualTo(Kind.SOURCE_TOO_LARGE);
    assertThat(e)
        .hasMessage(
            "a file of refs/heads/master of limits is larger than the 5242879 bytes"
                + " (5.0 MiB, MAX_FILE_BYTES) a file may have");
    assertThat(git.requests()).anyMatch(r -> r.equals("POST /limits.git/git-upload-pack"));
    assertThat(refused.s3().createCalls + refused.s3().putCalls).as("uploads started").isZero();
    assertNoVersion(key);

    PackagedSource packaged =
        counting(
                new SourceLimits(D.maxSourceBytes(), 5 * MIB, D.maxSourceFiles(), D.maxTreeDepth()))
            .packager()
            .pack(limitsPlan(), key());
    assertThat(unzip(download(packaged))).isEqualTo(expected(limitsTree));
  }

  /**
   * The attack: 1 GiB of zeros, about 1 MB to push. With the default limits it is refused at the
   * blob's header in the pack, before it is inflated. (Before the limits it was packaged, in 16 to
   * 26 s on this 2-core machine: about half fetching — inflating and hashing the gigabyte — and
   * half zipping it.)
   */
  @Test
  void aOneGibibyteFileOfZerosIsRefusedByTheDefaultLimitsBeforeItIsInflated() throws Exception {
    repos.createProject("zeros");
    String head =
        repos.commitZeroFile(
            "zeros",
            "master",
            "zero.bin",
            1L << 30,
            Map.of("README.md", TestFile.file("nothing to see\n")),
            "A gigabyte of nothing");
    long packed;
    try (Stream<Path> files = Files.walk(repos.gitDir("zeros"))) {
      packed = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    assertThat(packed).as("bytes the repository takes").isLessThan(2L * MIB);
    String key = key();
    CountingPackager refused = counting(SourceLimits.DEFAULTS);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                refused
                    .packager()
                    .pack(plan(List.of(new RepoRef("zeros", "refs/heads/master")), head), key));

    // how fast is a benchmark's business (house rule); that it stops before inflating is asserted
    // by the bytes: nothing was uploaded, and the fetch stopped at the blob's header
    assertThat(e.kind()).isEqualTo(Kind.SOURCE_TOO_LARGE);
    assertThat(e)
        .hasMessage(
            "a file of refs/heads/master of zeros is larger than the 536870912 bytes"
                + " (512 MiB, MAX_FILE_BYTES) a file may have");
    assertThat(refused.s3().createCalls + refused.s3().putCalls).as("uploads started").isZero();
    assertNoVersion(key);
  }

  /**
   * 32,766 two-byte characters under {@code src/}: 65,536 bytes, too long for the 16-bit name
   * length of a zip entry (in fewer characters than Java's own check counts, so the zip used to be
   * written, with the length overflowed to an empty name).
   */
  @Test
  void aPathLongerThanAZipEntryNameCanBeIsPathTooLong() {
    repos.createProject("longpath");
    String head =
        repos.commitTree(
            "longpath",
            "master",
            ins -> {
              TreeFormatter dir = new TreeFormatter();
              dir.append(
                  "é".repeat(32_766),
                  FileMode.REGULAR_FILE,
                  ins.insert(Constants.OBJ_BLOB, new byte[] {1}));
              TreeFormatter root = new TreeFormatter();
              root.append("src", FileMode.TREE, ins.insert(dir));
              return ins.insert(root);
            },
            "A long path");
    String key = key();

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager()
                    .pack(plan(List.of(new RepoRef("longpath", "refs/heads/master")), head), key));

    assertThat(e.kind()).isEqualTo(Kind.PATH_TOO_LONG);
    assertThat(e.getMessage())
        .startsWith("the path 'src/éééé")
        .endsWith("…' is 65536 bytes long; a path in a zip can be at most 65461 bytes");
    assertNoVersion(key);
  }

  /**
   * JGit reads objects under 1 MiB whole and streams bigger ones; a tree walk needs its trees
   * whole. A listing of one byte under 1 MiB is packaged; one of 1 MiB is DIRECTORY_TOO_LARGE (it
   * used to fail as a LargeObjectException, GIT_FAILED). The entries are submodules, so nothing but
   * the listings is fetched or zipped.
   */
  @Test
  void aDirectoryListingOfOneMebibyteIsDirectoryTooLargeAndOneByteLessIsPackaged()
      throws Exception {
    repos.createProject("bigdir");
    ObjectId submodule = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
    String at =
        repos.commitTree(
            "bigdir",
            "at",
            ins -> wide(ins, TreeZipWriter.MAX_TREE_BYTES, submodule),
            "At the limit");
    String over =
        repos.commitTree(
            "bigdir",
            "over",
            ins -> wide(ins, TreeZipWriter.MAX_TREE_BYTES + 1, submodule),
            "Over");
    String key = key();

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () ->
                packager()
                    .pack(plan(List.of(new RepoRef("bigdir", "refs/heads/over")), over), key));
    PackagedSource packaged =
        packager().pack(plan(List.of(new RepoRef("bigdir", "refs/heads/at")), at), key());

    assertThat(e.kind()).isEqualTo(Kind.DIRECTORY_TOO_LARGE);
    assertThat(e)
        .hasMessage(
            "the directory 'many' has too many entries to package: its git tree is 1048576"
                + " bytes, and a directory listing can be at most 1048575 bytes (under 1 MiB: about 25,000 entries"
                + " with short names)");
    assertNoVersion(key);
    assertThat(unzip(download(packaged))).containsOnlyKeys("README.md");
  }

  @Test
  void aTargetBranchWhoseTopDirectoryIsTooLargeToFindTheBuildspecInIsDirectoryTooLarge() {
    repos.createProject("bigroot");
    ObjectId submodule = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
    repos.commitTree(
        "bigroot",
        "master",
        ins ->
            TestRepos.treeOfExactly(
                ins, TreeZipWriter.MAX_TREE_BYTES + 1, FileMode.GITLINK, submodule),
        "Wide");
    String key = key();
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/heads/master")),
            repos.masterHead(),
            Duration.ZERO,
            new BuildspecSource("bigroot", "master", "buildspec.yml"));

    SourceException e =
        catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

    assertThat(e.kind()).isEqualTo(Kind.DIRECTORY_TOO_LARGE);
    assertThat(e.getMessage())
        .startsWith("cannot read buildspec.yml on refs/heads/master of bigroot:");
    assertNoVersion(key);
  }

  /** A root with README.md and a directory {@code many} whose listing is {@code bytes} long. */
  private static ObjectId wide(ObjectInserter ins, long bytes, ObjectId submodule)
      throws IOException {
    TreeFormatter root = new TreeFormatter();
    root.append(
        "README.md",
        FileMode.REGULAR_FILE,
        ins.insert(Constants.OBJ_BLOB, "wide\n".getBytes(StandardCharsets.UTF_8)));
    root.append(
        "many", FileMode.TREE, TestRepos.treeOfExactly(ins, bytes, FileMode.GITLINK, submodule));
    return ins.insert(root);
  }

  private static FetchPlan limitsPlan() {
    return plan(List.of(new RepoRef(LIMITS, "refs/heads/master")), limitsHead);
  }

  /** A packager with these limits whose S3 client counts what it is asked; 5 MiB parts. */
  private record CountingPackager(JGitSourcePackager packager, FailingS3Client s3) {}

  private CountingPackager counting(SourceLimits limits) {
    FailingS3Client counting = new FailingS3Client(s3.client(), 0);
    return new CountingPackager(
        new JGitSourcePackager(
            git.baseUri(),
            counting,
            BUCKET,
            Duration.ofSeconds(20),
            tempRoot,
            FAST.withPartSize(S3MultipartOutputStream.MIN_PART_SIZE),
            limits),
        counting);
  }

  /** No version (and no delete marker) of {@code key} exists in the versioned bucket. */
  private static void assertNoVersion(String key) {
    ListObjectVersionsResponse versions =
        s3.client().listObjectVersions(b -> b.bucket(BUCKET).prefix(key));
    assertThat(versions.versions()).as("versions of " + key).isEmpty();
    assertThat(versions.deleteMarkers()).as("delete markers of " + key).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private JGitSourcePackager packager() {
    return packager(FAST);
  }

  private JGitSourcePackager packager(JGitSourcePackager.Tuning tuning) {
    return new JGitSourcePackager(
        git.baseUri(),
        s3.client(),
        BUCKET,
        Duration.ofSeconds(20),
        tempRoot,
        tuning,
        SourceLimits.DEFAULTS);
  }

  private static FetchPlan plan(List<RepoRef> candidates, String commit) {
    return new FetchPlan(candidates, commit, Duration.ZERO, null);
  }

  private String key() {
    return "source/test/"
        + getClass().getSimpleName()
        + "/"
        + System.nanoTime()
        + "-"
        + keys++
        + ".zip";
  }

  private static byte[] download(PackagedSource p) {
    return s3.client()
        .getObjectAsBytes(g -> g.bucket(p.bucket()).key(p.key()).versionId(p.versionId()))
        .asByteArray();
  }

  private static void assertNotStored(String key) {
    S3Client c = s3.client();
    Throwable t =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> c.headObject(h -> h.bucket(BUCKET).key(key)));
    assertThat(t).isInstanceOfAny(NoSuchKeyException.class, S3Exception.class);
    assertThat(((S3Exception) t).statusCode()).isEqualTo(404);
  }

  /** What one zip entry holds. */
  record Entry(int mode, byte[] content) {
    String text() {
      return new String(content, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && e.mode == mode && java.util.Arrays.equals(e.content, content);
    }

    @Override
    public int hashCode() {
      return mode * 31 + java.util.Arrays.hashCode(content);
    }

    @Override
    public String toString() {
      return Integer.toOctalString(mode) + " " + content.length + " bytes";
    }
  }

  private static Map<String, Entry> unzip(byte[] zip) throws IOException {
    Map<String, Entry> entries = new TreeMap<>();
    List<String> order = new ArrayList<>();
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        try (InputStream in = z.getInputStream(e)) {
          entries.put(e.getName(), new Entry(e.getUnixMode(), in.readAllBytes()));
          order.add(e.getName());
        }
      }
    }
    assertThat(order).doesNotHaveDuplicates();
    return entries;
  }

  private static Map<String, Entry> expected(Map<String, TestFile> tree) {
    Map<String, Entry> entries = new TreeMap<>();
    tree.forEach(
        (path, file) -> {
          int mode;
          if (file.mode().equals(FileMode.GITLINK)) {
            return;
          } else if (file.mode().equals(FileMode.SYMLINK)) {
            mode = UnixStat.LINK_FLAG | 0777;
          } else if (file.mode().equals(FileMode.EXECUTABLE_FILE)) {
            mode = UnixStat.FILE_FLAG | 0755;
          } else {
            mode = UnixStat.FILE_FLAG | 0644;
          }
          entries.put(path, new Entry(mode, file.content()));
        });
    return entries;
  }
}
