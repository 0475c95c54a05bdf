package io.pagureci.inbound.source;

import io.pagureci.inbound.config.SourceLimits;
import io.pagureci.inbound.domain.SourceException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStart priming of the packaging path ({@link JGitSourcePackager#prime()}): a generated
 * repository fetched with depth 1 over JGit's local transport and zipped into a counting stream,
 * with no network and nothing kept.
 */
final class PackagerPriming {

  private static final Logger log = LoggerFactory.getLogger(PackagerPriming.class);

  private PackagerPriming() {}

  /** Runs the priming in a {@link WorkDir} under {@code tempRoot}; the size of the dropped zip. */
  static long run(Path tempRoot) throws IOException {
    long started = System.nanoTime();
    try (WorkDir work = WorkDir.create(tempRoot, "pagureci-prime-")) {
      Path sourceDir = work.resolve("source.git");
      try (Repository source =
          ScratchRepository.create(sourceDir, SourceLimits.DEFAULTS.maxFileBytes())) {
        PrimingRepository.fill(source, "refs/heads/main");
      } catch (SourceException e) {
        throw new IOException(e.getMessage(), e);
      }
      String local = CandidateRefPoller.LOCAL_CANDIDATE + 0;
      // the default limits, not the configured ones: priming's own repository is what it is
      try (Repository repo =
              ScratchRepository.create(
                  work.resolve("repo.git"), SourceLimits.DEFAULTS.maxFileBytes());
          Transport transport =
              Transport.open(repo, new URIish(sourceDir.toAbsolutePath().toString()))) {
        transport.setDepth(1);
        transport.setTagOpt(TagOpt.NO_TAGS);
        transport.fetch(
            NullProgressMonitor.INSTANCE, List.of(new RefSpec("+refs/heads/main:" + local)));
        Ref fetched = repo.exactRef(local);
        long[] bytes = {0};
        OutputStream counting =
            new OutputStream() {
              @Override
              public void write(int b) {
                bytes[0]++;
              }

              @Override
              public void write(byte[] b, int off, int len) {
                bytes[0] += len;
              }
            };
        try (RevWalk walk = new RevWalk(repo);
            ObjectReader reader = repo.newObjectReader()) {
          new TreeZipWriter().write(reader, walk.parseCommit(fetched.getObjectId()), counting);
        }
        log.info(
            "packager primed zipBytes={} ms={}",
            bytes[0],
            (System.nanoTime() - started) / 1_000_000);
        return bytes[0];
      } catch (SourceException | java.net.URISyntaxException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }
}
