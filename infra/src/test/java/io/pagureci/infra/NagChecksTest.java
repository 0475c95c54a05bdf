package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * Every build target × URL mode synthesizes with the cdk-nag AwsSolutions checks (applied by the
 * app) and leaves no unsuppressed error or warning; a deliberately widened policy is caught.
 */
class NagChecksTest {

  static Stream<Arguments> modes() {
    Map<String, Map<String, String>> targets =
        Map.of(
            "codebuild", Map.of(),
            "existing-project",
                Map.of(
                    "existingProjectName",
                    "legacy",
                    "existingProjectRoleArn",
                    "arn:aws:iam::123456789012:role/legacy"),
            "codepipeline", Map.of("buildTarget", "codepipeline"));
    Map<String, Map<String, String>> auths =
        Map.of(
            "iam", Map.of("urlAuth", "iam", "alarmEmail", "ci@example.org"),
            "hmac", Map.of("urlAuth", "hmac", "autoDeleteObjects", "true"),
            "both",
                Map.of(
                    "urlAuth",
                    "both",
                    "caller",
                    "role",
                    "alarmTopicArn",
                    "arn:aws:sns:eu-west-1:123456789012:ops"));
    return targets.entrySet().stream()
        .flatMap(
            t ->
                auths.entrySet().stream()
                    .map(
                        a -> {
                          Map<String, String> ctx = new HashMap<>(t.getValue());
                          ctx.putAll(a.getValue());
                          return Arguments.of(t.getKey() + " × " + a.getKey(), ctx);
                        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void everyModeSynthesizesWithNoUnsuppressedFinding(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);

    List<String> findings = TestStacks.nagFindings(stack);

    assertThat(findings).as(mode).isEmpty();
    assertThat(iamStatements(TestStacks.template(stack).toJSON()))
        .as(mode)
        .isNotEmpty()
        .allSatisfy(
            st -> assertThat(resources(st)).as(st.toString()).isNotEmpty().doesNotContain("*"));
    CloudAssembly assembly = ((App) stack.getNode().getRoot()).synth();
    assertThat(assembly.getStackByName(stack.getStackName()).getTemplate()).isNotNull();
  }

  /** Every statement of every identity policy in the template (IAM policies and inline ones). */
  static List<Map<?, ?>> iamStatements(Map<String, Object> template) {
    List<Map<?, ?>> out = new java.util.ArrayList<>();
    ((Map<?, ?>) template.get("Resources"))
        .values()
        .forEach(
            r -> {
              Map<?, ?> res = (Map<?, ?>) r;
              Map<?, ?> props = (Map<?, ?>) res.get("Properties");
              if ("AWS::IAM::Policy".equals(res.get("Type"))) {
                out.addAll(statements(props.get("PolicyDocument")));
              }
              if (props != null && props.get("Policies") instanceof List<?> inline) {
                inline.forEach(p -> out.addAll(statements(((Map<?, ?>) p).get("PolicyDocument"))));
              }
            });
    return out;
  }

  private static List<Map<?, ?>> statements(Object document) {
    return ((List<?>) ((Map<?, ?>) document).get("Statement"))
        .stream().<Map<?, ?>>map(o -> (Map<?, ?>) o).toList();
  }

  private static List<Object> resources(Map<?, ?> statement) {
    Object r = statement.get("Resource");
    return r instanceof List<?> l ? List.copyOf(l) : r == null ? List.of() : List.of(r);
  }

  @Test
  void pipelineWithAnExistingProjectIsCleanToo() {
    PagureCiStack stack =
        TestStacks.stack(
            Map.of(
                "buildTarget",
                "codepipeline",
                "existingProjectName",
                "legacy",
                "existingProjectRoleArn",
                "arn:aws:iam::123456789012:role/legacy",
                "callerPrincipalArn",
                "arn:aws:iam::123456789012:role/relay"));
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void aWidenedPolicyIsCaught() {
    App app =
        App.Builder.create().context(new HashMap<String, Object>(TestStacks.DEPLOYABLE)).build();
    PagureCiStack stack = PagureCiApp.build(app, TestStacks.root());
    stack
        .inboundRole()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("s3:*"))
                .resources(List.of(stack.sourceBucket().arnForObjects("*")))
                .build());

    List<String> findings = TestStacks.nagFindings(stack);

    assertThat(findings)
        .anySatisfy(
            f ->
                assertThat(f)
                    .contains("/PagureCi/AcceptFunction/InboundRole/DefaultPolicy/Resource")
                    .contains("AwsSolutions-IAM5[Action::s3:*]"));
    // the suppression for <bucket>/source/* does not cover <bucket>/*
    assertThat(findings)
        .anySatisfy(
            f ->
                assertThat(f)
                    .contains(
                        "AwsSolutions-IAM5[Resource::<"
                            + stack.logicalId(stack.sourceBucket())
                            + ".Arn>/*]"));
  }

  @Test
  void aSourceZipWriteOnTheAcceptRoleIsCaughtItsSuppressionCoversOnlyTheBuildRecords() {
    App app =
        App.Builder.create().context(new HashMap<String, Object>(TestStacks.DEPLOYABLE)).build();
    PagureCiStack stack = PagureCiApp.build(app, TestStacks.root());
    stack
        .inboundRole()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("s3:PutObject"))
                .resources(List.of(stack.sourceBucket().arnForObjects("source/*")))
                .build());

    assertThat(TestStacks.nagFindings(stack))
        .anySatisfy(
            f ->
                assertThat(f)
                    .contains("/PagureCi/AcceptFunction/InboundRole/DefaultPolicy/Resource")
                    .contains(
                        "AwsSolutions-IAM5[Resource::<"
                            + stack.logicalId(stack.sourceBucket())
                            + ".Arn>/source/*]"));
  }

  @Test
  void aStarResourceIsCaught() {
    App app =
        App.Builder.create().context(new HashMap<String, Object>(TestStacks.DEPLOYABLE)).build();
    PagureCiStack stack = PagureCiApp.build(app, TestStacks.root());
    stack
        .outboundRole()
        .addToPrincipalPolicy(
            PolicyStatement.Builder.create()
                .actions(List.of("codebuild:BatchGetBuilds"))
                .resources(List.of("*"))
                .build());

    assertThat(TestStacks.nagFindings(stack))
        .anySatisfy(
            f ->
                assertThat(f)
                    .contains("/PagureCi/FlagReporter/OutboundRole/DefaultPolicy/Resource")
                    .contains("AwsSolutions-IAM5[Resource::*]"));
  }

  @Test
  void everySuppressionHasAReasonAndIam5OnesNameTheirFinding() {
    PagureCiStack stack =
        TestStacks.stack(Map.of("buildTarget", "codepipeline", "urlAuth", "both"));
    Template t = TestStacks.template(stack);
    int iam5 = 0;
    for (Map<String, Object> resource :
        t.toJSON().get("Resources") instanceof Map<?, ?> m
            ? ((Map<String, Map<String, Object>>) m).values()
            : List.<Map<String, Object>>of()) {
      Object meta = resource.get("Metadata");
      if (!(meta instanceof Map<?, ?> md) || !(md.get("cdk_nag") instanceof Map<?, ?> nag)) {
        continue;
      }
      for (Object o : (List<?>) nag.get("rules_to_suppress")) {
        Map<?, ?> rule = (Map<?, ?>) o;
        assertThat((String) rule.get("reason")).as(rule.toString()).hasSizeGreaterThan(40);
        if ("AwsSolutions-IAM5".equals(rule.get("id"))) {
          iam5++;
          assertThat((List<?>) rule.get("applies_to"))
              .as(rule.toString())
              .isNotEmpty()
              .allSatisfy(
                  a ->
                      assertThat(a.toString()).doesNotContain("regex").isNotEqualTo("Resource::*"));
        }
      }
    }
    assertThat(iam5).isPositive();
  }
}
