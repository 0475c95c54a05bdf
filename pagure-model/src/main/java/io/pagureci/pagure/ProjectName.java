package io.pagureci.pagure;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * pagure's project fullnames, checked before a name is used in a clone URL, an S3 key, a DynamoDB
 * key, a build variable or a flag URL — the one rule of the inbound and the outbound function.
 *
 * <p>A fullname is {@code [forks/<user>/][<namespace>/]<name>}. Each part follows pagure's project
 * name rule: pagure 5.x validates a new project's name with its {@code PROJECT_NAME_REGEX}, by
 * default {@code ^[a-zA-z0-9_][a-zA-Z0-9-_.+]*$} (pagure/forms.py, case-insensitive), and keeps
 * name, namespace and user name in {@code String(255)} columns (pagure/lib/model.py). So a part is
 * {@code [A-Za-z0-9_][A-Za-z0-9_.+-]*}, at most {@value #MAX_PART_LENGTH} characters. Namespaces
 * (group names, {@code ^[a-zA-Z0-9-_]+$}) and user names are narrower and pass the same rule.
 *
 * <p>Where this differs from pagure, it is stricter, on purpose:
 *
 * <ul>
 *   <li>the default regex's first class is written {@code A-z}, which also admits {@code [ \ ] ^}
 *       and a backtick: refused here (no shell or URL metacharacter reaches a build);
 *   <li>a part ending in {@code .git} is refused ({@code <base>/<fullname>.git} is the clone URL:
 *       {@code x.git} would read as project {@code x});
 *   <li>a first part {@code tickets} or {@code requests} is refused: those are pagure's issue and
 *       pull-request metadata repositories ({@code <base>/tickets/<fullname>.git}), not code.
 * </ul>
 *
 * No part can be {@code .} or {@code ..}, hold {@code /}, {@code %}, {@code :}, white space or a
 * shell metacharacter; a fullname has at most four parts, so it is at most 773 characters (fits a
 * pipeline variable, 1,000, and an S3 key, 1,024 bytes, with the rest of the key).
 */
public final class ProjectName {

  /** The longest name, namespace or user name pagure stores ({@code String(255)}). */
  public static final int MAX_PART_LENGTH = 255;

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}");

  /** First parts that name pagure's metadata repositories, never a project to build. */
  private static final Set<String> METADATA_AREAS = Set.of("tickets", "requests");

  private static final String FORKS = "forks/";

  private ProjectName() {}

  /**
   * Whether {@code fullname} is a pagure project fullname: {@code name}, {@code ns/name}, {@code
   * forks/user/name} or {@code forks/user/ns/name}.
   */
  public static boolean isValid(String fullname) {
    if (fullname == null || fullname.isEmpty()) {
      return false;
    }
    String[] parts = fullname.split("/", -1);
    if (METADATA_AREAS.contains(parts[0])) {
      return false;
    }
    boolean fork = parts[0].equals("forks");
    int projectParts = fork ? parts.length - 2 : parts.length;
    if (projectParts < 1 || projectParts > 2) {
      return false;
    }
    for (String part : parts) {
      if (!isPart(part)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code part} is one valid name, namespace or user name (no {@code /}). */
  public static boolean isPart(String part) {
    return part != null && PART.matcher(part).matches() && !part.endsWith(".git");
  }

  /** Whether {@code fullname} names a fork ({@code forks/<user>/...}). */
  public static boolean isFork(String fullname) {
    return fullname.startsWith(FORKS);
  }

  /**
   * Whether {@code source} may hold a pull request's commits for {@code target}: the target itself
   * or one of its forks ({@code forks/<user>/<target>}). Both are already valid fullnames.
   */
  public static boolean isSourceOf(String source, String target) {
    if (source.equals(target)) {
      return true;
    }
    if (!isFork(source) || isFork(target)) {
      return false;
    }
    int user = source.indexOf('/', FORKS.length());
    return user > FORKS.length() && source.substring(user + 1).equals(target);
  }
}
