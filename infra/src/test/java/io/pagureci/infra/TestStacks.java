package io.pagureci.infra;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;
import software.constructs.MetadataEntry;

/**
 * Builds stacks for tests from a context map, with small stand-in code assets, in an {@link App}
 * that has the repository's cdk.json context (the CDK feature flags) under the test's own keys, as
 * {@code cdk synth} builds it.
 */
final class TestStacks {

  /** Context that makes a stack deployable (the two required keys). */
  static final Map<String, String> DEPLOYABLE =
      Map.of("pagureUrl", "https://pagure.example.org/", "allowedProjects", "demo,rpms/*");

  private static Path root;

  private static Map<String, Object> cdkJsonContext;

  private TestStacks() {}

  /** A fake repository root holding the two default code paths (tiny directories). */
  static synchronized Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("pagure-ci-infra-test");
        for (String p :
            List.of(PagureCiApp.DEFAULT_INBOUND_CODE, PagureCiApp.DEFAULT_OUTBOUND_CODE)) {
          Path dir = root.resolve(p);
          Files.createDirectories(dir);
          Files.writeString(dir.resolve("stand-in.txt"), "not a real function");
        }
        Files.writeString(root.resolve("cdk.json"), "{}");
        Files.createDirectories(root.resolve("infra"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  /**
   * A stack built the way the app builds it (cdk-nag included) from {@code DEPLOYABLE + context}.
   */
  static PagureCiStack stack(Map<String, String> context) {
    Map<String, Object> all = new HashMap<>(DEPLOYABLE);
    all.putAll(context);
    all.values().removeIf(v -> v == null || "".equals(v));
    return PagureCiApp.build(app(all), root());
  }

  /** A stack from exactly {@code context} (nothing added but cdk.json's context). */
  static PagureCiStack bareStack(Map<String, Object> context) {
    return PagureCiApp.build(app(context), root());
  }

  /**
   * An app with the repository's cdk.json context (its feature flags) and {@code context} over it:
   * what {@code cdk synth} hands the real app, so tests and synth build the same template.
   */
  static App app(Map<String, ?> context) {
    Map<String, Object> all = new HashMap<>(cdkJsonContext());
    all.putAll(context);
    return App.Builder.create().context(all).build();
  }

  /** The {@code context} object of the repository's cdk.json (the one definition of the flags). */
  static synchronized Map<String, Object> cdkJsonContext() {
    if (cdkJsonContext == null) {
      Path cdkJson = PagureCiApp.repositoryRoot().resolve("cdk.json");
      try {
        Map<String, Object> json =
            new ObjectMapper().readValue(cdkJson.toFile(), new TypeReference<>() {});
        @SuppressWarnings("unchecked")
        Map<String, Object> context = (Map<String, Object>) json.getOrDefault("context", Map.of());
        cdkJsonContext = Map.copyOf(context);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + cdkJson, e);
      }
    }
    return cdkJsonContext;
  }

  static Template template(PagureCiStack stack) {
    return Template.fromStack(stack);
  }

  /**
   * Every cdk-nag error and warning left unsuppressed, as "/construct/path: message" lines, errors
   * first. Synthesizes the stack (cdk-nag's aspect annotates the constructs then) and reads the
   * annotations from the construct tree.
   */
  static List<String> nagFindings(PagureCiStack stack) {
    Template.fromStack(stack);
    List<String> order = List.of("aws:cdk:error", "aws:cdk:warning");
    record Finding(IConstruct construct, MetadataEntry entry) {}
    return stack.getNode().findAll().stream()
        .flatMap(c -> c.getNode().getMetadata().stream().map(m -> new Finding(c, m)))
        .filter(f -> order.contains(f.entry().getType()))
        .filter(f -> String.valueOf(f.entry().getData()).contains("AwsSolutions-"))
        .sorted(Comparator.comparingInt(f -> order.indexOf(f.entry().getType())))
        .map(f -> "/" + f.construct().getNode().getPath() + ": " + f.entry().getData())
        .toList();
  }
}
