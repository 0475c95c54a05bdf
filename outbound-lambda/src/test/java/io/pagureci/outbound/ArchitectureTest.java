package io.pagureci.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ports and adapters: the domain, the config and the event parsing know nothing of the AWS SDK or
 * Lambda.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/io/pagureci/outbound");

  private static List<Path> sources(String pkg) throws IOException {
    try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    }
  }

  /**
   * The inbound module is on the test classpath only (the ITs write build records with the worker's
   * adapter).
   */
  @Test
  void noMainSourceImportsTheInboundModule() throws IOException {
    List<Path> files = sources("");

    assertThat(files).isNotEmpty();
    for (Path f : files) {
      assertThat(Files.readAllLines(f))
          .as(f.toString())
          .noneMatch(l -> l.contains("io.pagureci.inbound"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"domain", "config", "events"})
  void packageHasNoAwsImports(String pkg) throws IOException {
    List<Path> files = sources(pkg);

    assertThat(files).isNotEmpty();
    for (Path f : files) {
      assertThat(Files.readAllLines(f))
          .as(f.toString())
          .noneMatch(
              l -> l.startsWith("import software.amazon.") || l.startsWith("import com.amazonaws."))
          .noneMatch(l -> l.startsWith("import io.pagureci.outbound.adapters."));
    }
  }
}
