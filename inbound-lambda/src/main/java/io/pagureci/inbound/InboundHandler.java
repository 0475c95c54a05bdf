package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.pagureci.inbound.domain.HttpRequest;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.domain.Outcome;
import java.nio.file.Path;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * Lambda entry point behind the function URL (payload format 2.0): translate the event, let
 * {@link InboundService} decide, translate the outcome. Handler string:
 * {@code io.pagureci.inbound.InboundHandler::handleRequest}.
 */
public final class InboundHandler
    implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {

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
    Responses.of(new Outcome.Ignored("priming"));
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    onRestore.run();
  }

  @Override
  public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
    // a previous invocation killed by its timeout may have left files behind: start clean
    TempSpace.clean(tempRoot);
    try {
      Outcome outcome = service.handle(toRequest(event));
      return Responses.of(outcome);
    } finally {
      TempSpace.clean(tempRoot);
    }
  }

  static HttpRequest toRequest(APIGatewayV2HTTPEvent event) {
    if (event == null) {
      return new HttpRequest("", Map.of(), "", false, null, "");
    }
    APIGatewayV2HTTPEvent.RequestContext ctx = event.getRequestContext();
    String method = ctx != null && ctx.getHttp() != null ? ctx.getHttp().getMethod() : "";
    String caller = ctx != null && ctx.getAuthorizer() != null && ctx.getAuthorizer().getIam() != null
        ? ctx.getAuthorizer().getIam().getUserArn() : null;
    String requestId = ctx != null ? ctx.getRequestId() : "";
    return new HttpRequest(method, event.getHeaders(), event.getBody(), event.getIsBase64Encoded(),
        caller, requestId);
  }
}
