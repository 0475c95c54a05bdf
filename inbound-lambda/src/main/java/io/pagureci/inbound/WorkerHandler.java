package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.domain.StrictJson;
import io.pagureci.inbound.domain.WorkerService;
import io.pagureci.log.JsonLogProvider;
import io.pagureci.log.LambdaLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda entry point of the worker, triggered by the work queue's event source mapping with {@code
 * ReportBatchItemFailures}: translate the SQS batch, let {@link WorkerService} work each message,
 * answer the messages to return to the queue. Handler string: {@code
 * io.pagureci.inbound.WorkerHandler::handleRequest}.
 */
public final class WorkerHandler implements RequestStreamHandler, Resource {

  static {
    JsonLogProvider.nameToSlf4j(); // before any logger: SLF4J then skips its provider look-up
  }

  private final WorkerService service;
  private final Path tempRoot;
  private final Runnable prime;

  /** For the Lambda runtime: configuration from the environment, real AWS clients. */
  public WorkerHandler() {
    this(DependencyFactory.fromEnvironment());
  }

  public WorkerHandler(DependencyFactory factory) {
    this(factory.workerService(), factory.tempRoot(), factory::primeWorker);
    // SnapStart (the stack's snapStart key): prime the packager before the snapshot
    Core.getGlobalContext().register(this);
  }

  /** For tests: explicit collaborators, nothing to prime. */
  public WorkerHandler(WorkerService service, Path tempRoot) {
    this(service, tempRoot, () -> {});
  }

  private WorkerHandler(WorkerService service, Path tempRoot, Runnable prime) {
    this.service = service;
    this.tempRoot = tempRoot;
    this.prime = prime;
  }

  @Override
  public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
    prime.run();
    TempSpace.clean(tempRoot);
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    // the worker caches no secret
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    // a previous invocation killed by its timeout may have left files behind: start clean
    TempSpace.clean(tempRoot);
    List<String> failed;
    try (LambdaLog.Invocation ignored = LambdaLog.begin(context)) {
      List<WorkerService.Message> messages = new ArrayList<>();
      List<String> unreadable = new ArrayList<>();
      messages(input.readAllBytes(), messages, unreadable);
      LongSupplier left =
          context == null ? () -> Long.MAX_VALUE : () -> context.getRemainingTimeInMillis();
      failed = new ArrayList<>(service.handleBatch(messages, left));
      failed.addAll(unreadable);
    } finally {
      TempSpace.clean(tempRoot);
    }
    output.write(batchResponse(failed).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The records of an SQS event. A record without a message id cannot be answered and is skipped;
   * one with an id but no body or receipt handle is returned to the queue (the DLQ ends a loop).
   */
  static void messages(byte[] event, List<WorkerService.Message> out, List<String> unreadable)
      throws IOException {
    JsonNode root;
    try {
      root = StrictJson.mapper().readTree(event);
    } catch (IOException e) {
      throw new IOException("the worker's event is not JSON", e);
    }
    for (JsonNode r : root.path("Records")) {
      String id = r.path("messageId").asText("");
      if (id.isEmpty()) {
        continue;
      }
      if (!r.path("body").isTextual() || !r.path("receiptHandle").isTextual()) {
        unreadable.add(id);
        continue;
      }
      int count = r.path("attributes").path("ApproximateReceiveCount").asInt(1);
      out.add(
          new WorkerService.Message(
              id,
              r.path("receiptHandle").textValue(),
              r.path("body").textValue(),
              Math.max(count, 1)));
    }
  }

  /** {@code {"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}}. */
  static String batchResponse(List<String> failed) throws IOException {
    StringWriter out = new StringWriter(64 + failed.size() * 64);
    try (JsonGenerator g = StrictJson.generator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("batchItemFailures");
      for (String id : failed) {
        g.writeStartObject();
        g.writeStringField("itemIdentifier", id);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toString();
  }
}
