package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.outbound.config.OutboundConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Token;

/**
 * The contract between the stack and the functions: in every mode, the environment the stack gives
 * each function is accepted by that function's own config parser, and names only variables the
 * parser reads.
 */
class EnvironmentContractTest {

  static Stream<Arguments> modes() {
    return Stream.of(
        Arguments.of("codebuild × iam (defaults)", Map.of()),
        Arguments.of("codebuild × hmac", Map.of("urlAuth", "hmac")),
        Arguments.of("existing project × both", Map.of("urlAuth", "both", "existingProjectName", "legacy")),
        Arguments.of("codepipeline × iam, role caller", Map.of("buildTarget", "codepipeline", "caller", "role")),
        Arguments.of("codepipeline × both, every optional key", Map.ofEntries(
            Map.entry("buildTarget", "codepipeline"), Map.entry("urlAuth", "both"),
            Map.entry("ciAllowedCallers", "arn:aws:iam::123456789012:user/a,arn:aws:iam::123456789012:user/b"),
            Map.entry("sourcePrefix", "zips"), Map.entry("trustedBuildspec", "false"),
            Map.entry("trustedBuildspecPath", "ci/buildspec.yaml"),
            Map.entry("rebuildPhrase", "please rebuild"), Map.entry("buildBranches", "main,release/*"),
            Map.entry("refWaitSeconds", "0"), Map.entry("gitTimeoutSeconds", "600"),
            Map.entry("secretsTtlSeconds", "0"),
            Map.entry("reporter", "ci-webhook"), Map.entry("flagEndpoint", "pull-request"),
            Map.entry("flagUsername", "AWS CI"),
            Map.entry("buildUrlTemplate", "https://ci.example.org/{project}/{buildId}?c={commit}"),
            Map.entry("tokenTtlSeconds", "86400"), Map.entry("pagureTimeoutSeconds", "300"),
            Map.entry("retryMaxAttempts", "10"), Map.entry("retryBaseDelayMillis", "60000"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void inboundParserAcceptsWhatTheStackSets(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, String> env = concrete(stack.inboundEnvironment());
    // the JVM reads this one, not the function's configuration parser
    assertThat(env).containsKey(PagureCiStack.JAVA_TOOL_OPTIONS);
    env.remove(PagureCiStack.JAVA_TOOL_OPTIONS);

    assertThat(InboundConfig.VARIABLES).containsAll(env.keySet());
    assertThatCode(() -> InboundConfig.fromEnv(env)).doesNotThrowAnyException();
    InboundConfig config = InboundConfig.fromEnv(env);
    assertThat(config.buildTarget().name().toLowerCase()).isEqualTo(stack.settings().buildTarget().value());
    assertThat(config.sourcePrefix()).isEqualTo(stack.settings().sourcePrefix());
    assertThat(config.hookKeysSecret().isPresent()).isEqualTo(stack.settings().urlAuth().hasOpenUrl());
    assertThat(config.ciBasicAuthSecret().isPresent()).isEqualTo(stack.settings().urlAuth().hasOpenUrl());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void outboundParserAcceptsWhatTheStackSets(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, String> env = concrete(stack.outboundEnvironment());

    assertThat(OutboundConfig.VARIABLES).containsAll(env.keySet());
    assertThatCode(() -> OutboundConfig.fromEnv(env)).doesNotThrowAnyException();
    OutboundConfig config = OutboundConfig.fromEnv(env);
    boolean pipeline = stack.pipeline().isPresent();
    assertThat(config.pipelineNames()).hasSize(pipeline ? 1 : 0);
    assertThat(config.codeBuildProjects()).hasSize(pipeline ? 0 : 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void theTemplateCarriesExactlyTheseVariables(String mode, Map<String, String> context) {
    PagureCiStack stack = TestStacks.stack(context);
    Map<String, Object> template = TestStacks.template(stack).toJSON();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> resources = (Map<String, Map<String, Object>>) template.get("Resources");
    Map<String, Object> byHandler = new HashMap<>();
    resources.values().stream()
        .filter(r -> "AWS::Lambda::Function".equals(r.get("Type")))
        .map(r -> (Map<?, ?>) r.get("Properties"))
        .filter(p -> p.get("Handler") != null)
        .forEach(p -> byHandler.put((String) p.get("Handler"),
            ((Map<?, ?>) p.get("Environment")).get("Variables")));
    assertThat(keys(byHandler.get(PagureCiStack.INBOUND_HANDLER)))
        .containsExactlyInAnyOrderElementsOf(stack.inboundEnvironment().keySet());
    assertThat(keys(byHandler.get(PagureCiStack.OUTBOUND_HANDLER)))
        .containsExactlyInAnyOrderElementsOf(stack.outboundEnvironment().keySet());
  }

  @org.junit.jupiter.api.Test
  void theSynthWithoutContextIsStillParseable() {
    PagureCiStack stack = TestStacks.bareStack(Map.of());
    assertThatCode(() -> InboundConfig.fromEnv(concrete(stack.inboundEnvironment()))).doesNotThrowAnyException();
    assertThatCode(() -> OutboundConfig.fromEnv(concrete(stack.outboundEnvironment()))).doesNotThrowAnyException();
    assertThat(List.of(stack.inboundEnvironment().get("PAGURE_URL"), stack.outboundEnvironment().get("PAGURE_URL")))
        .containsOnly(Settings.PLACEHOLDER_PAGURE_URL);
  }

  private static List<String> keys(Object map) {
    return ((Map<?, ?>) map).keySet().stream().map(String::valueOf).toList();
  }

  /** Replaces deploy-time values (bucket names, ARNs) with plausible concrete ones. */
  private static Map<String, String> concrete(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach((k, v) -> {
      if (!Token.isUnresolved(v)) {
        out.put(k, v);
        return;
      }
      out.put(k, switch (k) {
        case "SOURCE_BUCKET" -> "pagureci-sourcebucket-1a2b3c4d5e6f";
        case "CODEBUILD_PROJECT", "CODEBUILD_PROJECTS" -> "Build45A36621-AbCdEf123456";
        case "PIPELINE_NAME", "PIPELINE_NAMES" -> "PagureCi-Pipeline-AbCdEf123456";
        case "CI_ALLOWED_CALLERS" -> "arn:aws:iam::123456789012:user/PagureCi-CallerUser-AbCdEf";
        default -> k.endsWith("SECRET_ID")
            ? "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + k.toLowerCase() + "-AbCdEf"
            : fail(k);
      });
    });
    return out;
  }

  private static String fail(String key) {
    throw new AssertionError("unexpected deploy-time value in " + key);
  }
}
