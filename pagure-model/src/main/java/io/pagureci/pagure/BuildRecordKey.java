package io.pagureci.pagure;

/**
 * The key of a build record in the build-records table (docs/queue.md §5): the worker writes the
 * record of a build key when it claims and starts the build, the outbound function reads it to
 * check a build's provenance. One definition, so both sides name the same item.
 */
public final class BuildRecordKey {

  private static final String PREFIX = "build/";

  private BuildRecordKey() {}

  /** The partition key ({@code id}) of {@code buildKey}'s item: {@code build/<buildKey>}. */
  public static String of(String buildKey) {
    return PREFIX + buildKey;
  }
}
