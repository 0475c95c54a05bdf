package io.pagureci.outbound.domain;

import java.util.Optional;

/**
 * Port: the public alias of a CodeBuild project with public build results ({@code
 * BatchGetProjects}' {@code publicProjectAlias}; CloudFormation gives the project no such
 * attribute), or empty when the project's builds are not public. Throws when it cannot say.
 */
public interface PublicProjects {
  Optional<String> alias(String project);
}
