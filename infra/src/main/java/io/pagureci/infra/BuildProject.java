package io.pagureci.infra;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.codebuild.BuildEnvironment;
import software.amazon.awscdk.services.codebuild.CfnProject;
import software.amazon.awscdk.services.codebuild.CloudWatchLoggingOptions;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.codebuild.IProject;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.LoggingOptions;
import software.amazon.awscdk.services.codebuild.PipelineProject;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.codebuild.S3SourceProps;
import software.amazon.awscdk.services.codebuild.Source;
import software.amazon.awscdk.services.iam.FromRoleArnOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The CodeBuild project builds run in: created (with its log group), or an existing one named by
 * {@code existingProjectName}. Built directly, it reads the one zip each build names (source type
 * S3, overridden per build); behind a {@link BuildPipeline} it reads the pipeline's input artifact
 * (source type CODEPIPELINE) and never the source bucket.
 */
final class BuildProject extends StackPart {

  /**
   * @param viaPipeline the project is a pipeline's build action (buildTarget=codepipeline)
   * @param existingProjectName use this project instead of creating one
   * @param existingProjectRoleArn the existing project's service role: it is given its input
   * @param computeType {@code small} .. {@code 2xlarge} (Settings checks it)
   * @param concurrentBuildLimit the created project's {@code ConcurrentBuildLimit} (not applied to
   *     an existing project: it is not this stack's)
   * @param publicBuilds logAccess=public: CodeBuild public build results for the created project
   * @param zipKeys the source-zip key patterns (with the prefix) its builds may read: the zips of
   *     the projects its routing rule matches ({@code <prefix>*} for the one-rule table)
   */
  record Props(
      SourceBucket source,
      List<String> zipKeys,
      boolean viaPipeline,
      Optional<String> existingProjectName,
      Optional<String> existingProjectRoleArn,
      String buildImage,
      String computeType,
      int timeoutMinutes,
      int concurrentBuildLimit,
      RetentionDays logRetention,
      RemovalPolicy removalPolicy,
      boolean publicBuilds) {
    Props {
      Objects.requireNonNull(source);
      Objects.requireNonNull(existingProjectName);
      Objects.requireNonNull(existingProjectRoleArn);
      zipKeys = List.copyOf(zipKeys);
      if (publicBuilds && existingProjectName.isPresent()) {
        throw new IllegalArgumentException(
            "public build results need the created project (Settings refuses logAccess=public"
                + " with existingProjectName)");
      }
    }
  }

  private final IProject project;
  private final Optional<IRole> existingRole;
  private Optional<Role> createdRole = Optional.empty();
  private Optional<Role> publicBuildsRole = Optional.empty();
  private final Optional<LogGroup> logGroup;

  BuildProject(Construct scope, String id, Props props) {
    super(scope, id);
    SourceBucket source = props.source();
    NagSuppressionsPlan nag = NagSuppressionsPlan.of(this);
    if (props.existingProjectName().isPresent()) {
      project = Project.fromProjectName(this, "ExistingProject", props.existingProjectName().get());
      logGroup = Optional.empty();
      existingRole =
          props
              .existingProjectRoleArn()
              .map(
                  arn ->
                      Role.fromRoleArn(
                          this,
                          "ExistingProjectRole",
                          arn,
                          FromRoleArnOptions.builder().mutable(true).build()));
      if (existingRole.isPresent() && !props.viaPipeline()) {
        // behind a pipeline it reads the pipeline's artifacts instead (BuildPipeline)
        IRole role = existingRole.get();
        role.addToPrincipalPolicy(source.readZips(props.zipKeys()));
        role.addToPrincipalPolicy(source.locateBucket());
        nag.sourceZipKeys(role.getNode().tryFindChild("Policy"), source.bucket(), props.zipKeys());
      }
      return;
    }
    existingRole = Optional.empty();
    LogGroup logs =
        LogGroup.Builder.create(this, "BuildLogs")
            .retention(props.logRetention())
            .removalPolicy(props.removalPolicy())
            .build();
    logGroup = Optional.of(logs);
    // The project and its role keep the ids CDK gives them when the project makes its own role
    // (Build, Build/Role). The role is ours so that CDK's default grants can be left out: read on
    // the whole source bucket (s3:GetBucket*, s3:List*), the /aws/codebuild/<project> log group it
    // never writes to; every statement is added below.
    Construct holder = new Construct(this, "Build");
    Role role =
        Role.Builder.create(holder, "Role")
            .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
            .build();
    createdRole = Optional.of(role);
    BuildEnvironment environment =
        BuildEnvironment.builder()
            .buildImage(LinuxBuildImage.fromCodeBuildImageId(props.buildImage()))
            .computeType(computeType(props.computeType()))
            .privileged(false)
            .build();
    LoggingOptions logging =
        LoggingOptions.builder()
            .cloudWatch(CloudWatchLoggingOptions.builder().logGroup(logs).build())
            .build();
    Project created;
    if (props.viaPipeline()) {
      // Source type CODEPIPELINE: the build reads only its input artifact, never the source bucket
      // (BuildPipeline grants the artifact read).
      created =
          PipelineProject.Builder.create(holder, "Default")
              .description(
                  "pagure-ci-aws builds (input: the pipeline's source artifact, one commit)")
              .environment(environment)
              .timeout(Duration.minutes(props.timeoutMinutes()))
              .logging(logging)
              .concurrentBuildLimit(props.concurrentBuildLimit())
              .role(role.withoutPolicyUpdates())
              .build();
    } else {
      created =
          Project.Builder.create(holder, "Default")
              .description(
                  "pagure-ci-aws builds (source: a zip of one commit, uploaded by the inbound function)")
              .environment(environment)
              .timeout(Duration.minutes(props.timeoutMinutes()))
              .logging(logging)
              .concurrentBuildLimit(props.concurrentBuildLimit())
              .role(role.withoutPolicyUpdates())
              // The worker overrides location and version per build; this key only makes the
              // project valid and lets a console "Start build" point somewhere sensible.
              .source(
                  Source.s3(
                      S3SourceProps.builder()
                          .bucket(source.bucket())
                          .path(source.placeholderKey())
                          .build()))
              .build();
      // Builds read any zip under the prefix (the per-build override), pinned by version id; the
      // bucket itself only to locate it (CodeBuild's S3 source).
      role.addToPrincipalPolicy(source.readZips(props.zipKeys()));
      role.addToPrincipalPolicy(source.locateBucket());
    }
    role.addToPrincipalPolicy(Statements.writeOwnLogs(logs));
    // test reports of a buildspec's `reports:` section: CodeBuild creates report groups named
    // <project>-<report>
    role.addToPrincipalPolicy(
        Statements.allow(
            "WriteOwnReports",
            List.of(
                "codebuild:CreateReportGroup",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
                "codebuild:BatchPutTestCases",
                "codebuild:BatchPutCodeCoverages"),
            List.of(
                Stack.of(this)
                    .formatArn(
                        ArnComponents.builder()
                            .service("codebuild")
                            .resource("report-group")
                            .resourceName(created.getProjectName() + "-*")
                            .build()))));
    nag.codeBuildProject(
        created, role, props.viaPipeline() ? null : source.bucket(), props.zipKeys());
    if (props.publicBuilds()) {
      publicBuildResults(holder, created, logs);
    }
    project = created;
  }

  /**
   * logAccess=public: CodeBuild's public build results ({@code Visibility: PUBLIC_READ}) with a
   * resource access role CodeBuild assumes to show them, which may read this project's log group
   * and nothing else (the project has no artifacts). Every build of the project, earlier private
   * ones included, is then readable by anyone who has its link (docs/security.md).
   */
  private void publicBuildResults(Construct holder, Project created, LogGroup logs) {
    Role access =
        Role.Builder.create(holder, "PublicBuildsRole")
            .assumedBy(new ServicePrincipal("codebuild.amazonaws.com"))
            .description(
                "pagure-ci-aws: CodeBuild shows the public build pages with this role (its logs only)")
            .build();
    access.addToPrincipalPolicy(
        Statements.allow(
            "ReadOwnBuildLogs", List.of("logs:GetLogEvents"), List.of(logs.getLogGroupArn())));
    publicBuildsRole = Optional.of(access);
    CfnProject cfn = (CfnProject) created.getNode().getDefaultChild();
    cfn.setVisibility("PUBLIC_READ");
    cfn.setResourceAccessRole(access.getRoleArn());
  }

  /** logAccess=public: the role CodeBuild shows the public build pages with. */
  Optional<Role> publicBuildsRole() {
    return publicBuildsRole;
  }

  private static ComputeType computeType(String name) {
    return switch (name) {
      case "medium" -> ComputeType.MEDIUM;
      case "large" -> ComputeType.LARGE;
      case "xlarge" -> ComputeType.X_LARGE;
      case "2xlarge" -> ComputeType.X2_LARGE;
      default -> ComputeType.SMALL;
    };
  }

  /** The project (created or imported). */
  IProject project() {
    return project;
  }

  /** The created project, empty for an existing one. */
  Optional<Project> created() {
    return project instanceof Project p ? Optional.of(p) : Optional.empty();
  }

  /** The existing project's service role, when {@code existingProjectRoleArn} names it. */
  Optional<IRole> existingRole() {
    return existingRole;
  }

  /** The created project's service role (every statement on it is this stack's own). */
  Optional<Role> createdRole() {
    return createdRole;
  }

  /** The role builds run with, when this stack knows it (created, or existingProjectRoleArn). */
  Optional<IRole> role() {
    return createdRole.<IRole>map(r -> r).or(() -> existingRole);
  }

  /** The created project's log group (empty for an existing project). */
  Optional<LogGroup> logGroup() {
    return logGroup;
  }
}
