package io.pagureci.inbound.domain;

import java.util.Map;
import java.util.Objects;

/**
 * What the accept and worker functions tell the outbound function about a build request
 * (docs/queue.md §4): it was queued, or it cannot be built. Outbound turns it into the flag.
 *
 * @param state {@code QUEUED}, {@code ERROR}, {@code AWAITING_APPROVAL} or {@code CANCELED}
 * @param target the build target whose flag this is ({@code codebuild} / {@code codepipeline} and
 *     its name)
 * @param variables the request's {@code PAGURE_*} variables (what the build itself would get)
 * @param code ERROR: the reason code (docs/protocol.md §2), else null
 * @param reason ERROR and AWAITING_APPROVAL: one sentence a PR author understands; CANCELED: what
 *     superseded it; else null
 * @param retry ERROR on a PR: the rebuild phrase; AWAITING_APPROVAL: the approval phrase; null for
 *     pushes and QUEUED
 * @param attempts ERROR: attempts made, else 0
 */
public record RequestEvent(
    State state,
    String deliveryId,
    String buildKey,
    Target target,
    Map<String, String> variables,
    String code,
    String reason,
    String retry,
    int attempts) {

  public static final String SOURCE = "pagure-ci-aws";
  public static final String DETAIL_TYPE = "Build Request State Change";

  /** The states outbound knows. */
  public enum State {
    QUEUED,
    ERROR,
    /**
     * A non-member's pull request head waits for a member to comment the approval phrase ({@code
     * retry}); {@code reason} says why.
     */
    AWAITING_APPROVAL,
    /**
     * A queued request dropped because a newer head of its pull request / branch, or the pull
     * request's close, superseded it; {@code reason} says by what ({@code superseded by 1a2b3c4},
     * {@code PR closed}).
     */
    CANCELED
  }

  /**
   * A build target as the build events name it ({@code system}, {@code name} = the CodeBuild
   * project or pipeline), and its name in the routing table ({@code label}, what the flag shows).
   */
  public record Target(String system, String name, String label) {
    public Target {
      Objects.requireNonNull(system, "system");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(label, "label");
    }

    /** A target of the routing table. */
    public static Target of(io.pagureci.pagure.routing.Target t) {
      return new Target(t.system().id(), t.resource(), t.name());
    }
  }

  public RequestEvent {
    Objects.requireNonNull(state, "state");
    variables = Map.copyOf(variables);
  }

  public static RequestEvent queued(WorkItem item, Target target) {
    return new RequestEvent(
        State.QUEUED,
        item.deliveryId(),
        item.buildKey(),
        target,
        item.buildVariables(),
        null,
        null,
        null,
        0);
  }

  /**
   * A non-member's pull request head is not built until a member comments {@code approvePhrase}.
   */
  public static RequestEvent awaitingApproval(
      WorkItem item, Target target, String reason, String approvePhrase) {
    return new RequestEvent(
        State.AWAITING_APPROVAL,
        item.deliveryId(),
        item.buildKey(),
        target,
        item.buildVariables(),
        null,
        reason,
        approvePhrase,
        0);
  }

  /** A queued request is not built: {@code why} superseded it. */
  public static RequestEvent canceled(WorkItem item, Target target, String why) {
    return new RequestEvent(
        State.CANCELED,
        item.deliveryId(),
        item.buildKey(),
        target,
        item.buildVariables(),
        null,
        why,
        null,
        0);
  }

  public static RequestEvent error(
      WorkItem item,
      Target target,
      String code,
      String reason,
      String rebuildPhrase,
      int attempts) {
    return new RequestEvent(
        State.ERROR,
        item.deliveryId(),
        item.buildKey(),
        target,
        item.buildVariables(),
        code,
        reason,
        item.request().isPullRequest() ? rebuildPhrase : null,
        attempts);
  }
}
