package io.pagureci.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.StrictJson;
import java.nio.charset.StandardCharsets;

/** Outcome → function URL response (docs/protocol.md §2). */
final class Responses {

  private Responses() {}

  /** The function URL response document (payload format 2.0) as UTF-8 JSON bytes. */
  static byte[] json(Outcome outcome) {
    ObjectNode response = StrictJson.mapper().createObjectNode();
    response.put("statusCode", outcome.status());
    response.putObject("headers").put("content-type", "application/json");
    response.put("body", body(outcome).toString());
    response.put("isBase64Encoded", false);
    return response.toString().getBytes(StandardCharsets.UTF_8);
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
