package io.pagureci.inbound.domain;

import io.pagureci.pagure.CommitId;
import io.pagureci.pagure.ProjectName;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * The names the inbound function checks before using them in a URL, an S3 key or a git ref.
 *
 * <p>Project fullnames and commit ids follow the one rule both functions share ({@link
 * ProjectName}, {@link CommitId} in pagure-model); branch names and pull-request uids are the
 * inbound function's own (only it reads them from pagure).
 */
public final class Names {

  private static final Pattern UID = Pattern.compile("[A-Za-z0-9]{1,64}");

  /** Characters allowed in branch names: no shell metacharacters, no percent-escapes, no spaces. */
  private static final Pattern BRANCH_CHARS = Pattern.compile("[A-Za-z0-9._/+@=-]+");

  private Names() {}

  /**
   * Whether {@code name} can be a pagure user or group name (one path segment, as in {@code
   * forks/<user>/…}): safe to put into an API path ({@link ProjectName#isPart}).
   */
  public static boolean isUser(String name) {
    return ProjectName.isPart(name);
  }

  /**
   * Whether {@code fullname} is a pagure project fullname (target or fork): {@link ProjectName}.
   */
  public static boolean isProjectFullname(String fullname) {
    return ProjectName.isValid(fullname);
  }

  /**
   * Whether {@code source} may hold a pull request's commits for {@code target}: {@link
   * ProjectName#isSourceOf}.
   */
  public static boolean isSourceOf(String source, String target) {
    return ProjectName.isSourceOf(source, target);
  }

  /** Whether {@code fullname} names a fork ({@code forks/<user>/...}). */
  public static boolean isFork(String fullname) {
    return ProjectName.isFork(fullname);
  }

  /** Whether {@code sha} is a full lower-case SHA-1 or SHA-256 object name: {@link CommitId}. */
  public static boolean isCommit(String sha) {
    return CommitId.isValid(sha);
  }

  /**
   * Whether {@code branch} is a branch name we build: {@code refs/heads/<branch>} is a valid git
   * ref and it uses only {@code [A-Za-z0-9._/+@=-]} — a branch name reaches build scripts as {@code
   * PAGURE_BRANCH}, so shell metacharacters, spaces and percent-escapes are refused even though git
   * itself would allow some of them.
   */
  public static boolean isBranch(String branch) {
    return branch != null
        && !branch.isEmpty()
        && branch.length() <= 255
        && !branch.startsWith("-")
        && !branch.equals("@")
        && !branch.startsWith("refs/")
        && BRANCH_CHARS.matcher(branch).matches()
        && Repository.isValidRefName("refs/heads/" + branch);
  }

  /** Whether {@code uid} is a pagure pull-request uid (32 hex digits in practice; alphanumeric). */
  public static boolean isUid(String uid) {
    return uid != null && UID.matcher(uid).matches();
  }
}
