package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.infra.Settings.BuildTarget;
import io.pagureci.infra.Settings.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The routing table as Settings reads it: the one-rule default, the table, and every refusal. */
class RoutesTest {

  private static Settings of(Map<String, Object> context) {
    return Settings.fromContext(context::get, TestStacks.root());
  }

  private static Routes routes(String json) {
    return of(Map.of("routes", json)).routes();
  }

  private static void refused(String json, String... parts) {
    assertThatThrownBy(() -> routes(json))
        .as(json)
        .isInstanceOf(SettingsException.class)
        .hasMessageContainingAll(parts);
  }

  @Test
  void todaysKeysMakeOneRuleWithOneTargetNamedTargetName() {
    Routes r =
        of(Map.of(
                "allowedProjects", "demo, rpms/*",
                "buildBranches", "main,release/*",
                "buildTarget", "codepipeline",
                "targetName", "rpm",
                "trustedBuildspecPath", "ci/b.yml",
                "buildComputeType", "large"))
            .routes();
    assertThat(r.fromTable()).isFalse();
    assertThat(r.rules()).hasSize(1);
    Routes.Rule rule = r.rules().get(0);
    assertThat(rule.match()).containsExactly("demo", "rpms/*");
    assertThat(rule.branches()).containsExactly("main", "release/*");
    assertThat(rule.pullRequests()).isTrue();
    assertThat(rule.targets())
        .containsExactly(
            new Routes.Target(
                "rpm",
                BuildTarget.CODEPIPELINE,
                Optional.empty(),
                Optional.empty(),
                "aws/codebuild/standard:7.0",
                "large",
                60,
                5,
                true,
                "ci/b.yml"));
    // nothing given: one rule matching nothing (every project refused), target "build"
    Routes bare = Settings.defaults().routes();
    assertThat(bare.rules().get(0).match()).isEmpty();
    assertThat(bare.targets().get(0).name()).isEqualTo("build");
  }

  @Test
  void aTableFromCdkJsonIsReadAsCdkHandsItOverAndAsAJsonStringFromTheCommandLine() {
    List<Object> table =
        List.of(
            Map.of(
                "match",
                List.of("rpms/*"),
                "branches",
                "rawhide",
                "targets",
                List.of(
                    Map.of(
                        "name",
                        "rpmbuild",
                        "codebuild",
                        Map.of("buildComputeType", "large", "buildTimeoutMinutes", 120)))),
            Map.of(
                "match",
                "infra/*",
                "pullRequests",
                false,
                "branches",
                List.of("main"),
                "targets",
                List.of(
                    Map.of(
                        "name",
                        "deploy",
                        "codepipeline",
                        Map.of("existingProjectName", "deployer"),
                        "trustedBuildspec",
                        false))));
    Settings s = of(Map.of("routes", table, "pagureUrl", "https://pagure.example.org/"));
    Routes r = s.routes();
    assertThat(r.fromTable()).isTrue();
    assertThat(s.missingForDeploy()).isEmpty();
    assertThat(r.targets()).extracting(Routes.Target::name).containsExactly("rpmbuild", "deploy");
    assertThat(r.targets().get(0).buildComputeType()).isEqualTo("large");
    assertThat(r.targets().get(0).buildTimeoutMinutes()).isEqualTo(120);
    assertThat(r.targets().get(1).system()).isEqualTo(BuildTarget.CODEPIPELINE);
    assertThat(r.targets().get(1).existingProjectName()).contains("deployer");
    assertThat(r.targets().get(1).trustedBuildspec()).isFalse();
    assertThat(r.rules().get(1).pullRequests()).isFalse();
    assertThat(r.rules().get(0).branches()).containsExactly("rawhide");

    Routes fromString =
        routes(
            "[{\"match\":\"rpms/*\",\"branches\":\"rawhide\",\"targets\":[{\"name\":\"rpmbuild\","
                + "\"codebuild\":{\"buildComputeType\":\"large\",\"buildTimeoutMinutes\":120}}]},"
                + "{\"match\":\"infra/*\",\"pullRequests\":false,\"branches\":[\"main\"],"
                + "\"targets\":[{\"name\":\"deploy\",\"codepipeline\":{\"existingProjectName\":"
                + "\"deployer\"},\"trustedBuildspec\":false}]}]");
    assertThat(fromString).isEqualTo(r);
  }

  @Test
  void routesFileIsReadRelativeToTheRepositoryRoot() throws IOException {
    Path dir = TestStacks.root().resolve("ci");
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("routes.json"),
        "[{\"match\":[\"demo\"],\"targets\":[{\"name\":\"build\",\"codebuild\":{}}]}]");
    Routes r = of(Map.of("routesFile", "ci/routes.json")).routes();
    assertThat(r.fromTable()).isTrue();
    assertThat(r.rules().get(0).match()).containsExactly("demo");
    assertThatThrownBy(() -> of(Map.of("routesFile", "ci/missing.json")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("routesFile")
        .hasMessageContaining("missing.json");
    Files.writeString(dir.resolve("broken.json"), "[{\"match\": ");
    assertThatThrownBy(() -> of(Map.of("routesFile", "ci/broken.json")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("routesFile ci/broken.json is not valid JSON");
  }

  @Test
  void routesWithTodaysPerTargetKeysOrWithRoutesFileIsRefusedNamingThem() {
    String table = "[{\"match\":\"demo\",\"targets\":[{\"name\":\"build\",\"codebuild\":{}}]}]";
    Map<String, Object> context = new HashMap<>();
    context.put("routes", table);
    context.put("allowedProjects", "demo");
    context.put("buildImage", "aws/codebuild/standard:6.0");
    assertThatThrownBy(() -> of(context))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("routes replaces")
        .hasMessageContaining("[allowedProjects, buildImage]");
    for (String key : Routes.PER_TARGET_CONTEXT_KEYS) {
      assertThatThrownBy(() -> of(Map.of("routes", table, key, "x")))
          .as(key)
          .isInstanceOf(SettingsException.class)
          .hasMessageContaining("[" + key + "]");
    }
    assertThatThrownBy(() -> of(Map.of("routes", table, "routesFile", "r.json")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("set routes or routesFile, not both");
  }

  @Test
  void unknownKeysAreRefusedNamingTheRuleAndTheKey() {
    refused(
        "[{\"match\":\"demo\",\"target\":[],\"targets\":[{\"name\":\"b\",\"codebuild\":{}}]}]",
        "routes[0] (match [demo])",
        "unknown key(s) [target]");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":{},\"image\":\"x\"}]}]",
        "routes[0] (match [demo]): targets[0].",
        "unknown key(s) [image]");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":{\"computeType\":\"large\"}}]}]",
        "routes[0] (match [demo]): targets[0].codebuild.",
        "unknown key(s) [computeType]",
        "buildComputeType");
  }

  @Test
  void malformedRulesAndTargetsAreRefusedNamingTheRuleAndTheKey() {
    refused("{}", "routes must be a JSON array of rules");
    refused("[]", "routes has no rule");
    refused("[{\"match\": ", "routes is not valid JSON");
    refused("[\"demo\"]", "routes[0] must be a JSON object");
    refused("[{\"targets\":[]}]", "routes[0]: match is required");
    refused("[{\"match\":[],\"targets\":[]}]", "routes[0] (match [])", "match has no glob");
    refused("[{\"match\":[\"a,b\"],\"targets\":[]}]", "routes[0].match", "without commas");
    refused("[{\"match\":\"demo\",\"targets\":[]}]", "routes[0] (match [demo])", "targets");
    refused(
        "[{\"match\":\"demo\",\"pullRequests\":false,\"targets\":[{\"name\":\"b\",\"codebuild\":{}}]}]",
        "routes[0] (match [demo])",
        "builds nothing");
    refused(
        "[{\"match\":\"demo\",\"pullRequests\":\"sometimes\",\"targets\":[{\"name\":\"b\",\"codebuild\":{}}]}]",
        "routes[0] (match [demo]): pullRequests must be true or false");
    refused(
        "[{\"match\":\"de[mo\",\"targets\":[{\"name\":\"b\",\"codebuild\":{}}]}]",
        "routes[0] (match [de[mo]): match has an invalid glob");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"-b\",\"codebuild\":{}}]}]",
        "routes[0] (match [demo]): targets[0].name must be 1-32");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\"}]}]",
        "targets[0] ('b'): give exactly one of codebuild or codepipeline");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":{},\"codepipeline\":{}}]}]",
        "exactly one of codebuild or codepipeline");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":[]}]}]",
        "targets[0].codebuild must be a JSON object");
  }

  @Test
  void aTargetsProjectKeysAreCheckedAsTheContextKeysAreWithTheirPlaceInTheMessage() {
    String at = "routes[0] (match [demo]): targets[0].codebuild.";
    refused(target("{\"buildComputeType\":\"huge\"}"), at + "buildComputeType must be one of");
    refused(target("{\"buildTimeoutMinutes\":1}"), at + "buildTimeoutMinutes must be between 5");
    refused(
        target("{\"buildConcurrencyLimit\":0}"), at + "buildConcurrencyLimit must be between 1");
    refused(
        target("{\"existingProjectName\":\"theirs\",\"buildConcurrencyLimit\":3}"),
        at + "buildConcurrencyLimit applies to the project the stack creates");
    refused(
        target("{\"existingProjectRoleArn\":\"arn:aws:iam::123456789012:role/r\"}"),
        at + "existingProjectRoleArn only makes sense with " + at + "existingProjectName");
    refused(
        target("{\"existingProjectName\":\"has space\"}"),
        at + "existingProjectName is not a valid value");
    refused(
        "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":{},"
            + "\"trustedBuildspecPath\":\"../x.yml\"}]}]",
        "routes[0] (match [demo]): targets[0].trustedBuildspecPath must be a file path");
  }

  private static String target(String codebuild) {
    return "[{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codebuild\":" + codebuild + "}]}]";
  }

  @Test
  void aTargetNameTwiceOrAProjectUnderTwoNamesIsRefused() {
    refused(
        "[{\"match\":\"rpms/*\",\"targets\":[{\"name\":\"build\",\"codebuild\":{}}]},"
            + "{\"match\":\"demo\",\"targets\":[{\"name\":\"build\",\"codebuild\":{}}]}]",
        "routes[1] (match [demo]): targets[0].name 'build' is already the name of a target of"
            + " routes[0] (match [rpms/*])");
    refused(
        "[{\"match\":\"rpms/*\",\"targets\":[{\"name\":\"a\",\"codebuild\":{\"existingProjectName\":\"shared\"}}]},"
            + "{\"match\":\"demo\",\"targets\":[{\"name\":\"b\",\"codepipeline\":{\"existingProjectName\":\"shared\"}}]}]",
        "routes[1] (match [demo]): targets[0].codepipeline.existingProjectName 'shared' is already the"
            + " project of target 'a'");
  }

  @Test
  void aGlobNoProjectCanMatchIsRefused() {
    for (String glob :
        List.of("tickets/*", "requests/**", "a/b/c", "*.git", "rpms/foo bar", "-x")) {
      refused(
          "[{\"match\":[\"demo\",\""
              + glob
              + "\"],\"targets\":[{\"name\":\"b\",\"codebuild\":{}}]}]",
          "routes[0] (match [demo, "
              + glob
              + "]): match '"
              + glob
              + "' can match no pagure project");
    }
    // a fork's project path is forks/<user>/<name>: matchable; the analysis cannot rule [...] out
    assertThat(routes(rule("forks/*/*") + "]").rules()).hasSize(1);
    assertThat(routes(rule("[x]/y/z") + "]").rules()).hasSize(1);
  }

  @Test
  void aGlobShadowedByEarlierRulesIsRefusedNamingThem() {
    refused(
        rule("**") + "," + rule("demo", "b") + "]",
        "routes[1] (match [demo]): match 'demo' is shadowed",
        "matched first by routes[0] (match [**])");
    // one character, two or more: together they are every rpms/<name>, neither alone
    refused(
        rule("rpms/?") + "," + rule("rpms/??*", "b") + "," + rule("rpms/*", "c") + "]",
        "routes[2] (match [rpms/*]): match 'rpms/*' is shadowed",
        "the rules before it together (routes[0] (match [rpms/?]), routes[1] (match [rpms/??*]))");
    // one earlier rule alone is named
    refused(
        rule("rpms/a*") + "," + rule("rpms/?*", "b") + "," + rule("rpms/*", "c") + "]",
        "matched first by routes[1] (match [rpms/?*])");
    // a glob the earlier ones leave a project to (rpms/b) decides for it
    assertThat(routes(rule("rpms/*a") + "," + rule("rpms/*", "b") + "]").rules()).hasSize(2);
    // an earlier glob the analysis does not read ([...]) never makes a later one shadowed
    assertThat(routes(rule("rpms/[a-z]*") + "," + rule("rpms/k*", "b") + "]").rules()).hasSize(2);
    // a narrower rule first is the way to route one package elsewhere
    assertThat(routes(rule("rpms/kernel") + "," + rule("rpms/*", "b") + "]").rules()).hasSize(2);
  }

  private static String rule(String match) {
    return "[" + rule(match, "a");
  }

  private static String rule(String match, String name) {
    return "{\"match\":\""
        + match
        + "\",\"targets\":[{\"name\":\""
        + name
        + "\",\"codebuild\":{}}]}";
  }

  @Test
  void theRoutesVariableIsCompactJsonInTheContractsShape() {
    Routes r =
        routes(
            "[{\"match\":[\"rpms/*\"],\"branches\":[\"main\"],\"targets\":[{\"name\":\"rpmbuild\","
                + "\"codebuild\":{}},{\"name\":\"lint\",\"codebuild\":{},\"trustedBuildspec\":false}]}]");
    assertThat(r.toJson(Map.of("rpmbuild", "Proj-1", "lint", "Proj-2")))
        .isEqualTo(
            "{\"rules\":[{\"match\":[\"rpms/*\"],\"pullRequests\":true,\"branches\":[\"main\"],"
                + "\"targets\":[{\"name\":\"rpmbuild\",\"system\":\"codebuild\",\"resource\":\"Proj-1\","
                + "\"trustedBuildspecPath\":\"buildspec.yml\"},{\"name\":\"lint\",\"system\":\"codebuild\","
                + "\"resource\":\"Proj-2\"}]}]}");
  }
}
