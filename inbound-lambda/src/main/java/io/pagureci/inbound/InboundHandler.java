package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.pagureci.inbound.domain.HttpRequest;
import io.pagureci.inbound.domain.InboundService;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.StrictJson;
import io.pagureci.log.JsonLogProvider;
import io.pagureci.log.LambdaLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.MDC;

/**
 * Lambda entry point behind the function URL (payload format 2.0): translate the event, let {@link
 * InboundService} decide, translate the outcome. Handler string: {@code
 * io.pagureci.inbound.InboundHandler::handleRequest}.
 *
 * <p>A {@link RequestStreamHandler}: the event JSON is read and the response written with
 * jackson-core's streaming API, instead of the runtime's typed-event deserialisation (which cost
 * ~0.4 s of every cold start) or an {@code ObjectMapper} (~0.2 s more), docs/performance.md §3.
 */
public final class InboundHandler implements RequestStreamHandler, Resource {

  static {
    JsonLogProvider.nameToSlf4j(); // before any logger: SLF4J then skips its provider look-up
  }

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

  private InboundHandler(
      InboundService service, Path tempRoot, Runnable onRestore, Runnable initAll) {
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
    service.handle(
        new HttpRequest(
            "POST",
            Map.of("content-type", "application/json"),
            "{\"protocol\": \"pagure-ci-webhook\", \"version\": 1}",
            false,
            "arn:aws:iam::000000000000:user/snapstart-priming",
            "snapstart-priming"));
    Responses.json(new Outcome.Ignored("priming"));
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    onRestore.run();
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    // a previous invocation killed by its timeout may have left files behind: start clean
    TempSpace.clean(tempRoot);
    try (LambdaLog.Invocation ignored = LambdaLog.begin(context)) {
      HttpRequest request = toRequest(input.readAllBytes());
      // every line of this request names its delivery: the function URL request id
      if (request.requestId() != null && !request.requestId().isEmpty()) {
        MDC.put(LambdaLog.DELIVERY_ID, request.requestId());
      }
      Outcome outcome = service.handle(request);
      output.write(Responses.json(outcome));
    } finally {
      MDC.remove(LambdaLog.DELIVERY_ID);
      TempSpace.clean(tempRoot);
    }
  }

  /** What a document that is not a function URL event becomes: no method, hence 405. */
  private static final HttpRequest NOT_AN_EVENT =
      new HttpRequest("", Map.of(), "", false, null, "");

  /**
   * The parts of a function URL event (payload format 2.0) the service needs. An event that is not
   * such a document (not strict JSON, not an object) becomes a request without a method (405):
   * function URLs never send one.
   *
   * <p>Read with jackson-core's streaming parser under {@link StrictJson}'s rules (duplicate keys,
   * depth, trailing tokens, invalid UTF-8 anywhere are errors). Values the service reads: the
   * string {@code headers}, {@code body} and {@code requestContext.authorizer.iam.userArn} (other
   * types count as absent), {@code requestContext.http.method} and {@code requestContext.requestId}
   * as text (scalars by their JSON text, numbers normalised), {@code isBase64Encoded} as a boolean
   * ({@code true}, {@code "true"} or a non-zero integer).
   */
  static HttpRequest toRequest(byte[] event) {
    try (JsonParser p = StrictJson.factory().createParser(event)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return NOT_AN_EVENT;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String body = "";
      boolean base64 = false;
      String[] context = {"", null, ""}; // method, IAM caller, request id
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        switch (name) {
          case "headers" -> {
            if (t == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String header = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                  headers.put(header, p.getText());
                } else {
                  StrictJson.readValue(p);
                }
              }
              continue;
            }
          }
          case "body" -> {
            if (t == JsonToken.VALUE_STRING) {
              body = p.getText();
              continue;
            }
            body = "";
          }
          case "isBase64Encoded" ->
              base64 =
                  switch (t) {
                    case VALUE_TRUE -> true;
                    case VALUE_STRING -> p.getText().trim().equals("true");
                    case VALUE_NUMBER_INT -> p.getBigIntegerValue().signum() != 0;
                    default -> false;
                  };
          case "requestContext" -> {
            if (t == JsonToken.START_OBJECT) {
              requestContext(p, context);
              continue;
            }
            context = new String[] {"", null, ""};
          }
          default -> {}
        }
        StrictJson.readValue(p);
      }
      if (p.nextToken() != null) {
        return NOT_AN_EVENT; // trailing tokens
      }
      return new HttpRequest(context[0], headers, body, base64, context[1], context[2]);
    } catch (IOException e) {
      return NOT_AN_EVENT;
    }
  }

  /** Reads {@code requestContext} (the parser is at its START_OBJECT) into {method, caller, id}. */
  private static void requestContext(JsonParser p, String[] context) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      switch (name) {
        case "http" -> {
          context[0] = "";
          if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              boolean method = p.currentName().equals("method");
              p.nextToken();
              if (method) {
                context[0] = asText(p);
              }
              StrictJson.readValue(p);
            }
            continue;
          }
        }
        case "authorizer" -> {
          context[1] = null;
          if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              boolean iam = p.currentName().equals("iam");
              if (p.nextToken() == JsonToken.START_OBJECT && iam) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  boolean arn = p.currentName().equals("userArn");
                  if (p.nextToken() == JsonToken.VALUE_STRING && arn) {
                    context[1] = p.getText();
                  } else {
                    StrictJson.readValue(p);
                  }
                }
              } else {
                StrictJson.readValue(p);
              }
            }
            continue;
          }
        }
        case "requestId" -> context[2] = asText(p);
        default -> {}
      }
      StrictJson.readValue(p);
    }
  }

  /** A scalar as text the way a JSON tree renders it; "" for null, objects and arrays. */
  private static String asText(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue().toString();
      case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      default -> "";
    };
  }
}
