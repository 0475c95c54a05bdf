package io.pagureci.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Per-class working directories under {@code target/e2e/<class>}: the functions' task roots, homes,
 * temp dirs and logs, and the git repositories. Emptied when a class starts (not when it ends, so
 * the functions' logs of a failed run can be read).
 */
final class WorkDirs {

  private WorkDirs() {}

  static Path fresh(Class<?> testClass) {
    Path dir = Path.of("target", "e2e", testClass.getSimpleName()).toAbsolutePath();
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> paths =
            Files.walk(dir)) { // does not follow the links to the function jars
          for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
