package io.pagureci.outbound;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.pagureci.log.JsonLogProvider;
import io.pagureci.log.LambdaLog;
import io.pagureci.outbound.adapters.InvocationDeadline;
import io.pagureci.outbound.domain.DecisionLog;
import io.pagureci.outbound.domain.EventOutcome;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.RequestEventService;
import io.pagureci.outbound.events.EventBridgeEventParser;
import io.pagureci.outbound.events.ParsedEvent;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * EventBridge (CodeBuild / CodePipeline events, and this project's own request events) → pagure
 * flag. Handler string: {@code io.pagureci.outbound.OutboundHandler::handleRequest}. Returns a
 * small JSON summary; throws when a status could not be delivered, so Lambda's async retries and
 * the on-failure destination take over.
 */
public final class OutboundHandler implements RequestStreamHandler {

  static {
    JsonLogProvider.nameToSlf4j(); // before any logger: SLF4J then skips its provider look-up
  }

  private final EventBridgeEventParser parser = new EventBridgeEventParser();
  private final OutboundService service;
  private final RequestEventService requests;
  private final InvocationDeadline deadline;

  /** Used by the Lambda runtime: real clients (built on first use) from the environment. */
  public OutboundHandler() {
    this(DependencyFactory.create(System.getenv()));
  }

  OutboundHandler(DependencyFactory.Wiring wiring) {
    this(wiring.service(), wiring.requests(), wiring.deadline());
  }

  /** For tests: the collaborators. */
  public OutboundHandler(
      OutboundService service, RequestEventService requests, InvocationDeadline deadline) {
    this.service = service;
    this.requests = requests;
    this.deadline = deadline;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    deadline.start(context.getRemainingTimeInMillis());
    try (LambdaLog.Invocation ignored = LambdaLog.begin(context)) {
      ParsedEvent event = parser.parse(input);
      // every line of this event (the pagure client's retries too) names the delivery when known
      // (instanceof, not a second pattern switch: each one spins a class at its first use)
      String delivery = null;
      if (event instanceof ParsedEvent.Request r) {
        delivery = r.event().deliveryId();
      } else if (event instanceof ParsedEvent.Usable u) {
        delivery = PagureBuild.deliveryId(u.event().variables());
      } else if (event instanceof ParsedEvent.Unusable u) {
        delivery = u.deliveryId();
      }
      if (delivery != null) {
        MDC.put(LambdaLog.DELIVERY_ID, delivery);
      }
      Map<String, Object> result =
          switch (event) {
            case ParsedEvent.Unusable u -> {
              DecisionLog.dropped(u.eventId(), u.detailType(), u.deliveryId(), u.reason());
              yield summary("dropped", u.reason());
            }
            case ParsedEvent.Usable u -> summary(service.handle(u.event()));
            case ParsedEvent.Request r -> summary(requests.handle(r.event()));
          };
      output.write(Json.write(result).getBytes(StandardCharsets.UTF_8));
      output.flush();
    } finally {
      MDC.remove(LambdaLog.DELIVERY_ID);
    }
  }

  private static Map<String, Object> summary(EventOutcome outcome) {
    return switch (outcome) {
      case EventOutcome.Posted p -> {
        Map<String, Object> n = summary("posted", null);
        n.put("status", p.update().flag().status().wire());
        n.put("uid", p.update().flag().uid());
        yield n;
      }
      case EventOutcome.Ignored i -> summary("ignored", i.reason());
    };
  }

  private static Map<String, Object> summary(String outcome, String reason) {
    Map<String, Object> n = new LinkedHashMap<>();
    n.put("outcome", outcome);
    if (reason != null) {
      n.put("reason", reason);
    }
    return n;
  }
}
