package io.pagureci.inbound.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What the ITs rely on from ElasticMQ: visibility, receive counts, the redrive policy, message move
 * tasks.
 */
class SqsServerIT {

  static SqsServer sqs;

  @BeforeAll
  static void start() {
    sqs = SqsServer.start();
  }

  @AfterAll
  static void stop() {
    sqs.close();
  }

  private static int receiveCount(Message m) {
    return Integer.parseInt(
        m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
  }

  @Test
  void aMessageIsInvisibleForTheVisibilityTimeoutAndCountsItsReceives() {
    SqsServer.Queues q = sqs.createWorkQueue("visibility", 3, Duration.ofSeconds(1));
    sqs.client().sendMessage(b -> b.queueUrl(q.url()).messageBody("one"));

    List<Message> first = sqs.receive(q.url(), Duration.ZERO);
    List<Message> during = sqs.receive(q.url(), Duration.ZERO);
    List<Message> after = sqs.receive(q.url(), Duration.ofSeconds(3));

    assertThat(first).singleElement().satisfies(m -> assertThat(receiveCount(m)).isEqualTo(1));
    assertThat(during).isEmpty();
    assertThat(after)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.body()).isEqualTo("one");
              assertThat(receiveCount(m)).isEqualTo(2);
            });
    assertThat(q.arn()).isEqualTo("arn:aws:sqs:us-east-1:000000000000:visibility");
  }

  @Test
  void changeMessageVisibilityHoldsAMessageBackForExactlyThatLong() throws Exception {
    SqsServer.Queues q = sqs.createWorkQueue("backoff", 3, Duration.ofSeconds(30));
    sqs.client().sendMessage(b -> b.queueUrl(q.url()).messageBody("two"));
    Message m = sqs.receive(q.url(), Duration.ZERO).getFirst();

    long set = System.nanoTime();
    sqs.client()
        .changeMessageVisibility(
            b -> b.queueUrl(q.url()).receiptHandle(m.receiptHandle()).visibilityTimeout(1));
    assertThat(sqs.receive(q.url(), Duration.ZERO)).isEmpty();
    List<Message> again = sqs.receive(q.url(), Duration.ofSeconds(3));

    assertThat(again).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - set))
        .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
  }

  @Test
  void afterMaxReceiveCountTheMessageIsInTheDeadLetterQueueAndAMoveTaskBringsItBack()
      throws Exception {
    SqsServer.Queues q = sqs.createWorkQueue("redrive", 2, Duration.ofSeconds(1));
    sqs.client().sendMessage(b -> b.queueUrl(q.url()).messageBody("three"));
    assertThat(sqs.receive(q.url(), Duration.ZERO)).hasSize(1);
    assertThat(sqs.receive(q.url(), Duration.ofSeconds(3))).hasSize(1);

    // the third receive finds the count exhausted: the message goes to the DLQ instead
    assertThat(sqs.receive(q.url(), Duration.ofSeconds(3))).isEmpty();
    assertThat(sqs.depth(q.url())).isZero();
    assertThat(sqs.depth(q.dlqUrl())).isEqualTo(1);

    String handle = sqs.client().startMessageMoveTask(b -> b.sourceArn(q.dlqArn())).taskHandle();
    assertThat(handle).isNotBlank();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (sqs.depth(q.url()) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(sqs.client().listMessageMoveTasks(b -> b.sourceArn(q.dlqArn())).results())
        .anySatisfy(t -> assertThat(t.status()).isIn("COMPLETED", "RUNNING"));
    List<Message> back = sqs.receive(q.url(), Duration.ofSeconds(2));
    assertThat(back)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.body()).isEqualTo("three");
              // a moved message starts counting again (as in SQS), so it is not dead-lettered at
              // once
              assertThat(receiveCount(m)).isEqualTo(1);
            });
    assertThat(sqs.depth(q.dlqUrl())).isZero();
  }
}
