package io.pagureci.inbound.source;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temp dir of one packaging call (or of the priming run) under the function's temp root, deleted
 * with everything in it when closed — whatever the call ended with.
 */
final class WorkDir implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkDir.class);

  private final Path dir;

  private WorkDir(Path dir) {
    this.dir = dir;
  }

  /**
   * A new, empty directory {@code <tempRoot>/<prefix>…}; {@code tempRoot} is created if missing.
   */
  static WorkDir create(Path tempRoot, String prefix) throws IOException {
    Files.createDirectories(tempRoot);
    return new WorkDir(Files.createTempDirectory(tempRoot, prefix));
  }

  Path path() {
    return dir;
  }

  Path resolve(String name) {
    return dir.resolve(name);
  }

  @Override
  public void close() {
    deleteRecursively(dir);
  }

  /**
   * Deletes {@code dir} and everything under it (links are deleted, never followed). A file that
   * vanishes meanwhile is fine; a pass that fails (a file appeared in a directory being deleted) is
   * retried twice before giving up with a warning, so one racing writer cannot leave the temp dir
   * behind.
   */
  static void deleteRecursively(Path dir) {
    IOException last = null;
    for (int attempt = 0; attempt < 3 && Files.exists(dir, LinkOption.NOFOLLOW_LINKS); attempt++) {
      if (attempt > 0) {
        try {
          Thread.sleep(50L << attempt);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      try {
        Files.walkFileTree(
            dir,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                  throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                  return FileVisitResult.CONTINUE;
                }
                throw e;
              }

              @Override
              public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
              }
            });
        last = null;
      } catch (NoSuchFileException e) {
        last = null; // the directory itself is gone
      } catch (IOException e) {
        last = e;
      }
    }
    if (last != null) {
      log.warn("temp dir not fully deleted dir={} error={}", dir, last.toString());
    }
  }
}
