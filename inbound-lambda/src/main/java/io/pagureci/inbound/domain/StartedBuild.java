package io.pagureci.inbound.domain;

import java.util.Objects;

/**
 * A started build.
 *
 * @param target {@code codebuild} or {@code codepipeline}
 * @param id CodeBuild build id ({@code project:uuid}) or CodePipeline execution id
 */
public record StartedBuild(String target, String id) {
  public StartedBuild {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(id, "id");
  }
}
