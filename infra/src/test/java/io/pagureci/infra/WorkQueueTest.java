package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.sns.Topic;

/** The work queue on its own: sizing, dead-letter queue, encryption, SSL, alarms. */
class WorkQueueTest {

  private static WorkQueue queue(Stack stack, WorkQueue.Props props) {
    return new WorkQueue(stack, "WorkQueue", props);
  }

  @Test
  void itemsAreHiddenForSixWorkerTimeoutsKeptFourDaysAndDeadLetteredAfterMaxReceiveCount() {
    Stack stack = new Stack(new App(), "Test");
    WorkQueue q = queue(stack, new WorkQueue.Props(120, 8, 1800, null));
    Template t = Template.fromStack(stack);

    t.resourceCountIs("AWS::SQS::Queue", 2);
    t.hasResourceProperties(
        "AWS::SQS::Queue",
        Match.objectLike(
            Map.of(
                "VisibilityTimeout",
                720,
                "MessageRetentionPeriod",
                345_600,
                "SqsManagedSseEnabled",
                true,
                "RedrivePolicy",
                Map.of(
                    "deadLetterTargetArn",
                    stack.resolve(q.deadLetterQueue().getQueueArn()),
                    "maxReceiveCount",
                    8))));
    t.hasResourceProperties(
        "AWS::SQS::Queue",
        Match.objectLike(
            Map.of(
                "MessageRetentionPeriod",
                1_209_600,
                "SqsManagedSseEnabled",
                true,
                "RedrivePolicy",
                Match.absent())));
    assertThat(q.maxReceiveCount()).isEqualTo(8);
  }

  @Test
  void theVisibilityTimeoutFollowsTheWorkerTimeout() {
    Stack stack = new Stack(new App(), "Test");
    queue(stack, new WorkQueue.Props(900, 3, 1800, null));
    Template.fromStack(stack)
        .hasResourceProperties(
            "AWS::SQS::Queue",
            Match.objectLike(
                Map.of(
                    "VisibilityTimeout",
                    5400,
                    "RedrivePolicy",
                    Match.objectLike(Map.of("maxReceiveCount", 3)))));
    assertThat(WorkQueue.visibilityTimeoutSeconds(120)).isEqualTo(720);
  }

  @Test
  void bothQueuesRefuseRequestsWithoutSsl() {
    Stack stack = new Stack(new App(), "Test");
    WorkQueue q = queue(stack, new WorkQueue.Props(120, 8, 1800, null));
    Template t = Template.fromStack(stack);
    for (Object queueRef :
        List.of(
            stack.resolve(q.queue().getQueueUrl()),
            stack.resolve(q.deadLetterQueue().getQueueUrl()))) {
      t.hasResourceProperties(
          "AWS::SQS::QueuePolicy",
          Match.objectLike(
              Map.of(
                  "Queues", List.of(queueRef),
                  "PolicyDocument",
                      Match.objectLike(
                          Map.of(
                              "Statement",
                              Match.arrayWith(
                                  List.of(
                                      Match.objectLike(
                                          Map.of(
                                              "Effect",
                                              "Deny",
                                              "Condition",
                                              Map.of(
                                                  "Bool",
                                                  Map.of("aws:SecureTransport", "false")))))))))));
    }
  }

  @Test
  void alarmsFireOnAnyDeadLetterAndOnAnItemOlderThanTheThreshold() {
    Stack stack = new Stack(new App(), "Test");
    WorkQueue q = queue(stack, new WorkQueue.Props(120, 8, 2400, null));
    Template t = Template.fromStack(stack);

    t.resourceCountIs("AWS::CloudWatch::Alarm", 2);
    t.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "Namespace",
                "AWS/SQS",
                "MetricName",
                "ApproximateNumberOfMessagesVisible",
                "Dimensions",
                List.of(
                    Map.of(
                        "Name",
                        "QueueName",
                        "Value",
                        stack.resolve(q.deadLetterQueue().getQueueName()))),
                "ComparisonOperator",
                "GreaterThanThreshold",
                "Threshold",
                0,
                "TreatMissingData",
                "notBreaching",
                "AlarmActions",
                Match.absent())));
    t.hasResourceProperties(
        "AWS::CloudWatch::Alarm",
        Match.objectLike(
            Map.of(
                "Namespace",
                "AWS/SQS",
                "MetricName",
                "ApproximateAgeOfOldestMessage",
                "Dimensions",
                List.of(
                    Map.of("Name", "QueueName", "Value", stack.resolve(q.queue().getQueueName()))),
                "ComparisonOperator",
                "GreaterThanThreshold",
                "Threshold",
                2400,
                "TreatMissingData",
                "notBreaching")));
    assertThat(q.alarms()).hasSize(2);
  }

  @Test
  void alarmsNotifyTheGivenAction() {
    Stack stack = new Stack(new App(), "Test");
    Topic topic = new Topic(stack, "Alarms");
    queue(stack, new WorkQueue.Props(120, 8, 1800, new SnsAction(topic)));
    assertThat(
            Template.fromStack(stack)
                .findResources(
                    "AWS::CloudWatch::Alarm",
                    Match.objectLike(
                        Map.of(
                            "Properties",
                            Match.objectLike(
                                Map.of(
                                    "AlarmActions",
                                    List.of(stack.resolve(topic.getTopicArn()))))))))
        .hasSize(2);
  }
}
