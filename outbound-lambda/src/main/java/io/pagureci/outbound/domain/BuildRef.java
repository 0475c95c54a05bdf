package io.pagureci.outbound.domain;

import java.util.Objects;

/**
 * Which build an event is about.
 *
 * @param system CodeBuild or CodePipeline
 * @param target CodeBuild project name or pipeline name
 * @param id CodeBuild build ARN, or pipeline execution id
 * @param region AWS region of the build
 * @param account AWS account id (may be empty)
 */
public record BuildRef(
    BuildSystem system, String target, String id, String region, String account) {
  public BuildRef {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(id, "id");
    region = region == null ? "" : region;
    account = account == null ? "" : account;
  }

  /**
   * CodeBuild: {@code project:uuid} (the part after {@code build/}); pipelines: the execution id.
   */
  public String shortId() {
    int slash = id.indexOf(":build/");
    return slash >= 0 ? id.substring(slash + ":build/".length()) : id;
  }
}
