package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/**
 * {@code logAccess} with a routing table: {@code public} and {@code comment} apply to every
 * CodeBuild target the stack creates, each permission lists exactly those projects and log groups,
 * and a pipeline target beside them stays private with the console link.
 */
class LogAccessRoutesTest {

  private static final String TABLE =
      """
      [{"match": "widget", "targets": [
          {"name": "build", "codebuild": {}},
          {"name": "lint", "codebuild": {}, "trustedBuildspecPath": "ci/lint.yml"}]},
       {"match": "infra/*", "pullRequests": false, "branches": ["main"],
        "targets": [{"name": "deploy", "codepipeline": {}}]}]
      """;

  private static PagureCiStack stack(String logAccess, String table) {
    return TestStacks.stack(Map.of("allowedProjects", "", "routes", table, "logAccess", logAccess));
  }

  @Test
  void publicAndCommentCoverEachCreatedCodeBuildTargetAndLeaveThePipelinePrivate() {
    PagureCiStack stack = stack("public,comment", TABLE);
    Template t = TestStacks.template(stack);
    List<PagureCiStack.TargetResources> targets = stack.targets();
    assertThat(targets)
        .extracting(r -> r.settings().name())
        .containsExactly("build", "lint", "deploy");

    List<Object> aliases = Policies.resourcesOf(t, "ReadPublicProjectAlias");
    List<Object> logs = Policies.resourcesOf(t, "ReadBuildLogs");
    List<Object> expectedProjects = new ArrayList<>();
    List<Object> expectedLogs = new ArrayList<>();
    for (PagureCiStack.TargetResources r : targets.subList(0, 2)) {
      expectedProjects.add(stack.resolve(r.build().project().getProjectArn()));
      expectedLogs.add(stack.resolve(r.build().logGroup().orElseThrow().getLogGroupArn()));
    }
    assertThat(aliases).containsExactlyInAnyOrderElementsOf(expectedProjects);
    assertThat(logs).containsExactlyInAnyOrderElementsOf(expectedLogs);

    // two public projects (build, lint), each with its own resource access role; deploy's stays
    // private
    assertThat(t.findResources("AWS::CodeBuild::Project").toString().split("PUBLIC_READ", -1))
        .hasSize(3);
    assertThat(t.findResources("AWS::CodeBuild::Project").toString()).contains("PublicBuildsRole");
    assertThat(stack.outboundEnvironment()).containsEntry("LOG_ACCESS", "public,comment");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void aCodeBuildTargetOnAnExistingProjectIsRefusedByName() {
    String table =
        """
        [{"match": "widget", "targets": [
            {"name": "build", "codebuild": {}},
            {"name": "theirs", "codebuild": {"existingProjectName": "legacy"}}]}]
        """;
    assertThatThrownBy(() -> stack("comment", table))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("target 'theirs' has existingProjectName")
        .hasMessageContaining("needs the project the stack creates");
  }

  @Test
  void aTableOfPipelinesOnlyIsRefusedForPublic() {
    String table =
        """
        [{"match": "infra/*", "targets": [{"name": "deploy", "codepipeline": {}}]}]
        """;
    assertThatThrownBy(() -> stack("public", table))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("works with buildTarget=codebuild only");
  }
}
