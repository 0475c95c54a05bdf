package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.outbound.config.OutboundConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Token;

/**
 * The contract between the stack and the functions, for the three functions (accept = the inbound
 * handler, worker, outbound; accept and worker share {@link InboundConfig}):
 *
 * <ul>
 *   <li>in every mode, the environment the stack gives a function is accepted by its config parser
 *       and names only variables that parser reads — or that docs/queue.md §2 names for that
 *       function (the queue contract, which the config classes implement alongside this stack);
 *   <li>over all modes, the stack sets exactly the variables docs/configuration.md lists for that
 *       function, and every variable of docs/queue.md §2 for it;
 *   <li>every variable a config class reads is given to one of its functions or is one of the few
 *       documented to stay at the function's default.
 * </ul>
 */
class EnvironmentContractTest {

  /** Read by InboundConfig, deliberately not set by the stack (docs/configuration.md). */
  static final Set<String> INBOUND_LEFT_AT_DEFAULT =
      Set.of("MAX_DELIVERY_AGE_SECONDS", "S3_FORCE_PATH_STYLE");

  /**
   * The per-target variables of docs/queue.md §2 / the routing contract: the functions read them
   * only when {@code ROUTES} is unset (a hand-made configuration, the tests); the stack sets {@code
   * ROUTES} instead and never these (docs/configuration.md says so).
   */
  static final Set<String> ROUTES_FALLBACK =
      Set.of(
          "ALLOWED_PROJECTS",
          "BUILD_BRANCHES",
          "BUILD_TARGET",
          "CODEBUILD_PROJECT",
          "PIPELINE_NAME",
          "TRUSTED_BUILDSPEC",
          "TRUSTED_BUILDSPEC_PATH",
          "CODEBUILD_PROJECTS",
          "PIPELINE_NAMES",
          "TARGET_NAME");

  /** What the inbound jar's two configuration parsers read (accept and worker share them). */
  static final List<String> INBOUND_VARIABLES =
      java.util.stream.Stream.concat(
              InboundConfig.VARIABLES.stream(),
              io.pagureci.inbound.config.QueueConfig.VARIABLES.stream())
          .toList();

  enum Fn {
    ACCEPT("accept", PagureCiStack::inboundEnvironment, INBOUND_VARIABLES),
    WORKER("worker", PagureCiStack::workerEnvironment, INBOUND_VARIABLES),
    OUTBOUND("outbound", PagureCiStack::outboundEnvironment, OutboundConfig.VARIABLES);

    final String doc;
    final Function<PagureCiStack, Map<String, String>> environment;
    final List<String> configVariables;

    Fn(
        String doc,
        Function<PagureCiStack, Map<String, String>> environment,
        List<String> configVariables) {
      this.doc = doc;
      this.environment = environment;
      this.configVariables = configVariables;
    }
  }

  static Stream<Arguments> modes() {
    return Stream.of(
        Arguments.of("codebuild × iam (defaults)", Map.of()),
        Arguments.of("codebuild × hmac", Map.of("urlAuth", "hmac")),
        Arguments.of(
            "existing project × both", Map.of("urlAuth", "both", "existingProjectName", "legacy")),
        Arguments.of(
            "codepipeline × iam, role caller",
            Map.of("buildTarget", "codepipeline", "caller", "role")),
        Arguments.of(
            "codebuild × iam, no JVM options, no caller",
            Map.of("workerJvmOptions", "none", "caller", "none")),
        Arguments.of(
            "codepipeline × both, every optional key",
            Map.ofEntries(
                Map.entry("buildTarget", "codepipeline"),
                Map.entry("urlAuth", "both"),
                Map.entry(
                    "ciAllowedCallers",
                    "arn:aws:iam::123456789012:user/a,arn:aws:iam::123456789012:user/b"),
                Map.entry("sourcePrefix", "zips"),
                Map.entry("trustedBuildspec", "false"),
                Map.entry("trustedBuildspecPath", "ci/buildspec.yaml"),
                Map.entry("rebuildPhrase", "please rebuild"),
                Map.entry("buildBranches", "main,release/*"),
                Map.entry("refWaitSeconds", "0"),
                Map.entry("gitTimeoutSeconds", "600"),
                Map.entry("secretsTtlSeconds", "0"),
                Map.entry("workerTimeoutSeconds", "900"),
                Map.entry("workMaxAttempts", "12"),
                Map.entry("retryBaseSeconds", "60"),
                Map.entry("retryMaxSeconds", "3600"),
                Map.entry("maxSourceBytes", "10737418240"),
                Map.entry("maxFileBytes", "1073741824"),
                Map.entry("maxSourceFiles", "1000000"),
                Map.entry("maxTreeDepth", "128"),
                Map.entry("contributorPolicy", "members"),
                Map.entry("rebuildPolicy", "all"),
                Map.entry("reporter", "ci-webhook"),
                Map.entry("flagEndpoint", "pull-request"),
                Map.entry("flagUsername", "AWS CI"),
                Map.entry("targetName", "rpm-build.x86_64"),
                Map.entry(
                    "buildUrlTemplate", "https://ci.example.org/{project}/{buildId}?c={commit}"),
                Map.entry("tokenTtlSeconds", "86400"),
                Map.entry("pagureTimeoutSeconds", "300"),
                Map.entry("retryMaxAttempts", "10"),
                Map.entry("retryBaseDelayMillis", "60000"))));
  }

  static Stream<Arguments> functionsInModes() {
    return modes()
        .flatMap(m -> Stream.of(Fn.values()).map(f -> Arguments.of(f, m.get()[0], m.get()[1])));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("functionsInModes")
  void eachFunctionIsGivenOnlyWhatItReadsOrWhatTheQueueContractNamesForIt(
      Fn fn, String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, String> env = concrete(fn.environment.apply(stack));
    // the JVM reads this one, not the function's configuration parser (worker only)
    env.remove(PagureCiStack.JAVA_TOOL_OPTIONS);

    Set<String> readable = new LinkedHashSet<>(fn.configVariables);
    readable.addAll(queueContract().getOrDefault(fn.doc, Set.of()));
    assertThat(readable).as(fn.doc).containsAll(env.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void acceptAndWorkerParsersAcceptWhatTheStackSets(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    for (Fn fn : List.of(Fn.ACCEPT, Fn.WORKER)) {
      Map<String, String> env = concrete(fn.environment.apply(stack));
      assertThatCode(() -> InboundConfig.fromEnv(env)).as(fn.doc).doesNotThrowAnyException();
      assertThatCode(() -> io.pagureci.inbound.config.QueueConfig.fromEnv(env))
          .as(fn.doc)
          .doesNotThrowAnyException();
      InboundConfig config = InboundConfig.fromEnv(env);
      assertThat(config.routes().targets().get(0).system().id())
          .isEqualTo(stack.settings().buildTarget().value());
      assertThat(config.sourcePrefix()).isEqualTo(stack.settings().sourcePrefix());
    }
    InboundConfig accept = InboundConfig.fromEnv(concrete(stack.inboundEnvironment()));
    assertThat(accept.hookKeysSecret().isPresent())
        .isEqualTo(stack.settings().urlAuth().hasOpenUrl());
    assertThat(accept.ciBasicAuthSecret().isPresent())
        .isEqualTo(stack.settings().urlAuth().hasOpenUrl());
    // the worker authenticates nobody: no secret, no caller list
    InboundConfig worker = InboundConfig.fromEnv(concrete(stack.workerEnvironment()));
    assertThat(worker.hookKeysSecret()).isEmpty();
    assertThat(worker.ciBasicAuthSecret()).isEmpty();
    assertThat(worker.ciAllowedCallers()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void outboundParserAcceptsWhatTheStackSets(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, String> env = concrete(stack.outboundEnvironment());

    assertThatCode(() -> OutboundConfig.fromEnv(env)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void theThreeFunctionsGetTheSameRoutingTableNamingTheStacksTargets(
      String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    String routes = stack.inboundEnvironment().get("ROUTES");
    assertThat(stack.workerEnvironment()).containsEntry("ROUTES", routes);
    assertThat(stack.outboundEnvironment()).containsEntry("ROUTES", routes);
    Map<String, Object> table = json(concrete(Map.of("ROUTES", routes)).get("ROUTES"));
    List<Map<String, Object>> targets = list(list(table.get("rules")).get(0).get("targets"));
    assertThat(targets).hasSize(1);
    Map<String, Object> target = targets.get(0);
    assertThat(target)
        .containsEntry("name", stack.settings().targetName())
        .containsEntry("system", stack.settings().buildTarget().value());
    if (stack.settings().trustedBuildspec()) {
      assertThat(target)
          .containsEntry("trustedBuildspecPath", stack.settings().trustedBuildspecPath());
    } else {
      assertThat(target).doesNotContainKey("trustedBuildspecPath");
    }
    for (Fn fn : Fn.values()) {
      assertThat(fn.environment.apply(stack))
          .as(fn.doc)
          .doesNotContainKeys(ROUTES_FALLBACK.toArray(String[]::new));
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(text, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object value) {
    return (List<Map<String, Object>>) value;
  }

  @Test
  void theStackAndTheOutboundFunctionAcceptTheSameTargetNames() {
    assertThat(Settings.TARGET_NAME.pattern())
        .isEqualTo(io.pagureci.outbound.domain.FlagMapper.TARGET_NAME.pattern());
  }

  @Test
  void overAllModesTheStackSetsExactlyTheVariablesConfigurationMdListsPerFunction() {
    Map<Fn, Set<String>> set = setOverAllModes();
    for (Fn fn : Fn.values()) {
      assertThat(set.get(fn)).as(fn.doc).containsExactlyInAnyOrderElementsOf(documented(fn));
      assertThat(set.get(fn))
          .as(fn.doc + " vs docs/queue.md §2")
          .containsAll(queueContract().getOrDefault(fn.doc, Set.of()));
    }
  }

  @Test
  void everyVariableAConfigClassReadsIsGivenToOneOfItsFunctionsOrDocumentedToStayAtItsDefault() {
    Set<String> inbound = new LinkedHashSet<>(documented(Fn.ACCEPT));
    inbound.addAll(documented(Fn.WORKER));
    inbound.addAll(INBOUND_LEFT_AT_DEFAULT);
    inbound.addAll(ROUTES_FALLBACK);
    assertThat(inbound).containsAll(INBOUND_VARIABLES);
    Set<String> outbound = new LinkedHashSet<>(documented(Fn.OUTBOUND));
    outbound.addAll(ROUTES_FALLBACK);
    assertThat(outbound).containsAll(OutboundConfig.VARIABLES);
    String doc = read("configuration.md");
    INBOUND_LEFT_AT_DEFAULT.forEach(v -> assertThat(doc).contains("`" + v + "`"));
    String fallback = section(doc, "\n### Read only without ROUTES", "\n#");
    ROUTES_FALLBACK.forEach(v -> assertThat(fallback).contains("`" + v + "`"));
  }

  @Test
  void
      theAcceptFunctionGetsNothingForFetchingPackagingOrStartingAndTheWorkerNothingForAuthenticating() {
    Map<Fn, Set<String>> set = setOverAllModes();
    assertThat(set.get(Fn.ACCEPT))
        .doesNotContainAnyElementsOf(
            List.of(
                "TRUSTED_BUILDSPEC",
                "TRUSTED_BUILDSPEC_PATH",
                "PIPELINE_SOURCE_ACTION",
                "PIPELINE_OVERRIDE_S3_KEY",
                "REF_WAIT_SECONDS",
                "GIT_TIMEOUT_SECONDS",
                "MAX_SOURCE_BYTES",
                "MAX_FILE_BYTES",
                "MAX_SOURCE_FILES",
                "MAX_TREE_DEPTH",
                "WORK_MAX_ATTEMPTS",
                "CLAIM_LEASE_SECONDS",
                PagureCiStack.JAVA_TOOL_OPTIONS));
    assertThat(set.get(Fn.WORKER))
        .doesNotContainAnyElementsOf(
            List.of(
                "HOOK_KEYS_SECRET_ID",
                "CI_BASIC_AUTH_SECRET_ID",
                "CI_ALLOWED_CALLERS",
                "SECRETS_TTL_SECONDS"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void theTemplateCarriesExactlyTheseVariables(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, Object> template = TestStacks.template(stack).toJSON();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> resources =
        (Map<String, Map<String, Object>>) template.get("Resources");
    Map<String, Object> byHandler = new HashMap<>();
    resources.values().stream()
        .filter(r -> "AWS::Lambda::Function".equals(r.get("Type")))
        .map(r -> (Map<?, ?>) r.get("Properties"))
        .filter(p -> p.get("Handler") != null)
        .forEach(
            p ->
                byHandler.put(
                    (String) p.get("Handler"),
                    ((Map<?, ?>) p.get("Environment")).get("Variables")));
    assertThat(byHandler)
        .containsOnlyKeys(
            PagureCiStack.INBOUND_HANDLER, BuildWorker.HANDLER, PagureCiStack.OUTBOUND_HANDLER);
    assertThat(keys(byHandler.get(PagureCiStack.INBOUND_HANDLER)))
        .containsExactlyInAnyOrderElementsOf(stack.inboundEnvironment().keySet());
    assertThat(keys(byHandler.get(BuildWorker.HANDLER)))
        .containsExactlyInAnyOrderElementsOf(stack.workerEnvironment().keySet());
    assertThat(keys(byHandler.get(PagureCiStack.OUTBOUND_HANDLER)))
        .containsExactlyInAnyOrderElementsOf(stack.outboundEnvironment().keySet());
  }

  @Test
  void theSynthWithoutContextIsStillParseable() {
    PagureCiStack stack = TestStacks.bareStack(Map.of());
    assertThatCode(() -> InboundConfig.fromEnv(concrete(stack.inboundEnvironment())))
        .doesNotThrowAnyException();
    assertThatCode(() -> InboundConfig.fromEnv(concrete(stack.workerEnvironment())))
        .doesNotThrowAnyException();
    assertThatCode(() -> OutboundConfig.fromEnv(concrete(stack.outboundEnvironment())))
        .doesNotThrowAnyException();
    assertThat(
            List.of(
                stack.inboundEnvironment().get("PAGURE_URL"),
                stack.workerEnvironment().get("PAGURE_URL"),
                stack.outboundEnvironment().get("PAGURE_URL")))
        .containsOnly(Settings.PLACEHOLDER_PAGURE_URL);
  }

  private static Map<Fn, Set<String>> setOverAllModes() {
    Map<Fn, Set<String>> set = new HashMap<>();
    modes()
        .forEach(
            m -> {
              @SuppressWarnings("unchecked")
              PagureCiStack stack = TestStacks.stack((Map<String, String>) m.get()[1]);
              for (Fn fn : Fn.values()) {
                set.computeIfAbsent(fn, k -> new LinkedHashSet<>())
                    .addAll(fn.environment.apply(stack).keySet());
              }
            });
    return set;
  }

  /**
   * The variables docs/configuration.md lists under "### accept", "### worker", "### outbound" of
   * its "Environment variables each function gets" section.
   */
  static Set<String> documented(Fn fn) {
    String section =
        section(read("configuration.md"), "## Environment variables each function gets", "\n## ");
    String table = section(section, "\n### " + fn.doc + " ", "\n### ");
    return names(table);
  }

  /** docs/queue.md §2, its first table: function -> the variables whose column is not "—". */
  static Map<String, Set<String>> queueContract() {
    String section = section(read("queue.md"), "\n## 2. ", "\n## ");
    String table = section(section, "\n| variable | accept | worker | outbound |", "\n\n");
    Map<String, Set<String>> byFunction = new HashMap<>();
    table
        .lines()
        .filter(l -> l.startsWith("| `"))
        .forEach(
            l -> {
              String[] cells = l.split("\\|");
              String name = cells[1].strip().replace("`", "");
              String[] functions = {"accept", "worker", "outbound"};
              for (int i = 0; i < functions.length; i++) {
                if (!cells[i + 2].strip().startsWith("—")) {
                  byFunction.computeIfAbsent(functions[i], k -> new LinkedHashSet<>()).add(name);
                }
              }
            });
    assertThat(byFunction)
        .as("docs/queue.md §2 table")
        .containsKeys("accept", "worker", "outbound");
    return byFunction;
  }

  private static Set<String> names(String table) {
    Set<String> names = new LinkedHashSet<>();
    table
        .lines()
        .filter(l -> l.startsWith("| `"))
        .forEach(l -> names.add(l.substring(3, l.indexOf('`', 3))));
    assertThat(names).as("a variables table").isNotEmpty();
    return names;
  }

  private static String section(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("section " + start.strip()).isNotNegative();
    int to = text.indexOf(end, from + start.length());
    return text.substring(from, to < 0 ? text.length() : to);
  }

  private static String read(String doc) {
    try {
      return Files.readString(Path.of("..", "docs", doc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> keys(Object map) {
    return ((Map<?, ?>) map).keySet().stream().map(String::valueOf).toList();
  }

  /** Replaces deploy-time values (bucket names, ARNs) with plausible concrete ones. */
  private static Map<String, String> concrete(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (!Token.isUnresolved(v)) {
            out.put(k, v);
            return;
          }
          out.put(
              k,
              switch (k) {
                case "SOURCE_BUCKET" -> "pagureci-sourcebucket-1a2b3c4d5e6f";
                case "BUILD_RECORDS_TABLE" -> "PagureCi-BuildRecordsTable-AbCdEf123456";
                case "CODEBUILD_PROJECT", "CODEBUILD_PROJECTS" -> "Build45A36621-AbCdEf123456";
                case "PIPELINE_NAME", "PIPELINE_NAMES" -> "PagureCi-Pipeline-AbCdEf123456";
                case "CI_ALLOWED_CALLERS" ->
                    "arn:aws:iam::123456789012:user/PagureCi-CallerUser-AbCdEf";
                case "WORK_QUEUE_URL" ->
                    "https://sqs.eu-west-1.amazonaws.com/123456789012/PagureCi-WorkQueue-AbCdEf";
                case "ACCOUNT_ID" -> "123456789012";
                case "ROUTES" -> {
                  // every resource name in the table: a distinct generated-looking name
                  java.util.concurrent.atomic.AtomicInteger n =
                      new java.util.concurrent.atomic.AtomicInteger();
                  yield java.util.regex.Pattern.compile("\\$\\{Token\\[[^]]+]}")
                      .matcher(v)
                      .replaceAll(m -> "Target" + n.incrementAndGet() + "-AbCdEf123456");
                }
                default ->
                    k.endsWith("SECRET_ID")
                        ? "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
                            + k.toLowerCase()
                            + "-AbCdEf"
                        : fail(k);
              });
        });
    return out;
  }

  private static String fail(String key) {
    throw new AssertionError("unexpected deploy-time value in " + key);
  }
}
