package io.pagureci.outbound.domain;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps a build state to a pagure flag (status, percent, comment, url, username, uid). The comment
 * is what a PR author reads on the PR page (pagure shows no {@code percent} there): the target name
 * as configured, then the progress in words, e.g. {@code build · BUILD 6/9 · 2m14s}, {@code build ·
 * passed in 4m02s}. {@code percent} stays for the commit page.
 */
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

  /** The 9 steps a CodeBuild build counts: the phases between SUBMITTED and COMPLETED. */
  static final List<String> CODEBUILD_STEPS =
      CODEBUILD_PHASES.subList(1, CODEBUILD_PHASES.size() - 1);

  /** {@code TARGET_NAME} when it is not set. */
  public static final String DEFAULT_TARGET_NAME = "build";

  /**
   * What a target name may be: short and safe to show anywhere (1–32 of A-Z a-z 0-9 . _ -); the
   * routing table's rule ({@link io.pagureci.pagure.routing.Target#NAME}).
   */
  public static final Pattern TARGET_NAME = io.pagureci.pagure.routing.Target.NAME;

  /**
   * The reason code of a rebuild comment that names a target the project does not have (the
   * worker's {@code UNKNOWN_TARGET}): its flag is {@link #UNKNOWN_TARGET_UID} under {@link
   * #UNKNOWN_TARGET_USERNAME}, so it never replaces a target's build flag.
   */
  public static final String UNKNOWN_TARGET = "UNKNOWN_TARGET";

  /**
   * The uid of the "no such target" flag: one per commit (a second unknown name updates it), and no
   * target's uid ({@link FlagUid}: {@code pci-} and 28 hex digits) can be it.
   */
  public static final String UNKNOWN_TARGET_UID = "pci-unknown-target";

  /** The username of the "no such target" flag: no target's ({@code pagure-ci/<name>}). */
  public static final String UNKNOWN_TARGET_USERNAME = "pagure-ci";

  /** The flag {@code username} without {@code FLAG_USERNAME}: {@code pagure-ci/<target name>}. */
  public static final String USERNAME_PREFIX = "pagure-ci/";

  /**
   * What the worker writes as the reason of a stop or a dropped request (docs/queue.md §5): only
   * these words reach a comment, whatever a record or event holds.
   */
  public static final Pattern CANCEL_REASON =
      Pattern.compile("superseded by [0-9a-f]{7}|PR closed|PR merged");

  /** Longest word taken from an event into a comment (a phase or state this code does not know). */
  static final int MAX_WORD_CHARS = 32;

  private static final String SEPARATOR = " · ";

  private final String usernameOverride;
  private final TargetNames targetNames;
  private final BuildUrls urls;

  /** A mapper for the default target name ({@value #DEFAULT_TARGET_NAME}). */
  public FlagMapper(String usernameOverride, BuildUrls urls) {
    this(usernameOverride, DEFAULT_TARGET_NAME, urls);
  }

  /**
   * @param usernameOverride {@code FLAG_USERNAME}, or {@code null} for {@code
   *     pagure-ci/<targetName>}
   * @param targetName {@code TARGET_NAME}: the build target as the PR author knows it (not the
   *     generated CodeBuild project or pipeline name); must match {@link #TARGET_NAME}
   */
  public FlagMapper(String usernameOverride, String targetName, BuildUrls urls) {
    this(usernameOverride, constant(targetName), urls);
  }

  /**
   * @param usernameOverride {@code FLAG_USERNAME}, or {@code null} for {@code pagure-ci/<name>}
   * @param targetNames each build's target name (the routing table's); a resource it does not know
   *     shows {@value #DEFAULT_TARGET_NAME} (the scope lets no such build through)
   */
  public FlagMapper(String usernameOverride, TargetNames targetNames, BuildUrls urls) {
    this.usernameOverride = usernameOverride;
    this.targetNames = targetNames;
    this.urls = urls;
  }

  private static TargetNames constant(String targetName) {
    if (targetName == null || !TARGET_NAME.matcher(targetName).matches()) {
      throw new IllegalArgumentException("target name must match " + TARGET_NAME.pattern());
    }
    return (system, resource) -> java.util.Optional.of(targetName);
  }

  /** The target name of a build of {@code resource}. */
  String targetName(BuildSystem system, String resource) {
    return targetNames
        .of(system, resource)
        .filter(n -> TARGET_NAME.matcher(n).matches())
        .orElse(DEFAULT_TARGET_NAME);
  }

  public Flag flagFor(PagureBuild build, BuildRef ref, BuildState state) {
    return flagFor(build, ref, state, null);
  }

  /**
   * The flag of a build the worker may have stopped: {@code cancelReason} (from the build record;
   * null: none) words a canceled build's comment, e.g. {@code build · canceled — superseded by
   * 1a2b3c4 (stopped in BUILD after 1m05s)}. A reason that is not one of {@link #CANCEL_REASON}, or
   * a build that did not end canceled (it finished first), leaves the comment as it is.
   */
  public Flag flagFor(PagureBuild build, BuildRef ref, BuildState state, String cancelReason) {
    FlagStatus status = status(state);
    String targetName = targetName(ref.system(), ref.target());
    String progress = progress(ref, state, status);
    if (status == FlagStatus.CANCELED
        && cancelReason != null
        && CANCEL_REASON.matcher(cancelReason).matches()) {
      progress = "canceled — " + cancelReason + " (" + progress + ")";
    }
    return new Flag(
        username(targetName),
        targetName + SEPARATOR + progress,
        urls.urlFor(ref, state, build),
        status,
        percent(ref, state, status),
        FlagUid.of(ref, build.commit()));
  }

  /**
   * The flag of a request before its build exists (docs/queue.md §4): the same username and uid as
   * the build's own flag (so the build's events update it in place), the PR page (or the commit
   * page of a push) as url, no percent. QUEUED and AWAITING_APPROVAL are {@code pending}, ERROR is
   * {@code error}, CANCELED (a dropped request) is {@code canceled}.
   */
  public Flag requestFlag(RequestEvent request) {
    if (request.state() == RequestEvent.State.ERROR && UNKNOWN_TARGET.equals(request.code())) {
      return new Flag(
          usernameOverride != null ? usernameOverride : UNKNOWN_TARGET_USERNAME,
          "rebuild" + SEPARATOR + unknownTargetComment(request),
          PagureUrls.page(request.build()),
          FlagStatus.ERROR,
          null,
          UNKNOWN_TARGET_UID);
    }
    String targetName = targetName(request.system(), request.target());
    FlagStatus status =
        switch (request.state()) {
          case ERROR -> FlagStatus.ERROR;
          case CANCELED -> FlagStatus.CANCELED;
          case QUEUED, AWAITING_APPROVAL -> FlagStatus.PENDING;
        };
    return new Flag(
        username(targetName),
        targetName + SEPARATOR + requestComment(request),
        PagureUrls.page(request.build()),
        status,
        null,
        FlagUid.of(
            request.system(),
            request.region(),
            request.account(),
            request.target(),
            request.build().commit()));
  }

  /**
   * {@code FLAG_USERNAME}, else {@code pagure-ci/<target name>}: one username per flag, whatever
   * reports it (pagure keeps the username a flag was created with: an update does not change it).
   */
  String username(String targetName) {
    return usernameOverride != null ? usernameOverride : USERNAME_PREFIX + targetName;
  }

  /**
   * e.g. {@code there is no target 'lnt' for demo; its targets are rpmbuild, lint. Comment "pretty
   * please pagure-ci rebuild <target>" for one of them, or "pretty please pagure-ci rebuild" for
   * all.}
   */
  static String unknownTargetComment(RequestEvent request) {
    String reason = request.reason();
    while (reason.endsWith(".")) {
      reason = reason.substring(0, reason.length() - 1);
    }
    StringBuilder s = new StringBuilder(reason).append('.');
    if (request.retry() != null) {
      s.append(" Comment \"")
          .append(request.retry())
          .append(" <target>\" for one of them, or \"")
          .append(request.retry())
          .append("\" for all.");
    }
    return s.toString();
  }

  /**
   * After the target name: e.g. {@code queued — waiting for a build slot}, {@code waiting for a
   * maintainer — 'bob' has no commit access to demo. A member of the project comments "pretty
   * please pagure-ci approve" to build this commit.}, or {@code could not start the build — the
   * pull request's head moved on (HEAD_MOVED). Comment "pretty please pagure-ci rebuild" to try
   * again.} The rebuild phrase is a pull-request comment, so a push's error has no such hint.
   */
  static String requestComment(RequestEvent request) {
    StringBuilder s = new StringBuilder();
    if (request.state() == RequestEvent.State.QUEUED) {
      return s.append("queued — waiting for a build slot").toString();
    }
    if (request.state() == RequestEvent.State.CANCELED) {
      // the parser let only CANCEL_REASON through
      return s.append("canceled — ").append(request.reason()).append(" (not built)").toString();
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
    if (request.build().prId() != null && request.retry() != null) {
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
   * What follows the target name in the comment, in words. Running: CodeBuild {@code BUILD 6/9 ·
   * 2m14s} (phase, step of 9, elapsed), a pipeline {@code running · 2m14s}; finished: {@code passed
   * in 4m02s}, {@code failed in BUILD after 3m10s}, {@code timed out in BUILD after 1h00m}, {@code
   * error in DOWNLOAD_SOURCE (CLIENT_ERROR) after 12s}, {@code stopped in BUILD after 1m05s},
   * {@code superseded by a newer execution after 40s}. A time the build service did not give is
   * left out ({@code passed}); a phase or state this code does not know is shown as it is (only
   * {@code A-Z 0-9 _}, at most {@value #MAX_WORD_CHARS} characters).
   */
  static String progress(BuildRef ref, BuildState state, FlagStatus status) {
    Duration elapsed = state.elapsed();
    boolean codeBuild = ref.system() == BuildSystem.CODEBUILD;
    StringBuilder s = new StringBuilder();
    if (status == FlagStatus.PENDING) {
      if (codeBuild) {
        String phase = state.phase() == null ? null : word(state.phase());
        int step = phase == null ? -1 : CODEBUILD_STEPS.indexOf(phase);
        if (phase == null) {
          s.append("running");
        } else if (step >= 0) {
          s.append(phase).append(' ').append(step + 1).append('/').append(CODEBUILD_STEPS.size());
        } else {
          s.append(phase);
        }
      } else {
        s.append(pipelineRunning(state.status()));
      }
      if (elapsed != null) {
        s.append(SEPARATOR).append(duration(elapsed));
      }
      return s.toString();
    }
    String preposition = " after ";
    PhaseResult failed = codeBuild ? firstFailedPhase(state) : null;
    switch (status) {
      case SUCCESS -> {
        s.append("passed");
        preposition = " in ";
      }
      case CANCELED -> {
        if (codeBuild) {
          s.append("stopped");
          String where = failed != null ? failed.phase() : state.phase();
          if (where != null && !where.equals("COMPLETED")) {
            s.append(" in ").append(word(where));
          }
        } else {
          s.append(
              switch (state.status()) {
                case "SUPERSEDED" -> "superseded by a newer execution";
                case "STOPPED" -> "stopped";
                default -> "canceled";
              });
        }
      }
      case ERROR -> {
        s.append("error");
        if (failed != null) {
          s.append(" in ")
              .append(word(failed.phase()))
              .append(" (")
              .append(word(failed.status()))
              .append(')');
        }
      }
      default -> {
        String how = failed != null ? failed.status() : state.status();
        s.append("TIMED_OUT".equals(how) ? "timed out" : "failed");
        if (failed != null) {
          s.append(" in ").append(word(failed.phase()));
        }
        if (how != null && !how.equals("FAILED") && !how.equals("TIMED_OUT")) {
          s.append(" (").append(word(how)).append(')');
        }
      }
    }
    if (elapsed != null) {
      s.append(preposition).append(duration(elapsed));
    }
    return s.toString();
  }

  private static String pipelineRunning(String state) {
    return switch (state) {
      case "STARTED", "IN_PROGRESS" -> "running";
      case "RESUMED" -> "resumed";
      case "STOPPING" -> "stopping";
      default -> word(state);
    };
  }

  /**
   * A word from the build service as it may appear in a comment: only {@code A-Z 0-9 _} kept, at
   * most {@value #MAX_WORD_CHARS} characters ({@code ?} when nothing is left).
   */
  static String word(String raw) {
    String w = raw == null ? "" : raw.replaceAll("[^A-Z0-9_]", "");
    if (w.length() > MAX_WORD_CHARS) {
      w = w.substring(0, MAX_WORD_CHARS - 1) + "…";
    }
    return w.isEmpty() ? "?" : w;
  }

  /** {@code 45s}, {@code 4m02s}, {@code 1h03m} (seconds dropped from an hour on). */
  static String duration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
