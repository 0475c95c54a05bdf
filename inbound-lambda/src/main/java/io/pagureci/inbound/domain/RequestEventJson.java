package io.pagureci.inbound.domain;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** The {@code detail} of a request event (docs/queue.md §4), written with jackson-core. */
public final class RequestEventJson {

  private RequestEventJson() {}

  public static String write(RequestEvent e) {
    StringWriter out = new StringWriter(512);
    try (JsonGenerator g = StrictJson.generator(out)) {
      g.writeStartObject();
      g.writeStringField("state", e.state().name());
      g.writeStringField("deliveryId", e.deliveryId());
      g.writeStringField("buildKey", e.buildKey());
      g.writeObjectFieldStart("target");
      g.writeStringField("system", e.target().system());
      g.writeStringField("name", e.target().name());
      g.writeStringField("label", e.target().label());
      g.writeEndObject();
      g.writeObjectFieldStart("variables");
      for (Map.Entry<String, String> v : e.variables().entrySet()) {
        g.writeStringField(v.getKey(), v.getValue());
      }
      g.writeEndObject();
      if (e.state() == RequestEvent.State.ERROR) {
        g.writeStringField("code", e.code());
        g.writeStringField("reason", e.reason());
        if (e.retry() != null) {
          g.writeStringField("retry", e.retry());
        }
        g.writeNumberField("attempts", e.attempts());
      }
      if (e.state() == RequestEvent.State.CANCELED) {
        g.writeStringField("reason", e.reason());
      }
      if (e.state() == RequestEvent.State.AWAITING_APPROVAL) {
        g.writeStringField("reason", e.reason());
        g.writeStringField("retry", e.retry());
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toString();
  }
}
