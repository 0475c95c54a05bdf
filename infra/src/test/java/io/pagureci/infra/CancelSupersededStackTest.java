package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
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
    Policies.assertAllows(
        template,
        stack,
        stack.worker().role(),
        Policies.statement("codebuild:StopBuild", stack.resolve(stack.project().getProjectArn())));
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

    Policies.assertAllows(
        template,
        stack,
        stack.worker().role(),
        Policies.statement(
            "codepipeline:StopPipelineExecution",
            stack.resolve(stack.pipeline().orElseThrow().getPipelineArn())));
    // (the pipeline's own role may stop its CodeBuild action; the worker may not)
    assertThat(Policies.of(template, stack, stack.worker().role()))
        .doesNotContain("codebuild:StopBuild");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void aBadValueFailsNamingTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestStacks.stack(Map.of("cancelSuperseded", "maybe")))
        .hasMessageContaining("cancelSuperseded");
  }

  /** How many statements in the whole template allow a stop. */
  private static long stopStatements(Template template) {
    String json = template.toJSON().toString();
    return json.split("codebuild:StopBuild|codepipeline:StopPipelineExecution", -1).length - 1;
  }
}
