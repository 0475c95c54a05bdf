package io.pagureci.inbound.source;

import static io.pagureci.inbound.testsupport.TestRepos.FORK;
import static io.pagureci.inbound.testsupport.TestRepos.NAMESPACED;
import static io.pagureci.inbound.testsupport.TestRepos.TARGET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import org.eclipse.jgit.lib.FileMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The packager against a real git smart-HTTP server and a versioned S3 stand-in. */
class JGitSourcePackagerIT {

  private static final String BUCKET = "pagure-ci-sources";
  private static final String UNVERSIONED = "pagure-ci-unversioned";
  private static final String BIG = "big";
  private static final int MIB = 1024 * 1024;
  private static final JGitSourcePackager.Tuning FAST =
      new JGitSourcePackager.Tuning(
          S3MultipartOutputStream.DEFAULT_PART_SIZE, Duration.ofMillis(50), Duration.ofMillis(200), 256 * 1024);

  @TempDir static Path shared;
  private static S3Server s3;
  private static GitHttpServer git;
  private static TestRepos repos;
  private static String bigHead;
  private static Map<String, TestFile> bigTree;

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
      bigTree.put("src/gen/File" + i + ".java", TestFile.file("class File" + i + " { /* " + "x".repeat(i) + " */ }\n"));
    }
    bigHead = repos.commit(BIG, "master", bigTree, "Big generated tree");
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
        packager().pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key);

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
    try (ZipFile z = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
        assertThat(e.getExtraField(new org.apache.commons.compress.archivers.zip.ZipShort(0x0001)))
            .as("no Zip64 record in a small zip: " + e.getName())
            .isNull();
        assertThat(e.getMethod())
            .as(e.getName())
            .isEqualTo(e.getName().endsWith(".png") ? ZipArchiveEntry.STORED : ZipArchiveEntry.DEFLATED);
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
  void forkPullRequestIsFetchedFromTheForkBranchAndTheBuildspecFromTheTargetBranch() throws Exception {
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(FORK, "refs/heads/feature")),
            repos.forkPrHead(),
            Duration.ZERO,
            new BuildspecSource(TARGET, "master", "buildspec.yml"));

    PackagedSource packaged = packager().pack(plan, key());

    Map<String, TestFile> tree = new TreeMap<>(TestRepos.masterTree());
    TestRepos.forkPrChanges().forEach((path, file) -> {
      if (file == null) {
        tree.remove(path);
      } else {
        tree.put(path, file);
      }
    });
    assertThat(unzip(download(packaged))).isEqualTo(expected(tree));
    assertThat(packaged.buildspec()).contains(TestRepos.MASTER_BUILDSPEC);
    assertThat(git.requests()).allMatch(r -> r.contains("/" + FORK + ".git/") || r.contains("/" + TARGET + ".git/"));
  }

  @Test
  void namespacedProjectAndSameRepoPullRefWork() throws Exception {
    String widget = repos.ref(NAMESPACED, "refs/heads/master");
    assertThat(unzip(download(packager().pack(plan(List.of(new RepoRef(NAMESPACED, "refs/heads/master")), widget), key()))))
        .containsOnlyKeys("widget.spec");

    PackagedSource pr =
        packager().pack(plan(List.of(new RepoRef(TARGET, "refs/pull/2/head")), repos.sameRepoPrHead()), key());
    assertThat(unzip(download(pr))).containsKey("feature.txt");
  }

  @Test
  void laterCandidateIsUsedWhenTheFirstIsMissing() throws Exception {
    FetchPlan plan =
        plan(
            List.of(new RepoRef(TARGET, "refs/pull/77/head"), new RepoRef(FORK, "refs/heads/feature")),
            repos.forkPrHead());

    PackagedSource packaged = packager().pack(plan, key());

    assertThat(unzip(download(packaged))).containsKey("fork.txt");
  }

  @Test
  void pullRefThatAppearsOnlyAfterADelayIsWaitedFor() throws Exception {
    String late = repos.commit(FORK, "late-feature", Map.of("late.txt", TestFile.file("late\n")), "Late");
    CompletableFuture<Void> sync =
        repos.later(Duration.ofSeconds(1), () -> repos.syncPullRef(TARGET, 3, FORK, "late-feature"));
    FetchPlan plan =
        new FetchPlan(List.of(new RepoRef(TARGET, "refs/pull/3/head")), late, Duration.ofSeconds(10), null);

    PackagedSource packaged = packager().pack(plan, key());

    sync.join();
    assertThat(unzip(download(packaged))).containsKey("late.txt");
    long lookUps = git.requests().stream().filter(r -> r.startsWith("GET /demo.git/info/refs")).count();
    assertThat(lookUps).as("looked again while the ref was missing").isGreaterThan(2);
  }

  @Test
  void aPushedTreeWithHostileNamesIsZippedWithOnlyItsSafeEntries() throws Exception {
    repos.createProject("hostile");
    String head = repos.commitTree("hostile", "master", HostileTree::write, "Names that escape");

    PackagedSource packaged = packager().pack(plan(List.of(new RepoRef("hostile", "refs/heads/master")), head), key());

    HostileTree.assertZipHoldsOnlyTheSafeEntries(download(packaged), shared);
  }

  // ------------------------------------------------------------------ git failures

  @Test
  void refAtAnotherCommitUntilTheDeadlineIsHeadMovedAndNothingIsUploaded() {
    String key = key();
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef(TARGET, "refs/heads/master")), repos.sameRepoPrHead(), Duration.ofSeconds(1), null);

    SourceException e = catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

    assertThat(e.kind()).isEqualTo(Kind.HEAD_MOVED);
    assertThat(e.getMessage()).contains(repos.masterHead()).contains(repos.sameRepoPrHead());
    assertNotStored(key);
    assertThat(git.requests()).noneMatch(r -> r.startsWith("POST")); // no pack was even fetched
  }

  @Test
  void unknownRepositoryIsCommitNotFoundWithinTheWait() {
    FetchPlan plan =
        new FetchPlan(
            List.of(new RepoRef("nosuchproject", "refs/heads/master")), repos.masterHead(), Duration.ofMillis(700), null);
    long start = System.nanoTime();

    SourceException e = catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key()));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(e.kind()).isEqualTo(Kind.COMMIT_NOT_FOUND);
    assertThat(took).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
  }

  @Test
  void refThatNeverAppearsIsCommitNotFound() {
    String key = key();
    FetchPlan plan =
        new FetchPlan(List.of(new RepoRef(TARGET, "refs/pull/99/head")), repos.masterHead(), Duration.ofMillis(500), null);

    SourceException e = catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

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
            URI.create("http://127.0.0.1:" + deadPort + "/"), s3.client(), BUCKET, Duration.ofSeconds(2), tempRoot, FAST);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager.pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void gitServerErrorIsGitFailed() {
    git.setFault(GitHttpServer.Fault.HTTP_500);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager().pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void droppedConnectionIsGitFailed() {
    git.setFault(GitHttpServer.Fault.DROP_CONNECTION);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager().pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key()));

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
  }

  @Test
  void aServerThatStopsSendingThePackIsGitFailedAfterTheGitTimeout() {
    git.setFault(GitHttpServer.Fault.STALL_PACK);
    String key = key();
    JGitSourcePackager packager =
        new JGitSourcePackager(git.baseUri(), s3.client(), BUCKET, Duration.ofSeconds(2), tempRoot, FAST);

    long t0 = System.nanoTime();
    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager.pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key));
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    git.setFault(GitHttpServer.Fault.NONE); // releases the stalled request

    assertThat(e.kind()).isEqualTo(Kind.GIT_FAILED);
    assertThat(e.getMessage()).containsIgnoringCase("timed out");
    assertThat(seconds).as("seconds until the stall was detected (timeout 2 s; the stall lasts 60 s)")
        .isLessThan(30);
    assertThat(git.requests()).anyMatch(r -> r.startsWith("POST ") && r.endsWith("git-upload-pack"));
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

    SourceException e = catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key));

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

    SourceException e = catchThrowableOfType(SourceException.class, () -> packager().pack(plan, key()));

    assertThat(e.kind()).isEqualTo(Kind.BUILDSPEC_MISSING);
  }

  // ------------------------------------------------------------------ S3

  @Test
  void zipOfSeveralPartsRoundTrips() throws Exception {
    JGitSourcePackager packager = packager(FAST.withPartSize(S3MultipartOutputStream.MIN_PART_SIZE));

    PackagedSource packaged = packager.pack(plan(List.of(new RepoRef(BIG, "refs/heads/master")), bigHead), key());

    assertThat(packaged.bytes()).isGreaterThan(2L * S3MultipartOutputStream.MIN_PART_SIZE);
    assertThat(unzip(download(packaged))).isEqualTo(expected(bigTree));
  }

  @Test
  void failureOnPartTwoIsUploadFailedAndTheUploadIsAborted() {
    String key = key();
    FailingS3Client failing = new FailingS3Client(s3.client(), 2);
    JGitSourcePackager packager =
        new JGitSourcePackager(
            git.baseUri(), failing, BUCKET, Duration.ofSeconds(20), tempRoot,
            FAST.withPartSize(S3MultipartOutputStream.MIN_PART_SIZE));

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager.pack(plan(List.of(new RepoRef(BIG, "refs/heads/master")), bigHead), key));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
    assertThat(failing.abortCalls).isEqualTo(1);
    assertNotStored(key);
    // and @AfterEach: no multipart upload left
  }

  @Test
  void missingBucketIsUploadFailed() {
    JGitSourcePackager packager =
        new JGitSourcePackager(git.baseUri(), s3.client(), "no-such-bucket", Duration.ofSeconds(20), tempRoot, FAST);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager.pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key()));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
  }

  @Test
  void unversionedBucketIsUploadFailedSayingSo() {
    JGitSourcePackager packager =
        new JGitSourcePackager(git.baseUri(), s3.client(), UNVERSIONED, Duration.ofSeconds(20), tempRoot, FAST);

    SourceException e =
        catchThrowableOfType(
            SourceException.class,
            () -> packager.pack(plan(List.of(new RepoRef(TARGET, "refs/heads/master")), repos.masterHead()), key()));

    assertThat(e.kind()).isEqualTo(Kind.UPLOAD_FAILED);
    assertThat(e.getMessage()).contains("must be versioned");
  }

  // ------------------------------------------------------------------ helpers

  private JGitSourcePackager packager() {
    return packager(FAST);
  }

  private JGitSourcePackager packager(JGitSourcePackager.Tuning tuning) {
    return new JGitSourcePackager(git.baseUri(), s3.client(), BUCKET, Duration.ofSeconds(20), tempRoot, tuning);
  }

  private static FetchPlan plan(List<RepoRef> candidates, String commit) {
    return new FetchPlan(candidates, commit, Duration.ZERO, null);
  }

  private String key() {
    return "source/test/" + getClass().getSimpleName() + "/" + System.nanoTime() + "-" + keys++ + ".zip";
  }

  private static byte[] download(PackagedSource p) {
    return s3.client()
        .getObjectAsBytes(g -> g.bucket(p.bucket()).key(p.key()).versionId(p.versionId()))
        .asByteArray();
  }

  private static void assertNotStored(String key) {
    S3Client c = s3.client();
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> c.headObject(h -> h.bucket(BUCKET).key(key)));
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
    try (ZipFile z = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
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
