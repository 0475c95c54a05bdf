package io.pagureci.outbound.domain;

import java.util.Set;

/**
 * Which builds are ours.
 *
 * @param pagureUrl the configured pagure ({@code PAGURE_INSTANCE} must equal it)
 * @param codeBuildProjects CodeBuild projects handled; empty = any project whose build carries
 *     PAGURE_* vars
 * @param pipelineNames pipelines handled; empty = any pipeline whose execution carries PAGURE_*
 *     vars
 * @param anyWhenEmpty whether an empty set means any (without {@code ROUTES}); with the routing
 *     table the sets are its resources, and an empty one means none
 */
public record Scope(
    String pagureUrl,
    Set<String> codeBuildProjects,
    Set<String> pipelineNames,
    boolean anyWhenEmpty) {
  public Scope {
    codeBuildProjects = Set.copyOf(codeBuildProjects);
    pipelineNames = Set.copyOf(pipelineNames);
  }

  /** Without a routing table: an empty set means any. */
  public Scope(String pagureUrl, Set<String> codeBuildProjects, Set<String> pipelineNames) {
    this(pagureUrl, codeBuildProjects, pipelineNames, true);
  }

  boolean handles(BuildRef ref) {
    return handles(ref.system(), ref.target());
  }

  boolean handles(BuildSystem system, String target) {
    Set<String> names = system == BuildSystem.CODEBUILD ? codeBuildProjects : pipelineNames;
    return (anyWhenEmpty && names.isEmpty()) || names.contains(target);
  }

  /** For ignore reasons: {@code CodeBuild project 'x' is not configured}. */
  static String notConfigured(BuildSystem system, String target) {
    return (system == BuildSystem.CODEBUILD ? "CodeBuild project" : "pipeline")
        + " '"
        + target
        + "' is not configured";
  }
}
