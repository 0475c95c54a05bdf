package io.pagureci.inbound.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes the tree of one commit as a zip, straight from the object database (no working tree).
 *
 * <ul>
 *   <li>Entries in git's tree order (deterministic); no directory entries, no {@code .git}.
 *   <li>Regular files {@code 0644}, executables {@code 0755}, symlinks as symlink entries whose
 *       content is the target; gitlinks (submodules) are skipped.
 *   <li>Every entry has the commit's committer time (as UTC wall-clock), so the same commit always
 *       gives the same bytes.
 *   <li>Blobs are streamed ({@code ObjectLoader.openStream()}); sizes are set up front so Zip64
 *       records appear only when needed (more than 65,535 entries or more than 4 GiB).
 *   <li>Already-compressed formats are stored; the rest is deflated.
 * </ul>
 *
 * The output stream need not be seekable.
 */
final class TreeZipWriter {

  private static final Set<String> STORED_EXTENSIONS =
      Set.of(
          "zip", "jar", "war", "ear", "aar", "apk", "whl", "egg", "nupkg", "gem", "crate",
          "gz", "tgz", "bz2", "tbz2", "xz", "txz", "lz", "lzma", "lz4", "zst", "7z", "rar", "cab",
          "png", "jpg", "jpeg", "gif", "webp", "avif", "heic", "ico",
          "mp3", "mp4", "m4a", "m4v", "ogg", "oga", "ogv", "opus", "webm", "mkv", "mov", "flac",
          "woff", "woff2", "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "rpm", "deb");

  private static final int REGULAR = UnixStat.FILE_FLAG | 0644;
  private static final int EXECUTABLE = UnixStat.FILE_FLAG | 0755;
  private static final int SYMLINK = UnixStat.LINK_FLAG | 0777;

  private static final LocalDateTime DOS_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

  private final byte[] copyBuffer = new byte[64 * 1024];

  /** Counts of what was written. */
  record Summary(int files, int symlinks, int skippedGitlinks) {}

  /**
   * Writes the zip of {@code commit}'s tree to {@code out} and finishes the zip (does not close
   * {@code out}).
   */
  Summary write(ObjectReader reader, RevCommit commit, OutputStream out) throws IOException {
    long time = entryTime(commit);
    int files = 0;
    int symlinks = 0;
    int gitlinks = 0;
    ZipArchiveOutputStream zip = new ZipArchiveOutputStream(new NonClosing(out));
    boolean finished = false;
    try {
      zip.setUseZip64(Zip64Mode.AsNeeded);
      zip.setEncoding(StandardCharsets.UTF_8.name());
      zip.setUseLanguageEncodingFlag(true);
      zip.setLevel(Deflater.DEFAULT_COMPRESSION);
      try (TreeWalk walk = new TreeWalk(reader)) {
        walk.addTree(commit.getTree());
        walk.setRecursive(true);
        while (walk.next()) {
          FileMode mode = walk.getFileMode(0);
          ObjectId id = walk.getObjectId(0);
          String path = walk.getPathString();
          if (FileMode.GITLINK.equals(mode)) {
            gitlinks++;
            continue;
          }
          if (!isSafePath(path)) {
            continue; // git fsck refuses these too; never let one into the zip
          }
          ObjectLoader loader = reader.open(id);
          ZipArchiveEntry entry = new ZipArchiveEntry(path);
          entry.setTime(time);
          entry.setSize(loader.getSize());
          if (FileMode.SYMLINK.equals(mode)) {
            entry.setUnixMode(SYMLINK);
            symlinks++;
          } else {
            entry.setUnixMode(FileMode.EXECUTABLE_FILE.equals(mode) ? EXECUTABLE : REGULAR);
            files++;
          }
          if (isStored(path)) {
            entry.setMethod(ZipEntry.STORED);
            entry.setCompressedSize(loader.getSize());
            entry.setCrc(crc(loader));
          } else {
            entry.setMethod(ZipEntry.DEFLATED);
          }
          zip.putArchiveEntry(entry);
          try (InputStream in = loader.openStream()) {
            copy(in, zip);
          }
          zip.closeArchiveEntry();
        }
      }
      zip.finish();
      finished = true;
    } finally {
      try {
        zip.close(); // closes only the NonClosing wrapper; frees the deflater
      } catch (IOException e) {
        if (finished) {
          throw e;
        } // else: the first failure is what counts
      }
    }
    return new Summary(files, symlinks, gitlinks);
  }

  /** No {@code .git}, {@code .}, {@code ..} or empty segment, no absolute path. */
  static boolean isSafePath(String path) {
    if (path.isEmpty() || path.startsWith("/")) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || segment.equalsIgnoreCase(".git")) {
        return false;
      }
    }
    return true;
  }

  static boolean isStored(String path) {
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot <= slash + 1) {
      return false; // no extension, or a dot-file like ".gz"
    }
    return STORED_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private long crc(ObjectLoader loader) throws IOException {
    CRC32 crc = new CRC32();
    try (InputStream in = loader.openStream()) {
      int n;
      while ((n = in.read(copyBuffer)) > 0) {
        crc.update(copyBuffer, 0, n);
      }
    }
    return crc.getValue();
  }

  private void copy(InputStream in, OutputStream out) throws IOException {
    int n;
    while ((n = in.read(copyBuffer)) > 0) {
      out.write(copyBuffer, 0, n);
    }
  }

  /**
   * The commit's committer time as a local date-time in UTC, turned into the instant that the
   * JVM's default zone maps to the same wall-clock (zip's DOS time has no zone), so the zip bytes do
   * not depend on where they were made.
   */
  private static long entryTime(RevCommit commit) {
    LocalDateTime utc =
        LocalDateTime.ofEpochSecond(commit.getCommitTime(), 0, ZoneOffset.UTC);
    if (utc.isBefore(DOS_EPOCH)) {
      utc = DOS_EPOCH;
    }
    Instant local = utc.atZone(ZoneId.systemDefault()).toInstant();
    return local.toEpochMilli();
  }

  /** Lets the zip stream finish without closing the stream under it. */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
