package io.pagureci.inbound.source;

import io.pagureci.inbound.domain.SourceException;
import io.pagureci.inbound.domain.SourceException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.eclipse.jgit.errors.TooLargeObjectInPackException;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PackParser;

/**
 * The bare repository a packaging call fetches into: new and empty, in the call's {@link WorkDir},
 * speaking protocol v0 (pagure answers v0 anyway), with no reflogs, and with a pack parser that
 * refuses an object over a size limit.
 */
final class ScratchRepository {

  private ScratchRepository() {}

  /**
   * A new bare repository at {@code gitDir} whose pack parser refuses an object over {@code
   * maxObjectBytes} (it reads the size from the object's header, before inflating it): a fetch
   * stops there ({@link TooLargeObjectInPackException}).
   */
  static Repository create(Path gitDir, long maxObjectBytes) throws SourceException {
    try {
      FileRepository repo =
          new SizeLimitedRepository(
              new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().setup(),
              maxObjectBytes);
      repo.create(true);
      StoredConfig config = repo.getConfig();
      config.setString("protocol", null, "version", "0"); // pagure answers v0 anyway
      config.setBoolean("core", null, "logallrefupdates", false);
      config.save();
      return repo;
    } catch (IOException e) {
      throw new SourceException(
          Kind.GIT_FAILED, "cannot create a temp repository: " + e.getMessage(), e);
    }
  }

  /** A file repository whose object inserters parse packs with a limit on the object size. */
  private static final class SizeLimitedRepository extends FileRepository {
    private final long maxObjectBytes;

    SizeLimitedRepository(FileRepositoryBuilder options, long maxObjectBytes) throws IOException {
      super(options);
      this.maxObjectBytes = maxObjectBytes;
    }

    @Override
    public ObjectInserter newObjectInserter() {
      ObjectInserter inserter = super.newObjectInserter();
      return new ObjectInserter.Filter() {
        @Override
        protected ObjectInserter delegate() {
          return inserter;
        }

        @Override
        public PackParser newPackParser(InputStream in) throws IOException {
          PackParser parser = super.newPackParser(in);
          parser.setMaxObjectSizeLimit(maxObjectBytes);
          return parser;
        }
      };
    }
  }
}
