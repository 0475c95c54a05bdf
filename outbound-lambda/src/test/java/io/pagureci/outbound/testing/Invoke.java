package io.pagureci.outbound.testing;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Invokes a stream handler the way the runtime does (bytes in, bytes out). */
public final class Invoke {
  private Invoke() {}

  /** With the stack's default function timeout (60 s) left. */
  public static JsonNode handle(RequestStreamHandler handler, String event) {
    return handle(handler, event, 60_000);
  }

  public static JsonNode handle(RequestStreamHandler handler, String event, long remainingMillis) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      handler.handleRequest(
          new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
          out,
          new FakeContext(remainingMillis));
      return Fixtures.JSON.readTree(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
