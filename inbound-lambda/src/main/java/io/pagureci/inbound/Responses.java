package io.pagureci.inbound;

import com.fasterxml.jackson.core.JsonGenerator;
import io.pagureci.inbound.domain.Outcome;
import io.pagureci.inbound.domain.StrictJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Outcome → function URL response (docs/protocol.md §2), written with jackson-core's generator (no
 * jackson-databind on the path of a rejected request, docs/performance.md §3).
 */
final class Responses {

  private Responses() {}

  /** The function URL response document (payload format 2.0) as UTF-8 JSON bytes. */
  static byte[] json(Outcome outcome) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = StrictJson.generator(out)) {
      g.writeStartObject();
      g.writeNumberField("statusCode", outcome.status());
      g.writeObjectFieldStart("headers");
      g.writeStringField("content-type", "application/json");
      g.writeEndObject();
      g.writeStringField("body", body(outcome));
      g.writeBooleanField("isBase64Encoded", false);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The answer's body document (compact JSON text). */
  static String body(Outcome outcome) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = StrictJson.generator(out)) {
      g.writeStartObject();
      // instanceof rather than a pattern switch (its bootstrap spins a class at first use)
      if (outcome instanceof Outcome.Queued q) {
        g.writeStringField("status", "queued");
        g.writeStringField("id", q.deliveryId());
        g.writeStringField("buildKey", q.buildKey());
        g.writeStringField("commit", q.request().commit());
        if (!q.targets().isEmpty()) {
          g.writeArrayFieldStart("targets");
          for (Outcome.ForTarget t : q.targets()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("status", t.status());
            g.writeStringField("buildKey", t.buildKey());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
      } else if (outcome instanceof Outcome.Duplicate d) {
        g.writeStringField("status", "duplicate");
        g.writeStringField("id", d.deliveryId());
        g.writeStringField("buildKey", d.buildKey());
        g.writeStringField("commit", d.request().commit());
        if (d.build() != null) {
          g.writeObjectFieldStart("build");
          g.writeStringField("target", d.build().target());
          g.writeStringField("id", d.build().id());
          g.writeEndObject();
        }
      } else if (outcome instanceof Outcome.Ignored i) {
        g.writeStringField("status", "ignored");
        g.writeStringField("reason", i.reason());
      } else if (outcome instanceof Outcome.Rejected r) {
        g.writeStringField("error", r.message());
        g.writeStringField("code", r.code());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
