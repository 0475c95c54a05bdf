package io.pagureci.inbound.domain;

/** What became of one request. */
public sealed interface Outcome {

  /** HTTP status of the answer. */
  int status();

  /** A build was started, or had already been started for this build key ({@code duplicate}). */
  record Accepted(BuildRequest request, StartedBuild build, String bucket, String key,
      String versionId, boolean duplicate) implements Outcome {
    @Override
    public int status() {
      return 202;
    }
  }

  /** A valid, authenticated request that does not build. */
  record Ignored(String reason) implements Outcome {
    @Override
    public int status() {
      return 202;
    }
  }

  /** Bad input (4xx) or a failed dependency (5xx); nothing was started. */
  record Rejected(int status, String code, String message) implements Outcome {}
}
