package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The pipeline on its own: V2, parallel, per-execution key, variables, artifact access. */
class BuildPipelineTest {

  private static BuildPipeline pipeline(Stack stack, Optional<String> existing) {
    SourceBucket source = BuildProjectTest.source(stack);
    BuildProject build =
        new BuildProject(
            stack,
            "BuildProject",
            BuildProjectTest.props(
                source, true, existing, existing.map(e -> BuildProjectTest.ROLE)));
    return new BuildPipeline(
        stack,
        "BuildPipeline",
        new BuildPipeline.Props(
            source,
            List.of("source/*"),
            build,
            List.of("PAGURE_COMMIT", "PAGURE_PROJECT"),
            5,
            true));
  }

  @Test
  void eachExecutionNamesItsOwnKeyAndRunsInParallelWithTheVariablesDeclared() {
    Stack stack = new Stack(new App(), "Test");
    pipeline(stack, Optional.empty());
    Template t = Template.fromStack(stack);
    t.hasResourceProperties(
        "AWS::CodePipeline::Pipeline",
        Match.objectLike(
            Map.of(
                "PipelineType",
                "V2",
                "ExecutionMode",
                "PARALLEL",
                "Variables",
                List.of(
                    Match.objectLike(Map.of("Name", "PAGURE_COMMIT", "DefaultValue", "-")),
                    Match.objectLike(Map.of("Name", "PAGURE_PROJECT", "DefaultValue", "-"))),
                "Stages",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Name",
                                "Source",
                                "Actions",
                                List.of(
                                    Match.objectLike(
                                        Map.of(
                                            "Name",
                                            BuildPipeline.SOURCE_ACTION,
                                            "Configuration",
                                            Match.objectLike(
                                                Map.of(
                                                    "AllowOverrideForS3ObjectKey",
                                                    true,
                                                    "PollForSourceChanges",
                                                    false,
                                                    "S3ObjectKey",
                                                    "source/placeholder.zip"))))))))))));
    t.hasResourceProperties(
        "AWS::S3::Bucket",
        Match.objectLike(
            Map.of(
                "LifecycleConfiguration",
                Map.of(
                    "Rules",
                    List.of(
                        Match.objectLike(
                            Map.of("Id", "expire-artifacts", "ExpirationInDays", 5)))))));
  }

  @Test
  void theCreatedBuildRoleReadsOnlyItsInputArtifactsNotTheBucketNorTheSourceZips() {
    Stack stack = new Stack(new App(), "Test");
    pipeline(stack, Optional.empty());
    Template t = Template.fromStack(stack);
    String buildPolicy =
        t.findResources("AWS::IAM::Policy").entrySet().stream()
            .filter(e -> e.getKey().startsWith("BuildProjectBuildRoleDefaultPolicy"))
            .map(e -> e.getValue().toString())
            .findFirst()
            .orElseThrow();
    assertThat(buildPolicy)
        .contains("ReadPipelineArtifacts", "WriteOwnLogs", "WriteOwnReports")
        .doesNotContain("s3:List", "s3:GetBucket", "ReadSourceZips", "/aws/codebuild/");
  }

  @Test
  void anExistingProjectsRoleMayReadThePipelinesArtifactsButNotTheSourceZips() {
    Stack stack = new Stack(new App(), "Test");
    pipeline(stack, Optional.of("theirs"));
    Template t = Template.fromStack(stack);
    Map<String, Map<String, Object>> policies = t.findResources("AWS::IAM::Policy");
    String theirs =
        policies.entrySet().stream()
            .filter(e -> e.getValue().toString().contains("ReadPipelineArtifacts"))
            .map(e -> e.getValue().toString())
            .findFirst()
            .orElseThrow();
    assertThat(theirs).contains("theirs").doesNotContain("ReadSourceZips");
  }
}
