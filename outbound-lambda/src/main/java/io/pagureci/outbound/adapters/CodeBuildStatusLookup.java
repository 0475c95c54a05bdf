package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildSnapshot;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.PhaseResult;
import java.time.Instant;
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
            .map(
                p ->
                    new PhaseResult(
                        p.phaseTypeAsString(), p.phaseStatusAsString(), p.startTime(), p.endTime()))
            .toList();
    boolean finished = status != null && !status.equals("IN_PROGRESS");
    BuildState state =
        new BuildState(
            finished,
            status == null ? "IN_PROGRESS" : status,
            build.currentPhase(),
            phases,
            build.buildNumber(),
            build.startTime() != null
                ? build.startTime()
                : phases.isEmpty() ? null : phases.get(0).start(),
            finished ? end(build, phases) : PhaseResult.latest(null, phases));
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

  /** A finished build's end: {@code endTime}, else its COMPLETED phase's start, else null. */
  private static Instant end(Build build, List<PhaseResult> phases) {
    if (build.endTime() != null) {
      return build.endTime();
    }
    for (PhaseResult p : phases) {
      if (p.phase().equals("COMPLETED")) {
        return p.start();
      }
    }
    return null;
  }
}
