package io.pagureci.pagure.routing;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One build target of the routing table (docs/configuration.md, docs/queue.md §3): what PR authors
 * read as the flag's {@code pagure-ci/<name>}, and the CodeBuild project or pipeline that builds.
 *
 * @param name 1-32 of {@code [A-Za-z0-9._-]}, starting with a letter or digit ({@link #NAME})
 * @param system which build service
 * @param resource the CodeBuild project name or the pipeline name
 * @param trustedBuildspecPath the buildspec read from the pull request's target branch (CodeBuild
 *     only), or {@code null}: the commit's own buildspec
 */
public record Target(String name, System system, String resource, String trustedBuildspecPath) {

  /** What a target name may be: short and safe to show anywhere. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  /** CodeBuild's project name rule. */
  static final Pattern CODEBUILD_PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,254}");

  /** CodePipeline's pipeline name rule. */
  static final Pattern PIPELINE = Pattern.compile("[A-Za-z0-9.@_-]{1,100}");

  /** The build services a target can be on. */
  public enum System {
    CODEBUILD("codebuild"),
    CODEPIPELINE("codepipeline");

    private final String id;

    System(String id) {
      this.id = id;
    }

    /** {@code codebuild} / {@code codepipeline}: the name in {@code ROUTES} and in events. */
    public String id() {
      return id;
    }

    /** The system of an id, or null. */
    public static System ofId(String id) {
      for (System s : values()) {
        if (s.id.equals(id)) {
          return s;
        }
      }
      return null;
    }

    /** Whether {@code resource} is a valid project (CodeBuild) or pipeline name. */
    public boolean validResource(String resource) {
      return resource != null
          && (this == CODEBUILD ? CODEBUILD_PROJECT : PIPELINE).matcher(resource).matches();
    }
  }

  public Target {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(resource, "resource");
    if (!validName(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a target name");
    }
    if (!system.validResource(resource)) {
      throw new IllegalArgumentException(
          "'" + resource + "' is not a " + system.id() + " resource name");
    }
    if (trustedBuildspecPath != null && !validBuildspecPath(trustedBuildspecPath)) {
      throw new IllegalArgumentException(
          "'" + trustedBuildspecPath + "' is not a file path inside the repository");
    }
  }

  /** Whether {@code name} is a target name ({@link #NAME}). */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** A relative file path without {@code ..}: no leading or trailing {@code /}. */
  public static boolean validBuildspecPath(String path) {
    return path != null
        && !path.isBlank()
        && !path.startsWith("/")
        && !path.endsWith("/")
        && !path.contains("..")
        && path.chars().noneMatch(c -> c < ' ' || c == 127);
  }

  /**
   * The buildspec path read from the target branch when a pull request builds on CodeBuild; empty
   * for a pipeline (its stages name their buildspecs) and when the commit's own buildspec runs.
   */
  public Optional<String> trustedBuildspec() {
    return system == System.CODEBUILD
        ? Optional.ofNullable(trustedBuildspecPath)
        : Optional.empty();
  }
}
