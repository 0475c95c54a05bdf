package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildSnapshot;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.FlagMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.PipelineExecution;
import software.amazon.awssdk.services.codepipeline.model.PipelineExecutionNotFoundException;
import software.amazon.awssdk.services.codepipeline.model.ResolvedPipelineVariable;

/** A V2 pipeline execution's state and variables via {@code GetPipelineExecution}. */
public final class CodePipelineStatusLookup implements BuildStatusLookup {
  private final CodePipelineClient client;

  public CodePipelineStatusLookup(CodePipelineClient client) {
    this.client = client;
  }

  @Override
  public Optional<BuildSnapshot> lookup(BuildRef ref) {
    try {
      PipelineExecution e =
          client
              .getPipelineExecution(b -> b.pipelineName(ref.target()).pipelineExecutionId(ref.id()))
              .pipelineExecution();
      return Optional.ofNullable(e).map(CodePipelineStatusLookup::snapshot);
    } catch (PipelineExecutionNotFoundException e) {
      return Optional.empty();
    }
  }

  static BuildSnapshot snapshot(PipelineExecution e) {
    String status = eventState(e.statusAsString());
    Map<String, String> vars = new LinkedHashMap<>();
    for (ResolvedPipelineVariable v : e.variables()) {
      if (v.name() != null && v.resolvedValue() != null) {
        vars.put(v.name(), v.resolvedValue());
      }
    }
    return new BuildSnapshot(
        new BuildState(
            !FlagMapper.PIPELINE_RUNNING.contains(status), status, null, List.of(), null),
        vars);
  }

  /**
   * API status ({@code InProgress}, {@code Cancelled}, ...) in the event vocabulary ({@code
   * IN_PROGRESS}, {@code CANCELED}).
   */
  static String eventState(String apiStatus) {
    if (apiStatus == null) {
      return "IN_PROGRESS";
    }
    return switch (apiStatus) {
      case "InProgress" -> "IN_PROGRESS";
      case "Cancelled" -> "CANCELED";
      default -> apiStatus.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    };
  }
}
