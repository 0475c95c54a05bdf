package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/**
 * A routing table as large as the accept function's 4 KiB of variables allows synthesizes in the
 * test JVM's default thread stack. With the flat logical ids given by an {@code allocateLogicalId}
 * override (a JavaScript-to-Java callback per resolved reference, each one stack frame pair deeper:
 * aws/jsii#4656), ten targets threw StackOverflowError.
 */
class BigRoutingTableTest {

  private static final int TARGETS = 12;

  @Test
  void twelveCodeBuildTargetsSynthesizeWithTheFlatLogicalIdsAndCdkNagClean() {
    List<Object> targets = new ArrayList<>();
    for (int i = 0; i < TARGETS; i++) {
      targets.add(Map.of("name", "t" + i, "codebuild", Map.of()));
    }
    PagureCiStack stack =
        TestStacks.bareStack(
            Map.of(
                "pagureUrl",
                "https://src.example.org/",
                "routes",
                List.of(Map.of("match", "rpms/**", "targets", targets))));

    Template template = TestStacks.template(stack);

    assertThat(template.findResources("AWS::CodeBuild::Project")).hasSize(TARGETS);
    // the first target keeps the one-target stack's ids; the accept function's are the flat ones
    assertThat(template.findResources("AWS::CodeBuild::Project")).containsKey("Build45A36621");
    assertThat(template.findResources("AWS::Lambda::Function")).containsKey("InboundADA8BFE6");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }
}
