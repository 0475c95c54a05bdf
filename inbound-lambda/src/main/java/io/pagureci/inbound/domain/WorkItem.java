package io.pagureci.inbound.domain;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One accepted delivery, as kept in the work queue (docs/queue.md §3): the normalised build
 * request, never pagure's body.
 *
 * @param deliveryId the function URL request id of the delivery (follows it into every log line)
 * @param acceptedAt when the accept function queued it
 * @param buildKey {@link BuildKey#idempotencyToken} of the request
 * @param request what to build
 * @param actor whose action asked for the build (the contributor policy checks them), or {@code
 *     null}: a push, a ci-webhook request, or an item queued before the policy existed
 * @param target the name of the build target this item is for ({@code ROUTES}), or {@code null}:
 *     the first target of the project's rule (an item queued before targets had names). A rebuild
 *     comment that names a target the rule does not have carries that name too: the worker answers
 *     it with {@code UNKNOWN_TARGET} once the commenter passed the rebuild policy. A close item has
 *     none: it closes the pull request for every target of its rule
 * @param close not a build: pagure closed ({@code closed}) or merged ({@code merged}) the pull
 *     request {@code request} names, so its running builds are stopped and its later items dropped
 *     (docs/queue.md §3); null for every build request
 */
public record WorkItem(
    String deliveryId,
    Instant acceptedAt,
    String buildKey,
    BuildRequest request,
    Actor actor,
    String target,
    CurrentHeads.Closed close) {

  /** A build request's item for one target. */
  public WorkItem(
      String deliveryId,
      Instant acceptedAt,
      String buildKey,
      BuildRequest request,
      Actor actor,
      String target) {
    this(deliveryId, acceptedAt, buildKey, request, actor, target, null);
  }

  /**
   * The pagure user whose action is checked against the contributor policy (docs/security.md "Who
   * can make us build").
   *
   * @param name pagure user name ({@link Names#isUser})
   * @param role what they did
   */
  public record Actor(String name, Role role) {
    public Actor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  /** What the actor did. */
  public enum Role {
    /** Opened (or updated) the pull request: {@code msg.pullrequest.user.name}. */
    AUTHOR("author"),
    /** Commented the rebuild phrase: the last comment's {@code user.name}. */
    REBUILD("rebuild"),
    /** Commented the approval phrase: the last comment's {@code user.name}. */
    APPROVAL("approval");

    private final String id;

    Role(String id) {
      this.id = id;
    }

    /** The name in the work item's JSON. */
    public String id() {
      return id;
    }

    /** The role of a JSON name, or null. */
    public static Role of(String id) {
      for (Role r : values()) {
        if (r.id.equals(id)) {
          return r;
        }
      }
      return null;
    }
  }

  /** An item without an actor or target name. */
  public WorkItem(String deliveryId, Instant acceptedAt, String buildKey, BuildRequest request) {
    this(deliveryId, acceptedAt, buildKey, request, null, null, null);
  }

  /** An item without a target name (the first target of its rule). */
  public WorkItem(
      String deliveryId, Instant acceptedAt, String buildKey, BuildRequest request, Actor actor) {
    this(deliveryId, acceptedAt, buildKey, request, actor, null, null);
  }

  /** The format version written into every message ({@code "v"}). */
  public static final int VERSION = 1;

  public WorkItem {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Objects.requireNonNull(acceptedAt, "acceptedAt");
    Objects.requireNonNull(buildKey, "buildKey");
    Objects.requireNonNull(request, "request");
    if (target != null && !io.pagureci.pagure.routing.Target.validName(target)) {
      throw new IllegalArgumentException("not a target name");
    }
    if (close != null && !request.isPullRequest()) {
      throw new IllegalArgumentException("only a pull request is closed");
    }
  }

  /**
   * The item that closes a pull request: {@code request} is the pull request's build request at its
   * close (its head commit), never built.
   */
  public static WorkItem close(
      String deliveryId, Instant acceptedAt, BuildRequest request, CurrentHeads.Closed why) {
    Objects.requireNonNull(why, "why");
    return new WorkItem(
        deliveryId, acceptedAt, BuildKey.idempotencyToken(request), request, null, null, why);
  }

  /** The name of the build variable carrying {@link #deliveryId()} (docs/protocol.md §3). */
  public static final String DELIVERY_ID_VARIABLE = io.pagureci.pagure.BuildVariables.DELIVERY_ID;

  /**
   * The name of the build variable carrying {@link #buildKey()}: outbound reads the build record
   * {@code build/<key>} with it and posts a build's events only if the record names that build
   * (docs/protocol.md §3, docs/outbound.md "Provenance").
   */
  public static final String BUILD_KEY_VARIABLE = io.pagureci.pagure.BuildVariables.BUILD_KEY;

  /**
   * What the build gets: the request's {@code PAGURE_*} variables, the delivery id and the build
   * key.
   */
  public Map<String, String> buildVariables() {
    Map<String, String> vars = new LinkedHashMap<>(request.buildVariables());
    vars.put(DELIVERY_ID_VARIABLE, deliveryId);
    vars.put(BUILD_KEY_VARIABLE, buildKey);
    return vars;
  }

  /** The item for an accepted request. */
  public static WorkItem of(String deliveryId, Instant acceptedAt, BuildRequest request) {
    return of(deliveryId, acceptedAt, request, null);
  }

  /** The item for an accepted request asked for by {@code actor} ({@code null}: nobody checked). */
  public static WorkItem of(
      String deliveryId, Instant acceptedAt, BuildRequest request, Actor actor) {
    return of(deliveryId, acceptedAt, request, actor, null);
  }

  /** The item of one target ({@code null}: none named) of an accepted request. */
  public static WorkItem of(
      String deliveryId, Instant acceptedAt, BuildRequest request, Actor actor, String target) {
    return new WorkItem(
        deliveryId, acceptedAt, BuildKey.idempotencyToken(request, target), request, actor, target);
  }
}
