package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.PublicProjects;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.Project;
import software.amazon.awssdk.services.codebuild.model.ProjectVisibilityType;

/**
 * {@code BatchGetProjects} of the build's project: its {@code publicProjectAlias} when {@code
 * projectVisibility} is {@code PUBLIC_READ}. A found alias is kept for the life of the process (it
 * changes only when the project's visibility is switched off and on); a project without one is
 * asked again next time, with a WARN line, and the flag links to the console meanwhile.
 */
public final class CodeBuildPublicProjects implements PublicProjects {
  private static final Logger LOG = LoggerFactory.getLogger(CodeBuildPublicProjects.class);

  /** The API's pattern of a public project alias. */
  private static final Pattern ALIAS = Pattern.compile("[0-9a-zA-Z%+=]{1,1024}");

  private final CodeBuildClient client;
  private final Map<String, String> aliases = new ConcurrentHashMap<>();

  public CodeBuildPublicProjects(CodeBuildClient client) {
    this.client = Objects.requireNonNull(client);
  }

  @Override
  public Optional<String> alias(String project) {
    String known = aliases.get(project);
    if (known != null) {
      return Optional.of(known);
    }
    for (Project p : client.batchGetProjects(b -> b.names(project)).projects()) {
      if (project.equals(p.name())
          && p.projectVisibility() == ProjectVisibilityType.PUBLIC_READ
          && p.publicProjectAlias() != null
          && ALIAS.matcher(p.publicProjectAlias()).matches()) {
        aliases.put(project, p.publicProjectAlias());
        return Optional.of(p.publicProjectAlias());
      }
    }
    LOG.warn(
        "{\"decision\":\"public-link-unavailable\",\"project\":\"{}\",\"reason\":\"the project's"
            + " builds are not public (no publicProjectAlias): the flag links to the console\"}",
        project.replace("\"", ""));
    return Optional.empty();
  }
}
