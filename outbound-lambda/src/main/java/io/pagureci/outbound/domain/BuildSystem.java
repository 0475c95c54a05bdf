package io.pagureci.outbound.domain;

import java.util.regex.Pattern;

/** The AWS service that ran a build. */
public enum BuildSystem {
  CODEBUILD("codebuild", "CodeBuild", "[A-Za-z0-9][A-Za-z0-9_-]{1,254}"),
  CODEPIPELINE("codepipeline", "CodePipeline", "[A-Za-z0-9.@_-]{1,100}");

  private final String id;
  private final String label;
  private final Pattern targetName;

  BuildSystem(String id, String label, String targetName) {
    this.id = id;
    this.label = label;
    this.targetName = Pattern.compile(targetName);
  }

  /** The system whose {@link #id()} is {@code id}, or {@code null}. */
  public static BuildSystem ofId(String id) {
    for (BuildSystem s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Whether {@code name} is a valid CodeBuild project name / pipeline name (the services' own
   * rules).
   */
  public boolean validTarget(String name) {
    return name != null && targetName.matcher(name).matches();
  }

  /** Lower-case identifier used in documents and uids. */
  public String id() {
    return id;
  }

  /** Short name used in log and error messages. */
  public String label() {
    return label;
  }
}
