package io.pagureci.inbound.domain;

/**
 * Port: fetches exactly one commit from pagure and stores its tree as a zip.
 *
 * <p>Implementations must not check out a working tree, must keep memory flat whatever the
 * repository size, must leave nothing behind in the temp directory, and must never package a commit
 * other than {@link FetchPlan#commit()}.
 */
public interface SourcePackager {

  /**
   * @param plan what to fetch
   * @param objectKey the S3 key to store the zip under
   * @return the stored object
   * @throws SourceException with a {@link SourceException.Kind} saying what went wrong
   */
  PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException;
}
