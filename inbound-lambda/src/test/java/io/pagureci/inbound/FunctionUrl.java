package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Invokes the stream handler the way the Lambda runtime does: the function URL event as JSON bytes
 * in, the response document out (parsed back into the typed response for assertions).
 */
final class FunctionUrl {

  private static final ObjectMapper JSON =
      new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  private FunctionUrl() {}

  /** The event as a function URL would send it (payload format 2.0 field names). */
  static byte[] json(APIGatewayV2HTTPEvent event) {
    try {
      return JSON.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static APIGatewayV2HTTPResponse invoke(InboundHandler handler, APIGatewayV2HTTPEvent event) {
    return invoke(handler, json(event));
  }

  static APIGatewayV2HTTPResponse invoke(InboundHandler handler, byte[] event) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(new ByteArrayInputStream(event), out, null);
      JsonNode r = JSON.readTree(out.toByteArray());
      Map<String, String> headers = new LinkedHashMap<>();
      r.path("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
      return APIGatewayV2HTTPResponse.builder()
          .withStatusCode(r.get("statusCode").asInt())
          .withHeaders(headers)
          .withBody(r.get("body").asText())
          .withIsBase64Encoded(r.get("isBase64Encoded").asBoolean())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
