package io.pagureci.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS as ElasticMQ's in-JVM REST server on 127.0.0.1 (a free port; SQS's JSON protocol), holding the
 * work queue between the accept and the worker function, and the test's part of Lambda's <b>SQS
 * event source mapping</b>: {@link #deliverTo} receives what is queued (with {@code
 * ApproximateReceiveCount}), invokes the worker with the Lambda SQS event, and deletes every message
 * the answer does not list in {@code batchItemFailures} ({@code ReportBatchItemFailures}).
 */
final class SqsStandIn implements AutoCloseable {

  static final String QUEUE_NAME = "pagure-ci-work";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SQSRestServer server;
  private final URI endpoint;
  private final SqsClient client;
  private final String queueUrl;

  /** What one invocation of the worker got and answered. */
  record Batch(List<Message> messages, JsonNode answer) {
    List<String> failedIds() {
      List<String> ids = new ArrayList<>();
      answer.path("batchItemFailures").forEach(f -> ids.add(f.path("itemIdentifier").asText()));
      return ids;
    }
  }

  SqsStandIn() {
    int port = freePort();
    // the queue URLs it hands out name this address (its default is localhost:9324)
    server = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(port)
        .withServerAddress(new NodeAddress("http", "127.0.0.1", port, "")).start();
    server.waitUntilStarted();
    endpoint = URI.create("http://127.0.0.1:" + port);
    client = SqsClient.builder().endpointOverride(endpoint).region(Region.of(FunctionProcess.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDE2E", "e2e-secret")))
        .httpClient(UrlConnectionHttpClient.create()).build();
    // the stack's queue: a visibility timeout well above the worker's timeout
    queueUrl = client.createQueue(q -> q.queueName(QUEUE_NAME)
        .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "120"))).queueUrl();
  }

  /** {@code http://127.0.0.1:<port>}, for {@code AWS_ENDPOINT_URL_SQS}. */
  String endpoint() {
    return endpoint.toString();
  }

  /** The work queue's URL, for {@code WORK_QUEUE_URL}. */
  String queueUrl() {
    return queueUrl;
  }

  /** Messages in the queue, visible, in flight or delayed. */
  int messageCount() {
    Map<QueueAttributeName, String> a = client.getQueueAttributes(g -> g.queueUrl(queueUrl).attributeNames(
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
    return a.values().stream().mapToInt(Integer::parseInt).sum();
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
    List<Message> messages = client.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
        .waitTimeSeconds(2).messageSystemAttributeNames(MessageSystemAttributeName.ALL)
        .messageAttributeNames("All")).messages();
    if (messages.isEmpty()) {
      return null;
    }
    JsonNode answer = JSON.readTree(worker.invokeOk(event(messages)));
    Batch batch = new Batch(messages, answer);
    Set<String> failed = new HashSet<>(batch.failedIds());
    for (Message m : messages) {
      if (!failed.contains(m.messageId())) {
        client.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
      }
    }
    return batch;
  }

  /** Lambda's SQS event for these messages. */
  private String event(List<Message> messages) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode records = root.putArray("Records");
    for (Message m : messages) {
      ObjectNode r = records.addObject();
      r.put("messageId", m.messageId());
      r.put("receiptHandle", m.receiptHandle());
      r.put("body", m.body());
      ObjectNode attributes = r.putObject("attributes");
      m.attributesAsStrings().forEach(attributes::put);
      r.putObject("messageAttributes");
      r.put("md5OfBody", m.md5OfBody());
      r.put("eventSource", "aws:sqs");
      r.put("eventSourceARN", "arn:aws:sqs:" + FunctionProcess.REGION + ":" + FunctionProcess.ACCOUNT + ":" + QUEUE_NAME);
      r.put("awsRegion", FunctionProcess.REGION);
    }
    return root.toString();
  }

  @Override
  public void close() {
    client.close();
    server.stopAndWait();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
