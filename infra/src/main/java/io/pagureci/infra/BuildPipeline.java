package io.pagureci.infra;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.codebuild.BuildEnvironmentVariable;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.CfnPipeline;
import software.amazon.awscdk.services.codepipeline.ExecutionMode;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.PipelineType;
import software.amazon.awscdk.services.codepipeline.StageProps;
import software.amazon.awscdk.services.codepipeline.Variable;
import software.amazon.awscdk.services.codepipeline.actions.CodeBuildAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.constructs.Construct;

/**
 * The CodePipeline V2 target (buildTarget=codepipeline): an S3 source action whose object key each
 * execution overrides ({@code AllowOverrideForS3ObjectKey}), then the {@link BuildProject}'s
 * CodeBuild action; PARALLEL executions, the {@code PAGURE_*} variables declared with default
 * {@code -}, its own artifact bucket.
 */
final class BuildPipeline extends StackPart {

  /** Name of the pipeline's source action (PIPELINE_SOURCE_ACTION). */
  static final String SOURCE_ACTION = "Source";

  /**
   * @param artifactExpirationDays the artifact bucket's expiry (the source zips')
   * @param autoDeleteObjects test stacks: the artifact bucket is emptied and destroyed with the
   *     stack
   */
  record Props(
      SourceBucket source,
      List<String> zipKeys,
      BuildProject build,
      List<String> variables,
      int artifactExpirationDays,
      boolean autoDeleteObjects) {
    Props {
      Objects.requireNonNull(source);
      Objects.requireNonNull(build);
      variables = List.copyOf(variables);
      zipKeys = List.copyOf(zipKeys);
    }
  }

  private final Pipeline pipeline;

  BuildPipeline(Construct scope, String id, Props props) {
    super(scope, id);
    SourceBucket source = props.source();
    NagSuppressionsPlan nag = NagSuppressionsPlan.of(this);
    Bucket artifacts =
        SourceBucket.privateBucket(this, "PipelineArtifactBucket", props.autoDeleteObjects())
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("expire-artifacts")
                        .expiration(Duration.days(props.artifactExpirationDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
            .build();
    nag.bucketAccessLogs(artifacts);

    Role sourceRole =
        Role.Builder.create(this, "PipelineSourceActionRole")
            .assumedBy(new AccountRootPrincipal())
            .description(
                "pagure-ci-aws pipeline source action: reads the commit zip named by the execution")
            .build();
    // AllowOverrideForS3ObjectKey: each execution names its own key under the prefix.
    sourceRole.addToPrincipalPolicy(source.readZips(props.zipKeys()));

    Artifact sourceArtifact = Artifact.artifact("Source");
    S3SourceAction sourceAction =
        S3SourceAction.Builder.create()
            .actionName(SOURCE_ACTION)
            .bucket(source.bucket())
            .bucketKey(source.placeholderKey())
            .trigger(S3Trigger.NONE)
            .output(sourceArtifact)
            .role(sourceRole)
            .build();
    Map<String, BuildEnvironmentVariable> buildVariables = new LinkedHashMap<>();
    for (String v : props.variables()) {
      buildVariables.put(
          v, BuildEnvironmentVariable.builder().value("#{variables." + v + "}").build());
    }
    CodeBuildAction buildAction =
        CodeBuildAction.Builder.create()
            .actionName("Build")
            .project(props.build().project())
            .input(sourceArtifact)
            .environmentVariables(buildVariables)
            .build();
    List<Variable> variables =
        props.variables().stream()
            .map(
                v ->
                    Variable.Builder.create()
                        .variableName(v)
                        .defaultValue("-")
                        .description(
                            "set by the worker function; '-' = not set (see docs/protocol.md)")
                        .build())
            .toList();
    pipeline =
        Pipeline.Builder.create(this, "Pipeline")
            .pipelineType(PipelineType.V2)
            // Several pull requests build at once; each execution pins its own S3 object version.
            .executionMode(ExecutionMode.PARALLEL)
            .artifactBucket(artifacts)
            .crossAccountKeys(false)
            .restartExecutionOnUpdate(false)
            .variables(variables)
            .stages(
                List.of(
                    StageProps.builder().stageName("Source").actions(List.of(sourceAction)).build(),
                    StageProps.builder().stageName("Build").actions(List.of(buildAction)).build()))
            .build();
    CfnPipeline cfn = (CfnPipeline) pipeline.getNode().getDefaultChild();
    cfn.addPropertyOverride("Stages.0.Actions.0.Configuration.AllowOverrideForS3ObjectKey", true);
    nag.pipeline(pipeline, sourceRole, artifacts, source.bucket(), props.zipKeys());
    // The build role (created, or the existing project's when known) reads its input artifact;
    // CDK's own grant for the build action is left out (BuildProject), as it adds s3:GetBucket* and
    // s3:List* on the artifact bucket.
    props
        .build()
        .role()
        .ifPresent(
            role -> {
              role.addToPrincipalPolicy(
                  Statements.allow(
                      "ReadPipelineArtifacts",
                      List.of("s3:GetObject", "s3:GetObjectVersion"),
                      List.of(artifacts.arnForObjects("*"))));
              String policy = props.build().createdRole().isPresent() ? "DefaultPolicy" : "Policy";
              nag.pipelineArtifactsForBuildRole(role.getNode().tryFindChild(policy), artifacts);
            });
  }

  Pipeline pipeline() {
    return pipeline;
  }
}
