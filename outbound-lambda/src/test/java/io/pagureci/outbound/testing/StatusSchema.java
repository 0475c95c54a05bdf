package io.pagureci.outbound.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * docs/protocol/ci-webhook-status-v1.schema.json, loaded from the docs (so the docs are what is
 * tested).
 */
public final class StatusSchema {
  private static final JsonSchema SCHEMA = load();

  private StatusSchema() {}

  private static JsonSchema load() {
    try (InputStream in =
        Files.newInputStream(Fixtures.schema("ci-webhook-status-v1.schema.json"))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Violations, empty when valid. */
  public static Set<String> violations(JsonNode document) {
    Set<ValidationMessage> messages = SCHEMA.validate(document);
    return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
  }
}
