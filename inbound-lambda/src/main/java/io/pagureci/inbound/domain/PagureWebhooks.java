package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.config.ContributorPolicy;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.pagure.routing.Rule;
import java.util.Locale;
import java.util.Set;

/**
 * Format A: what a stock pagure project web-hook delivery asks for (docs/protocol.md §1.A).
 * Everything here is static: no network, no secret. The signature is checked by the caller.
 */
final class PagureWebhooks {

  private static final Set<String> PR_BUILD_TOPICS =
      Set.of(
          "pull-request.new",
          "pull-request.updated",
          "pull-request.rebased",
          "pull-request.reopened");

  /**
   * A delivery that asks for a build, whose action it was ({@code null}: a push), and the one
   * target a rebuild comment named ({@code null}: every target of the project's rule).
   */
  record Decided(BuildRequest request, WorkItem.Actor actor, String target) {}

  /**
   * {@code pull-request.closed}: the pull request {@code request} names (its head at the close) is
   * closed or merged ({@code msg.merged}); nothing builds, its running build is stopped.
   */
  record Closing(BuildRequest request, CurrentHeads.Closed why) {}

  private final InboundConfig config;

  PagureWebhooks(InboundConfig config) {
    this.config = config;
  }

  /** The project whose web-hook key must have signed the delivery: {@code msg.project_fullname}. */
  String signingProject(JsonNode root) throws Rejection {
    JsonNode msg = msg(root);
    String project = text(msg, "project_fullname");
    if (project == null) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "msg.project_fullname is missing");
    }
    if (!Names.isProjectFullname(project)) {
      throw Rejection.unprocessable(
          "INVALID_PROJECT", "msg.project_fullname is not a pagure project fullname");
    }
    return project;
  }

  /**
   * Checks the delivery and decides: a {@link Decided} build request, or an {@link
   * Outcome.Ignored}. Who may build is not decided here (that needs pagure's API): the actor is
   * carried to the worker.
   *
   * @throws Rejection for a wrong instance, a project off the allow-list or malformed fields
   */
  Object decide(JsonNode root) throws Rejection {
    JsonNode msg = msg(root);
    String topic = text(root, "topic");
    if (topic == null) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "topic is missing");
    }
    String instance = text(msg, "pagure_instance");
    if (instance == null
        || !InboundConfig.normaliseInstance(instance)
            .map(config.pagureUrl()::equals)
            .orElse(false)) {
      throw Rejection.forbidden(
          "WRONG_INSTANCE", "msg.pagure_instance is not the configured pagure instance");
    }
    String project = signingProject(root);
    Rule rule = config.routes().ruleFor(project).orElseThrow(() -> notAllowed(project));
    if (!rule.pullRequests()
        && (PR_BUILD_TOPICS.contains(topic) || topic.equals("pull-request.comment.added"))) {
      return new Outcome.Ignored(
          "pull requests of '" + project + "' are not built (its rule has pullRequests false)");
    }
    if (PR_BUILD_TOPICS.contains(topic)) {
      return decided(
          pullRequest(msg, project, BuildRequest.TRIGGER_PULL_REQUEST, null),
          actor(msg.path("pullrequest").path("user"), WorkItem.Role.AUTHOR));
    }
    if (topic.equals("pull-request.comment.added")) {
      return comment(msg, project);
    }
    if (topic.equals("pull-request.closed")) {
      Object request = pullRequest(msg, project, BuildRequest.TRIGGER_PULL_REQUEST, null, true);
      if (!(request instanceof BuildRequest closed)) {
        return request;
      }
      // pagure sends msg.merged (true / false) with the close; the PR's status says it too
      boolean merged =
          msg.path("merged").asBoolean(false)
              || "Merged".equals(text(msg.path("pullrequest"), "status"));
      return new Closing(closed, merged ? CurrentHeads.Closed.MERGED : CurrentHeads.Closed.CLOSED);
    }
    if (topic.equals("git.receive")) {
      // a push to the target project itself: whoever pushed has commit access already
      return decided(push(msg, project, rule), null);
    }
    return new Outcome.Ignored("topic '" + topic + "' does not start builds");
  }

  private Object comment(JsonNode msg, String project) throws Rejection {
    JsonNode comments = msg.path("pullrequest").path("comments");
    if (!comments.isArray() || comments.isEmpty()) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "msg.pullrequest.comments is empty");
    }
    JsonNode last = comments.get(comments.size() - 1);
    String text = text(last, "comment");
    java.util.Optional<RebuildComment> rebuild =
        RebuildComment.parse(text, config.rebuildPhrase())
            // the approval phrase is never a rebuild of a target (a REBUILD_PHRASE that is its
            // first words, "pretty please pagure-ci", would read it as one of target "approve")
            .filter(r -> r.target() == null || !isPhrase(text, config.approvePhrase()));
    boolean phrase = rebuild.isPresent();
    if (!phrase
        && config.contributorPolicy() == ContributorPolicy.APPROVE
        && isPhrase(text, config.approvePhrase())) {
      // a member lets the PR's current head build: the same build key as the PR's own build of
      // that head, so it builds once however often it is approved (the worker checks the member)
      return decided(
          pullRequest(msg, project, BuildRequest.TRIGGER_PULL_REQUEST, null),
          actor(last.path("user"), WorkItem.Role.APPROVAL));
    }
    if (!phrase) {
      boolean notification = last.path("notification").asBoolean(false);
      return new Outcome.Ignored(
          notification
              ? "comment is a pagure notification, not a rebuild request"
              : "comment is not the rebuild phrase");
    }
    // pagure's own "trigger CI" button posts the phrase as a notification comment: it is a rebuild
    // request too. pagure's other notifications ("N new commits added", "rebased") never match the
    // phrase, so they are ignored above and the accompanying pull-request.updated builds instead.
    JsonNode id = last.path("id");
    if (!id.canConvertToLong()) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "the comment has no id");
    }
    return decided(
        pullRequest(msg, project, BuildRequest.TRIGGER_REBUILD, "comment-" + id.asLong()),
        actor(last.path("user"), WorkItem.Role.REBUILD),
        rebuild.get().target());
  }

  /** {@code 403 PROJECT_NOT_ALLOWED}: no rule of the routing table matches the project. */
  static Rejection notAllowed(String project) {
    return Rejection.forbidden(
        "PROJECT_NOT_ALLOWED",
        "project '" + project + "' is not in ALLOWED_PROJECTS (no rule of the routing table)");
  }

  private static boolean isPhrase(String comment, String phrase) {
    return comment != null
        && comment.strip().toLowerCase(Locale.ROOT).equals(phrase.toLowerCase(Locale.ROOT));
  }

  private static Object decided(Object decision, WorkItem.Actor actor) {
    return decided(decision, actor, null);
  }

  private static Object decided(Object decision, WorkItem.Actor actor, String target) {
    return decision instanceof BuildRequest request
        ? new Decided(request, actor, target)
        : decision;
  }

  /**
   * The user a pagure user object names ({@code {"name": …}}), or null when it names none a policy
   * could check (the worker then treats the request as a non-member's).
   */
  private static WorkItem.Actor actor(JsonNode user, WorkItem.Role role) {
    String name = text(user, "name");
    return Names.isUser(name) ? new WorkItem.Actor(name, role) : null;
  }

  private Object pullRequest(JsonNode msg, String project, String trigger, String rebuildId)
      throws Rejection {
    return pullRequest(msg, project, trigger, rebuildId, false);
  }

  /**
   * @param closing the pull request must be closed or merged (a close), else open (a build)
   */
  private Object pullRequest(
      JsonNode msg, String project, String trigger, String rebuildId, boolean closing)
      throws Rejection {
    JsonNode pr = msg.path("pullrequest");
    if (!pr.isObject()) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "msg.pullrequest is missing");
    }
    String target = text(pr.path("project"), "fullname");
    if (target == null || !target.equals(project)) {
      throw Rejection.unprocessable(
          "INVALID_PAYLOAD", "msg.pullrequest.project.fullname is not msg.project_fullname");
    }
    String status = text(pr, "status");
    boolean wanted =
        closing ? "Closed".equals(status) || "Merged".equals(status) : "Open".equals(status);
    if (!wanted) {
      return new Outcome.Ignored("pull request is " + (status == null ? "in no state" : status));
    }
    if (!pr.path("remote_git").isNull() && !pr.path("remote_git").isMissingNode()) {
      return new Outcome.Ignored("remote pull requests (from another git server) are not built");
    }
    JsonNode idNode = pr.path("id");
    if (!idNode.isIntegralNumber() || idNode.asLong() < 1) {
      throw Rejection.unprocessable(
          "INVALID_PAYLOAD", "msg.pullrequest.id is not a positive integer");
    }
    JsonNode from = pr.path("repo_from");
    String source = from.isObject() ? text(from, "fullname") : project;
    if (source == null || !Names.isProjectFullname(source)) {
      throw Rejection.unprocessable(
          "INVALID_PROJECT", "msg.pullrequest.repo_from.fullname is not a pagure project fullname");
    }
    if (!Names.isSourceOf(source, project)) {
      throw Rejection.unprocessable(
          "INVALID_PROJECT",
          "msg.pullrequest.repo_from is neither the target project nor one of its forks");
    }
    String branchFrom = branch(pr, "branch_from");
    String branchTo = branch(pr, "branch");
    String sha = text(pr, "commit_stop");
    if (!Names.isCommit(sha)) {
      throw Rejection.unprocessable(
          "INVALID_COMMIT", "msg.pullrequest.commit_stop is not a full lower-case commit sha");
    }
    JsonNode uidNode = pr.path("uid");
    String uid = text(pr, "uid");
    if (!uidNode.isMissingNode() && !uidNode.isNull() && !Names.isUid(uid)) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "msg.pullrequest.uid is malformed");
    }
    long id = idNode.asLong();
    return new BuildRequest(
        BuildRequest.ORIGIN_WEBHOOK,
        trigger,
        config.pagureUrl().toString(),
        project,
        source,
        branchFrom,
        branchTo,
        sha,
        id,
        uid,
        Long.toString(id),
        rebuildId);
  }

  private Object push(JsonNode msg, String project, Rule rule) throws Rejection {
    String branch = branch(msg, "branch");
    if (!rule.buildsBranch(branch)) {
      return new Outcome.Ignored(
          "pushes to branch '" + branch + "' are not built (BUILD_BRANCHES)");
    }
    String sha = text(msg, "end_commit");
    if (!Names.isCommit(sha)) {
      throw Rejection.unprocessable(
          "INVALID_COMMIT", "msg.end_commit is not a full lower-case commit sha");
    }
    return new BuildRequest(
        BuildRequest.ORIGIN_WEBHOOK,
        BuildRequest.TRIGGER_PUSH,
        config.pagureUrl().toString(),
        project,
        project,
        branch,
        branch,
        sha,
        null,
        null,
        branch,
        null);
  }

  private static String branch(JsonNode node, String field) throws Rejection {
    String branch = text(node, field);
    if (!Names.isBranch(branch)) {
      throw Rejection.unprocessable("INVALID_BRANCH", field + " is not a valid git branch name");
    }
    return branch;
  }

  private static JsonNode msg(JsonNode root) throws Rejection {
    JsonNode msg = root.path("msg");
    if (!msg.isObject()) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "msg is missing or not an object");
    }
    return msg;
  }

  /** A textual field, or null when absent, null or not a string. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isTextual() ? v.textValue() : null;
  }
}
