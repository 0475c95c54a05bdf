package io.pagureci.inbound.domain;

import io.pagureci.pagure.BuildVariables;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A validated request to build one commit. All names have been checked against pagure's naming
 * rules and the allow-list before an instance exists.
 *
 * @param origin {@code webhook} (stock pagure web-hook) or {@code ci-webhook}
 * @param trigger {@code pull-request}, {@code rebuild} or {@code push}
 * @param instance configured pagure URL (normalised, trailing slash)
 * @param project target project fullname
 * @param sourceProject project holding the commit (target or fork)
 * @param sourceBranch branch holding the commit
 * @param targetBranch branch the PR targets (push: the pushed branch)
 * @param commit full sha
 * @param prId pull-request id, or {@code null} for push builds
 * @param prUid pull-request uid, or {@code null}
 * @param cause Jenkins-compatible cause
 * @param rebuildId id of an explicit rebuild request (comment id, request id), or {@code null}
 */
public record BuildRequest(
    String origin,
    String trigger,
    String instance,
    String project,
    String sourceProject,
    String sourceBranch,
    String targetBranch,
    String commit,
    Long prId,
    String prUid,
    String cause,
    String rebuildId) {

  public static final String ORIGIN_WEBHOOK = "webhook";
  public static final String ORIGIN_CI_WEBHOOK = "ci-webhook";
  public static final String TRIGGER_PULL_REQUEST = "pull-request";
  public static final String TRIGGER_REBUILD = "rebuild";
  public static final String TRIGGER_PUSH = "push";

  public BuildRequest {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(sourceProject, "sourceProject");
    Objects.requireNonNull(sourceBranch, "sourceBranch");
    Objects.requireNonNull(targetBranch, "targetBranch");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(cause, "cause");
  }

  public boolean isPullRequest() {
    return prId != null;
  }

  /** {@code pr/<id>} or {@code branch/<name>}: the middle part of the build key and object key. */
  public String scope() {
    return isPullRequest() ? "pr/" + prId : "branch/" + sourceBranch;
  }

  /**
   * The {@code PAGURE_*} variables given to the build (docs/protocol.md §3), in a stable order.
   * PR-only variables are absent for push builds (pipeline variable values cannot be empty).
   */
  public Map<String, String> buildVariables() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put(BuildVariables.INSTANCE, instance);
    vars.put(BuildVariables.PROJECT, project);
    vars.put(BuildVariables.SOURCE_PROJECT, sourceProject);
    vars.put(BuildVariables.BRANCH, sourceBranch);
    vars.put(BuildVariables.TARGET_BRANCH, targetBranch);
    vars.put(BuildVariables.COMMIT, commit);
    if (prId != null) {
      vars.put(BuildVariables.PR_ID, Long.toString(prId));
    }
    if (prUid != null && !prUid.isEmpty()) {
      vars.put(BuildVariables.PR_UID, prUid);
    }
    vars.put(BuildVariables.CAUSE, cause);
    vars.put(BuildVariables.TRIGGER, trigger);
    vars.put(BuildVariables.ORIGIN, origin);
    return vars;
  }
}
