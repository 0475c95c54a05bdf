package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlagMapperTest {
  private static final PagureBuild BUILD =
      new PagureBuild(
          "https://pagure.example.org/",
          "demo",
          null,
          null,
          null,
          "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
          1L,
          null,
          null,
          null,
          null);
  private static final BuildRef CODEBUILD =
      new BuildRef(
          BuildSystem.CODEBUILD,
          "my-project",
          "arn:aws:codebuild:eu-west-1:123456789012:build/my-project:abc",
          "eu-west-1",
          "123456789012");
  private static final BuildRef PIPELINE =
      new BuildRef(
          BuildSystem.CODEPIPELINE,
          "my-pipeline",
          "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
          "eu-west-1",
          "123456789012");
  private final FlagMapper mapper = new FlagMapper(null, new BuildUrls(null));

  private static List<PhaseResult> phasesUpTo(String failedPhase, String failedStatus) {
    List<PhaseResult> phases = new ArrayList<>();
    for (String p : FlagMapper.CODEBUILD_PHASES) {
      if (p.equals(failedPhase)) {
        phases.add(new PhaseResult(p, failedStatus));
        break;
      }
      phases.add(new PhaseResult(p, "SUCCEEDED"));
    }
    phases.add(new PhaseResult("COMPLETED", null));
    return phases;
  }

  @Test
  void aRunningBuildIsPendingWithThePhaseAndItsProgress() {
    Flag flag =
        mapper.flagFor(
            BUILD, CODEBUILD, new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L));

    assertThat(flag.status()).isEqualTo(FlagStatus.PENDING);
    assertThat(flag.comment()).isEqualTo("CodeBuild my-project #42: BUILD");
    assertThat(flag.percent()).isEqualTo(60);
    assertThat(flag.username()).isEqualTo("AWS CodeBuild");
    assertThat(flag.uid()).hasSize(32);
    assertThat(flag.url())
        .startsWith("https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/");
  }

  @ParameterizedTest(name = "{0} -> {1}%")
  @CsvSource({
    "SUBMITTED, 0",
    "QUEUED, 10",
    "DOWNLOAD_SOURCE, 30",
    "BUILD, 60",
    "FINALIZING, 90",
    "COMPLETED, 99",
    "SOMETHING_NEW, 0"
  })
  void percentCountsTheCompletedPhases(String phase, int percent) {
    BuildState state = new BuildState(false, "IN_PROGRESS", phase, List.of(), 1L);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, state).percent()).isEqualTo(percent);
  }

  @ParameterizedTest(name = "{0} {1}/{2} -> {3}")
  @CsvSource({
    "SUCCEEDED, , , SUCCESS",
    "FAILED, BUILD, FAILED, FAILURE",
    "FAULT, BUILD, FAULT, FAILURE",
    "TIMED_OUT, BUILD, TIMED_OUT, FAILURE",
    "FAILED, INSTALL, FAILED, FAILURE",
    "FAILED, DOWNLOAD_SOURCE, CLIENT_ERROR, ERROR",
    "FAILED, PROVISIONING, FAILED, ERROR",
    "FAILED, QUEUED, TIMED_OUT, ERROR",
    "FAILED, PRE_BUILD, CLIENT_ERROR, ERROR",
    "STOPPED, BUILD, STOPPED, CANCELED",
    "SOME_FUTURE_STATE, , , FAILURE",
  })
  void mapsTerminalCodeBuildStates(
      String status, String phase, String phaseStatus, FlagStatus expected) {
    List<PhaseResult> phases = phase == null ? List.of() : phasesUpTo(phase, phaseStatus);

    Flag flag =
        mapper.flagFor(BUILD, CODEBUILD, new BuildState(true, status, "COMPLETED", phases, 42L));

    assertThat(flag.status()).isEqualTo(expected);
    assertThat(flag.percent()).isEqualTo(expected == FlagStatus.SUCCESS ? 100 : null);
  }

  @Test
  void aFailureNamesThePhaseThatFailed() {
    BuildState state =
        new BuildState(
            true, "FAILED", "COMPLETED", phasesUpTo("DOWNLOAD_SOURCE", "CLIENT_ERROR"), 42L);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, state).comment())
        .isEqualTo("CodeBuild my-project #42: FAILED (DOWNLOAD_SOURCE: CLIENT_ERROR)");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "STARTED, false, PENDING",
    "RESUMED, false, PENDING",
    "STOPPING, false, PENDING",
    "SUCCEEDED, true, SUCCESS",
    "FAILED, true, FAILURE",
    "STOPPED, true, CANCELED",
    "CANCELED, true, CANCELED",
    "SUPERSEDED, true, CANCELED",
    "EXPLODED, true, FAILURE"
  })
  void mapsPipelineStates(String state, boolean finished, FlagStatus expected) {
    Flag flag =
        mapper.flagFor(BUILD, PIPELINE, new BuildState(finished, state, null, List.of(), null));

    assertThat(flag.status()).isEqualTo(expected);
    assertThat(flag.username()).isEqualTo("AWS CodePipeline");
    assertThat(flag.comment()).isEqualTo("CodePipeline my-pipeline 4f5a8d2e: " + state);
  }

  @Test
  void aConfiguredUsernameReplacesTheDefaults() {
    FlagMapper named = new FlagMapper("Fedora CI", new BuildUrls(null));
    BuildState state = new BuildState(false, "STARTED", null, List.of(), null);

    assertThat(named.flagFor(BUILD, PIPELINE, state).username()).isEqualTo("Fedora CI");
    assertThat(named.flagFor(BUILD, CODEBUILD, state).username()).isEqualTo("Fedora CI");
  }
}
