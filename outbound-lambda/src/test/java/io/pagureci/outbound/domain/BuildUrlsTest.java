package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuildUrlsTest {
  private static final PagureBuild BUILD =
      new PagureBuild(
          "https://pagure.example.org/",
          "rpms/widget",
          null,
          null,
          null,
          "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
          7L,
          null,
          null,
          null,
          null);
  private static final BuildState STATE =
      new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L);

  private static BuildRef codeBuild(String region, String partition) {
    return new BuildRef(
        BuildSystem.CODEBUILD,
        "widget-ci",
        "arn:" + partition + ":codebuild:" + region + ":123456789012:build/widget-ci:6f1c2b3a-8d4e",
        region,
        "123456789012");
  }

  @Test
  void pointsAtTheCodeBuildConsolePageOfTheBuildsRegion() {
    assertThat(new BuildUrls(null).urlFor(codeBuild("eu-west-1", "aws"), STATE, BUILD))
        .isEqualTo(
            "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/widget-ci"
                + "/build/widget-ci%3A6f1c2b3a-8d4e/?region=eu-west-1");
  }

  /** The alias form CodeBuild's own CODEBUILD_PUBLIC_BUILD_URL carries (base64 of a JSON). */
  private static final String ALIAS = "eyJlbmNyeXB0ZWREYXRhIjoiSVlB+b2Rp%2FNl==";

  @Test
  void aPublicProjectLinksToItsPublicBuildPage() {
    List<String> asked = new java.util.ArrayList<>();
    BuildUrls urls =
        new BuildUrls(
            null,
            project -> {
              asked.add(project);
              return java.util.Optional.of(ALIAS);
            });
    assertThat(urls.urlFor(codeBuild("eu-west-1", "aws"), STATE, BUILD))
        .isEqualTo(
            "https://eu-west-1.codebuild.aws.amazon.com/project/"
                + "eyJlbmNyeXB0ZWREYXRhIjoiSVlB%2Bb2Rp%2FNl%3D%3D/build/6f1c2b3a-8d4e");
    assertThat(asked).containsExactly("widget-ci");
  }

  @Test
  void withoutAPublicAliasOrOutsideTheAwsPartitionTheConsolePageStays() {
    BuildUrls none = new BuildUrls(null, project -> java.util.Optional.empty());
    assertThat(none.urlFor(codeBuild("eu-west-1", "aws"), STATE, BUILD))
        .isEqualTo(BuildUrls.consoleUrl(codeBuild("eu-west-1", "aws")));
    BuildUrls some = new BuildUrls(null, project -> java.util.Optional.of(ALIAS));
    assertThat(some.urlFor(codeBuild("cn-north-1", "aws-cn"), STATE, BUILD))
        .isEqualTo(BuildUrls.consoleUrl(codeBuild("cn-north-1", "aws-cn")));
    assertThat(
            new BuildUrls("https://ci.example.org/{buildId}", p -> java.util.Optional.of(ALIAS))
                .urlFor(codeBuild("eu-west-1", "aws"), STATE, BUILD))
        .as("a template wins (the config refuses both)")
        .startsWith("https://ci.example.org/");
  }

  @Test
  void usesThePartitionsConsole() {
    assertThat(BuildUrls.consoleUrl(codeBuild("cn-north-1", "aws-cn")))
        .startsWith("https://cn-north-1.console.amazonaws.cn/codesuite/codebuild/");
    assertThat(BuildUrls.consoleUrl(codeBuild("us-gov-west-1", "aws-us-gov")))
        .startsWith("https://console.amazonaws-us-gov.com/codesuite/codebuild/")
        .endsWith("?region=us-gov-west-1");
  }

  @Test
  void pointsAtThePipelineExecutionTimeline() {
    BuildRef ref =
        new BuildRef(
            BuildSystem.CODEPIPELINE,
            "widget-pipeline",
            "4f5a8d2e-3b1c",
            "us-east-2",
            "123456789012");

    assertThat(BuildUrls.consoleUrl(ref))
        .isEqualTo(
            "https://us-east-2.console.aws.amazon.com/codesuite/"
                + "codepipeline/pipelines/widget-pipeline/executions/4f5a8d2e-3b1c/timeline?region=us-east-2");
  }

  @Test
  void fillsEveryPlaceholderOfATemplateEncoded() {
    BuildUrls urls =
        new BuildUrls(
            "https://ci.example.org/{system}/{project}/{buildNumber}/{buildId}"
                + "?r={region}&a={account}&t={target}&c={commit}&p={pagureProject}");

    assertThat(urls.urlFor(codeBuild("eu-west-1", "aws"), STATE, BUILD))
        .isEqualTo(
            "https://ci.example.org/codebuild/widget-ci/42/widget-ci%3A6f1c2b3a-8d4e?r=eu-west-1"
                + "&a=123456789012&t=widget-ci&c=ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e&p=rpms%2Fwidget");
  }

  @Test
  void leavesTheBuildNumberEmptyForPipelines() {
    BuildRef ref = new BuildRef(BuildSystem.CODEPIPELINE, "p", "e-1", "eu-west-1", "123456789012");
    BuildState state = new BuildState(false, "STARTED", null, List.of(), null);

    assertThat(
            new BuildUrls("https://ci.example.org/{buildId}/{buildNumber}")
                .urlFor(ref, state, BUILD))
        .isEqualTo("https://ci.example.org/e-1/");
  }
}
