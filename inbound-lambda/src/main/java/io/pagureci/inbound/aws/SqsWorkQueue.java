package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.inbound.domain.WorkItemJson;
import io.pagureci.inbound.domain.WorkQueue;
import java.time.Duration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The work queue on SQS: one message per accepted delivery (docs/queue.md §3). */
public final class SqsWorkQueue implements WorkQueue {

  /** SQS's limit for a visibility timeout. */
  static final long MAX_VISIBILITY_SECONDS = 43_200;

  private final SqsClient sqs;
  private final String queueUrl;

  public SqsWorkQueue(SqsClient sqs, String queueUrl) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  @Override
  public String send(WorkItem item) throws QueueException {
    try {
      return sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(WorkItemJson.write(item)))
          .messageId();
    } catch (SdkException e) {
      throw new QueueException("SQS SendMessage failed: " + AwsErrors.describe(e), e);
    }
  }

  @Override
  public void retryAfter(String receiptHandle, Duration delay) throws QueueException {
    int seconds = (int) Math.min(Math.max(delay.toSeconds(), 0), MAX_VISIBILITY_SECONDS);
    try {
      sqs.changeMessageVisibility(
          b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
    } catch (SdkException e) {
      throw new QueueException("SQS ChangeMessageVisibility failed: " + AwsErrors.describe(e), e);
    }
  }
}
