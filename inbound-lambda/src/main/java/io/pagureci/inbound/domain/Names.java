package io.pagureci.inbound.domain;

import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;

/**
 * pagure's naming rules, checked before any name is used in a URL, an S3 key or a git ref.
 *
 * <p>Project fullnames are {@code [forks/<user>/][<namespace>/]<name>}; each part follows pagure's
 * project-name form {@code [A-Za-z0-9_][A-Za-z0-9_.+-]*} (so no {@code ..}, no scheme, no leading
 * {@code -} or {@code .}, no percent-escapes, no whitespace or shell metacharacters).
 */
public final class Names {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern UID = Pattern.compile("[A-Za-z0-9]{1,64}");

  /** Characters allowed in branch names: no shell metacharacters, no percent-escapes, no spaces. */
  private static final Pattern BRANCH_CHARS = Pattern.compile("[A-Za-z0-9._/+@=-]+");

  private Names() {}

  /**
   * Whether {@code name} can be a pagure user or group name (one path segment, as in {@code
   * forks/<user>/…}): safe to put into an API path.
   */
  public static boolean isUser(String name) {
    return name != null && SEGMENT.matcher(name).matches() && !name.endsWith(".git");
  }

  /** Whether {@code fullname} is a pagure project fullname (target or fork). */
  public static boolean isProjectFullname(String fullname) {
    if (fullname == null || fullname.isEmpty() || fullname.length() > 255) {
      return false;
    }
    String[] parts = fullname.split("/", -1);
    if (GIT_AREAS.contains(parts[0])) {
      return false; // pagure's tickets/ and requests/ repositories hold issue and PR data, not code
    }
    int start = 0;
    if (parts[0].equals("forks")) {
      start = 2; // forks/<user>/...
      if (parts.length < 3 || parts.length > 4) {
        return false;
      }
    } else if (parts.length > 2) {
      return false;
    }
    for (String part : parts) {
      if (!SEGMENT.matcher(part).matches() || part.endsWith(".git") || part.endsWith(".")) {
        return false;
      }
    }
    return start <= parts.length;
  }

  /** First segments that name pagure's metadata repositories, never a project to build. */
  private static final java.util.Set<String> GIT_AREAS = java.util.Set.of("tickets", "requests");

  /**
   * Whether {@code source} may hold a pull request's commits for {@code target}: the target itself
   * or one of its forks ({@code forks/<user>/<target>}). Both are already fullnames.
   */
  public static boolean isSourceOf(String source, String target) {
    if (source.equals(target)) {
      return true;
    }
    if (!isFork(source) || isFork(target)) {
      return false;
    }
    int user = source.indexOf('/', "forks/".length());
    return user > "forks/".length() && source.substring(user + 1).equals(target);
  }

  /** Whether {@code fullname} names a fork ({@code forks/<user>/...}). */
  public static boolean isFork(String fullname) {
    return fullname.startsWith("forks/");
  }

  /** Whether {@code sha} is a full lower-case SHA-1 or SHA-256 object name. */
  public static boolean isCommit(String sha) {
    return sha != null && SHA.matcher(sha).matches();
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
