package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildSnapshot;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.PhaseResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;

/** A CodeBuild build's current state via {@code BatchGetBuilds}. */
public final class CodeBuildStatusLookup implements BuildStatusLookup {
  private final CodeBuildClient client;

  public CodeBuildStatusLookup(CodeBuildClient client) {
    this.client = client;
  }

  @Override
  public Optional<BuildSnapshot> lookup(BuildRef ref) {
    List<Build> builds = client.batchGetBuilds(b -> b.ids(ref.id())).builds();
    return builds.stream().findFirst().map(CodeBuildStatusLookup::snapshot);
  }

  static BuildSnapshot snapshot(Build build) {
    String status = build.buildStatusAsString();
    List<PhaseResult> phases =
        build.phases().stream()
            .map(p -> new PhaseResult(p.phaseTypeAsString(), p.phaseStatusAsString()))
            .toList();
    BuildState state =
        new BuildState(
            status != null && !status.equals("IN_PROGRESS"),
            status == null ? "IN_PROGRESS" : status,
            build.currentPhase(),
            phases,
            build.buildNumber());
    Map<String, String> vars = new LinkedHashMap<>();
    if (build.environment() != null) {
      for (EnvironmentVariable v : build.environment().environmentVariables()) {
        if (v.type() == null || v.type() == EnvironmentVariableType.PLAINTEXT) {
          vars.put(v.name(), v.value());
        }
      }
    }
    return new BuildSnapshot(state, vars);
  }
}
