package io.pagureci.inbound.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One entry of a commit's tree for {@link TestRepos}: a regular file, an executable, a symlink (the
 * content is the target) or a gitlink (a submodule; the content is unused).
 */
public record TestFile(byte[] content, FileMode mode, ObjectId gitlink) {

  public TestFile {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(mode, "mode");
  }

  /** A regular (0644) file with UTF-8 text. */
  public static TestFile file(String text) {
    return new TestFile(text.getBytes(StandardCharsets.UTF_8), FileMode.REGULAR_FILE, null);
  }

  /** A regular (0644) file with these bytes. */
  public static TestFile file(byte[] bytes) {
    return new TestFile(bytes.clone(), FileMode.REGULAR_FILE, null);
  }

  /** An executable (0755) file with UTF-8 text. */
  public static TestFile executable(String text) {
    return new TestFile(text.getBytes(StandardCharsets.UTF_8), FileMode.EXECUTABLE_FILE, null);
  }

  /** A symbolic link to {@code target}. */
  public static TestFile symlink(String target) {
    return new TestFile(target.getBytes(StandardCharsets.UTF_8), FileMode.SYMLINK, null);
  }

  /** A submodule pointing at commit {@code sha} (of some other repository). */
  public static TestFile gitlink(String sha) {
    return new TestFile(new byte[0], FileMode.GITLINK, ObjectId.fromString(sha));
  }

  /** The content as UTF-8 text. */
  public String text() {
    return new String(content, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestFile f
        && Arrays.equals(content, f.content)
        && mode.equals(f.mode)
        && Objects.equals(gitlink, f.gitlink);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(content), mode, gitlink);
  }

  @Override
  public String toString() {
    return mode + (gitlink != null ? " " + gitlink.name() : " " + content.length + " bytes");
  }
}
