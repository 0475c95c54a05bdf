package io.pagureci.outbound.domain;

import java.util.List;
import java.util.Set;

/** Maps a build state to a pagure flag (status, percent, comment, url, username, uid). */
public final class FlagMapper {
  /** CodeBuild phases in order; {@code COMPLETED} is the last. */
  public static final List<String> CODEBUILD_PHASES =
      List.of(
          "SUBMITTED",
          "QUEUED",
          "PROVISIONING",
          "DOWNLOAD_SOURCE",
          "INSTALL",
          "PRE_BUILD",
          "BUILD",
          "POST_BUILD",
          "UPLOAD_ARTIFACTS",
          "FINALIZING",
          "COMPLETED");

  /** Phases before the buildspec runs: a failure here means the build could not run. */
  static final Set<String> SETUP_PHASES =
      Set.of("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE");

  static final Set<String> SUCCESS = Set.of("SUCCEEDED");
  static final Set<String> CANCELED = Set.of("STOPPED", "CANCELED", "SUPERSEDED");

  /** Pipeline execution states that are not terminal. */
  public static final Set<String> PIPELINE_RUNNING =
      Set.of("STARTED", "RESUMED", "STOPPING", "IN_PROGRESS");

  private final String usernameOverride;
  private final BuildUrls urls;

  /**
   * @param usernameOverride {@code FLAG_USERNAME}, or {@code null} for the per-system default
   */
  public FlagMapper(String usernameOverride, BuildUrls urls) {
    this.usernameOverride = usernameOverride;
    this.urls = urls;
  }

  public Flag flagFor(PagureBuild build, BuildRef ref, BuildState state) {
    FlagStatus status = status(state);
    return new Flag(
        username(ref.system()),
        comment(ref, state, status),
        urls.urlFor(ref, state, build),
        status,
        percent(ref, state, status),
        FlagUid.of(ref, build.commit()));
  }

  /**
   * The flag of a request before its build exists (docs/queue.md §4): the same username and uid as
   * the build's own flag (so the build's events update it in place), the PR page (or the commit
   * page of a push) as url, no percent. QUEUED is {@code pending}, ERROR is {@code error}.
   */
  public Flag requestFlag(RequestEvent request) {
    boolean pending = request.state() != RequestEvent.State.ERROR;
    return new Flag(
        username(request.system()),
        requestComment(request),
        PagureUrls.page(request.build()),
        pending ? FlagStatus.PENDING : FlagStatus.ERROR,
        null,
        FlagUid.of(
            request.system(),
            request.region(),
            request.account(),
            request.target(),
            request.build().commit()));
  }

  /**
   * {@code FLAG_USERNAME}, else the system's own name: one username per flag, whatever reports it.
   */
  String username(BuildSystem system) {
    return usernameOverride != null ? usernameOverride : system.defaultUsername();
  }

  /**
   * e.g. {@code CodeBuild demo-ci: queued — waiting for a build slot}, {@code CodeBuild demo-ci:
   * waiting for a maintainer — 'bob' has no commit access to demo. A member of the project comments
   * "pretty please pagure-ci approve" to build this commit.}, or {@code CodeBuild demo-ci: could
   * not start the build — the pull request's head moved on (HEAD_MOVED). Comment "pretty please
   * pagure-ci rebuild" to try again.} The rebuild phrase is a pull-request comment, so a push's
   * error has no such hint.
   */
  static String requestComment(RequestEvent request) {
    StringBuilder s =
        new StringBuilder(request.system().label())
            .append(' ')
            .append(request.target())
            .append(": ");
    if (request.state() == RequestEvent.State.QUEUED) {
      return s.append("queued — waiting for a build slot").toString();
    }
    String reason = request.reason();
    while (reason.endsWith(".")) {
      reason = reason.substring(0, reason.length() - 1);
    }
    if (request.state() == RequestEvent.State.AWAITING_APPROVAL) {
      return s.append("waiting for a maintainer — ")
          .append(reason)
          .append(". A member of the project comments \"")
          .append(request.retry())
          .append("\" to build this commit.")
          .toString();
    }
    s.append("could not start the build — ")
        .append(reason)
        .append(" (")
        .append(request.code())
        .append(").");
    if (request.build().prId() != null) {
      s.append(" Comment \"").append(request.retry()).append("\" to try again.");
    }
    return s.toString();
  }

  /**
   * pending while running; success; canceled; error when the build could not run; failure
   * otherwise.
   */
  public static FlagStatus status(BuildState state) {
    if (!state.finished()) {
      return FlagStatus.PENDING;
    }
    if (SUCCESS.contains(state.status())) {
      return FlagStatus.SUCCESS;
    }
    if (CANCELED.contains(state.status())) {
      return FlagStatus.CANCELED;
    }
    PhaseResult failed = firstFailedPhase(state);
    if (failed != null
        && (SETUP_PHASES.contains(failed.phase()) || "CLIENT_ERROR".equals(failed.status()))) {
      return FlagStatus.ERROR;
    }
    return FlagStatus.FAILURE;
  }

  /** The first phase whose status is neither empty nor SUCCEEDED, or {@code null}. */
  public static PhaseResult firstFailedPhase(BuildState state) {
    for (PhaseResult p : state.phases()) {
      if (p.status() != null && !p.status().isEmpty() && !p.status().equals("SUCCEEDED")) {
        return p;
      }
    }
    return null;
  }

  /** CodeBuild: share of the phases before the current one (≤ 99 while pending); 100 on success. */
  static Integer percent(BuildRef ref, BuildState state, FlagStatus status) {
    if (status == FlagStatus.SUCCESS) {
      return 100;
    }
    if (status != FlagStatus.PENDING || ref.system() != BuildSystem.CODEBUILD) {
      return null;
    }
    int index = state.phase() == null ? -1 : CODEBUILD_PHASES.indexOf(state.phase());
    if (index < 0) {
      return 0;
    }
    return Math.min(99, Math.round(100f * index / (CODEBUILD_PHASES.size() - 1)));
  }

  /**
   * e.g. {@code CodeBuild my-project #42: BUILD}, {@code CodeBuild my-project #42: FAILED (BUILD:
   * FAILED)}.
   */
  static String comment(BuildRef ref, BuildState state, FlagStatus status) {
    StringBuilder s = new StringBuilder(ref.system().label()).append(' ').append(ref.target());
    if (ref.system() == BuildSystem.CODEBUILD) {
      if (state.buildNumber() != null) {
        s.append(" #").append(state.buildNumber());
      }
    } else {
      s.append(' ').append(ref.id(), 0, Math.min(8, ref.id().length()));
    }
    s.append(": ");
    if (status == FlagStatus.PENDING) {
      s.append(state.phase() != null ? state.phase() : state.status());
    } else {
      s.append(state.status());
      PhaseResult failed = status == FlagStatus.SUCCESS ? null : firstFailedPhase(state);
      if (failed != null) {
        s.append(" (").append(failed.phase()).append(": ").append(failed.status()).append(')');
      }
    }
    return s.toString();
  }
}
