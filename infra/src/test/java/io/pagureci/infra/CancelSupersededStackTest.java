package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The context keys {@code cancelSuperseded} / {@code cancelSupersededBranches} (docs/queue.md §5):
 * the variables they set on accept and worker, and the worker's permission to stop builds of its
 * own target only — present exactly when one of them is on, cdk-nag clean.
 */
class CancelSupersededStackTest {

  @Test
  void byDefaultPullRequestsCancelAndTheWorkerMayStopBuildsOfItsProjectOnly() {
    PagureCiStack stack = TestStacks.stack(Map.of());
    Template template = TestStacks.template(stack);

    assertThat(stack.inboundEnvironment()).containsEntry("CANCEL_SUPERSEDED", "true");
    assertThat(stack.workerEnvironment())
        .containsEntry("CANCEL_SUPERSEDED", "true")
        .containsEntry("CANCEL_SUPERSEDED_BRANCHES", "false");
    assertThat(stack.outboundEnvironment()).doesNotContainKey("CANCEL_SUPERSEDED");
    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles",
                List.of(stack.resolve(stack.worker().role().getRoleName())),
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                PagureCiStackTest.statement(
                                    "codebuild:StopBuild",
                                    stack.resolve(stack.project().getProjectArn())))))))));
    assertThat(stopStatements(template)).isEqualTo(1);
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void withBothKeysOffNoRoleMayStopABuild() {
    PagureCiStack stack =
        TestStacks.stack(Map.of("cancelSuperseded", "false", "cancelSupersededBranches", "false"));

    assertThat(stack.inboundEnvironment()).containsEntry("CANCEL_SUPERSEDED", "false");
    assertThat(stack.workerEnvironment()).containsEntry("CANCEL_SUPERSEDED", "false");
    String json = TestStacks.template(stack).toJSON().toString();
    assertThat(json).doesNotContain("codebuild:StopBuild", "codepipeline:StopPipelineExecution");
  }

  @Test
  void branchesAloneAlsoGrantTheStop() {
    PagureCiStack stack =
        TestStacks.stack(Map.of("cancelSuperseded", "false", "cancelSupersededBranches", "true"));

    assertThat(stack.workerEnvironment()).containsEntry("CANCEL_SUPERSEDED_BRANCHES", "true");
    assertThat(stopStatements(TestStacks.template(stack))).isEqualTo(1);
  }

  @Test
  void aPipelineTargetMayStopExecutionsOfItsPipelineOnly() {
    PagureCiStack stack = TestStacks.stack(Map.of("buildTarget", "codepipeline"));
    Template template = TestStacks.template(stack);

    template.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles",
                List.of(stack.resolve(stack.worker().role().getRoleName())),
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                PagureCiStackTest.statement(
                                    "codepipeline:StopPipelineExecution",
                                    stack.resolve(
                                        stack.pipeline().orElseThrow().getPipelineArn())))))))));
    // (the pipeline's own role may stop its CodeBuild action; the worker may not)
    assertThat(workerPolicies(stack, template)).doesNotContain("codebuild:StopBuild");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void aBadValueFailsNamingTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestStacks.stack(Map.of("cancelSuperseded", "maybe")))
        .hasMessageContaining("cancelSuperseded");
  }

  /** The worker role's policies as JSON. */
  private static String workerPolicies(PagureCiStack stack, Template template) {
    return template
        .findResources(
            "AWS::IAM::Policy",
            Match.objectLike(
                Map.of(
                    "Properties",
                    Match.objectLike(
                        Map.of(
                            "Roles",
                            List.of(stack.resolve(stack.worker().role().getRoleName())))))))
        .toString();
  }

  /** How many statements in the whole template allow a stop. */
  private static long stopStatements(Template template) {
    String json = template.toJSON().toString();
    return json.split("codebuild:StopBuild|codepipeline:StopPipelineExecution", -1).length - 1;
  }
}
