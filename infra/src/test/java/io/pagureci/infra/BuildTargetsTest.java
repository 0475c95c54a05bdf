package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The three build targets: created project (PagureCiStackTest), existing project, pipeline. */
class BuildTargetsTest {

  @Test
  void anExistingProjectIsStartedByNameAndItsRoleMayReadTheSourceZips() {
    PagureCiStack stack =
        TestStacks.stack(
            Map.of(
                "existingProjectName", "legacy-build",
                "existingProjectRoleArn", "arn:aws:iam::123456789012:role/service-role/legacy"));
    Template t = TestStacks.template(stack);
    Object projectArn = stack.resolve(stack.project().getProjectArn());

    t.resourceCountIs("AWS::CodeBuild::Project", 0);
    assertThat(projectArn.toString()).contains(":project/legacy-build");
    Policies.assertAllows(
        t,
        stack,
        stack.buildWorker().role(),
        Map.of(
            "Sid",
            "StartBuild",
            "Effect",
            "Allow",
            "Action",
            "codebuild:StartBuild",
            "Resource",
            projectArn));
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles", List.of("legacy"),
                "PolicyDocument",
                    Match.objectLike(
                        Map.of(
                            "Statement",
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Action",
                                        List.of("s3:GetObject", "s3:GetObjectVersion"),
                                        "Resource",
                                        stack.resolve(
                                            stack.sourceBucket().arnForObjects("source/*")))),
                                Match.objectLike(
                                    Map.of(
                                        "Action",
                                        List.of("s3:GetBucketAcl", "s3:GetBucketLocation"),
                                        "Resource",
                                        stack.resolve(stack.sourceBucket().getBucketArn())))))))));
    t.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventPattern",
                Match.objectLike(
                    Map.of("detail", Map.of("project-name", List.of("legacy-build")))))));
    String routes =
        "{\"rules\":[{\"match\":[\"demo\",\"rpms/*\"],\"pullRequests\":true,\"targets\":["
            + "{\"name\":\"build\",\"system\":\"codebuild\",\"resource\":\"legacy-build\","
            + "\"trustedBuildspecPath\":\"buildspec.yml\"}]}]}";
    assertThat(stack.inboundEnvironment()).containsEntry("ROUTES", routes);
    assertThat(stack.workerEnvironment()).containsEntry("ROUTES", routes);
    assertThat(stack.outboundEnvironment()).containsEntry("ROUTES", routes);
  }

  @Test
  void thePipelineIsV2ParallelWithAnUntriggeredOverridableS3SourceAndDeclaredVariables() {
    PagureCiStack stack = TestStacks.stack(Map.of("buildTarget", "codepipeline"));
    Template t = TestStacks.template(stack);
    Object pipelineArn = stack.resolve(stack.pipeline().orElseThrow().getPipelineArn());
    Object pipelineName = stack.resolve(stack.pipeline().orElseThrow().getPipelineName());

    List<Object> variables = new ArrayList<>();
    for (String v : PagureCiStack.PAGURE_VARIABLES) {
      variables.add(Match.objectLike(Map.of("Name", v, "DefaultValue", "-")));
    }
    t.hasResourceProperties(
        "AWS::CodePipeline::Pipeline",
        Match.objectLike(
            Map.of(
                "PipelineType",
                "V2",
                "ExecutionMode",
                "PARALLEL",
                "Variables",
                variables,
                "Stages",
                List.of(
                    Match.objectLike(
                        Map.of(
                            "Name",
                            "Source",
                            "Actions",
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Name", PagureCiStack.PIPELINE_SOURCE_ACTION,
                                        "ActionTypeId",
                                            Match.objectLike(
                                                Map.of("Category", "Source", "Provider", "S3")),
                                        "Configuration",
                                            Map.of(
                                                "S3Bucket",
                                                stack.resolve(stack.sourceBucket().getBucketName()),
                                                "S3ObjectKey",
                                                "source/placeholder.zip",
                                                "PollForSourceChanges",
                                                false,
                                                "AllowOverrideForS3ObjectKey",
                                                true)))))),
                    Match.objectLike(
                        Map.of(
                            "Name",
                            "Build",
                            "Actions",
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "ActionTypeId",
                                            Match.objectLike(
                                                Map.of(
                                                    "Category", "Build", "Provider", "CodeBuild")),
                                        "Configuration",
                                            Match.objectLike(
                                                Map.of(
                                                    "ProjectName",
                                                        stack.resolve(
                                                            stack.project().getProjectName()),
                                                    "EnvironmentVariables",
                                                        Match.stringLikeRegexp(
                                                            ".*\"name\":\"PAGURE_COMMIT\",\"type\":\"PLAINTEXT\",\"value\":\"#\\{variables.PAGURE_COMMIT}\".*"))))))))))));
    // no S3 trigger: no CloudTrail rule, no polling
    t.resourceCountIs("AWS::CloudTrail::Trail", 0);
    // the worker starts the pipeline, and stops a superseded execution of it (cancelSuperseded's
    // default), nothing else on it
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles", List.of(stack.resolve(stack.buildWorker().role().getRoleName())),
                "PolicyDocument",
                    Match.objectLike(
                        Map.of(
                            "Statement",
                            List.of(
                                Match.objectLike(Map.of("Sid", "WriteOwnLogs")),
                                Match.objectLike(Map.of("Sid", "WriteSourceZips")),
                                Match.objectLike(Map.of("Sid", "WriteBuildRecords")),
                                Map.of(
                                    "Sid",
                                    "StartPipelineExecution",
                                    "Effect",
                                    "Allow",
                                    "Action",
                                    "codepipeline:StartPipelineExecution",
                                    "Resource",
                                    pipelineArn),
                                Map.of(
                                    "Sid",
                                    "StopSupersededPipelineExecution",
                                    "Effect",
                                    "Allow",
                                    "Action",
                                    "codepipeline:StopPipelineExecution",
                                    "Resource",
                                    pipelineArn),
                                Match.objectLike(Map.of("Sid", "PutRequestEvents")),
                                Match.objectLike(
                                    Map.of(
                                        "Action",
                                        Match.arrayWith(List.of("sqs:ReceiveMessage"))))))))));
    // outbound reads executions of this pipeline
    Policies.assertAllows(
        t,
        stack,
        stack.outboundRole(),
        Map.of(
            "Sid",
            "ReadPipelineExecutions",
            "Effect",
            "Allow",
            "Action",
            "codepipeline:GetPipelineExecution",
            "Resource",
            pipelineArn));
    // one rule for this pipeline's execution state changes (and the request events' rule)
    t.resourceCountIs("AWS::Events::Rule", 2);
    t.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventPattern",
                Map.of(
                    "source", List.of("aws.codepipeline"),
                    "account", List.of(Map.of("Ref", "AWS::AccountId")),
                    "region", List.of(Map.of("Ref", "AWS::Region")),
                    "detail-type", List.of("CodePipeline Pipeline Execution State Change"),
                    "detail", Map.of("pipeline", List.of(pipelineName))))));
    assertThat(stack.workerEnvironment())
        .containsEntry("PIPELINE_SOURCE_ACTION", "Source")
        .containsEntry("PIPELINE_OVERRIDE_S3_KEY", "true")
        .doesNotContainKeys("BUILD_TARGET", "CODEBUILD_PROJECT");
    assertThat(stack.workerEnvironment().get("ROUTES")).contains("\"system\":\"codepipeline\"");
    // the accept function only names the pipeline (in ROUTES, for the flag it asks for)
    assertThat(stack.inboundEnvironment())
        .containsEntry("ROUTES", stack.workerEnvironment().get("ROUTES"))
        .doesNotContainKeys(
            "BUILD_TARGET",
            "PIPELINE_NAME",
            "PIPELINE_SOURCE_ACTION",
            "PIPELINE_OVERRIDE_S3_KEY",
            "CODEBUILD_PROJECT");
    t.hasOutput("PipelineName", Match.anyValue());
    // the build reads its input artifact only: a CODEPIPELINE-source project, nothing on the source
    // bucket
    t.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(Map.of("Source", Match.objectLike(Map.of("Type", "CODEPIPELINE")))));
    String buildPolicy =
        t.findResources(
                "AWS::IAM::Policy",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(
                            Map.of(
                                "Roles",
                                List.of(stack.resolve(stack.project().getRole().getRoleName())))))))
            .toString();
    assertThat(buildPolicy).doesNotContain(stack.logicalId(stack.sourceBucket()));
    // the pipeline's artifact bucket is private, encrypted and SSL-only too
    t.resourceCountIs("AWS::S3::Bucket", 2);
    t.resourceCountIs("AWS::S3::BucketPolicy", 2);
  }

  @Test
  void theSourceActionRoleMayReadEveryZipUnderThePrefix() {
    PagureCiStack stack =
        TestStacks.stack(Map.of("buildTarget", "codepipeline", "sourcePrefix", "zips"));
    Template t = TestStacks.template(stack);
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                Map.of(
                                    "Sid",
                                    "ReadSourceZips",
                                    "Effect",
                                    "Allow",
                                    "Action",
                                    List.of("s3:GetObject", "s3:GetObjectVersion"),
                                    "Resource",
                                    stack.resolve(
                                        stack.sourceBucket().arnForObjects("zips/*"))))))))));
    assertThat(stack.inboundEnvironment()).containsEntry("SOURCE_PREFIX", "zips/");
  }
}
