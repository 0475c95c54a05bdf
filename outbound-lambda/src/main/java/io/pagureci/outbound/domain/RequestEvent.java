package io.pagureci.outbound.domain;

import java.util.Map;
import java.util.Objects;

/**
 * A usable request event (docs/queue.md §4): the accept or worker function tells what became of a
 * build request before any build exists — {@code QUEUED} (accepted, waiting for the worker), {@code
 * ERROR} (the worker gave up) or {@code AWAITING_APPROVAL} (a non-member's pull request waits for a
 * member's approval).
 *
 * @param eventId EventBridge event id (for logs)
 * @param deliveryId the function URL request id of the pagure delivery (for logs)
 * @param state QUEUED or ERROR
 * @param buildKey the build key (64 lower-case hex): names the build record
 * @param system the build target's service
 * @param target CodeBuild project or pipeline name
 * @param region region of the event (= of the build it asks for)
 * @param account account of the event (= of the build it asks for)
 * @param build the {@code PAGURE_*} variables the build will get, read by {@link PagureBuild#from}
 * @param variables the same variables as sent (handed to the build-event path after a build
 *     started)
 * @param code ERROR: the reason code ({@code HEAD_MOVED}, ...), else {@code null}
 * @param reason ERROR, AWAITING_APPROVAL: one sentence for the PR author; CANCELED: what superseded
 *     it; else {@code null}
 * @param retry ERROR: the rebuild phrase ({@code null} for a push); AWAITING_APPROVAL: the approval
 *     phrase; else {@code null}
 * @param attempts ERROR: attempts the worker made, or {@code null}
 */
public record RequestEvent(
    String eventId,
    String deliveryId,
    State state,
    String buildKey,
    BuildSystem system,
    String target,
    String region,
    String account,
    PagureBuild build,
    Map<String, String> variables,
    String code,
    String reason,
    String retry,
    Integer attempts) {

  /** The request states outbound acts on. */
  public enum State {
    QUEUED,
    ERROR,
    /**
     * A non-member's pull request head waits for a member's approval comment ({@code retry}, the
     * approval phrase); {@code reason} says why (docs/queue.md §4).
     */
    AWAITING_APPROVAL,
    /**
     * The worker dropped the queued request: a newer head of its pull request / branch, or the pull
     * request's close, superseded it; {@code reason} says which ({@code superseded by 1a2b3c4},
     * {@code PR closed}).
     */
    CANCELED
  }

  public RequestEvent {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(buildKey, "buildKey");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(build, "build");
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    region = region == null ? "" : region;
    account = account == null ? "" : account;
    if (state == State.ERROR) {
      Objects.requireNonNull(code, "code");
    }
    if (state == State.ERROR || state == State.AWAITING_APPROVAL || state == State.CANCELED) {
      Objects.requireNonNull(reason, "reason");
    }
    if (state == State.AWAITING_APPROVAL) {
      Objects.requireNonNull(retry, "retry"); // a push's ERROR has none: the phrase is a PR comment
    }
  }
}
