package io.pagureci.inbound.domain;

import java.util.List;
import java.util.Map;

/**
 * Port: who has which access to a project on the configured pagure instance (pagure's API: {@code
 * GET /api/0/<project>} lists {@code access_users} and {@code access_groups} by access level,
 * {@code GET /api/0/group/<name>} a group's {@code members}). Only the worker uses it; the accept
 * function never calls pagure.
 */
public interface ProjectMembers {

  /**
   * A project's access lists as pagure gives them.
   *
   * @param users access level ({@code owner}, {@code admin}, {@code commit}, {@code collaborator},
   *     {@code ticket}) to user names
   * @param groups access level ({@code admin}, {@code commit}, {@code collaborator}, {@code
   *     ticket}) to group names
   */
  record Access(Map<String, List<String>> users, Map<String, List<String>> groups) {
    public Access {
      users = Map.copyOf(users);
      groups = Map.copyOf(groups);
    }
  }

  /** The access lists of {@code project} (a target project's fullname, never a fork). */
  Access access(String project) throws LookupException;

  /** The user names in {@code group}. */
  List<String> groupMembers(String group) throws LookupException;

  /**
   * pagure's API did not answer usably: a transient failure (network, timeout, 5xx, unreadable
   * body) unless {@link #permanent()} (the project is not visible without a token, for example).
   */
  final class LookupException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    public LookupException(String message, boolean permanent, Throwable cause) {
      super(message, cause);
      this.permanent = permanent;
    }

    public boolean permanent() {
      return permanent;
    }
  }
}
