package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnWaitConditionHandle;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

/** Parts keep the flat stack's logical ids; a clash fails the synth. */
class StackPartTest {

  private static final class Part extends StackPart {
    Part(Construct scope, String id) {
      super(scope, id);
    }
  }

  @Test
  void theLogicalIdsAreCdksOwnForThePathWithoutTheParts() {
    Stack flat = new Stack(new App(), "Flat");
    Queue flatQueue = new Queue(flat, "SomeQueue");
    Queue flatNested = new Queue(new Construct(flat, "Group"), "Nested");

    // a plain Stack: the part's id is kept, as CDK does
    Stack plain = new Stack(new App(), "Plain");
    Queue plainQueue = new Queue(new Part(plain, "Part"), "SomeQueue");
    assertThat(logicalId(plainQueue)).isNotEqualTo(logicalId(flatQueue));

    // the pagure-ci stack leaves it out
    PagureCiStack stack = TestStacks.stack(Map.of());
    Queue partQueue = new Queue(new Part(stack, "Part"), "SomeQueue");
    Queue partNested = new Queue(new Construct(new Part(stack, "Part2"), "Group"), "Nested");
    assertThat(logicalId(partQueue)).isEqualTo(logicalId(flatQueue));
    assertThat(logicalId(partNested)).isEqualTo(logicalId(flatNested));
    assertThat(StackPart.uniqueId(List.of("Inbound", "Resource"))).startsWith("Inbound");
    assertThat(StackPart.uniqueId(List.of("SourceBucket"))).isEqualTo("SourceBucket");
  }

  @Test
  void twoChildrenWithTheSameIdInDifferentPartsFailTheSynth() {
    PagureCiStack stack = TestStacks.stack(Map.of());
    new Queue(new Part(stack, "One"), "Twin");
    new Queue(new Part(stack, "Two"), "Twin");
    assertThatThrownBy(stack::applyFlatLogicalIds)
        .hasMessage(
            "two resources would get logical id Twin816C217F: PagureCi/One/Twin/Resource and"
                + " PagureCi/Two/Twin/Resource (name a StackPart's children uniquely, see"
                + " StackPart)");
  }

  @Test
  void aResourceAddedToAPartAfterTheStackWasBuiltGetsTheFlatIdWhenTheAppAppliesThem() {
    PagureCiStack stack = TestStacks.stack(Map.of());
    CfnWaitConditionHandle late = new CfnWaitConditionHandle(new Part(stack, "Late"), "LateHandle");
    // before: CDK's own id, with the part's id in it
    assertThat((String) stack.resolve(late.getLogicalId()))
        .startsWith("LateLateHandle")
        .isNotEqualTo("LateHandle");

    stack.applyFlatLogicalIds();
    stack.applyFlatLogicalIds();

    assertThat(Template.fromStack(stack).findResources("AWS::CloudFormation::WaitConditionHandle"))
        .containsOnlyKeys("LateHandle");
    assertThat(stack.resolve(late.getLogicalId())).isEqualTo("LateHandle");
  }

  private static String logicalId(Queue q) {
    return NagSuppressionsPlan.logicalId(q);
  }
}
