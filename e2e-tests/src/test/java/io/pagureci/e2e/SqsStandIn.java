package io.pagureci.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pagureci.inbound.testsupport.SqsServer;
import io.pagureci.testkit.FunctionProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The work queue between the accept and the worker function on the SQS stand-in (inbound's {@link
 * SqsServer}, ElasticMQ in this JVM on 127.0.0.1), and the test's part of Lambda's <b>SQS event
 * source mapping</b>: {@link #deliverTo} receives what is queued (with {@code
 * ApproximateReceiveCount}), invokes the worker with the Lambda SQS event, and deletes every
 * message the answer does not list in {@code batchItemFailures} ({@code ReportBatchItemFailures}).
 */
final class SqsStandIn implements AutoCloseable {

  static final String QUEUE_NAME = "pagure-ci-work";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsServer server;
  private final SqsClient client;
  private final String queueUrl;
  private final String queueArn;

  /** What one invocation of the worker got and answered. */
  record Batch(List<Message> messages, JsonNode answer) {
    List<String> failedIds() {
      List<String> ids = new ArrayList<>();
      answer.path("batchItemFailures").forEach(f -> ids.add(f.path("itemIdentifier").asText()));
      return ids;
    }
  }

  SqsStandIn() {
    server = SqsServer.start();
    client = server.client();
    // the stack's queue: a visibility timeout well above the worker's timeout
    queueUrl =
        client
            .createQueue(
                q ->
                    q.queueName(QUEUE_NAME)
                        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "120")))
            .queueUrl();
    queueArn = server.arn(queueUrl);
  }

  /** {@code http://127.0.0.1:<port>}, for {@code AWS_ENDPOINT_URL_SQS}. */
  String endpoint() {
    return server.endpoint().toString();
  }

  /** The work queue's URL, for {@code WORK_QUEUE_URL}. */
  String queueUrl() {
    return queueUrl;
  }

  /** Messages in the queue, visible, in flight or delayed. */
  int messageCount() {
    return server.depth(queueUrl);
  }

  /** Deletes every message (between test cases). */
  void purge() {
    client.purgeQueue(p -> p.queueUrl(queueUrl));
  }

  /**
   * The event source mapping, once: receives up to 10 visible messages (waiting up to 2 s for the
   * first), invokes {@code worker} with them as one Lambda SQS event, deletes those not in its
   * {@code batchItemFailures}. Nothing received: no invocation, {@code null}.
   */
  Batch deliverTo(FunctionProcess worker) throws IOException {
    List<Message> messages =
        client
            .receiveMessage(
                r ->
                    r.queueUrl(queueUrl)
                        .maxNumberOfMessages(10)
                        .waitTimeSeconds(2)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
            .messages();
    if (messages.isEmpty()) {
      return null;
    }
    JsonNode answer = JSON.readTree(worker.invokeOk(SqsServer.lambdaEvent(messages, queueArn)));
    Batch batch = new Batch(messages, answer);
    Set<String> failed = new HashSet<>(batch.failedIds());
    for (Message m : messages) {
      if (!failed.contains(m.messageId())) {
        client.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
    return batch;
  }

  @Override
  public void close() {
    server.close();
  }
}
