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
 *   <li>No user, XDG or system git config is read (a Lambda HOME is read-only and empty; finding
 *       the system config would even fork {@code git}), and JGit never writes its own config there.
 *   <li>SHA-1 through the JDK's native implementation ({@code core.sha1implementation=jdkNative})
 *       instead of the slower collision-detecting pure-Java one.
 *   <li>No file-system timestamp-resolution probe (it writes probe files for up to seconds on a
 *       fresh file store): the JGit config answers every {@code filesystem.*} lookup with JGit's
 *       own conservative fallback (2 s resolution), and should a probe still start, it runs in the
 *       background.
 *   <li>Blobs above 1 MiB are streamed from the pack, never loaded whole.
 *   <li>Packs are read in 64 KiB windows (JGit's default is 8 KiB): fewer seeks and reads while the
 *       zip streams every blob.
 *   <li>The pack window cache holds strong references within its limit, so reading a big pack does
 *       not fill the heap with softly reachable windows.
 * </ul>
 */
final class JGitEnvironment {

  /** Objects larger than this are streamed by {@code ObjectLoader.openStream()}. */
  static final int STREAM_FILE_THRESHOLD = 1024 * 1024;

  /** Bytes per pack window read from disk. */
  static final int PACK_WINDOW_SIZE = 64 * 1024;

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
    // Strong references: the cache stays within packedGitLimit and evicted windows die young, where
    // JGit's default soft references keep them reachable until the heap is nearly full. This alone
    // does not keep the heap small under SerialGC (docs/performance.md: the heap still grows to
    // its maximum on a 1 GB repository unless -Xmx bounds it); its own effect was not isolated.
    cache.setPackedGitUseStrongRefs(true);
    // 64 KiB windows instead of 8 KiB: the zip streams every blob once (big ones twice, CRC first),
    // and each window is a seek + read + cache update; the total stays within packedGitLimit.
    cache.setPackedGitWindowSize(PACK_WINDOW_SIZE);
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

  /** JGit's own fallback when it cannot measure (FS.FileStoreAttributes.FALLBACK_...). */
  static final String FALLBACK_RESOLUTION = "2000 MILLISECONDS";

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

    /** Every file store gets JGit's fallback attributes, so JGit never starts a probe. */
    @Override
    public String getString(String section, String subsection, String name) {
      if ("filesystem".equalsIgnoreCase(section) && subsection != null) {
        if ("timestampResolution".equalsIgnoreCase(name)) {
          return FALLBACK_RESOLUTION;
        }
        if ("minRacyThreshold".equalsIgnoreCase(name)) {
          return "0 MILLISECONDS";
        }
      }
      return super.getString(section, subsection, name);
    }
  }
}
