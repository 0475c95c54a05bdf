package io.pagureci.infra;

import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * Where the alarms notify: an existing SNS topic ({@code alarmTopicArn}), a topic created with one
 * e-mail subscription ({@code alarmEmail}), or nowhere. Each alarm is created with what it watches
 * ({@link WorkQueue}, {@link BuildWorker}, {@link AcceptFunction}, {@link FlagReporter}) and given
 * {@link #action()}.
 */
final class Alarms extends StackPart {

  /** At most one of the two (Settings checks it). */
  record Props(Optional<String> email, Optional<String> topicArn) {
    Props {
      Objects.requireNonNull(email);
      Objects.requireNonNull(topicArn);
    }
  }

  private final Optional<ITopic> topic;

  Alarms(Construct scope, String id, Props props) {
    super(scope, id);
    topic =
        props
            .topicArn()
            .<ITopic>map(arn -> Topic.fromTopicArn(this, "AlarmTopic", arn))
            .or(() -> props.email().map(this::emailTopic));
  }

  private ITopic emailTopic(String email) {
    Topic t =
        Topic.Builder.create(this, "AlarmTopic")
            .displayName("pagure-ci-aws alarms")
            .enforceSsl(true)
            .build();
    t.addSubscription(new EmailSubscription(email));
    NagSuppressionsPlan.of(this).alarmTopic(t);
    return t;
  }

  /** The alarm topic (created or imported), if any. */
  Optional<ITopic> topic() {
    return topic;
  }

  /** The period every alarm of the stack reads its metric in. */
  static MetricOptions fiveMinutes() {
    return MetricOptions.builder().period(Duration.minutes(5)).build();
  }

  /**
   * An alarm when {@code metric} is at least 1 in one five-minute period (no data is no alarm),
   * notifying {@code action} ({@code null} = nowhere).
   */
  static Alarm atLeastOne(
      Construct scope, String id, String description, IMetric metric, IAlarmAction action) {
    Alarm alarm =
        Alarm.Builder.create(scope, id)
            .alarmDescription(description)
            .metric(metric)
            .threshold(1)
            .evaluationPeriods(1)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
            .treatMissingData(TreatMissingData.NOT_BREACHING)
            .build();
    if (action != null) {
      alarm.addAlarmAction(action);
    }
    return alarm;
  }

  /** What every alarm does: publish to the topic; {@code null} when there is none. */
  IAlarmAction action() {
    return topic.<IAlarmAction>map(SnsAction::new).orElse(null);
  }
}
