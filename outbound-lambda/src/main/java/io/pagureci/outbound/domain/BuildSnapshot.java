package io.pagureci.outbound.domain;

import java.util.Map;

/**
 * The current state of a build and its variables, as a status lookup returns it.
 *
 * @param state current state
 * @param variables CodeBuild PLAINTEXT environment variables, or the pipeline execution's resolved
 *     variables
 */
public record BuildSnapshot(BuildState state, Map<String, String> variables) {
  public BuildSnapshot {
    variables = variables == null ? Map.of() : Map.copyOf(variables);
  }
}
