package io.pagureci.inbound.domain;

import java.time.Duration;

/** Port: the durable queue between the accept function and the worker (SQS). */
public interface WorkQueue {

  /** Keeps the item; returns the queue's message id. */
  String send(WorkItem item) throws QueueException;

  /**
   * Keeps several items (the work items of one delivery, one per target) in as few calls as the
   * queue allows. Never throws: what was not kept is {@code null} in {@link Sent#messageIds()}, and
   * {@link Sent#failure()} says why. An item reported as not kept may still have been kept when the
   * queue's answer was lost; the build key's claim keeps its build single either way.
   */
  default Sent sendAll(java.util.List<WorkItem> items) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    String failure = null;
    for (WorkItem item : items) {
      try {
        ids.add(send(item));
      } catch (QueueException e) {
        ids.add(null);
        failure = e.getMessage();
      }
    }
    return new Sent(ids, failure);
  }

  /**
   * @param messageIds per item, in order: the queue's message id, or {@code null} when not kept
   * @param failure why some item was not kept, or {@code null}
   */
  record Sent(java.util.List<String> messageIds, String failure) {
    public Sent {
      messageIds = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(messageIds));
    }

    public boolean all() {
      return messageIds.stream().allMatch(java.util.Objects::nonNull);
    }

    public boolean none() {
      return messageIds.stream().allMatch(java.util.Objects::isNull);
    }
  }

  /** Makes a received message visible again only after {@code delay} (the retry back-off). */
  void retryAfter(String receiptHandle, Duration delay) throws QueueException;

  /** The queue failed; the message is safe to log. */
  final class QueueException extends Exception {
    private static final long serialVersionUID = 1L;

    public QueueException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
