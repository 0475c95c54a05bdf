package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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

  private static final Instant T0 = Instant.parse("2026-11-27T12:28:00Z");

  private static BuildState running(String phase, long elapsedSeconds) {
    return new BuildState(
        false, "IN_PROGRESS", phase, List.of(), 42L, T0, T0.plusSeconds(elapsedSeconds));
  }

  private static BuildState finished(String status, List<PhaseResult> phases, long seconds) {
    return new BuildState(true, status, "COMPLETED", phases, 42L, T0, T0.plusSeconds(seconds));
  }

  @Test
  void aRunningBuildIsPendingWithTheTargetNamePhaseStepAndElapsedTime() {
    Flag flag = mapper.flagFor(BUILD, CODEBUILD, running("BUILD", 134));

    assertThat(flag.status()).isEqualTo(FlagStatus.PENDING);
    assertThat(flag.comment()).isEqualTo("build · BUILD 6/9 · 2m14s");
    assertThat(flag.percent()).isEqualTo(60);
    assertThat(flag.username()).isEqualTo("pagure-ci/build");
    assertThat(flag.uid()).hasSize(32);
    assertThat(flag.url())
        .startsWith("https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "SUBMITTED, build · SUBMITTED · 0s",
    "QUEUED, build · QUEUED 1/9 · 0s",
    "PROVISIONING, build · PROVISIONING 2/9 · 0s",
    "DOWNLOAD_SOURCE, build · DOWNLOAD_SOURCE 3/9 · 0s",
    "INSTALL, build · INSTALL 4/9 · 0s",
    "PRE_BUILD, build · PRE_BUILD 5/9 · 0s",
    "BUILD, build · BUILD 6/9 · 0s",
    "POST_BUILD, build · POST_BUILD 7/9 · 0s",
    "UPLOAD_ARTIFACTS, build · UPLOAD_ARTIFACTS 8/9 · 0s",
    "FINALIZING, build · FINALIZING 9/9 · 0s",
    "COMPLETED, build · COMPLETED · 0s",
    "SOMETHING_NEW, build · SOMETHING_NEW · 0s",
  })
  void everyPhaseIsNamedWithItsStepOfNine(String phase, String comment) {
    assertThat(mapper.flagFor(BUILD, CODEBUILD, running(phase, 0)).comment()).isEqualTo(comment);
  }

  @Test
  void anUnknownPhaseIsShownCleanedAndCut() {
    String phase = "NEW_PHASE<script>" + "X".repeat(100);

    String comment = mapper.flagFor(BUILD, CODEBUILD, running(phase, 5)).comment();

    assertThat(comment).isEqualTo("build · NEW_PHASE" + "X".repeat(22) + "… · 5s");
    assertThat(comment).doesNotContain("<", ">");
  }

  @Test
  void aRunningBuildWithoutTimesOrPhaseSaysOnlyWhatIsKnown() {
    BuildState noTimes = new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L);
    BuildState noPhase = new BuildState(false, "IN_PROGRESS", null, List.of(), 42L, T0, T0);
    BuildState onlyStart = new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 1L, T0, null);
    BuildState endBeforeStart =
        new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 1L, T0, T0.minusSeconds(1));
    BuildState truncatedToTheSecond =
        new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 1L, T0.plusMillis(125), T0);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, noTimes).comment()).isEqualTo("build · BUILD 6/9");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, noPhase).comment())
        .isEqualTo("build · running · 0s");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, onlyStart).comment())
        .isEqualTo("build · BUILD 6/9");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, endBeforeStart).comment())
        .isEqualTo("build · BUILD 6/9");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, truncatedToTheSecond).comment())
        .isEqualTo("build · BUILD 6/9 · 0s");
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
  void percentCountsTheCompletedPhasesForTheCommitPage(String phase, int percent) {
    BuildState state = new BuildState(false, "IN_PROGRESS", phase, List.of(), 1L);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, state).percent()).isEqualTo(percent);
  }

  @ParameterizedTest(name = "{0} {1}/{2} -> {3}: {4}")
  @CsvSource({
    "SUCCEEDED, , , SUCCESS, build · passed in 4m02s",
    "FAILED, BUILD, FAILED, FAILURE, build · failed in BUILD after 4m02s",
    "FAULT, BUILD, FAULT, FAILURE, build · failed in BUILD (FAULT) after 4m02s",
    "TIMED_OUT, BUILD, TIMED_OUT, FAILURE, build · timed out in BUILD after 4m02s",
    "TIMED_OUT, , , FAILURE, build · timed out after 4m02s",
    "FAILED, , , FAILURE, build · failed after 4m02s",
    "FAILED, INSTALL, FAILED, FAILURE, build · failed in INSTALL after 4m02s",
    "FAILED, DOWNLOAD_SOURCE, CLIENT_ERROR, ERROR, build · error in DOWNLOAD_SOURCE (CLIENT_ERROR)"
        + " after 4m02s",
    "FAILED, PROVISIONING, FAILED, ERROR, build · error in PROVISIONING (FAILED) after 4m02s",
    "FAILED, QUEUED, TIMED_OUT, ERROR, build · error in QUEUED (TIMED_OUT) after 4m02s",
    "FAILED, PRE_BUILD, CLIENT_ERROR, ERROR, build · error in PRE_BUILD (CLIENT_ERROR) after 4m02s",
    "STOPPED, BUILD, STOPPED, CANCELED, build · stopped in BUILD after 4m02s",
    "STOPPED, , , CANCELED, build · stopped after 4m02s",
    "SOME_FUTURE_STATE, , , FAILURE, build · failed (SOME_FUTURE_STATE) after 4m02s",
  })
  void aFinishedCodeBuildBuildSaysItsVerdictWhereAndHowLong(
      String status, String phase, String phaseStatus, FlagStatus expected, String comment) {
    List<PhaseResult> phases = phase == null ? List.of() : phasesUpTo(phase, phaseStatus);

    Flag flag = mapper.flagFor(BUILD, CODEBUILD, finished(status, phases, 242));

    assertThat(flag.status()).isEqualTo(expected);
    assertThat(flag.comment()).isEqualTo(comment);
    assertThat(flag.percent()).isEqualTo(expected == FlagStatus.SUCCESS ? 100 : null);
  }

  @Test
  void aFinishedBuildWithoutTimesHasNoDuration() {
    BuildState state =
        new BuildState(true, "FAILED", "COMPLETED", phasesUpTo("BUILD", "FAILED"), 42L);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, state).comment())
        .isEqualTo("build · failed in BUILD");
    assertThat(
            mapper
                .flagFor(BUILD, CODEBUILD, new BuildState(true, "SUCCEEDED", null, List.of(), 1L))
                .comment())
        .isEqualTo("build · passed");
  }

  @ParameterizedTest(name = "{0}s -> {1}")
  @CsvSource({
    "0, 0s",
    "59, 59s",
    "60, 1m00s",
    "190, 3m10s",
    "3599, 59m59s",
    "3600, 1h00m",
    "3725, 1h02m",
    "129600, 36h00m"
  })
  void durationsAreShortAndExact(long seconds, String text) {
    assertThat(FlagMapper.duration(Duration.ofSeconds(seconds))).isEqualTo(text);
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "STARTED, false, PENDING, build · running · 2m14s",
    "IN_PROGRESS, false, PENDING, build · running · 2m14s",
    "RESUMED, false, PENDING, build · resumed · 2m14s",
    "STOPPING, false, PENDING, build · stopping · 2m14s",
    "SUCCEEDED, true, SUCCESS, build · passed in 2m14s",
    "FAILED, true, FAILURE, build · failed after 2m14s",
    "STOPPED, true, CANCELED, build · stopped after 2m14s",
    "CANCELED, true, CANCELED, build · canceled after 2m14s",
    "SUPERSEDED, true, CANCELED, build · superseded by a newer execution after 2m14s",
    "EXPLODED, true, FAILURE, build · failed (EXPLODED) after 2m14s"
  })
  void mapsPipelineStatesInWords(
      String state, boolean finished, FlagStatus expected, String comment) {
    Flag flag =
        mapper.flagFor(
            BUILD,
            PIPELINE,
            new BuildState(finished, state, null, List.of(), null, T0, T0.plusSeconds(134)));

    assertThat(flag.status()).isEqualTo(expected);
    assertThat(flag.username()).isEqualTo("pagure-ci/build");
    assertThat(flag.comment()).isEqualTo(comment);
    assertThat(flag.percent()).isEqualTo(expected == FlagStatus.SUCCESS ? 100 : null);
  }

  @Test
  void aConfiguredTargetNameNamesTheFlagAndTheUsername() {
    FlagMapper named = new FlagMapper(null, "rpm-build.x86_64", new BuildUrls(null));

    Flag flag = named.flagFor(BUILD, CODEBUILD, running("INSTALL", 7));

    assertThat(flag.username()).isEqualTo("pagure-ci/rpm-build.x86_64");
    assertThat(flag.comment()).isEqualTo("rpm-build.x86_64 · INSTALL 4/9 · 7s");
    // the uid is keyed on the real project, not on the name shown
    assertThat(flag.uid()).isEqualTo(mapper.flagFor(BUILD, CODEBUILD, running("INSTALL", 7)).uid());
  }

  @Test
  void theLongestTargetNameStaysWithinPagureLimits() {
    String longest = "t" + "x".repeat(31);
    FlagMapper named = new FlagMapper(null, longest, new BuildUrls(null));

    Flag flag =
        named.flagFor(
            BUILD,
            CODEBUILD,
            finished("FAILED", phasesUpTo("UPLOAD_ARTIFACTS", "X".repeat(200)), 999_999));

    assertThat(flag.username()).hasSize("pagure-ci/".length() + 32);
    assertThat(flag.uid()).hasSizeLessThanOrEqualTo(32);
    assertThat(flag.comment())
        .isEqualTo(
            longest + " · failed in UPLOAD_ARTIFACTS (" + "X".repeat(31) + "…) after 277h46m");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "-build", "with space", "ünïcode", "a/b", "x23456789012345678901234567890123"})
  void aTargetNameOutsideTheSafeCharsetIsRefused(String name) {
    assertThatThrownBy(() -> new FlagMapper(null, name, new BuildUrls(null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aConfiguredUsernameReplacesTheDefaultButNotTheTargetName() {
    FlagMapper named = new FlagMapper("Fedora CI", "build", new BuildUrls(null));
    BuildState state = new BuildState(false, "STARTED", null, List.of(), null);

    assertThat(named.flagFor(BUILD, PIPELINE, state).username()).isEqualTo("Fedora CI");
    assertThat(named.flagFor(BUILD, CODEBUILD, state).username()).isEqualTo("Fedora CI");
    assertThat(named.flagFor(BUILD, CODEBUILD, state).comment()).startsWith("build · ");
  }

  /** A build the worker stopped as superseded, stopped in each phase CodeBuild runs. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "BUILD",
        "POST_BUILD",
        "UPLOAD_ARTIFACTS",
        "FINALIZING"
      })
  void aSupersededBuildStoppedInAnyPhaseSaysWhyAndWhere(String phase) {
    BuildState stopped = finished("STOPPED", phasesUpTo(phase, "STOPPED"), 65);

    Flag flag = mapper.flagFor(BUILD, CODEBUILD, stopped, "superseded by 5b7fb6a");

    assertThat(flag.status()).isEqualTo(FlagStatus.CANCELED);
    assertThat(flag.comment())
        .isEqualTo(
            "build · canceled — superseded by 5b7fb6a (stopped in " + phase + " after 1m05s)");
    assertThat(flag.percent()).isNull();
  }

  @Test
  void aStopReasonOnlyWordsACanceledBuildAndOnlyTheWorkersOwnWords() {
    BuildState passed = finished("SUCCEEDED", List.of(), 65);
    BuildState stopped = finished("STOPPED", List.of(), 65);

    assertThat(mapper.flagFor(BUILD, CODEBUILD, passed, "PR closed").comment())
        .as("finished before the stop: keeps its result")
        .isEqualTo("build · passed in 1m05s");
    assertThat(mapper.flagFor(BUILD, PIPELINE, stopped, "PR merged").comment())
        .isEqualTo("build · canceled — PR merged (stopped after 1m05s)");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, stopped, "superseded by <b>x</b>").comment())
        .isEqualTo("build · stopped after 1m05s");
    assertThat(mapper.flagFor(BUILD, CODEBUILD, stopped, null).comment())
        .isEqualTo("build · stopped after 1m05s");
  }
}
