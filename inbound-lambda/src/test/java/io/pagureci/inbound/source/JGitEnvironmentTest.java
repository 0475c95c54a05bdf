package io.pagureci.inbound.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.eclipse.jgit.util.sha1.SHA1;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JGitEnvironmentTest {

  @BeforeAll
  static void configure() {
    JGitEnvironment.configureOnce();
  }

  @Test
  void fileStoreAttributesComeFromConfigWithoutAProbe(@TempDir Path dir) throws Exception {
    long start = System.nanoTime();

    FS.FileStoreAttributes attributes = FS.FileStoreAttributes.get(dir);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(attributes.getFsTimestampResolution()).isEqualTo(Duration.ofSeconds(2));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no probe files").isEmpty();
    }
  }

  @Test
  void userConfigIsInMemoryAndSelectsTheNativeSha1() throws Exception {
    assertThat(
            SystemReader.getInstance()
                .getUserConfig()
                .getString("core", null, "sha1implementation"))
        .isEqualTo("jdkNative");
    assertThat(SystemReader.getInstance().getUserConfig().getString("user", null, "name")).isNull();
    assertThat(SHA1.newInstance().getClass().getSimpleName()).isEqualTo("SHA1Native");
  }
}
