package io.pagureci.outbound.domain;

import java.util.Map;

/**
 * A usable EventBridge event about a build.
 *
 * @param ref the build
 * @param state the state the event reports
 * @param variables the build's PLAINTEXT environment variables (CodeBuild events); empty for
 *     pipelines
 * @param eventId EventBridge event id (for logs)
 * @param logs where the build's log is (CodeBuild events that name it), or {@code null}
 */
public record BuildEvent(
    BuildRef ref, BuildState state, Map<String, String> variables, String eventId, BuildLogs logs) {
  public BuildEvent {
    variables = variables == null ? Map.of() : Map.copyOf(variables);
  }

  /** An event that names no log. */
  public BuildEvent(BuildRef ref, BuildState state, Map<String, String> variables, String eventId) {
    this(ref, state, variables, eventId, null);
  }
}
