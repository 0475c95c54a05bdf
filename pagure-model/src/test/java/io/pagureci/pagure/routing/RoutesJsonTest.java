package io.pagureci.pagure.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutesJsonTest {

  static final String EXAMPLE =
      """
      {"rules":[
        {"match":["rpms/**"],"pullRequests":true,"branches":["main"],
         "targets":[
           {"name":"rpmbuild","system":"codebuild","resource":"PagureCi-Rpmbuild-XYZ",
            "trustedBuildspecPath":"buildspec.yml"},
           {"name":"lint","system":"codebuild","resource":"PagureCi-Lint-ABC"}]},
        {"match":["infra/*"],"pullRequests":false,"branches":["main","release/*"],
         "targets":[{"name":"deploy","system":"codepipeline","resource":"deploy-pipeline"}]},
        {"match":["**"],"targets":[{"name":"build","system":"codebuild","resource":"Default-1"}]}
      ]}
      """;

  @Test
  void readsTheContractsExampleWithItsDefaults() {
    Routes routes = RoutesJson.parse(EXAMPLE);

    assertThat(routes.rules()).hasSize(3);
    Rule rpms = routes.ruleFor("rpms/bash").orElseThrow();
    assertThat(rpms.targetNames()).containsExactly("rpmbuild", "lint");
    assertThat(rpms.pullRequests()).isTrue();
    assertThat(rpms.buildsBranch("main")).isTrue();
    assertThat(rpms.buildsBranch("f41")).isFalse();
    assertThat(rpms.targets().get(0).trustedBuildspec()).contains("buildspec.yml");
    assertThat(rpms.targets().get(1).trustedBuildspec()).isEmpty();
    Rule infra = routes.ruleFor("infra/ansible").orElseThrow();
    assertThat(infra.pullRequests()).isFalse();
    assertThat(infra.buildsBranch("release/1.0")).isTrue();
    Rule rest = routes.ruleFor("forks/alice/infra/ansible").orElseThrow();
    assertThat(rest.targetNames()).containsExactly("build");
    assertThat(rest.pullRequests()).isTrue(); // absent = true
    assertThat(rest.buildsBranch("main")).isFalse(); // absent = none
    assertThat(routes.byResource(Target.System.CODEPIPELINE, "deploy-pipeline"))
        .map(Target::name)
        .contains("deploy");
    assertThat(routes.byResource(Target.System.CODEBUILD, "deploy-pipeline")).isEmpty();
    assertThat(routes.resources(Target.System.CODEBUILD))
        .containsExactly("PagureCi-Rpmbuild-XYZ", "PagureCi-Lint-ABC", "Default-1");
  }

  @Test
  void aProjectNoRuleMatchesHasNoRule() {
    Routes routes =
        RoutesJson.parse(
            "{\"rules\":[{\"match\":[\"rpms/*\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\"}]}]}");
    assertThat(routes.ruleFor("rpms/a/b")).isEmpty();
    assertThat(routes.ruleFor("other")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON | {rules | is not well-formed JSON",
        "not an object | [] | the table is not a JSON object",
        "trailing data | {\"rules\":[]} {} | has data after",
        "no rules key | {} | rules is missing",
        "empty rules | {\"rules\":[]} | rules is empty",
        "unknown top key | {\"rules\":[],\"x\":1} | the table has an unknown key 'x'",
        "duplicate key | {\"rules\":[],\"rules\":[]} | is not well-formed JSON",
        "rule not object | {\"rules\":[1]} | rules[0] is not a JSON object",
        "unknown rule key | {\"rules\":[{\"match\":[\"a\"],\"target\":[]}]} | rules[0] has an unknown key 'target'",
        "match missing | {\"rules\":[{\"targets\":[]}]} | rules[0].match is missing",
        "match a string | {\"rules\":[{\"match\":\"a/**\",\"targets\":[]}]} | rules[0].match is not a JSON array",
        "match blank glob | {\"rules\":[{\"match\":[\" \"],\"targets\":[]}]} | rules[0].match[0] is blank",
        "match bad glob | {\"rules\":[{\"match\":[\"a[\"],\"targets\":[]}]} | rules[0].match: 'a[' is not a glob",
        "pullRequests string | {\"rules\":[{\"match\":[\"a\"],\"pullRequests\":\"yes\",\"targets\":[]}]} | rules[0].pullRequests is not true or false",
        "branches number | {\"rules\":[{\"match\":[\"a\"],\"branches\":[1],\"targets\":[]}]} | rules[0].branches[0] is not a string",
        "no targets | {\"rules\":[{\"match\":[\"a\"]}]} | rules[0].targets is missing",
        "empty targets | {\"rules\":[{\"match\":[\"a\"],\"targets\":[]}]} | rules[0].targets is empty",
        "unknown target key | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\",\"image\":\"x\"}]}]} | rules[0].targets[0] has an unknown key 'image'",
        "bad name | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"-b\",\"system\":\"codebuild\",\"resource\":\"P1\"}]}]} | rules[0].targets[0].name '-b' is not a target name",
        "long name | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"a23456789012345678901234567890123\",\"system\":\"codebuild\",\"resource\":\"P1\"}]}]} | is not a target name",
        "bad system | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"jenkins\",\"resource\":\"P1\"}]}]} | rules[0].targets[0].system 'jenkins' is not codebuild or codepipeline",
        "no resource | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\"}]}]} | rules[0].targets[0].resource is missing",
        "bad resource | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"a b\"}]}]} | rules[0].targets[0].resource 'a b' is not a CodeBuild project name",
        "bad path | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\",\"trustedBuildspecPath\":\"../x\"}]}]} | rules[0].targets[0].trustedBuildspecPath '../x' is not a file path",
        "name twice | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\"}]},{\"match\":[\"c\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P2\"}]}]} | target name 'b' appears twice",
        "resource twice | {\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\"},{\"name\":\"c\",\"system\":\"codebuild\",\"resource\":\"P1\"}]}]} | codebuild resource 'P1' is the target of both 'b' and 'c'",
      })
  void refusesABadTableNamingWhereAndWhy(String label, String json, String message) {
    assertThatThrownBy(() -> RoutesJson.parse(json))
        .isInstanceOf(RoutesJson.RoutesException.class)
        .hasMessageContaining(message);
  }

  @Test
  void refusesAnEmptyValueAndAHugeOne() {
    assertThatThrownBy(() -> RoutesJson.parse(" ")).hasMessageContaining("is empty");
    assertThatThrownBy(() -> RoutesJson.parse("[" + "1,".repeat(40_000) + "1]"))
        .hasMessageContaining("longer than");
  }

  @Test
  void theSameResourceNameOnTwoSystemsIsTwoResources() {
    Routes routes =
        RoutesJson.parse(
            "{\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"Same\"},{\"name\":\"c\",\"system\":\"codepipeline\",\"resource\":\"Same\"}]}]}");
    assertThat(routes.byResource(Target.System.CODEPIPELINE, "Same"))
        .map(Target::name)
        .contains("c");
  }

  @Test
  void aPipelineTargetNeverReadsATrustedBuildspec() {
    Routes routes =
        RoutesJson.parse(
            "{\"rules\":[{\"match\":[\"a\"],\"targets\":[{\"name\":\"d\",\"system\":\"codepipeline\",\"resource\":\"p\",\"trustedBuildspecPath\":\"b.yml\"}]}]}");
    assertThat(routes.targets().get(0).trustedBuildspec()).isEmpty();
  }

  @Test
  void aRuleWithAnEmptyMatchRefusesEveryProject() {
    // the table of a stack synthesized without allowedProjects: it deploys, and builds nothing
    Routes routes =
        RoutesJson.parse(
            "{\"rules\":[{\"match\":[],\"targets\":[{\"name\":\"build\",\"system\":\"codebuild\",\"resource\":\"PagureCi-Build\"}]}]}");
    assertThat(routes.ruleFor("demo")).isEmpty();
    assertThat(routes.ruleFor("rpms/widget")).isEmpty();
  }
}
