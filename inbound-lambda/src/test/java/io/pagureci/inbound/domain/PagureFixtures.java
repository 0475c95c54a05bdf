package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real pagure web-hook captures in testdata/pagure/webhooks (system property pagure.fixtures).
 */
public final class PagureFixtures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PagureFixtures() {}

  public static Path root() {
    String dir = System.getProperty("pagure.fixtures");
    if (dir == null) {
      throw new IllegalStateException(
          "system property pagure.fixtures is not set (see the parent pom)");
    }
    return Path.of(dir);
  }

  /** One captured delivery. */
  public record Delivery(String name, Map<String, String> headers, byte[] body, JsonNode meta) {

    @Override
    public String toString() {
      return name;
    }

    public String topic() {
      return headers.get("x-pagure-topic");
    }

    public String hookKey() {
      return meta.get("hook_key").asText();
    }

    public String project() {
      return meta.get("project").asText();
    }

    public HttpRequest request() {
      return withBody(body);
    }

    public HttpRequest withBody(byte[] newBody) {
      return new HttpRequest(
          "POST", headers, new String(newBody, StandardCharsets.UTF_8), false, null, "req-" + name);
    }

    /**
     * The delivery with its body changed by {@code change} (the parsed body) and signed again with
     * the project's key, as pagure would have sent it.
     */
    public HttpRequest edited(
        java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change) {
      try {
        com.fasterxml.jackson.databind.node.ObjectNode n =
            (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(body);
        change.accept(n);
        byte[] newBody = JSON.writeValueAsBytes(n);
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(
            "x-pagure-signature-256",
            java.util.HexFormat.of()
                .formatHex(
                    Authenticator.hmacSha256(
                        hookKey().getBytes(StandardCharsets.US_ASCII), newBody)));
        h.remove("x-pagure-signature");
        return new HttpRequest(
            "POST",
            h,
            new String(newBody, StandardCharsets.UTF_8),
            false,
            null,
            "req-" + name + "-" + System.nanoTime());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    public HttpRequest withHeader(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      if (value == null) {
        h.remove(name);
      } else {
        h.put(name, value);
      }
      return new HttpRequest(
          "POST", h, new String(body, StandardCharsets.UTF_8), false, null, "req-" + this.name);
    }
  }

  public static List<Delivery> webhooks() {
    try (Stream<Path> dirs = Files.list(root().resolve("webhooks"))) {
      return dirs.filter(Files::isDirectory).sorted().map(PagureFixtures::load).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Delivery webhook(String name) {
    return load(root().resolve("webhooks").resolve(name));
  }

  private static Delivery load(Path dir) {
    try {
      JsonNode headersJson = JSON.readTree(dir.resolve("headers.json").toFile());
      Map<String, String> headers = new LinkedHashMap<>();
      headersJson
          .properties()
          .forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue().asText()));
      return new Delivery(
          dir.getFileName().toString(),
          headers,
          Files.readAllBytes(dir.resolve("body.json")),
          JSON.readTree(dir.resolve("meta.json").toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
