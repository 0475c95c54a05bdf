package io.pagureci.outbound.domain;

import java.util.List;
import java.util.Set;

/** Maps a build state to a pagure flag (status, percent, comment, url, username, uid). */
public final class FlagMapper {
    /** CodeBuild phases in order; {@code COMPLETED} is the last. */
    public static final List<String> CODEBUILD_PHASES = List.of("SUBMITTED", "QUEUED", "PROVISIONING",
            "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING",
            "COMPLETED");
    /** Phases before the buildspec runs: a failure here means the build could not run. */
    static final Set<String> SETUP_PHASES = Set.of("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE");
    static final Set<String> SUCCESS = Set.of("SUCCEEDED");
    static final Set<String> CANCELED = Set.of("STOPPED", "CANCELED", "SUPERSEDED");
    /** Pipeline execution states that are not terminal. */
    public static final Set<String> PIPELINE_RUNNING = Set.of("STARTED", "RESUMED", "STOPPING", "IN_PROGRESS");

    private final String usernameOverride;
    private final BuildUrls urls;

    /** @param usernameOverride {@code FLAG_USERNAME}, or {@code null} for the per-system default */
    public FlagMapper(String usernameOverride, BuildUrls urls) {
        this.usernameOverride = usernameOverride;
        this.urls = urls;
    }

    public Flag flagFor(PagureBuild build, BuildRef ref, BuildState state) {
        FlagStatus status = status(state);
        return new Flag(
                usernameOverride != null ? usernameOverride : ref.system().defaultUsername(),
                comment(ref, state, status),
                urls.urlFor(ref, state, build),
                status,
                percent(ref, state, status),
                FlagUid.of(ref, build.commit()));
    }

    /** pending while running; success; canceled; error when the build could not run; failure otherwise. */
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
        if (failed != null && (SETUP_PHASES.contains(failed.phase()) || "CLIENT_ERROR".equals(failed.status()))) {
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

    /** e.g. {@code CodeBuild my-project #42: BUILD}, {@code CodeBuild my-project #42: FAILED (BUILD: FAILED)}. */
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
