package io.pagureci.inbound.config;

import io.pagureci.init.ConfigException;
import java.util.Locale;

/**
 * Who may make this CI build a pull request's head ({@code CONTRIBUTOR_POLICY}, context key {@code
 * contributorPolicy}; docs/security.md "Who can make us build"). Membership (commit access to the
 * target project) is decided by the worker with pagure's API, never by the accept function.
 */
public enum ContributorPolicy {
  /** Every open pull request builds, whoever opened it (the behaviour before the policy). */
  ALL,
  /** Only pull requests whose author has commit access to the target project build. */
  MEMBERS,
  /**
   * A member's pull request builds; a non-member's head waits (a {@code pending} flag) until a
   * member comments the approval phrase on it.
   */
  APPROVE;

  public static final ContributorPolicy DEFAULT = APPROVE;

  static ContributorPolicy parse(String name, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "all" -> ALL;
      case "members" -> MEMBERS;
      case "approve" -> APPROVE;
      default ->
          throw new ConfigException(
              name, "must be 'all', 'members' or 'approve', was '" + value + "'");
    };
  }

  /** The name in the configuration ({@code all}, {@code members}, {@code approve}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
