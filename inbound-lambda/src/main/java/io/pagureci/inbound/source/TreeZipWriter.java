package io.pagureci.inbound.source;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes the tree of one commit as a zip, straight from the object database (no working tree).
 *
 * <ul>
 *   <li>Entries in git's tree order (deterministic); no directory entries. An entry whose name is
 *       not a safe relative path ({@link #isSafePath}: no {@code .git}, {@code ..}, backslash,
 *       absolute path, ...) or that repeats a name of its directory is left out, a directory with
 *       all it holds.
 *   <li>Regular files {@code 0644}, executables {@code 0755}, symlinks as symlink entries whose
 *       content is the target; gitlinks (submodules) are skipped.
 *   <li>Every entry has the commit's committer time (as UTC wall-clock), so the same commit always
 *       gives the same bytes.
 *   <li>Blobs up to {@link #PARALLEL_LIMIT} are deflated on worker threads (at least two), a
 *       bounded window ahead; bigger blobs are streamed ({@code ObjectLoader.openStream()}). Sizes
 *       are set up front so Zip64 records appear only when needed (more than 65,535 entries or more
 *       than 4 GiB).
 *   <li>Already-compressed formats are stored, and so is any blob of {@value #CONTENT_CHECK_MIN}
 *       bytes or more that deflating would not make smaller (by content: the whole blob, or a
 *       sample of a big one); the rest is deflated.
 * </ul>
 *
 * The output stream need not be seekable.
 */
final class TreeZipWriter {

  private static final Set<String> STORED_EXTENSIONS =
      Set.of(
          "zip", "jar", "war", "ear", "aar", "apk", "whl", "egg", "nupkg", "gem", "crate", "gz",
          "tgz", "bz2", "tbz2", "xz", "txz", "lz", "lzma", "lz4", "zst", "7z", "rar", "cab", "png",
          "jpg", "jpeg", "gif", "webp", "avif", "heic", "ico", "mp3", "mp4", "m4a", "m4v", "ogg",
          "oga", "ogv", "opus", "webm", "mkv", "mov", "flac", "woff", "woff2", "pdf", "docx",
          "xlsx", "pptx", "odt", "ods", "odp", "epub", "rpm", "deb");

  private static final int REGULAR = UnixStat.FILE_FLAG | 0644;
  private static final int EXECUTABLE = UnixStat.FILE_FLAG | 0755;
  private static final int SYMLINK = UnixStat.LINK_FLAG | 0777;

  /**
   * JGit's rules for a path segment ({@code git fsck}'s), with the macOS aliases of {@code .git}.
   */
  private static final ObjectChecker PATH_CHECKER = new ObjectChecker().setSafeForMacOS(true);

  private static final LocalDateTime DOS_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

  private final byte[] copyBuffer = new byte[64 * 1024];

  /**
   * The longest zip entry name, in UTF-8 bytes. A central directory record (46 bytes, the name, its
   * extra fields) has a 16-bit length, and Java's zip code refuses an entry whose record does not
   * fit; with the largest extra field written here (Zip64, 28 bytes) that leaves 65,461 bytes.
   * (Longer names used to fail as {@code IllegalArgumentException: entry name too long}, or, when
   * their UTF-8 passed 65,535 bytes in fewer characters, overflow the name length into a corrupt
   * entry.)
   */
  static final int MAX_NAME_BYTES = 0xFFFF - 46 - 28;

  /**
   * The largest git tree (directory listing) read: one byte under {@link
   * JGitEnvironment#STREAM_FILE_THRESHOLD}, from where JGit only streams an object, and a tree walk
   * needs it whole ({@code LargeObjectException}).
   */
  static final long MAX_TREE_BYTES = JGitEnvironment.STREAM_FILE_THRESHOLD - 1;

  /** Blobs up to this size are read whole and deflated by a worker thread. */
  static final int PARALLEL_LIMIT = 4 * 1024 * 1024;

  /**
   * Deflate level: the fastest. The zip only carries the source from the function to the build in
   * the same region and expires; level 1 deflated the 100 MB benchmark repository ≈ 25 % faster
   * than zlib's default (6) for a 6 % larger zip (docs/performance.md), and pagure waits at most 60
   * s.
   */
  static final int LEVEL = Deflater.BEST_SPEED;

  /** At most this many blob bytes are read ahead of the one being written. */
  private static final long MAX_IN_FLIGHT_BYTES = 24L * 1024 * 1024;

  private static final int MAX_IN_FLIGHT_ENTRIES = 256;

  /** Smaller blobs are deflated whatever their content (unless stored by name): little to gain. */
  static final int CONTENT_CHECK_MIN = 4096;

  /** How much of a big blob is test-compressed to decide whether deflating it is worth it. */
  private static final int SAMPLE_BYTES = 256 * 1024;

  /**
   * Counts of what was written, and of what was left out: gitlinks, and entries with an unsafe or
   * duplicate name (a directory counts once, whatever it holds).
   */
  record Summary(int files, int symlinks, int skippedGitlinks, int skippedUnsafe) {}

  /** One entry whose data is ready: raw (deflated or stored) bytes with CRC and sizes. */
  private record Ready(ZipArchiveEntry entry, byte[] data, int length) {}

  /** Pending work, in tree order. */
  private record Pending(
      Future<Ready> ready, long bytes, ZipArchiveEntry bigEntry, ObjectId bigId) {}

  private final int threads;

  private final SourceLimits limits;

  /** With the default {@link SourceLimits}. */
  TreeZipWriter() {
    this(SourceLimits.DEFAULTS);
  }

  TreeZipWriter(SourceLimits limits) {
    this(Math.max(2, Runtime.getRuntime().availableProcessors()), limits);
  }

  /**
   * @param threads deflater threads (at least 1)
   */
  TreeZipWriter(int threads) {
    this(threads, SourceLimits.DEFAULTS);
  }

  /**
   * @param threads deflater threads (at least 1)
   * @param limits what one tree may make us read
   */
  TreeZipWriter(int threads, SourceLimits limits) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    this.threads = threads;
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Writes the zip of {@code commit}'s tree to {@code out} and finishes the zip (does not close
   * {@code out}).
   *
   * <p>Blobs up to {@link #PARALLEL_LIMIT} are read here (the {@link ObjectReader} is not
   * thread-safe) and deflated by {@code threads} workers, a bounded window ahead of the entry being
   * written, so memory stays flat; their entries are added raw, in tree order. Bigger blobs are
   * streamed. A blob of {@value #CONTENT_CHECK_MIN} bytes or more that does not get smaller when
   * deflated is stored, whatever its name.
   *
   * <p>The {@link SourceLimits} are checked as the walk goes, each before the entry that would
   * break it is read (sizes come from the object headers): the first one hit stops the walk with
   * {@code SOURCE_TOO_LARGE}; nothing more is read or written to {@code out}, and the zip is left
   * unfinished. So are a path longer than a zip entry name can be ({@code PATH_TOO_LONG}) and a
   * directory whose git tree is over {@link #MAX_TREE_BYTES} ({@code DIRECTORY_TOO_LARGE}).
   *
   * @throws SourceException a limit was hit
   */
  Summary write(ObjectReader reader, RevCommit commit, OutputStream out)
      throws IOException, SourceException {
    long time = entryTime(commit);
    int files = 0;
    int symlinks = 0;
    int gitlinks = 0;
    int skipped = 0;
    int entries = 0;
    long bytes = 0;
    NonClosing sink = new NonClosing(out);
    ZipArchiveOutputStream zip = new ZipArchiveOutputStream(sink);
    List<Deflater> deflaters = Collections.synchronizedList(new ArrayList<>());
    ThreadLocal<Deflater> workerDeflater =
        ThreadLocal.withInitial(
            () -> {
              Deflater d = new Deflater(LEVEL, true);
              deflaters.add(d);
              return d;
            });
    ExecutorService workers =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "zip-deflate");
              t.setDaemon(true);
              return t;
            });
    ArrayDeque<Pending> pending = new ArrayDeque<>();
    long[] inFlight = {0};
    boolean finished = false;
    try {
      zip.setUseZip64(Zip64Mode.AsNeeded);
      zip.setEncoding(StandardCharsets.UTF_8.name());
      zip.setUseLanguageEncodingFlag(true);
      zip.setLevel(LEVEL);
      try (TreeWalk walk = new TreeWalk(reader)) {
        checkListing(reader, commit.getTree(), "");
        walk.addTree(commit.getTree());
        // not recursive: every entry is seen, directories too, so a directory with an unsafe or
        // duplicate name is skipped whole, and names are unique per directory
        DirectoryNames names = new DirectoryNames();
        while (walk.next()) {
          FileMode mode = walk.getFileMode(0);
          ObjectId id = walk.getObjectId(0);
          String path = walk.getPathString();
          String name = walk.getNameString();
          int depth = walk.getDepth();
          if (++entries > limits.maxSourceFiles()) {
            throw tooLarge(
                "the tree has more than "
                    + limits.maxSourceFiles()
                    + " files and directories ("
                    + InboundConfig.MAX_SOURCE_FILES
                    + ")");
          }
          byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
          if (name.indexOf('/') >= 0 // a hand-made tree entry "a/b" would pose as b in directory a
              || !isSafePath(path)
              // not valid UTF-8: decoded with a fallback charset, it would be written under another
              // name
              || !Arrays.equals(utf8, walk.getRawPath())
              || !names.add(depth, name)) {
            skipped++; // git fsck refuses these too; never let one into the zip
            continue;
          }
          if (walk.isSubtree()) {
            if (depth + 1 > limits.maxTreeDepth()) {
              throw tooLarge(
                  "the tree has directories nested more than "
                      + limits.maxTreeDepth()
                      + " deep ("
                      + InboundConfig.MAX_TREE_DEPTH
                      + "): "
                      + shown(path));
            }
            checkListing(reader, id, path);
            walk.enterSubtree();
            names.entered(depth + 1);
            continue;
          }
          if (FileMode.GITLINK.equals(mode)) {
            gitlinks++;
            continue;
          }
          if (utf8.length > MAX_NAME_BYTES) {
            throw new SourceException(
                Kind.PATH_TOO_LONG,
                "the path "
                    + shown(path)
                    + " is "
                    + utf8.length
                    + " bytes long; a path in a zip can be at most "
                    + MAX_NAME_BYTES
                    + " bytes");
          }
          long size =
              reader.getObjectSize(id, ObjectReader.OBJ_ANY); // from the header: nothing read yet
          if (size > limits.maxFileBytes()) {
            throw tooLarge(
                "the file "
                    + shown(path)
                    + " is "
                    + size
                    + " bytes, more than the "
                    + inWords(limits.maxFileBytes(), InboundConfig.MAX_FILE_BYTES)
                    + " a file may have");
          }
          if (size > limits.maxSourceBytes() - bytes) {
            throw tooLarge(
                "the files of the tree add up to more than "
                    + inWords(limits.maxSourceBytes(), InboundConfig.MAX_SOURCE_BYTES)
                    + ", uncompressed");
          }
          bytes += size;
          ZipArchiveEntry entry = new LiteralNameEntry(path);
          entry.setTime(time);
          entry.setSize(size);
          if (FileMode.SYMLINK.equals(mode)) {
            entry.setUnixMode(SYMLINK);
            symlinks++;
          } else {
            entry.setUnixMode(FileMode.EXECUTABLE_FILE.equals(mode) ? EXECUTABLE : REGULAR);
            files++;
          }
          if (size > PARALLEL_LIMIT) {
            pending.add(new Pending(null, 0, entry, id.copy()));
          } else {
            byte[] data;
            try (InputStream in = reader.open(id).openStream()) {
              data = in.readAllBytes();
            }
            boolean store = isStored(path);
            Future<Ready> ready =
                workers.submit(() -> compress(entry, data, store, workerDeflater.get()));
            pending.add(new Pending(ready, size, null, null));
            inFlight[0] += size;
          }
          while (!pending.isEmpty()
              && (inFlight[0] > MAX_IN_FLIGHT_BYTES
                  || pending.size() > MAX_IN_FLIGHT_ENTRIES
                  || pending.peekFirst().bigEntry() != null)) {
            writeNext(pending, inFlight, zip, reader);
          }
        }
      }
      while (!pending.isEmpty()) {
        writeNext(pending, inFlight, zip, reader);
      }
      zip.finish();
      finished = true;
    } finally {
      if (!finished) {
        sink.discard(); // whatever the zip library still writes (its central directory) goes
        // nowhere
      }
      workers.shutdownNow();
      try {
        workers.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (deflaters) {
        deflaters.forEach(Deflater::end);
      }
      try {
        zip.close(); // closes only the NonClosing wrapper; frees the deflater
      } catch (IOException e) {
        if (finished) {
          throw e;
        } // else: the first failure is what counts
      }
    }
    return new Summary(files, symlinks, gitlinks, skipped);
  }

  /** Writes the oldest pending entry: a worker's result, or a big blob streamed from the pack. */
  private void writeNext(
      ArrayDeque<Pending> pending, long[] inFlight, ZipArchiveOutputStream zip, ObjectReader reader)
      throws IOException {
    Pending next = pending.pollFirst();
    if (next.bigEntry() != null) {
      writeBig(next.bigEntry(), reader.open(next.bigId()), zip);
      return;
    }
    Ready ready;
    try {
      ready = next.ready().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while zipping");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
    inFlight[0] -= next.bytes();
    zip.addRawArchiveEntry(
        ready.entry(), new ByteArrayInputStream(ready.data(), 0, ready.length()));
  }

  /** Runs on a worker: CRC, then deflate unless stored; stored when deflating does not help. */
  private static Ready compress(
      ZipArchiveEntry entry, byte[] data, boolean store, Deflater deflater) {
    CRC32 crc = new CRC32();
    crc.update(data, 0, data.length);
    entry.setCrc(crc.getValue());
    if (!store) {
      deflater.reset();
      deflater.setInput(data);
      deflater.finish();
      boolean check = data.length >= CONTENT_CHECK_MIN;
      byte[] buf =
          new byte[check ? data.length - data.length / 64 : data.length + data.length / 8 + 64];
      int n = 0;
      while (!deflater.finished()) {
        if (n == buf.length) {
          if (check) {
            break; // did not fit in less than ~98 % of the input: not worth deflating
          }
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        n += deflater.deflate(buf, n, buf.length - n);
      }
      if (deflater.finished()) {
        entry.setMethod(ZipEntry.DEFLATED);
        entry.setCompressedSize(n);
        return new Ready(entry, buf, n);
      }
    }
    entry.setMethod(ZipEntry.STORED);
    entry.setCompressedSize(data.length);
    return new Ready(entry, data, data.length);
  }

  /**
   * A big blob: stored (CRC pass first) if its name or a sample says so, else deflated while
   * streamed.
   */
  private void writeBig(ZipArchiveEntry entry, ObjectLoader loader, ZipArchiveOutputStream zip)
      throws IOException {
    if (isStored(entry.getName()) || !sampleCompresses(loader)) {
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

  /** Whether the first {@link #SAMPLE_BYTES} of the blob deflate (fastest level) to under ~98 %. */
  private boolean sampleCompresses(ObjectLoader loader) throws IOException {
    byte[] sample;
    try (InputStream in = loader.openStream()) {
      sample = in.readNBytes(SAMPLE_BYTES);
    }
    Deflater d = new Deflater(Deflater.BEST_SPEED, true);
    try {
      d.setInput(sample);
      d.finish();
      byte[] buf = new byte[sample.length - sample.length / 64];
      int n = 0;
      while (!d.finished() && n < buf.length) {
        n += d.deflate(buf, n, buf.length - n);
      }
      return d.finished();
    } finally {
      d.end();
    }
  }

  /**
   * Whether {@code path} may be a zip entry name: a relative path whose extraction can only create
   * files inside the extraction directory, on Linux, Windows and macOS alike. Refused: an empty
   * name, NUL, a backslash anywhere (a separator on Windows, and what the zip library would turn
   * into {@code /}), a leading {@code /}, an empty, {@code .} or {@code ..} segment, and {@code
   * .git} at any depth in any spelling a file system maps to it (any case, {@code git~1}, trailing
   * dots or spaces, HFS+ ignorable code points: JGit's {@link ObjectChecker} rules).
   */
  static boolean isSafePath(String path) {
    if (path.isEmpty() || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      return false;
    }
    byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    for (int i = 0; i <= utf8.length; i++) {
      if (i == utf8.length || utf8[i] == '/') {
        try {
          PATH_CHECKER.checkPathSegment(utf8, start, i); // empty, ".", "..", ".git" and its aliases
        } catch (CorruptObjectException e) {
          return false;
        }
        start = i + 1;
      }
    }
    return true;
  }

  /**
   * The names seen in each directory of the walk's current path, so that no two entries of one
   * directory have the same name (a symlink {@code a} and a directory {@code a}, or two files
   * {@code a}, both allowed in a hand-made tree): the first one is kept. Safe names are valid UTF-8
   * without {@code /}, so names unique per directory make paths unique in the zip.
   */
  private static final class DirectoryNames {
    private final List<Set<String>> byDepth = new ArrayList<>(List.of(new HashSet<>()));

    /** Records {@code name} at {@code depth}; false if that directory already has it. */
    boolean add(int depth, String name) {
      return byDepth.get(depth).add(name);
    }

    /** A directory at {@code depth} was entered: it starts with no names. */
    void entered(int depth) {
      if (depth == byDepth.size()) {
        byDepth.add(new HashSet<>());
      } else {
        byDepth.get(depth).clear();
      }
    }
  }

  /**
   * An entry whose name is taken as it is: with commons-compress's default (FAT) platform the name
   * of a new entry has {@code \} turned into {@code /} when it has no {@code /}; here the platform
   * is Unix before the name is set. (An entry added raw is copied by the zip library, and the copy
   * sets its name on the FAT platform again; names with {@code \} never get that far: {@link
   * #isSafePath}.)
   */
  private static final class LiteralNameEntry extends ZipArchiveEntry {
    LiteralNameEntry(String name) {
      super(name);
      setPlatform(PLATFORM_UNIX);
      setName(name);
    }
  }

  /**
   * Refuses a directory whose git tree is over {@link #MAX_TREE_BYTES}: a tree is read whole, and
   * above that size JGit only streams objects ({@code LargeObjectException}).
   */
  private static void checkListing(ObjectReader reader, ObjectId tree, String path)
      throws IOException, SourceException {
    long size = reader.getObjectSize(tree, Constants.OBJ_TREE);
    if (size > MAX_TREE_BYTES) {
      throw new SourceException(
          Kind.DIRECTORY_TOO_LARGE,
          (path.isEmpty() ? "the top directory" : "the directory " + shown(path))
              + " has too many entries to package: its git tree is "
              + size
              + " bytes, and a directory"
              + " listing can be at most "
              + MAX_TREE_BYTES
              + " bytes (under 1 MiB: about 25,000 entries"
              + " with short names)");
    }
  }

  private static SourceException tooLarge(String message) {
    return new SourceException(Kind.SOURCE_TOO_LARGE, message);
  }

  /** A path for a message: quoted, and cut after 200 characters. */
  static String shown(String path) {
    return "'" + (path.length() > 200 ? path.substring(0, 200) + "…" : path) + "'";
  }

  /**
   * {@code 536870912 bytes (512 MiB, note)}: the exact number, and the same in binary units with a
   * note (the variable that sets it, say).
   */
  static String inWords(long bytes, String note) {
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    for (int i = units.length; i >= 1; i--) {
      long unit = 1L << (10 * i);
      if (bytes >= unit) {
        String readable =
            bytes % unit == 0
                ? bytes / unit + " " + units[i - 1]
                : String.format(Locale.ROOT, "%.1f %s", (double) bytes / unit, units[i - 1]);
        return bytes + " bytes (" + readable + ", " + note + ")";
      }
    }
    return bytes + " bytes (" + note + ")";
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
   * The commit's committer time as a local date-time in UTC, turned into the instant that the JVM's
   * default zone maps to the same wall-clock (zip's DOS time has no zone), so the zip bytes do not
   * depend on where they were made.
   */
  private static long entryTime(RevCommit commit) {
    LocalDateTime utc = LocalDateTime.ofEpochSecond(commit.getCommitTime(), 0, ZoneOffset.UTC);
    if (utc.isBefore(DOS_EPOCH)) {
      utc = DOS_EPOCH;
    }
    Instant local = utc.atZone(ZoneId.systemDefault()).toInstant();
    return local.toEpochMilli();
  }

  /**
   * Lets the zip stream finish without closing the stream under it; once {@link #discard}ed it
   * drops everything.
   */
  private static final class NonClosing extends java.io.FilterOutputStream {
    private boolean discarded;

    NonClosing(OutputStream out) {
      super(out);
    }

    void discard() {
      discarded = true;
    }

    @Override
    public void write(int b) throws IOException {
      if (!discarded) {
        out.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!discarded) {
        out.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (!discarded) {
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
