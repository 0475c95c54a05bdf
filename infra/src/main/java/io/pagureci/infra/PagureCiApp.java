package io.pagureci.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app run by the root cdk.json: reads the context, builds {@link PagureCiStack}, applies
 * the cdk-nag AwsSolutions checks, and tells on stderr what a real deploy still needs.
 */
public final class PagureCiApp {

  /** Default code assets, relative to the repository root (where cdk.json is). */
  public static final String DEFAULT_INBOUND_CODE = "inbound-lambda/target/function.jar";

  public static final String DEFAULT_OUTBOUND_CODE = "outbound-lambda/target/function.jar";

  private PagureCiApp() {}

  public static void main(String[] args) {
    App app = new App();
    try {
      synth(app, repositoryRoot());
    } catch (Settings.SettingsException e) {
      System.err.println("pagure-ci-aws: bad configuration: " + e.getMessage());
      System.err.println("  (every key and its default: docs/configuration.md)");
      System.exit(2);
    }
  }

  /** Builds the stack into {@code app} and synthesizes it. */
  static void synth(App app, Path root) {
    PagureCiStack stack = build(app, root);
    stack.routingTableLines().forEach(System.err::println);
    List<String> missing = stack.settings().missingForDeploy();
    if (!missing.isEmpty()) {
      System.err.println(
          "pagure-ci-aws: synthesized with placeholders; a real deploy still needs:");
      missing.forEach(m -> System.err.println("  - " + m));
      System.err.println("  (see docs/deploy.md; every key: docs/configuration.md)");
    }
    stack.applyFlatLogicalIds();
    app.synth();
  }

  /**
   * Builds the stack (with cdk-nag) from the app's context; code paths from context or defaults.
   */
  public static PagureCiStack build(App app, Path root) {
    Settings settings = Settings.fromContext(app.getNode()::tryGetContext, root);
    @SuppressWarnings("unchecked")
    Map<String, Object> given =
        (Map<String, Object>) (Map<String, ?>) app.getNode().getAllContext();
    List<String> unknown = Settings.unknownKeys(given);
    if (!unknown.isEmpty()) {
      throw new Settings.SettingsException("unknown context key(s) " + unknown);
    }
    Path inbound = codePath(app, root, "inboundCodePath", DEFAULT_INBOUND_CODE);
    Path outbound = codePath(app, root, "outboundCodePath", DEFAULT_OUTBOUND_CODE);
    String stackName =
        String.valueOf(
            app.getNode().tryGetContext("stackName") == null
                ? "PagureCi"
                : app.getNode().tryGetContext("stackName"));
    // Environment-agnostic on purpose: the template is the same offline and with credentials;
    // `cdk deploy` fills in the account and region of the profile it runs with.
    StackProps props =
        StackProps.builder()
            .stackName(stackName)
            .description("pagure-ci-aws: CI for pagure on AWS CodeBuild / CodePipeline")
            .build();
    PagureCiStack stack =
        new PagureCiStack(
            app, "PagureCi", new PagureCiStack.Props(settings, inbound, outbound, props));
    Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).build());
    return stack;
  }

  private static Path codePath(App app, Path root, String key, String dflt) {
    Object v = app.getNode().tryGetContext(key);
    Path p = root.resolve(v == null ? dflt : String.valueOf(v)).normalize();
    if (!Files.exists(p)) {
      throw new Settings.SettingsException(
          key
              + ": "
              + p
              + " does not exist; build it first (./mvnw -DskipTests package) or pass -c "
              + key
              + "=<jar or directory>");
    }
    return p;
  }

  /** The directory holding cdk.json: the working directory or one of its parents. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("cdk.json")) && Files.exists(d.resolve("infra"))) {
        return d;
      }
    }
    return dir;
  }
}
