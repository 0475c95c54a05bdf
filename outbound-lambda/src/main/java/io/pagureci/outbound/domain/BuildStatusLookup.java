package io.pagureci.outbound.domain;

import java.util.Optional;

/**
 * Port: asks the build service what a build's state is now ({@code BatchGetBuilds}, {@code
 * GetPipelineExecution}).
 */
public interface BuildStatusLookup {
  /** The build's current state, or empty when the service does not know the build. */
  Optional<BuildSnapshot> lookup(BuildRef ref);
}
