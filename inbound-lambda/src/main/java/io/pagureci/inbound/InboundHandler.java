package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.domain.HttpRequest;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda entry point behind the function URL (payload format 2.0): translate the event, let
 * {@link InboundService} decide, translate the outcome. Handler string:
 * {@code io.pagureci.inbound.InboundHandler::handleRequest}.
 *
 * <p>A {@link RequestStreamHandler}: the event JSON is read with the Jackson mapper the service
 * uses anyway, instead of the runtime's typed-event deserialisation (which cost ~0.4 s of every
 * cold start, docs/performance.md).
 */
public final class InboundHandler implements RequestStreamHandler, Resource {

  private final InboundService service;
  private final Path tempRoot;
  private final Runnable onRestore;
  private final Runnable initAll;

  /** For the Lambda runtime: configuration from the environment, real AWS clients. */
  public InboundHandler() {
    this(DependencyFactory.fromEnvironment());
  }

  /** With explicitly built dependencies (tests build them from an explicit environment). */
  public InboundHandler(DependencyFactory factory) {
    this(factory.inboundService(), factory.tempRoot(), factory::clearSecrets, factory::initAll);
    // SnapStart: prime before the snapshot, forget cached secrets after a restore
    Core.getGlobalContext().register(this);
  }

  /** For tests: explicit collaborators. */
  public InboundHandler(InboundService service, Path tempRoot) {
    this(service, tempRoot, () -> {}, () -> {});
  }

  private InboundHandler(InboundService service, Path tempRoot, Runnable onRestore, Runnable initAll) {
    this.service = service;
    this.tempRoot = tempRoot;
    this.onRestore = onRestore;
    this.initAll = initAll;
  }

  /**
   * SnapStart priming: builds the AWS clients and the source packager (built lazily otherwise, see
   * {@link DependencyFactory}), then runs a request that is rejected before any network call
   * through the whole parsing path (JSON, schema, response writing), so those classes are loaded
   * and initialised in the snapshot rather than on the first real request.
   */
  @Override
  public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
    initAll.run();
    service.handle(new HttpRequest("POST", Map.of("content-type", "application/json"),
        "{\"protocol\": \"pagure-ci-webhook\", \"version\": 1}", false,
        "arn:aws:iam::000000000000:user/snapstart-priming", "snapstart-priming"));
    Responses.json(new Outcome.Ignored("priming"));
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    onRestore.run();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    // a previous invocation killed by its timeout may have left files behind: start clean
    TempSpace.clean(tempRoot);
    try {
      Outcome outcome = service.handle(toRequest(input.readAllBytes()));
      output.write(Responses.json(outcome));
    } finally {
      TempSpace.clean(tempRoot);
    }
  }

  /**
   * The parts of a function URL event (payload format 2.0) the service needs. An event that is not
   * such a document becomes a request without a method (405): function URLs never send one.
   */
  static HttpRequest toRequest(byte[] event) {
    JsonNode e;
    try {
      e = StrictJson.mapper().readTree(event);
    } catch (IOException ex) {
      e = null;
    }
    if (e == null || !e.isObject()) {
      return new HttpRequest("", Map.of(), "", false, null, "");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    e.path("headers").fields().forEachRemaining(h -> {
      if (h.getValue().isTextual()) {
        headers.put(h.getKey(), h.getValue().textValue());
      }
    });
    JsonNode ctx = e.path("requestContext");
    JsonNode caller = ctx.path("authorizer").path("iam").path("userArn");
    JsonNode body = e.path("body");
    return new HttpRequest(ctx.path("http").path("method").asText(""), headers,
        body.isTextual() ? body.textValue() : "", e.path("isBase64Encoded").asBoolean(false),
        caller.isTextual() ? caller.textValue() : null, ctx.path("requestId").asText(""));
  }
}
