package io.pagureci.inbound.config;

/**
 * What one commit may make the packager read, checked while the tree is fetched and zipped (the
 * first limit hit stops the work): {@code SOURCE_TOO_LARGE}.
 *
 * @param maxSourceBytes the files of the tree together, uncompressed ({@value
 *     InboundConfig#MAX_SOURCE_BYTES})
 * @param maxFileBytes one file, uncompressed ({@value InboundConfig#MAX_FILE_BYTES})
 * @param maxSourceFiles entries of the tree: files, symlinks, submodules and directories ({@value
 *     InboundConfig#MAX_SOURCE_FILES})
 * @param maxTreeDepth directories nested in one another ({@value InboundConfig#MAX_TREE_DEPTH})
 */
public record SourceLimits(
    long maxSourceBytes, long maxFileBytes, int maxSourceFiles, int maxTreeDepth) {

  /** 2 GiB in all, 512 MiB per file, 200,000 entries, 64 directories deep. */
  public static final SourceLimits DEFAULTS = new SourceLimits(2L << 30, 512L << 20, 200_000, 64);

  public SourceLimits {
    if (maxSourceBytes < 1 || maxFileBytes < 1 || maxSourceFiles < 1 || maxTreeDepth < 1) {
      throw new IllegalArgumentException(
          "every source limit must be positive: "
              + maxSourceBytes
              + ", "
              + maxFileBytes
              + ", "
              + maxSourceFiles
              + ", "
              + maxTreeDepth);
    }
  }
}
