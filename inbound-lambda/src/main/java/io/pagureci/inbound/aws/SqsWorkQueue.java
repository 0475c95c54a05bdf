package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.inbound.domain.WorkItemJson;
import io.pagureci.inbound.domain.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/** The work queue on SQS: one message per target of an accepted delivery (docs/queue.md §3). */
public final class SqsWorkQueue implements WorkQueue {

  /** SQS's limit for a visibility timeout. */
  static final long MAX_VISIBILITY_SECONDS = 43_200;

  /** SQS's limit of entries in one SendMessageBatch. */
  static final int MAX_BATCH = 10;

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

  /**
   * SendMessageBatch, 10 entries a call (SQS's limit). Entries that failed on SQS's side (not the
   * sender's fault: throttling, internal errors) are sent once more; what still failed is reported
   * as not kept. The SDK retries a failed call itself; a call that still fails leaves its entries
   * not kept.
   */
  @Override
  public Sent sendAll(List<WorkItem> items) {
    String[] ids = new String[items.size()];
    String failure = null;
    for (int from = 0; from < items.size(); from += MAX_BATCH) {
      List<Integer> pending = new ArrayList<>();
      for (int i = from; i < Math.min(from + MAX_BATCH, items.size()); i++) {
        pending.add(i);
      }
      for (int round = 1; round <= 2 && !pending.isEmpty(); round++) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i : pending) {
          entries.add(
              SendMessageBatchRequestEntry.builder()
                  .id(Integer.toString(i))
                  .messageBody(WorkItemJson.write(items.get(i)))
                  .build());
        }
        SendMessageBatchResponse response;
        try {
          response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        } catch (SdkException e) {
          failure = "SQS SendMessageBatch failed: " + AwsErrors.describe(e);
          break;
        }
        for (SendMessageBatchResultEntry ok : response.successful()) {
          ids[Integer.parseInt(ok.id())] = ok.messageId();
        }
        List<Integer> again = new ArrayList<>();
        for (BatchResultErrorEntry failed : response.failed()) {
          failure =
              "SQS SendMessageBatch refused an entry: " + failed.code() + " " + failed.message();
          if (!Boolean.TRUE.equals(failed.senderFault())) {
            again.add(Integer.parseInt(failed.id()));
          }
        }
        pending = again;
      }
    }
    return new Sent(java.util.Arrays.asList(ids), failure);
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
