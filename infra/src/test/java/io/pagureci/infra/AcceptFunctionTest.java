package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.infra.Settings.Caller;
import io.pagureci.infra.Settings.UrlAuth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.events.EventBus;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.logs.RetentionDays;

/** The accept function on its own: URLs per mode, caller, variables, role, alarm. */
class AcceptFunctionTest {

  private record Fixture(Stack stack, AcceptFunction accept) {
    Template template() {
      return Template.fromStack(stack);
    }
  }

  private static Fixture fixture(UrlAuth urlAuth, Caller caller, Map<String, String> environment) {
    Stack stack = new Stack(new App(), "Test");
    SourceBucket source = BuildProjectTest.source(stack);
    WorkQueue queue = new WorkQueue(stack, "WorkQueue", new WorkQueue.Props(120, 8, 1800, null));
    BuildRecords records =
        new BuildRecords(stack, "BuildRecords", new BuildRecords.Props(RemovalPolicy.DESTROY));
    Secrets secrets =
        new Secrets(
            stack,
            "Secrets",
            new Secrets.Props(
                urlAuth.hasOpenUrl(), Optional.empty(), Optional.empty(), Optional.empty()));
    AcceptFunction accept =
        new AcceptFunction(
            stack,
            "AcceptFunction",
            new AcceptFunction.Props(
                TestStacks.root().resolve(PagureCiApp.DEFAULT_INBOUND_CODE),
                Architecture.ARM_64,
                1024,
                30,
                true,
                7,
                RetentionDays.ONE_WEEK,
                RemovalPolicy.DESTROY,
                urlAuth,
                new AcceptFunction.CallerProps(
                    caller, Optional.empty(), Optional.empty(), Optional.empty()),
                secrets,
                source,
                FlagReporterTest.ROUTES,
                queue,
                EventBus.fromEventBusName(stack, "Bus", "default"),
                records,
                environment,
                null,
                FunctionLogging.DEFAULT));
    return new Fixture(stack, accept);
  }

  @Test
  void bothGivesTwoAliasesOfThePublishedVersionWithOneUrlEach() {
    Fixture f = fixture(UrlAuth.BOTH, Caller.USER, Map.of("PAGURE_URL", "https://p.example/"));
    Template t = f.template();
    t.resourceCountIs("AWS::Lambda::Url", 2);
    t.hasResourceProperties("AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "AWS_IAM")));
    t.hasResourceProperties("AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "NONE")));
    t.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "iam")));
    t.hasResourceProperties("AWS::Lambda::Alias", Match.objectLike(Map.of("Name", "hmac")));
    t.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler",
                AcceptFunction.HANDLER,
                "MemorySize",
                1024,
                "Timeout",
                30,
                "ReservedConcurrentExecutions",
                7,
                "SnapStart",
                Map.of("ApplyOn", "PublishedVersions"))));
    assertThat(f.accept().environment())
        .containsKeys(
            "PAGURE_URL",
            "HOOK_KEYS_SECRET_ID",
            "CI_BASIC_AUTH_SECRET_ID",
            "WORK_QUEUE_URL",
            "EVENT_BUS_NAME",
            "BUILD_RECORDS_TABLE",
            "SOURCE_BUCKET",
            "CI_ALLOWED_CALLERS")
        .containsEntry("ROUTES", FlagReporterTest.ROUTES)
        .doesNotContainKeys("BUILD_TARGET", "CODEBUILD_PROJECT", "ALLOWED_PROJECTS");
    assertThat(f.accept().callerUser()).isPresent();
  }

  @Test
  void iamAloneHasNoOpenUrlAndReadsNoSecret() {
    Fixture f = fixture(UrlAuth.IAM, Caller.ROLE, Map.of());
    Template t = f.template();
    t.resourceCountIs("AWS::Lambda::Url", 1);
    t.hasResourceProperties("AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "AWS_IAM")));
    t.resourceCountIs("AWS::IAM::User", 0);
    assertThat(f.accept().environment())
        .doesNotContainKeys("HOOK_KEYS_SECRET_ID", "CI_BASIC_AUTH_SECRET_ID", "CI_ALLOWED_CALLERS");
    String rolePolicy =
        f.template()
            .findResources(
                "AWS::IAM::Policy",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(
                            Map.of(
                                "Roles",
                                List.of(
                                    Map.of(
                                        "Ref",
                                        f.stack()
                                            .resolve(
                                                f.stack()
                                                    .getLogicalId(
                                                        (software.amazon.awscdk.CfnElement)
                                                            f.accept()
                                                                .role()
                                                                .getNode()
                                                                .getDefaultChild())))))))))
            .toString();
    assertThat(rolePolicy)
        .contains("sqs:SendMessage", "events:PutEvents", "dynamodb:GetItem")
        .doesNotContain("secretsmanager", "codebuild:StartBuild", "s3:PutObject");
  }

  @Test
  void hmacAloneMakesNoCaller() {
    Fixture f = fixture(UrlAuth.HMAC, Caller.USER, Map.of());
    f.template().resourceCountIs("AWS::Lambda::Url", 1);
    f.template().resourceCountIs("AWS::IAM::User", 0);
    assertThat(f.accept().callerPrincipal()).isEmpty();
  }

  @Test
  void refusesASettingsVariableThatNamesOneItSetsItself() {
    assertThatThrownBy(() -> fixture(UrlAuth.IAM, Caller.NONE, Map.of("WORK_QUEUE_URL", "x")))
        .hasMessageContaining("WORK_QUEUE_URL is set by AcceptFunction itself");
  }
}
