package io.pagureci.infra;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The work queue between the accept function and the worker (docs/queue.md): an SQS standard queue
 * (SSE-SQS, SSL only) whose items go to a dead-letter queue after {@code maxReceiveCount} receives,
 * and the alarms on both.
 */
public final class WorkQueue extends Construct {

  /** How long the work queue keeps an item: far longer than any retry schedule Settings allows. */
  public static final int RETENTION_SECONDS = 4 * 86_400;

  /**
   * How long the dead-letter queue keeps an item. SQS keeps a standard queue's original enqueue
   * time when it moves an item, so this must be (and is) longer than {@link #RETENTION_SECONDS}.
   */
  public static final int DEAD_LETTER_RETENTION_DAYS = 14;

  /**
   * Lambda's advice for an SQS event source: visibility timeout at least 6 × the function timeout.
   */
  public static final int VISIBILITY_TIMEOUT_FACTOR = 6;

  /**
   * What the queue is sized by.
   *
   * @param workerTimeoutSeconds the worker function's timeout (the visibility timeout is 6 × it)
   * @param maxReceiveCount attempts before an item goes to the dead-letter queue (workMaxAttempts)
   * @param oldestItemAlarmSeconds alarm when the oldest item is older than this
   * @param alarmAction where the alarms notify; {@code null} = nowhere (they still show in the
   *     console)
   */
  public record Props(
      int workerTimeoutSeconds,
      int maxReceiveCount,
      int oldestItemAlarmSeconds,
      IAlarmAction alarmAction) {}

  private final Queue queue;
  private final Queue deadLetterQueue;
  private final int maxReceiveCount;
  private final List<Alarm> alarms;

  public WorkQueue(Construct scope, String id, Props props) {
    super(scope, id);
    this.maxReceiveCount = props.maxReceiveCount();
    deadLetterQueue =
        Queue.Builder.create(this, "DeadLetterQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(Duration.days(DEAD_LETTER_RETENTION_DAYS))
            .build();
    queue =
        Queue.Builder.create(this, "Queue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .retentionPeriod(Duration.seconds(RETENTION_SECONDS))
            .visibilityTimeout(
                Duration.seconds(visibilityTimeoutSeconds(props.workerTimeoutSeconds())))
            .deadLetterQueue(
                DeadLetterQueue.builder()
                    .queue(deadLetterQueue)
                    .maxReceiveCount(props.maxReceiveCount())
                    .build())
            .build();

    MetricOptions fiveMinutes = Alarms.fiveMinutes();
    alarms =
        List.of(
            Alarm.Builder.create(this, "DeadLetterQueueAlarm")
                .alarmDescription(
                    "pagure-ci-aws: work items that failed every attempt (the PR got an error flag);"
                        + " look at them, fix the cause, redrive (docs/deploy.md)")
                .metric(deadLetterQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes))
                .threshold(0)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build(),
            Alarm.Builder.create(this, "OldestItemAlarm")
                .alarmDescription(
                    "pagure-ci-aws: a work item has waited longer than "
                        + props.oldestItemAlarmSeconds()
                        + " s (the worker is not keeping up, or an item keeps failing and being retried)")
                .metric(queue.metricApproximateAgeOfOldestMessage(fiveMinutes))
                .threshold(props.oldestItemAlarmSeconds())
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    if (props.alarmAction() != null) {
      alarms.forEach(a -> a.addAlarmAction(props.alarmAction()));
    }
  }

  /** The queue's visibility timeout for a worker with this timeout. */
  public static int visibilityTimeoutSeconds(int workerTimeoutSeconds) {
    return VISIBILITY_TIMEOUT_FACTOR * workerTimeoutSeconds;
  }

  public Queue queue() {
    return queue;
  }

  public Queue deadLetterQueue() {
    return deadLetterQueue;
  }

  /** The redrive policy's maxReceiveCount: WORK_MAX_ATTEMPTS of the worker. */
  public int maxReceiveCount() {
    return maxReceiveCount;
  }

  /** Dead-letter depth and oldest-item age. */
  public List<Alarm> alarms() {
    return alarms;
  }
}
