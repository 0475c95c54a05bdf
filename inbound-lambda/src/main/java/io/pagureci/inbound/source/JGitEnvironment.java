package io.pagureci.inbound.source;

import java.io.File;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.storage.file.WindowCacheConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * One-time, process-wide JGit set-up for a Lambda sandbox (JGit keeps these settings in statics):
 *
 * <ul>
 *   <li>No user, XDG or system git config is read (a Lambda HOME is read-only and empty; finding the
 *       system config would even fork {@code git}), and JGit never writes its own config there.
 *   <li>SHA-1 through the JDK's native implementation ({@code core.sha1implementation=jdkNative})
 *       instead of the slower collision-detecting pure-Java one.
 *   <li>The file-system timestamp-resolution probe (up to seconds on a fresh file store) runs in
 *       the background; JGit uses its conservative fallback meanwhile.
 *   <li>Blobs above 1 MiB are streamed from the pack, never loaded whole.
 * </ul>
 */
final class JGitEnvironment {

  /** Objects larger than this are streamed by {@code ObjectLoader.openStream()}. */
  static final int STREAM_FILE_THRESHOLD = 1024 * 1024;

  private static boolean configured;

  private JGitEnvironment() {}

  static synchronized void configureOnce() {
    if (configured) {
      return;
    }
    SystemReader.setInstance(new Hermetic(SystemReader.getInstance()));
    FS.FileStoreAttributes.setBackground(true);
    WindowCacheConfig cache = new WindowCacheConfig();
    cache.setStreamFileThreshold(STREAM_FILE_THRESHOLD);
    cache.install();
    configured = true;
  }

  /** A system reader whose user, system and JGit configs are empty, in-memory and never saved. */
  private static final class Hermetic extends SystemReader.Delegate {
    Hermetic(SystemReader delegate) {
      super(delegate);
    }

    @Override
    public FileBasedConfig openUserConfig(Config parent, FS fs) {
      FileBasedConfig user = new InMemoryConfig(parent, fs);
      user.setString("core", null, "sha1implementation", "jdkNative");
      return user;
    }

    @Override
    public FileBasedConfig openSystemConfig(Config parent, FS fs) {
      return new InMemoryConfig(parent, fs);
    }

    @Override
    public FileBasedConfig openJGitConfig(Config parent, FS fs) {
      return new InMemoryConfig(parent, fs);
    }
  }

  private static final class InMemoryConfig extends FileBasedConfig {
    InMemoryConfig(Config parent, FS fs) {
      super(parent, new File("/nonexistent/pagure-ci/gitconfig"), fs);
    }

    @Override
    public void load() {
      // nothing to read
    }

    @Override
    public void save() {
      // nothing to write
    }

    @Override
    public boolean isOutdated() {
      return false;
    }
  }
}
