package io.pagureci.outbound.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
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
  private static final Schema SCHEMA = load();

  private StatusSchema() {}

  private static Schema load() {
    try (InputStream in =
        Files.newInputStream(Fixtures.schema("ci-webhook-status-v1.schema.json"))) {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Violations, empty when valid. */
  public static Set<String> violations(JsonNode document) {
    return SCHEMA.validate(document).stream()
        .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
        .collect(Collectors.toSet());
  }
}
