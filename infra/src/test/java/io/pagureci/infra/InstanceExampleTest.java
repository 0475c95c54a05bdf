package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.IConstruct;

/**
 * The worked example of docs/configuration.md, docs/examples/instance.cdk.json, synthesized as it
 * is: three rules (a distribution's packages, an upstream project with two targets, a deploy
 * pipeline on main only), their projects, pipeline, policies, rules, variables and outputs; and the
 * synth's limits on larger tables.
 */
class InstanceExampleTest {

  static final Path EXAMPLE = Path.of("..", "docs", "examples", "instance.cdk.json");

  private static PagureCiStack stack;
  private static Template template;

  @SuppressWarnings("unchecked")
  static Map<String, Object> exampleContext() throws IOException {
    Map<String, Object> file = new ObjectMapper().readValue(EXAMPLE.toFile(), Map.class);
    return (Map<String, Object>) file.get("context");
  }

  @BeforeAll
  static void synthesizeTheExample() throws IOException {
    stack = TestStacks.bareStack(exampleContext());
    template = TestStacks.template(stack);
  }

  private static Object r(Object token) {
    return stack.resolve(token);
  }

  private static PagureCiStack.TargetResources target(String name) {
    return stack.targets().stream()
        .filter(t -> t.settings().name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theExampleIsDeployableAndCdkNagClean() {
    assertThat(stack.settings().missingForDeploy()).isEmpty();
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
    assertThat(stack.targets())
        .extracting(t -> t.settings().name())
        .containsExactly("rpmbuild", "build", "lint", "deploy");
  }

  @Test
  void docsConfigurationShowsTheExampleFileAsItIs() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    assertThat(doc).contains("```json\n" + Files.readString(EXAMPLE) + "```");
    for (String buildspec : List.of("rpmbuild.yml", "buildspec.yml", "lint.yml", "deploy.yml")) {
      Path file = Path.of("..", "docs", "examples", buildspec);
      assertThat(file).exists();
      assertThat(Files.readString(file)).contains("${PAGURE_PROJECT}", "${PAGURE_COMMIT}");
      assertThat(doc).contains("(examples/" + buildspec + ")");
    }
  }

  @Test
  void eachTargetHasItsOwnProjectTheFirstWithTodaysLogicalIdAndTheDeployTargetAPipeline() {
    template.resourceCountIs("AWS::CodeBuild::Project", 4);
    template.resourceCountIs("AWS::CodePipeline::Pipeline", 1);
    assertThat(NagSuppressionsPlan.logicalId(target("rpmbuild").build().created().orElseThrow()))
        .isEqualTo("Build45A36621");
    assertThat(NagSuppressionsPlan.logicalId(target("lint").build().created().orElseThrow()))
        .startsWith("TargetlintBuild");
    template.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(
            Map.of(
                "Environment",
                Match.objectLike(
                    Map.of(
                        "ComputeType",
                        "BUILD_GENERAL1_LARGE",
                        "Image",
                        "aws/codebuild/amazonlinux-x86_64-standard:5.0")),
                "TimeoutInMinutes",
                180,
                "ConcurrentBuildLimit",
                20)));
    // the deploy target's project is the pipeline's build action: its input is the artifact
    template.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(
            Map.of(
                "Name",
                Match.absent(),
                "Source",
                Map.of("Type", "CODEPIPELINE"),
                "Description",
                Match.stringLikeRegexp(".*pipeline.*"))));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> statements(IConstruct policy) {
    Map<String, Object> resource = (Map<String, Object>) template.toJSON().get("Resources");
    Map<String, Object> p =
        (Map<String, Object>)
            ((Map<String, Object>) resource.get(NagSuppressionsPlan.logicalId(policy)))
                .get("Properties");
    return (List<Map<String, Object>>)
        ((Map<String, Object>) p.get("PolicyDocument")).get("Statement");
  }

  private static Map<String, Object> statement(IConstruct policy, String sid) {
    return statements(policy).stream()
        .filter(s -> sid.equals(s.get("Sid")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid));
  }

  private static IConstruct defaultPolicy(IRole role) {
    return role.getNode().findChild("DefaultPolicy");
  }

  @Test
  void theWorkerMayStartExactlyTheFourProjectsAndPipelinesItIsToldOfByArn() {
    IConstruct policy = defaultPolicy(stack.worker().role());
    List<Object> projects = new ArrayList<>();
    for (String name : List.of("rpmbuild", "build", "lint")) {
      projects.add(r(target(name).project().getProjectArn()));
    }
    assertThat(statement(policy, "StartBuild"))
        .containsEntry("Action", "codebuild:StartBuild")
        .containsEntry("Resource", projects);
    assertThat(statement(policy, "StartPipelineExecution"))
        .containsEntry("Action", "codepipeline:StartPipelineExecution")
        .containsEntry(
            "Resource", r(target("deploy").createdPipeline().orElseThrow().getPipelineArn()));
    // the outbound function reads the builds of every project, the pipeline's build action too
    IConstruct outbound = defaultPolicy(stack.outboundRole());
    List<Object> all = new ArrayList<>(projects);
    all.add(r(target("deploy").project().getProjectArn()));
    assertThat(statement(outbound, "ReadBuilds")).containsEntry("Resource", all);
    assertThat(statement(outbound, "ReadPipelineExecutions"))
        .containsEntry(
            "Resource", r(target("deploy").createdPipeline().orElseThrow().getPipelineArn()));
    // the accept function starts nothing
    assertThat(template.toJSON().toString()).contains("codebuild:StartBuild");
    assertThat(statements(defaultPolicy(stack.inboundRole())).toString())
        .doesNotContain("codebuild:", "codepipeline:");
  }

  @Test
  void eachBuildRoleReadsOnlyTheZipsOfTheProjectsItsRuleMatches() {
    Map<String, Object> rpmbuild =
        statement(
            defaultPolicy(target("rpmbuild").build().createdRole().orElseThrow()),
            "ReadSourceZips");
    assertThat(rpmbuild)
        .containsEntry("Resource", r(stack.sourceBucket().arnForObjects("source/rpms/*/*")));
    List<Object> widget =
        List.of(
            r(stack.sourceBucket().arnForObjects("source/widget/*")),
            r(stack.sourceBucket().arnForObjects("source/widget-docs/*")));
    for (String name : List.of("build", "lint")) {
      assertThat(
              statement(
                  defaultPolicy(target(name).build().createdRole().orElseThrow()),
                  "ReadSourceZips"))
          .as(name)
          .containsEntry("Resource", widget);
    }
    // the deploy pipeline's source action reads infra/* zips; its build reads the artifact only
    IConstruct sourceRole =
        target("deploy").pipeline().orElseThrow().getNode().findChild("PipelineSourceActionRole");
    assertThat(statement(sourceRole.getNode().findChild("DefaultPolicy"), "ReadSourceZips"))
        .containsEntry("Resource", r(stack.sourceBucket().arnForObjects("source/infra/*/*")));
    assertThat(
            statements(defaultPolicy(target("deploy").build().createdRole().orElseThrow()))
                .toString())
        .doesNotContain("ReadSourceZips");
  }

  @Test
  void eachTargetHasItsOwnEventRulesFilteredOnItsProjectOrPipeline() {
    // two per CodeBuild target, one for the pipeline, one for the request events
    template.resourceCountIs("AWS::Events::Rule", 3 * 2 + 1 + 1);
    for (String name : List.of("rpmbuild", "build", "lint")) {
      for (String type : List.of("CodeBuild Build State Change", "CodeBuild Build Phase Change")) {
        template.hasResourceProperties(
            "AWS::Events::Rule",
            Match.objectLike(
                Map.of(
                    "EventPattern",
                    Match.objectLike(
                        Map.of(
                            "detail-type",
                            List.of(type),
                            "detail",
                            Map.of(
                                "project-name",
                                List.of(r(target(name).project().getProjectName()))))))));
      }
    }
    template.hasResourceProperties(
        "AWS::Events::Rule",
        Match.objectLike(
            Map.of(
                "EventPattern",
                Match.objectLike(
                    Map.of(
                        "detail",
                        Map.of(
                            "pipeline",
                            List.of(
                                r(
                                    target("deploy")
                                        .createdPipeline()
                                        .orElseThrow()
                                        .getPipelineName()))))))));
  }

  @Test
  void theThreeFunctionsGetTheResolvedTableAndNoPerTargetVariable() {
    String routes = stack.inboundEnvironment().get("ROUTES");
    assertThat(stack.workerEnvironment()).containsEntry("ROUTES", routes);
    assertThat(stack.outboundEnvironment()).containsEntry("ROUTES", routes);
    Map<String, Object> table =
        EnvironmentContractTest.json(
            routes.replaceAll("\\$\\{Token\\[[^]]+]}", "Generated-AbCdEf123456"));
    List<Map<String, Object>> rules = EnvironmentContractTest.list(table.get("rules"));
    assertThat(rules).hasSize(3);
    assertThat(rules.get(0))
        .containsEntry("match", List.of("rpms/**"))
        .containsEntry("pullRequests", true)
        .containsEntry("branches", List.of("rawhide", "f[0-9]*", "epel*"));
    assertThat(EnvironmentContractTest.list(rules.get(1).get("targets")))
        .containsExactly(
            Map.of(
                "name",
                "build",
                "system",
                "codebuild",
                "resource",
                "Generated-AbCdEf123456",
                "trustedBuildspecPath",
                "buildspec.yml"),
            Map.of(
                "name",
                "lint",
                "system",
                "codebuild",
                "resource",
                "Generated-AbCdEf123456",
                "trustedBuildspecPath",
                "ci/lint.yml"));
    assertThat(rules.get(2))
        .containsEntry("pullRequests", false)
        .containsEntry("branches", List.of("main"));
    assertThat(EnvironmentContractTest.list(rules.get(2).get("targets")).get(0))
        .containsEntry("system", "codepipeline");
    // the resources are the stack's own, in table order
    assertThat(routes)
        .contains(target("lint").project().getProjectName())
        .contains(target("deploy").createdPipeline().orElseThrow().getPipelineName());
    for (Map<String, String> env :
        List.of(
            stack.inboundEnvironment(), stack.workerEnvironment(), stack.outboundEnvironment())) {
      assertThat(env)
          .doesNotContainKeys(EnvironmentContractTest.ROUTES_FALLBACK.toArray(String[]::new));
    }
    assertThat(stack.workerEnvironment())
        .containsEntry("PIPELINE_SOURCE_ACTION", "Source")
        .containsEntry("PIPELINE_OVERRIDE_S3_KEY", "true");
  }

  @Test
  void theOutputsNameEveryTargetsProjectPipelineAndLogs() {
    template.hasOutput(
        "CodeBuildProjectName", Map.of("Value", r(target("rpmbuild").project().getProjectName())));
    template.hasOutput(
        "CodeBuildProjectName2",
        Map.of(
            "Value",
            r(target("build").project().getProjectName()),
            "Description",
            "CodeBuild project of target build"));
    template.hasOutput(
        "CodeBuildProjectName3",
        Match.objectLike(Map.of("Description", "CodeBuild project of target lint")));
    template.hasOutput(
        "PipelineName4",
        Map.of(
            "Value",
            r(target("deploy").createdPipeline().orElseThrow().getPipelineName()),
            "Description",
            "Pipeline of target deploy"));
    for (String n : List.of("", "2", "3", "4")) {
      template.hasOutput("BuildLogGroupName" + n, Match.anyValue());
    }
    assertThat(template.findOutputs("PipelineName")).isEmpty();
  }

  @Test
  void synthPrintsTheResolvedTable() {
    String lines = String.join("\n", stack.routingTableLines());
    assertThat(lines)
        .contains(
            "routes[0] (match [rpms/**]) pull requests + pushes to [rawhide, f[0-9]*, epel*]:")
        .contains("- rpmbuild (codebuild created project Build45A36621, reads [source/rpms/*/*]")
        .contains("routes[2] (match [infra/*]) pushes to [main]:")
        .contains("- deploy (codepipeline created pipeline")
        .contains("any other project: refused (403 PROJECT_NOT_ALLOWED)");
  }

  // ---------------------------------------------------------------------------------------------
  // limits

  private static List<Object> codeBuildRules(int n, String globPrefix) {
    List<Object> rules = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rules.add(
          Map.of(
              "match",
              globPrefix + i + "/*",
              "targets",
              List.of(Map.of("name", "t" + i, "codebuild", Map.of()))));
    }
    return rules;
  }

  private static int resources(PagureCiStack s) {
    return TestStacks.template(s).toJSON().get("Resources") instanceof Map<?, ?> m ? m.size() : -1;
  }

  @Test
  void aCreatedCodeBuildTargetCostsEightResourcesAndAPipelineTargetFifteen() {
    Map<String, Object> one = new HashMap<>(Map.of("routes", codeBuildRules(1, "ns")));
    Map<String, Object> two = new HashMap<>(Map.of("routes", codeBuildRules(2, "ns")));
    List<Object> withPipeline = new ArrayList<>(codeBuildRules(1, "ns"));
    withPipeline.add(
        Map.of(
            "match", "infra/*", "targets", List.of(Map.of("name", "p", "codepipeline", Map.of()))));
    int base = resources(TestStacks.bareStack(one));
    assertThat(resources(TestStacks.bareStack(two)) - base).isEqualTo(8);
    assertThat(resources(TestStacks.bareStack(Map.of("routes", withPipeline))) - base)
        .isEqualTo(15);
  }

  @Test
  void theSynthCountsTheResourcesTheTemplateHolds() {
    assertThat((long) resources(stack)).isEqualTo(stack.resourceCount()).isEqualTo(84);
    // custom resources (autoDeleteObjects) and their provider are counted too
    Map<String, Object> context = new HashMap<>(Map.of("routes", codeBuildRules(1, "ns")));
    context.put("autoDeleteObjects", true);
    PagureCiStack withCustomResources = TestStacks.bareStack(context);
    assertThat((long) resources(withCustomResources))
        .isEqualTo(withCustomResources.resourceCount());
  }

  @Test
  void aTableThatWouldTakeTheStackPast450ResourcesStopsTheSynth() {
    assertThatThrownBy(() -> TestStacks.bareStack(Map.of("routes", codeBuildRules(60, "n"))))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("resources, above the 450 this synth allows")
        .hasMessageContaining("60 build targets");
  }

  @Test
  void aTableWhoseVariablesWouldPassLambdasFourKilobytesStopsTheSynthNamingTheSize() {
    List<String> globs = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      globs.add("some-long-namespace-name/package-" + i);
    }
    List<Object> rules =
        List.of(
            Map.of(
                "match",
                globs,
                "targets",
                List.of(Map.of("name", "build", "codebuild", Map.of()))));
    assertThatThrownBy(() -> TestStacks.bareStack(Map.of("routes", rules)))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("function's environment would take up to")
        .hasMessageContaining("over Lambda's 4096");
    // the example's variables are well below it
    assertThat(stack.environmentBytes(stack.workerEnvironment())).isLessThan(4096);
    assertThat(Stack.of(stack).getStackName()).isEqualTo("PagureCi");
  }
}
