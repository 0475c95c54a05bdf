package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Where the alarms notify: a created topic, an existing one, or nowhere. */
class AlarmsTest {

  @Test
  void anEmailCreatesAnSslOnlyTopicWithThatOneSubscription() {
    Stack stack = new Stack(new App(), "Test");
    Alarms alarms =
        new Alarms(
            stack, "Alarms", new Alarms.Props(Optional.of("ops@example.org"), Optional.empty()));
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::SNS::Topic", 1);
    t.hasResourceProperties(
        "AWS::SNS::Subscription",
        Match.objectLike(Map.of("Protocol", "email", "Endpoint", "ops@example.org")));
    t.hasResourceProperties(
        "AWS::SNS::TopicPolicy",
        Match.objectLike(
            Map.of(
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            java.util.List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Effect",
                                        "Deny",
                                        "Condition",
                                        Map.of(
                                            "Bool",
                                            Map.of("aws:SecureTransport", "false")))))))))));
    assertThat(alarms.action()).isNotNull();
  }

  @Test
  void anExistingTopicIsUsedAsItIs() {
    Stack stack = new Stack(new App(), "Test");
    Alarms alarms =
        new Alarms(
            stack,
            "Alarms",
            new Alarms.Props(
                Optional.empty(), Optional.of("arn:aws:sns:eu-west-1:123456789012:ops")));
    Template.fromStack(stack).resourceCountIs("AWS::SNS::Topic", 0);
    assertThat(alarms.topic().orElseThrow().getTopicArn())
        .isEqualTo("arn:aws:sns:eu-west-1:123456789012:ops");
    assertThat(alarms.action()).isNotNull();
  }

  @Test
  void withNeitherTheAlarmsNotifyNobody() {
    Stack stack = new Stack(new App(), "Test");
    Alarms alarms =
        new Alarms(stack, "Alarms", new Alarms.Props(Optional.empty(), Optional.empty()));
    Template.fromStack(stack).resourceCountIs("AWS::SNS::Topic", 0);
    assertThat(alarms.action()).isNull();
  }
}
