package io.pagureci.inbound.domain;

import java.time.Duration;

/** Port: the durable queue between the accept function and the worker (SQS). */
public interface WorkQueue {

  /** Keeps the item; returns the queue's message id. */
  String send(WorkItem item) throws QueueException;

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
