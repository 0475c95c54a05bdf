package io.pagureci.inbound;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The function's own scratch directory under /tmp, emptied before and after every invocation. */
final class TempSpace {

  private TempSpace() {}

  static void clean(Path root) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(root))
          .forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + root, e);
    }
  }
}
