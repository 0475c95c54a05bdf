package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** SnapStart priming of the packager: the whole zip path, no network, nothing left behind. */
class JGitSourcePackagerPrimeTest {

  /** Every S3 operation of the interface's defaults throws: a call would fail the test. */
  private static final S3Client NO_S3 =
      new S3Client() {
        @Override
        public String serviceName() {
          return "s3";
        }

        @Override
        public void close() {}
      };

  @TempDir Path temp;

  @Test
  void primingZipsTheSmallRepositoryWithoutNetworkAndLeavesNothing() throws IOException {
    // port 9 (discard) on loopback: a git call would fail, so priming cannot have made one
    JGitSourcePackager packager =
        new JGitSourcePackager(
            URI.create("http://127.0.0.1:9/"),
            NO_S3,
            "bucket",
            Duration.ofSeconds(1),
            temp.resolve("tmp"));

    long zipBytes = packager.prime();

    // the 4.25 MiB text file deflates; the 80 KiB of random bytes are stored
    assertThat(zipBytes).isBetween(80L * 1024, 4L * 1024 * 1024);
    try (Stream<Path> left = Files.list(temp.resolve("tmp"))) {
      assertThat(left).isEmpty();
    }
    assertThat(packager.prime()).as("deterministic").isEqualTo(zipBytes);
  }

  @Test
  void thePrimingRepositoryHasEveryKindOfEntry() throws Exception {
    try (Repository repo =
        new FileRepositoryBuilder().setGitDir(temp.resolve("r.git").toFile()).setBare().build()) {
      repo.create(true);
      ObjectId commit = PrimingRepository.fill(repo, "refs/heads/main");

      assertThat(repo.exactRef("refs/heads/main").getObjectId()).isEqualTo(commit);
      TreeZipWriter.Summary summary;
      try (var walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
          var reader = repo.newObjectReader()) {
        summary =
            new TreeZipWriter()
                .write(reader, walk.parseCommit(commit), java.io.OutputStream.nullOutputStream());
      }
      assertThat(summary.files()).isEqualTo(29);
      assertThat(summary.symlinks()).isEqualTo(1);
    }
  }

  @Test
  void anUnwritableTempRootIsAnIoErrorNotACrash() throws IOException {
    Path file = Files.writeString(temp.resolve("not-a-dir"), "x");
    JGitSourcePackager packager =
        new JGitSourcePackager(
            URI.create("http://127.0.0.1:9/"),
            NO_S3,
            "bucket",
            Duration.ofSeconds(1),
            file.resolve("tmp"));

    assertThatThrownBy(packager::prime).isInstanceOf(IOException.class);
  }
}
