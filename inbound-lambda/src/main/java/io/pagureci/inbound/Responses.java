package io.pagureci.inbound;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.StrictJson;
import java.util.Map;

/** Outcome → function URL response (docs/protocol.md §2). */
final class Responses {

  private Responses() {}

  static APIGatewayV2HTTPResponse of(Outcome outcome) {
    return APIGatewayV2HTTPResponse.builder()
        .withStatusCode(outcome.status())
        .withHeaders(Map.of("content-type", "application/json"))
        .withBody(body(outcome).toString())
        .withIsBase64Encoded(false)
        .build();
  }

  static ObjectNode body(Outcome outcome) {
    ObjectNode n = StrictJson.mapper().createObjectNode();
    switch (outcome) {
      case Outcome.Accepted a -> {
        n.put("status", a.duplicate() ? "duplicate" : "accepted");
        ObjectNode build = n.putObject("build");
        build.put("target", a.build().target());
        build.put("id", a.build().id());
        n.put("commit", a.request().commit());
        ObjectNode source = n.putObject("source");
        source.put("bucket", a.bucket());
        source.put("key", a.key());
        source.put("version", a.versionId());
      }
      case Outcome.Ignored i -> {
        n.put("status", "ignored");
        n.put("reason", i.reason());
      }
      case Outcome.Rejected r -> {
        n.put("error", r.message());
        n.put("code", r.code());
      }
    }
    return n;
  }
}
