package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.logs.RetentionDays;

/** The build project on its own: created (S3 or pipeline source) or existing. */
class BuildProjectTest {

  static final String ROLE = "arn:aws:iam::123456789012:role/theirs";

  static BuildProject.Props props(
      SourceBucket source, boolean viaPipeline, Optional<String> existing, Optional<String> role) {
    return new BuildProject.Props(
        source,
        List.of("source/*"),
        viaPipeline,
        existing,
        role,
        "aws/codebuild/standard:7.0",
        "medium",
        45,
        3,
        RetentionDays.ONE_WEEK,
        RemovalPolicy.DESTROY,
        false);
  }

  static SourceBucket source(Stack stack) {
    return new SourceBucket(stack, "SourceBucket", new SourceBucket.Props("source/", 30, 7, true));
  }

  @Test
  void aCreatedProjectReadsItsZipFromTheSourceBucketAndLogsToItsOwnGroup() {
    Stack stack = new Stack(new App(), "Test");
    SourceBucket source = source(stack);
    BuildProject b =
        new BuildProject(
            stack, "BuildProject", props(source, false, Optional.empty(), Optional.empty()));
    Template t = Template.fromStack(stack);
    t.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(
            Map.of(
                "Source",
                Match.objectLike(Map.of("Type", "S3")),
                "TimeoutInMinutes",
                45,
                "ConcurrentBuildLimit",
                3,
                "Environment",
                Match.objectLike(
                    Map.of(
                        "ComputeType",
                        "BUILD_GENERAL1_MEDIUM",
                        "Image",
                        "aws/codebuild/standard:7.0",
                        "PrivilegedMode",
                        false)),
                "LogsConfig",
                Map.of(
                    "CloudWatchLogs",
                    Match.objectLike(
                        Map.of(
                            "GroupName",
                            stack.resolve(b.logGroup().orElseThrow().getLogGroupName())))))));
    t.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 7));
    assertThat(b.created()).isPresent();
    assertThat(b.existingRole()).isEmpty();
  }

  @Test
  void aPipelineProjectHasNoS3Source() {
    Stack stack = new Stack(new App(), "Test");
    new BuildProject(
        stack, "BuildProject", props(source(stack), true, Optional.empty(), Optional.empty()));
    Template t = Template.fromStack(stack);
    t.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(Map.of("Source", Match.objectLike(Map.of("Type", "CODEPIPELINE")))));
    assertThat(t.toJSON().toString()).doesNotContain("placeholder.zip");
  }

  @Test
  void anExistingProjectsRoleMayReadTheZipsAndLocateTheBucket() {
    Stack stack = new Stack(new App(), "Test");
    SourceBucket source = source(stack);
    BuildProject b =
        new BuildProject(
            stack, "BuildProject", props(source, false, Optional.of("theirs"), Optional.of(ROLE)));
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::CodeBuild::Project", 0);
    t.resourceCountIs("AWS::Logs::LogGroup", 0);
    String policy = t.findResources("AWS::IAM::Policy").toString();
    assertThat(policy)
        .contains("ReadSourceZips", "LocateSourceBucket", "s3:GetBucketLocation", "/source/*")
        .doesNotContain("s3:List");
    assertThat(b.project().getProjectName()).isEqualTo("theirs");
    assertThat(b.logGroup()).isEmpty();
  }

  @Test
  void anExistingProjectWithoutItsRoleIsGivenNothing() {
    Stack stack = new Stack(new App(), "Test");
    new BuildProject(
        stack,
        "BuildProject",
        props(source(stack), false, Optional.of("theirs"), Optional.empty()));
    Template.fromStack(stack).resourceCountIs("AWS::IAM::Policy", 0);
  }
}
