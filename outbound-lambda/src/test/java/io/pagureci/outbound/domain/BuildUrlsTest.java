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
