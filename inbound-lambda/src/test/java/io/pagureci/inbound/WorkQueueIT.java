package io.pagureci.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.testsupport.GitHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * The work queue's semantics with the real queue (ElasticMQ; work queue maxReceiveCount =
 * WORK_MAX_ATTEMPTS = 3, visibility timeout 1 s): redelivery, the dead-letter queue, the documented
 * redrive (docs/deploy.md) and two workers racing on two copies of one delivery.
 */
class WorkQueueIT extends QueueStack {

  private static String receiveCount(Message m) {
    return m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
  }

  private static List<JsonNode> errorEvents() {
    return distinctRequestEvents().stream()
        .filter(e -> e.at("/detail/state").asText().equals("ERROR"))
        .toList();
  }

  @Test
  void aMessageWhoseWorkerDiedIsRedeliveredAfterTheVisibilityTimeoutAndBuilt() throws Exception {
    assertThat(deliver(handler(), delivery("pull-request.new-1", forkPr())).getStatusCode())
        .isEqualTo(202);
    // received by a worker that never answers (killed by its timeout): nothing deletes it
    Message lost = receive(Duration.ofSeconds(5)).getFirst();
    assertThat(receive(Duration.ZERO)).isEmpty();

    List<Message> again = receive(Duration.ofSeconds(3));

    assertThat(again)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.messageId()).isEqualTo(lost.messageId());
              assertThat(receiveCount(m)).isEqualTo("2");
            });
    assertThat(work(worker(), again)).isEmpty();
    assertThat(awsCalls(START_BUILD)).hasSize(1);
    assertThat(sqs.depth(queues.url())).isZero();
  }

  @Test
  void afterMaxReceiveCountTheItemIsDeadLetteredWithAnErrorAndTheDocumentedRedriveBuildsIt()
      throws Exception {
    git.setFault(GitHttpServer.Fault.DROP_CONNECTION);
    APIGatewayV2HTTPResponse response =
        deliver(handler(), delivery("pull-request.new-1", forkPr()));
    assertThat(response.getStatusCode()).isEqualTo(202);
    WorkerHandler worker = worker("REF_WAIT_SECONDS", "1");

    List<String> counts = new ArrayList<>();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      List<Message> batch = receive(Duration.ofSeconds(4));
      assertThat(batch).as("attempt " + attempt).hasSize(1);
      counts.add(receiveCount(batch.getFirst()));
      assertThat(work(worker, batch)).as("returned to the queue").hasSize(1);
      assertThat(errorEvents())
          .as("error flag after attempt " + attempt)
          .hasSize(attempt == MAX_ATTEMPTS ? 1 : 0);
    }
    assertThat(counts).containsExactly("1", "2", "3");
    JsonNode error = errorEvents().getFirst();
    assertThat(error.at("/detail/code").asText()).isEqualTo("GIT_FETCH_FAILED");
    assertThat(error.at("/detail/attempts").asInt()).isEqualTo(MAX_ATTEMPTS);
    assertThat(error.at("/detail/buildKey").asText())
        .isEqualTo(body(response).get("buildKey").asText());

    // the next receive finds the count exhausted: SQS (here ElasticMQ) moves it to the DLQ
    assertThat(receive(Duration.ofSeconds(3))).isEmpty();
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(sqs.depth(queues.dlqUrl())).isEqualTo(1);

    // the operator fixes the cause and redrives: aws sqs start-message-move-task --source-arn
    // <dlq-arn>
    git.setFault(GitHttpServer.Fault.NONE);
    sqs.client().startMessageMoveTask(b -> b.sourceArn(queues.dlqArn()));
    List<Message> redriven = receive(Duration.ofSeconds(5));

    assertThat(redriven).singleElement().satisfies(m -> assertThat(receiveCount(m)).isEqualTo("1"));
    assertThat(work(worker, redriven)).isEmpty();
    assertThat(awsCalls(START_BUILD)).hasSize(1);
    assertThat(sqs.depth(queues.url()) + sqs.depth(queues.dlqUrl())).isZero();
  }

  @Test
  void twoWorkersRacingOnTwoCopiesOfOneDeliveryStartOneBuild() throws Exception {
    InboundHandler handler = handler();
    byte[] event = FunctionUrl.json(delivery("pull-request.new-1", forkPr()));
    // two copies of one build request in the queue (e.g. a resend before the first one built)
    assertThat(body(FunctionUrl.invoke(handler, event)).get("status").asText()).isEqualTo("queued");
    assertThat(body(FunctionUrl.invoke(handler, event)).get("status").asText()).isEqualTo("queued");
    List<Message> copies = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (copies.size() < 2 && System.nanoTime() < deadline) {
      copies.addAll(receive(Duration.ofSeconds(1)));
    }
    assertThat(copies).hasSize(2);
    assertThat(copies.get(0).body())
        .isEqualTo(
            copies
                .get(1)
                .body()
                .replace(
                    JSON.readTree(copies.get(1).body()).get("acceptedAt").asText(),
                    JSON.readTree(copies.get(0).body()).get("acceptedAt").asText()));
    WorkerHandler a = worker();
    WorkerHandler b = worker();
    CyclicBarrier go = new CyclicBarrier(2);

    CompletableFuture<List<String>> first =
        CompletableFuture.supplyAsync(
            () -> {
              await(go);
              return work(a, List.of(copies.get(0)));
            });
    CompletableFuture<List<String>> second =
        CompletableFuture.supplyAsync(
            () -> {
              await(go);
              return work(b, List.of(copies.get(1)));
            });
    List<String> returned = new ArrayList<>(first.join());
    returned.addAll(second.join());

    assertThat(awsCalls(START_BUILD)).hasSize(1);
    // the loser either saw the build started (done) or the winner's live claim (back to the queue):
    // then its next attempt finds the build started
    if (!returned.isEmpty()) {
      List<Message> later = receive(Duration.ofSeconds(4));
      assertThat(later).hasSize(1);
      assertThat(work(worker(), later)).isEmpty();
    }
    assertThat(awsCalls(START_BUILD)).hasSize(1);
    assertThat(sourceObjects()).hasSize(1);
    assertThat(sqs.depth(queues.url())).isZero();
    assertThat(errorEvents()).isEmpty();
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
