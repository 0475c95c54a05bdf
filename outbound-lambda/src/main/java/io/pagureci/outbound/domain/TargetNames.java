package io.pagureci.outbound.domain;

import java.util.Optional;

/**
 * The routing table's name of a build's target ({@code pagure-ci/<name>} on its flag): the target
 * whose CodeBuild project or pipeline it is (docs/outbound.md "Flag username").
 */
@FunctionalInterface
public interface TargetNames {
  /** The name of the target of {@code resource} (project / pipeline), or empty if none. */
  Optional<String> of(BuildSystem system, String resource);
}
