package io.pagureci.inbound.domain;

import io.pagureci.inbound.config.ContributorPolicy;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.inbound.config.RebuildPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who may make this CI build (docs/security.md "Who can make us build"): the worker's check of a
 * queued item against {@code CONTRIBUTOR_POLICY} and {@code REBUILD_POLICY}. A member is a user
 * with commit access to the target project, as pagure decides it for a push ({@code
 * pagure.utils.is_repo_committer}): the project's owner, a user with {@code admin} or {@code
 * commit} access, or a member of a group with {@code admin} or {@code commit} access. {@code
 * collaborator} access (commit on some branches only) and {@code ticket} access do not count.
 *
 * <p>One gate serves one worker invocation: the access lists and group members it looked up are
 * kept until the invocation ends (a batch of rebuild comments on one project asks pagure once).
 */
public final class ContributorGate {

  /** The user access levels that can push to every branch (owner = the project's main admin). */
  static final Set<String> COMMIT_USER_LEVELS = Set.of("owner", "admin", "commit");

  /** The group access levels that can push to every branch. */
  static final Set<String> COMMIT_GROUP_LEVELS = Set.of("admin", "commit");

  /** What becomes of an item. */
  public sealed interface Verdict {
    /** What the log line says ({@code policy} field). */
    String policy();
  }

  /** Build it. */
  public record Build(String policy) implements Verdict {}

  /** A non-member's pull request under {@code approve}: record it and ask for a pending flag. */
  public record AwaitApproval(String policy) implements Verdict {}

  /** A non-member's pull request under {@code members}: tell the PR why it is not built. */
  public record NotMember(String policy) implements Verdict {}

  /** A non-member's rebuild or approval comment: nothing happens but a log line. */
  public record Ignore(String policy, String why) implements Verdict {}

  private final InboundConfig config;
  private final ProjectMembers members;
  private final Map<String, ProjectMembers.Access> projects = new HashMap<>();
  private final Map<String, List<String>> groups = new HashMap<>();

  /**
   * @param members pagure's access lists; may be null only if both policies are {@code all}
   */
  public ContributorGate(InboundConfig config, ProjectMembers members) {
    this.config = config;
    this.members = members;
  }

  /**
   * Whether the accept function keeps quiet about an item (no "queued" flag): the worker may drop
   * it without a word (a rebuild or approval comment by a non-member), and a "queued" flag would
   * then replace the commit's real flag with one nothing ever updates.
   */
  public static boolean quietUntilChecked(InboundConfig config, WorkItem item) {
    WorkItem.Actor actor = item.actor();
    if (actor == null) {
      return false;
    }
    return switch (actor.role()) {
      case APPROVAL -> true;
      case REBUILD -> config.rebuildPolicy() == RebuildPolicy.MEMBERS;
      case AUTHOR -> false;
    };
  }

  /**
   * Decides an item that passed the worker's re-check.
   *
   * @throws ProjectMembers.LookupException when the actor's access could not be looked up
   */
  public Verdict decide(WorkItem item) throws ProjectMembers.LookupException {
    BuildRequest r = item.request();
    if (!r.isPullRequest()) {
      return new Build("push"); // a push to the target project: its pusher has commit access
    }
    if (!BuildRequest.ORIGIN_WEBHOOK.equals(r.origin())) {
      // an authenticated CI integration (SigV4 / Basic) asked: it applies its own rules
      return new Build("trusted-caller");
    }
    WorkItem.Actor actor = item.actor();
    WorkItem.Role role =
        actor != null
            ? actor.role()
            : r.rebuildId() != null ? WorkItem.Role.REBUILD : WorkItem.Role.AUTHOR;
    return switch (role) {
      case REBUILD -> {
        if (config.rebuildPolicy() == RebuildPolicy.ALL) {
          yield new Build("rebuild-all");
        }
        if (actor == null) {
          yield new Ignore(
              "no-actor", "the rebuild request names no commenter (queued by an earlier version)");
        }
        yield isMember(r.project(), actor.name())
            ? new Build("member")
            : new Ignore(
                "not-a-member",
                "'" + actor.name() + "' has no commit access to " + r.project() + ": no rebuild");
      }
      case APPROVAL -> {
        if (config.contributorPolicy() == ContributorPolicy.ALL) {
          yield new Build("contributors-all");
        }
        yield isMember(r.project(), actor.name())
            ? new Build("approved-by-member")
            : new Ignore(
                "not-a-member",
                "'" + actor.name() + "' has no commit access to " + r.project() + ": no approval");
      }
      case AUTHOR -> {
        if (config.contributorPolicy() == ContributorPolicy.ALL) {
          yield new Build("contributors-all");
        }
        if (actor != null && isMember(r.project(), actor.name())) {
          yield new Build("member");
        }
        String policy = actor == null ? "no-actor" : "not-a-member";
        yield config.contributorPolicy() == ContributorPolicy.APPROVE
            ? new AwaitApproval(policy)
            : new NotMember(policy);
      }
    };
  }

  /** Whether {@code user} has commit access to {@code project} (see the class comment). */
  boolean isMember(String project, String user) throws ProjectMembers.LookupException {
    if (members == null) {
      throw new ProjectMembers.LookupException(
          "no pagure API client is configured to check commit access", true, null);
    }
    ProjectMembers.Access access = projects.get(project);
    if (access == null) {
      access = members.access(project);
      projects.put(project, access);
    }
    for (String level : COMMIT_USER_LEVELS) {
      if (access.users().getOrDefault(level, List.of()).contains(user)) {
        return true;
      }
    }
    for (String level : COMMIT_GROUP_LEVELS) {
      for (String group : access.groups().getOrDefault(level, List.of())) {
        List<String> in = groups.get(group);
        if (in == null) {
          in = members.groupMembers(group);
          groups.put(group, in);
        }
        if (in.contains(user)) {
          return true;
        }
      }
    }
    return false;
  }
}
