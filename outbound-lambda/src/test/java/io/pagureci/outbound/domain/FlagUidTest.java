package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlagUidTest {
  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";
  private static final BuildRef BUILD_1 =
      new BuildRef(
          BuildSystem.CODEBUILD,
          "demo-ci",
          "arn:aws:codebuild:eu-west-1:123456789012:build/demo-ci:1",
          "eu-west-1",
          "123456789012");
  private static final BuildRef BUILD_2 =
      new BuildRef(
          BuildSystem.CODEBUILD,
          "demo-ci",
          "arn:aws:codebuild:eu-west-1:123456789012:build/demo-ci:2",
          "eu-west-1",
          "123456789012");

  @Test
  void isExactly32CharactersOfASafeAlphabet() {
    assertThat(FlagUid.of(BUILD_1, SHA)).hasSize(32).matches("pci-[0-9a-f]{28}");
  }

  @Test
  void isTheSameForEveryBuildOfTheSameTargetAndCommit() {
    assertThat(FlagUid.of(BUILD_1, SHA)).isEqualTo(FlagUid.of(BUILD_2, SHA));
  }

  @Test
  void differsPerCommitAndPerTarget() {
    BuildRef pipeline =
        new BuildRef(BuildSystem.CODEPIPELINE, "demo-ci", "exec-1", "eu-west-1", "123456789012");
    BuildRef otherProject =
        new BuildRef(
            BuildSystem.CODEBUILD,
            "widget-ci",
            "arn:aws:codebuild:eu-west-1:123456789012:build/widget-ci:1",
            "eu-west-1",
            "123456789012");

    assertThat(FlagUid.of(BUILD_1, SHA))
        .isNotEqualTo(FlagUid.of(BUILD_1, SHA.replace('e', 'f')))
        .isNotEqualTo(FlagUid.of(pipeline, SHA))
        .isNotEqualTo(FlagUid.of(otherProject, SHA));
  }

  @Test
  void aRequestWithoutABuildGetsTheUidItsBuildWillHave() {
    assertThat(FlagUid.of(BuildSystem.CODEBUILD, "eu-west-1", "123456789012", "demo-ci", SHA))
        .isEqualTo(FlagUid.of(BUILD_1, SHA));
    assertThat(FlagUid.of(BuildSystem.CODEBUILD, "eu-west-1", "210987654321", "demo-ci", SHA))
        .isNotEqualTo(FlagUid.of(BUILD_1, SHA));
  }
}
