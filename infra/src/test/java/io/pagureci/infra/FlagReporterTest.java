package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** The flag reporter on its own: rules per target, async retries, on-failure queue, alarms. */
class FlagReporterTest {

  static final String ROUTES = "{\"rules\":[]}";

  private static final String TOKEN =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-AbCdEf";

  private static FlagReporter reporter(Stack stack, boolean viaPipeline, Map<String, String> env) {
    BuildWorker.Target target =
        viaPipeline
            ? new BuildWorker.Target(
                "build",
                Project.fromProjectName(stack, "Project", "builds"),
                Pipeline.fromPipelineArn(
                    stack, "Pipeline", "arn:aws:codepipeline:eu-west-1:123456789012:ci"),
                "Source")
            : BuildWorker.Target.codeBuild(
                "build", Project.fromProjectName(stack, "Project", "builds"));
    return new FlagReporter(
        stack,
        "FlagReporter",
        new FlagReporter.Props(
            TestStacks.root().resolve(PagureCiApp.DEFAULT_OUTBOUND_CODE),
            Architecture.X86_64,
            512,
            60,
            0,
            1,
            600,
            RetentionDays.ONE_MONTH,
            RemovalPolicy.DESTROY,
            Secret.fromSecretCompleteArn(stack, "Token", TOKEN),
            List.of(target),
            ROUTES,
            EventBus.fromEventBusName(stack, "Bus", "default"),
            new BuildRecords(stack, "BuildRecords", new BuildRecords.Props(RemovalPolicy.DESTROY)),
            env,
            null,
            FunctionLogging.DEFAULT,
            List.of(),
            List.of()));
  }

  @Test
  void codeBuildEventsOfThisProjectAndRequestEventsReachTheFunctionPinnedToThisAccount() {
    Stack stack = new Stack(new App(), "Test");
    FlagReporter r = reporter(stack, false, Map.of("REPORTER", "flag-api"));
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::Events::Rule", 3);
    for (String detailType :
        List.of("CodeBuild Build State Change", "CodeBuild Build Phase Change")) {
      t.hasResourceProperties(
          "AWS::Events::Rule",
          Match.objectLike(
              Map.of(
                  "EventPattern",
                  Match.objectLike(
                      Map.of(
                          "detail-type",
                          List.of(detailType),
                          "account",
                          List.of(Map.of("Ref", "AWS::AccountId")),
                          "region",
                          List.of(Map.of("Ref", "AWS::Region")),
                          "detail",
                          Map.of("project-name", List.of("builds")))))));
    }
    t.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventPattern",
                Match.objectLike(Map.of("source", List.of(RequestEvents.SOURCE))))));
    t.hasResourceProperties(
        "AWS::Lambda::EventInvokeConfig",
        Match.objectLike(Map.of("MaximumRetryAttempts", 1, "MaximumEventAgeInSeconds", 600)));
    t.resourceCountIs("AWS::CloudWatch::Alarm", 2);
    assertThat(r.environment())
        .containsEntry("ROUTES", ROUTES)
        .containsEntry("PAGURE_TOKEN_SECRET_ID", TOKEN)
        .containsEntry("REPORTER", "flag-api")
        .containsKeys("BUILD_RECORDS_TABLE", "ACCOUNT_ID")
        .doesNotContainKeys("PIPELINE_NAMES", "CODEBUILD_PROJECTS", "TARGET_NAME");
  }

  @Test
  void aPipelineTargetGetsOneExecutionRuleAndMayReadItsExecutions() {
    Stack stack = new Stack(new App(), "Test");
    FlagReporter r = reporter(stack, true, Map.of());
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::Events::Rule", 2);
    t.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventPattern",
                Match.objectLike(Map.of("detail", Map.of("pipeline", List.of("ci")))))));
    assertThat(t.findResources("AWS::IAM::Policy").toString())
        .contains("codepipeline:GetPipelineExecution", "codebuild:BatchGetBuilds");
    assertThat(r.environment())
        .containsEntry("ROUTES", ROUTES)
        .doesNotContainKeys("PIPELINE_NAMES", "CODEBUILD_PROJECTS");
  }

  @Test
  void refusesASettingsVariableThatNamesOneItSetsItself() {
    assertThatThrownBy(
            () -> reporter(new Stack(new App(), "Test"), false, Map.of("ACCOUNT_ID", "1")))
        .hasMessageContaining("ACCOUNT_ID is set by FlagReporter itself");
  }
}
