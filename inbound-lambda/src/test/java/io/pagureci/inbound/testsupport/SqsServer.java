package io.pagureci.inbound.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * A local SQS stand-in: <a href="https://github.com/softwaremill/elasticmq">ElasticMQ</a>'s REST
 * server ({@code org.elasticmq:elasticmq-rest-sqs_2.13}, Apache-2.0; Scala on Pekko) in this JVM,
 * bound to 127.0.0.1 on a free port, queues in memory. It speaks the SQS JSON protocol of the v2
 * SDK, honours visibility timeouts, {@code ChangeMessageVisibility}, {@code
 * ApproximateReceiveCount}, redrive policies (a message received more than {@code maxReceiveCount}
 * times moves to the dead-letter queue on the next receive) and {@code StartMessageMoveTask} /
 * {@code ListMessageMoveTasks}. ARNs are {@code arn:aws:sqs:us-east-1:000000000000:<name>}.
 *
 * <pre>{@code
 * try (SqsServer sqs = SqsServer.start()) {
 *   SqsServer.Queues q = sqs.createWorkQueue("work", 3, Duration.ofSeconds(1));
 *   sqs.client().sendMessage(b -> b.queueUrl(q.url()).messageBody("{}"));
 * }
 * }</pre>
 */
public final class SqsServer implements AutoCloseable {

  /** Region of the ARNs the stand-in makes. */
  public static final String REGION = "us-east-1";

  /** Account of the ARNs the stand-in makes (ElasticMQ's default). */
  public static final String ACCOUNT = "000000000000";

  private static final int START_ATTEMPTS = 3;

  private final SQSRestServer server;
  private final URI endpoint;
  private final SqsClient client;
  private volatile boolean closed;

  /** A work queue and its dead-letter queue. */
  public record Queues(String url, String arn, String dlqUrl, String dlqArn, int maxReceiveCount) {}

  private SqsServer(SQSRestServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
    this.client = newClient(endpoint);
  }

  /** Starts an empty stand-in on 127.0.0.1 (a free port); the caller closes it. */
  public static SqsServer start() {
    RuntimeException last = null;
    // the port is picked here and bound a moment later: on a clash the next attempt takes another
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = freePort();
      SQSRestServer server =
          SQSRestServerBuilder.withInterface("127.0.0.1")
              .withPort(port)
              .withServerAddress(new NodeAddress("http", "127.0.0.1", port, ""))
              .withAWSRegion(REGION)
              .withAWSAccountId(ACCOUNT)
              .start();
      try {
        server.waitUntilStarted();
        return new SqsServer(server, URI.create("http://127.0.0.1:" + port));
      } catch (RuntimeException e) {
        last = e;
        try {
          server.stopAndWait();
        } catch (RuntimeException ignored) {
          // it never started
        }
      }
    }
    throw new IllegalStateException("ElasticMQ did not start", last);
  }

  /** Plain-HTTP endpoint, e.g. {@code http://127.0.0.1:41234} (no trailing slash). */
  public URI endpoint() {
    return endpoint;
  }

  /** An SQS client for this stand-in (region us-east-1, fake credentials); owned by this server. */
  public SqsClient client() {
    return client;
  }

  /**
   * Creates {@code name} and {@code name-dlq}: the work queue redrives onto the dead-letter queue
   * after {@code maxReceiveCount} receives; {@code visibilityTimeout} is the work queue's default.
   */
  public Queues createWorkQueue(String name, int maxReceiveCount, Duration visibilityTimeout) {
    String dlqUrl = client.createQueue(b -> b.queueName(name + "-dlq")).queueUrl();
    String dlqArn = arn(dlqUrl);
    String redrive =
        "{\"deadLetterTargetArn\":\""
            + dlqArn
            + "\",\"maxReceiveCount\":\""
            + maxReceiveCount
            + "\"}";
    String url =
        client
            .createQueue(
                b ->
                    b.queueName(name)
                        .attributes(
                            Map.of(
                                QueueAttributeName.VISIBILITY_TIMEOUT,
                                Long.toString(visibilityTimeout.toSeconds()),
                                QueueAttributeName.REDRIVE_POLICY,
                                redrive)))
            .queueUrl();
    return new Queues(url, arn(url), dlqUrl, dlqArn, maxReceiveCount);
  }

  /** The queue's ARN as the stand-in reports it. */
  public String arn(String queueUrl) {
    return client
        .getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes()
        .get(QueueAttributeName.QUEUE_ARN);
  }

  /** Receives up to 10 visible messages (with their receive count), waiting up to {@code wait}. */
  public List<Message> receive(String queueUrl, Duration wait) {
    return client
        .receiveMessage(
            b ->
                b.queueUrl(queueUrl)
                    .maxNumberOfMessages(10)
                    .waitTimeSeconds((int) wait.toSeconds())
                    .messageSystemAttributeNames(
                        MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
        .messages();
  }

  /**
   * Visible plus in-flight plus delayed messages (the approximate counts of GetQueueAttributes).
   */
  public int depth(String queueUrl) {
    Map<QueueAttributeName, String> a =
        client
            .getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
            .attributes();
    return a.values().stream().mapToInt(Integer::parseInt).sum();
  }

  /**
   * The event Lambda's SQS event source mapping hands a function for these messages (received with
   * their system attributes): {@code Records[]} with {@code messageId}, {@code receiptHandle},
   * {@code body}, {@code attributes} (among them {@code ApproximateReceiveCount}), {@code
   * md5OfBody}, {@code eventSource}, {@code eventSourceARN}, {@code awsRegion}.
   */
  public static String lambdaEvent(List<Message> messages, String queueArn) {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
    com.fasterxml.jackson.databind.node.ArrayNode records = root.putArray("Records");
    for (Message m : messages) {
      com.fasterxml.jackson.databind.node.ObjectNode r = records.addObject();
      r.put("messageId", m.messageId());
      r.put("receiptHandle", m.receiptHandle());
      r.put("body", m.body());
      com.fasterxml.jackson.databind.node.ObjectNode attributes = r.putObject("attributes");
      m.attributesAsStrings().forEach(attributes::put);
      attributes.putIfAbsent(
          "SentTimestamp",
          com.fasterxml.jackson.databind.node.TextNode.valueOf(
              Long.toString(System.currentTimeMillis())));
      r.putObject("messageAttributes");
      r.put("md5OfBody", m.md5OfBody());
      r.put("eventSource", "aws:sqs");
      r.put("eventSourceARN", queueArn);
      r.put("awsRegion", queueArn.split(":")[3]);
    }
    return root.toString();
  }

  /** Stops the server (idempotent): later requests to {@link #endpoint()} are refused. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
    server.stopAndWait();
  }

  private static SqsClient newClient(URI endpoint) {
    return SqsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test-secret")))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
