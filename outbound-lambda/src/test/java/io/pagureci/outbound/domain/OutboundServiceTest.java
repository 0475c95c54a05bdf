package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.pagureci.outbound.events.EventBridgeEventParser;
import io.pagureci.outbound.events.ParsedEvent;
import io.pagureci.outbound.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Captor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

@ExtendWith(MockitoExtension.class)
class OutboundServiceTest {
  private static final String PAGURE = "https://pagure.example.org/";

  @Mock FlagReporter reporter;
  @Mock BuildStatusLookup codeBuild;
  @Mock BuildStatusLookup codePipeline;
  @Captor ArgumentCaptor<FlagUpdate> posted;

  private OutboundService service(Set<String> projects, Set<String> pipelines) {
    return new OutboundService(
        new Scope(PAGURE, projects, pipelines),
        Fixtures.provenance(),
        new FlagMapper(null, new BuildUrls(null)),
        reporter,
        codeBuild,
        codePipeline,
        null);
  }

  private OutboundService service() {
    return service(Set.of(), Set.of());
  }

  private static BuildEvent event(String fixture) {
    ParsedEvent parsed =
        new EventBridgeEventParser()
            .parse(
                new ByteArrayInputStream(Fixtures.event(fixture).getBytes(StandardCharsets.UTF_8)));
    return ((ParsedEvent.Usable) parsed).event();
  }

  private static Map<String, String> pagureVars() {
    return new HashMap<>(event("codebuild/state-succeeded.json").variables());
  }

  /** The variables of the fixtures' pipeline execution: its own build key. */
  private static Map<String, String> pipelineVars() {
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_BUILD_KEY", Fixtures.PIPELINE_BUILD_KEY);
    return vars;
  }

  private OutboundService service(BuildRecordLookup records, String accountId) {
    return new OutboundService(
        new Scope(PAGURE, Set.of(), Set.of()),
        BuildProvenance.checked(records, accountId),
        new FlagMapper(null, new BuildUrls(null)),
        reporter,
        codeBuild,
        codePipeline,
        null);
  }

  private static BuildEvent withVars(BuildEvent e, Map<String, String> vars) {
    return new BuildEvent(e.ref(), e.state(), vars, e.eventId());
  }

  @Test
  void aTerminalEventWhoseRecordNamesThisBuildIsPostedAfterOneRecordRead() {
    List<String> reads = new ArrayList<>();
    BuildRecordLookup records =
        key -> {
          reads.add(key);
          return Fixtures.records().find(key);
        };

    EventOutcome outcome =
        service(records, "123456789012").handle(event("codebuild/state-succeeded.json"));

    assertThat(outcome).isInstanceOf(EventOutcome.Posted.class);
    assertThat(reads).containsExactly(Fixtures.BUILD_KEY);
    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.SUCCESS);
  }

  @Test
  void aBuildWithoutABuildKeyIsNotOneThisStackStarted() {
    Map<String, String> vars = pagureVars();
    vars.remove("PAGURE_BUILD_KEY");

    EventOutcome outcome =
        service().handle(withVars(event("codebuild/state-succeeded.json"), vars));

    assertThat(outcome)
        .isEqualTo(new EventOutcome.Ignored("no PAGURE_BUILD_KEY: not a build this stack started"));
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void aMalformedBuildKeyIsNotReadAndNothingIsPosted() {
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_BUILD_KEY", "../head/demo/pr/1");
    List<String> reads = new ArrayList<>();

    EventOutcome outcome =
        service(
                key -> {
                  reads.add(key);
                  return Optional.empty();
                },
                null)
            .handle(withVars(event("codebuild/state-succeeded.json"), vars));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .isEqualTo(
                        "PAGURE_BUILD_KEY is not a build key: not a build this stack started"));
    assertThat(reads).isEmpty();
    verifyNoInteractions(reporter);
  }

  @Test
  void aForgedSuccessWhoseBuildKeyHasNoRecordIsIgnored() {
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_BUILD_KEY", "0".repeat(64));

    EventOutcome outcome =
        service().handle(withVars(event("codebuild/state-succeeded.json"), vars));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .isEqualTo(
                        "no build record for PAGURE_BUILD_KEY "
                            + "0".repeat(64)
                            + ": not a build this stack started"));
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void aForgedSuccessOfAnotherBuildReusingARealBuildKeyIsIgnored() {
    // the record of the key names the fixtures' build; this event is about another build of the
    // same project
    BuildEvent real = event("codebuild/state-succeeded.json");
    BuildRef other =
        new BuildRef(
            BuildSystem.CODEBUILD,
            "pagure-ci-demo",
            "arn:aws:codebuild:eu-west-1:123456789012:build/pagure-ci-demo:00000000-0000-4000-8000-000000000000",
            "eu-west-1",
            "123456789012");

    EventOutcome outcome =
        service().handle(new BuildEvent(other, real.state(), real.variables(), real.eventId()));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .isEqualTo(
                        "the build record of "
                            + Fixtures.BUILD_KEY
                            + " names codebuild build "
                            + Fixtures.BUILD_ID
                            + ", not pagure-ci-demo:00000000-0000-4000-8000-000000000000: not a build this stack started"));
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void aGenuineBuildReplayedWithAnotherCommitIsIgnored() {
    BuildEvent real = event("codebuild/state-succeeded.json");
    String recorded = real.variables().get("PAGURE_COMMIT");
    BuildRecordLookup withCommit =
        key ->
            Optional.of(
                new BuildRecord(
                    BuildRecord.State.STARTED,
                    BuildSystem.CODEBUILD,
                    Fixtures.BUILD_ID,
                    null,
                    recorded));
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_COMMIT", "0".repeat(40));

    EventOutcome forged = service(withCommit, null).handle(withVars(real, vars));
    EventOutcome genuine = service(withCommit, null).handle(real);

    assertThat(forged)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .isEqualTo(
                        "the build record of "
                            + Fixtures.BUILD_KEY
                            + " is for commit "
                            + recorded
                            + ", not "
                            + "0".repeat(40)
                            + ": not a build this stack started"));
    assertThat(genuine).isInstanceOf(EventOutcome.Posted.class);
  }

  @Test
  void aCodeBuildEventWhoseRecordNamesAPipelineExecutionIsIgnored() {
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_BUILD_KEY", Fixtures.PIPELINE_BUILD_KEY);

    EventOutcome outcome =
        service().handle(withVars(event("codebuild/state-succeeded.json"), vars));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .contains("names codepipeline build " + Fixtures.EXECUTION_ID));
    verifyNoInteractions(reporter);
  }

  @ParameterizedTest
  @EnumSource(
      value = BuildRecord.State.class,
      names = {"CLAIMED", "FAILED"})
  void aRecordThatIsNotStartedPostsNothing(BuildRecord.State state) {
    BuildRecordLookup records = key -> Optional.of(new BuildRecord(state, null, null, "b3a4"));

    EventOutcome outcome = service(records, null).handle(event("codebuild/state-in-progress.json"));

    assertThat(outcome)
        .isEqualTo(
            new EventOutcome.Ignored(
                "the build record of "
                    + Fixtures.BUILD_KEY
                    + " says "
                    + state
                    + ", not STARTED: not a build this stack started"));
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void aPipelineExecutionIsCheckedAgainstItsRecordWithTheExecutionsBuildKey() {
    BuildEvent e = event("codepipeline/execution-succeeded.json");
    when(codePipeline.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(true, "SUCCEEDED", null, List.of(), null), pagureVars())));

    EventOutcome outcome = service().handle(e);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i -> assertThat(i.reason()).contains("names codebuild build " + Fixtures.BUILD_ID));
    verifyNoInteractions(reporter);
  }

  @Test
  void anEventOfAnotherAccountIsIgnoredBeforeAnyCall() {
    List<String> reads = new ArrayList<>();
    BuildRecordLookup records =
        key -> {
          reads.add(key);
          return Fixtures.records().find(key);
        };

    EventOutcome outcome =
        service(records, "210987654321").handle(event("codepipeline/execution-succeeded.json"));

    assertThat(outcome)
        .isEqualTo(
            new EventOutcome.Ignored(
                "account 123456789012 is not this function's account"
                    + " (ACCOUNT_ID 210987654321): not a build this stack started"));
    assertThat(reads).isEmpty();
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void aRecordThatCannotBeReadIsThrownAndNothingIsPosted() {
    BuildRecordLookup records =
        key -> {
          throw new BuildRecordLookup.UnreadableRecordException(
              "build record build/x: attribute state is missing", null);
        };

    assertThatThrownBy(() -> service(records, null).handle(event("codebuild/state-succeeded.json")))
        .isInstanceOf(BuildRecordLookup.UnreadableRecordException.class);
    verifyNoInteractions(reporter);
  }

  @Test
  void withoutRecordsTheBuildIsPostedAsBeforeButTheAccountIsStillPinned() {
    Map<String, String> vars = pagureVars();
    vars.remove("PAGURE_BUILD_KEY");
    OutboundService unchecked =
        new OutboundService(
            new Scope(PAGURE, Set.of(), Set.of()),
            new BuildProvenance(null, "123456789012"),
            new FlagMapper(null, new BuildUrls(null)),
            reporter,
            codeBuild,
            codePipeline,
            null);

    assertThat(unchecked.handle(withVars(event("codebuild/state-succeeded.json"), vars)))
        .isInstanceOf(EventOutcome.Posted.class);
    BuildEvent e = event("codebuild/state-succeeded.json");
    BuildRef foreign =
        new BuildRef(e.ref().system(), e.ref().target(), e.ref().id(), "eu-west-1", "210987654321");
    assertThat(unchecked.handle(new BuildEvent(foreign, e.state(), vars, e.eventId())))
        .isInstanceOf(EventOutcome.Ignored.class);
    verify(reporter, times(1)).report(any());
  }

  @Test
  void postsATerminalCodeBuildEventWithoutAskingCodeBuild() {
    EventOutcome outcome = service().handle(event("codebuild/state-succeeded.json"));

    verify(reporter).report(posted.capture());
    verifyNoInteractions(codeBuild, codePipeline);
    assertThat(outcome).isInstanceOf(EventOutcome.Posted.class);
    FlagUpdate u = posted.getValue();
    assertThat(u.flag().status()).isEqualTo(FlagStatus.SUCCESS);
    // the event's own times: build-start-time 12:28:00, COMPLETED from 12:28:30
    assertThat(u.flag().comment()).isEqualTo("build · passed in 30s");
    assertThat(u.build().project()).isEqualTo("demo");
    assertThat(u.build().commit()).isEqualTo(Fixtures.SHA);
    assertThat(u.build().prId()).isEqualTo(1L);
  }

  @Test
  void confirmsARunningEventAndPostsTheCurrentPhase() {
    BuildEvent e = event("codebuild/state-in-progress.json");
    when(codeBuild.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", "PRE_BUILD", List.of(), 42L),
                    e.variables())));

    service().handle(e);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.PENDING);
    // CodeBuild's answer has no times here: the event's start and its own time (12:28:41) count
    assertThat(posted.getValue().flag().comment()).isEqualTo("build · PRE_BUILD 5/9 · 41s");
  }

  @Test
  void aRunningBuildsElapsedTimeIsTheLatestTheBuildServiceReportedNeverTheEventsOlderOne() {
    // a late phase event (12:29:04) for a build CodeBuild says has been in POST_BUILD since
    // 12:31:00
    BuildEvent late = event("codebuild/phase-pre-build-completed.json");
    Instant started = Instant.parse("2026-11-27T12:28:00Z");
    when(codeBuild.lookup(late.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(
                        false,
                        "IN_PROGRESS",
                        "POST_BUILD",
                        List.of(
                            new PhaseResult(
                                "BUILD", "SUCCEEDED", started, started.plusSeconds(180)),
                            new PhaseResult("POST_BUILD", null, started.plusSeconds(180), null)),
                        42L,
                        started,
                        started.plusSeconds(180)),
                    late.variables())));

    service().handle(late);

    verify(reporter, times(1)).report(posted.capture());
    assertThat(posted.getAllValues().get(0).flag().comment())
        .isEqualTo("build · POST_BUILD 7/9 · 3m00s");
  }

  @Test
  void aBuildThatFinishesWhileItsPendingFlagIsPostedEndsWithTheFinalFlag() {
    // the concurrent invocation with SUCCEEDED may have posted between our look-up and our post
    BuildEvent e = event("codebuild/state-in-progress.json");
    when(codeBuild.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L), e.variables())),
            Optional.of(
                new BuildSnapshot(
                    new BuildState(true, "SUCCEEDED", "COMPLETED", List.of(), 42L),
                    e.variables())));

    EventOutcome outcome = service().handle(e);

    verify(reporter, times(2)).report(posted.capture());
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().status())
        .containsExactly(FlagStatus.PENDING, FlagStatus.SUCCESS);
    assertThat(((EventOutcome.Posted) outcome).update().flag().status())
        .isEqualTo(FlagStatus.SUCCESS);
  }

  @Test
  void postsTheFinalStatusWhenARunningEventArrivesAfterTheBuildFinished() {
    BuildEvent late = event("codebuild/phase-pre-build-completed.json");
    when(codeBuild.lookup(late.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(
                        true,
                        "FAILED",
                        "COMPLETED",
                        List.of(new PhaseResult("BUILD", "FAILED")),
                        42L),
                    late.variables())));

    service().handle(late);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.FAILURE);
    // CodeBuild's answer has no end time: the running event's time is not the end, so none shown
    assertThat(posted.getValue().flag().comment()).isEqualTo("build · failed in BUILD");
  }

  @Test
  void throwsWhenCodeBuildDoesNotKnowTheBuildOfARunningEvent() {
    BuildEvent e = event("codebuild/state-in-progress.json");
    when(codeBuild.lookup(e.ref())).thenReturn(Optional.empty());

    assertThatThrownBy(() -> service().handle(e))
        .isInstanceOf(OutboundService.BuildNotFoundException.class);
    verifyNoInteractions(reporter);
  }

  @Test
  void ignoresBuildsWithoutPagureVariables() {
    EventOutcome outcome = service().handle(event("codebuild/state-succeeded-foreign-build.json"));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i -> assertThat(i.reason()).contains("no PAGURE_* variables"));
    verifyNoInteractions(reporter, codeBuild);
  }

  @Test
  void ignoresProjectsThatAreNotConfigured() {
    EventOutcome outcome =
        service(Set.of("other-project"), Set.of()).handle(event("codebuild/state-succeeded.json"));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i -> assertThat(i.reason()).contains("'pagure-ci-demo' is not configured"));
    verifyNoInteractions(reporter, codeBuild);
  }

  @Test
  void ignoresBuildsOfAnotherPagureInstance() {
    OutboundService service =
        new OutboundService(
            new Scope("https://other.example.org/", Set.of(), Set.of()),
            Fixtures.provenance(),
            new FlagMapper(null, new BuildUrls(null)),
            reporter,
            codeBuild,
            codePipeline,
            null);

    EventOutcome outcome = service.handle(event("codebuild/state-succeeded.json"));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class, i -> assertThat(i.reason()).contains("PAGURE_INSTANCE"));
    verifyNoInteractions(reporter);
  }

  @Test
  void ignoresBuildsWithUnusablePagureVariables() {
    BuildEvent good = event("codebuild/state-succeeded.json");
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_COMMIT", "../../etc/passwd");
    BuildEvent bad = new BuildEvent(good.ref(), good.state(), vars, good.eventId());

    assertThat(service().handle(bad))
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class, i -> assertThat(i.reason()).contains("PAGURE_COMMIT"));
    verifyNoInteractions(reporter);
  }

  @Test
  void readsPipelineVariablesFromTheExecution() {
    BuildEvent e = event("codepipeline/execution-started.json");
    Map<String, String> vars = pipelineVars();
    vars.put("PAGURE_PR_UID", "-");
    when(codePipeline.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", null, List.of(), null), vars)));

    service().handle(e);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.PENDING);
    assertThat(posted.getValue().flag().username()).isEqualTo("pagure-ci/build");
    // execution start-time 12:40:00.125, the event at 12:40:00 (whole seconds)
    assertThat(posted.getValue().flag().comment()).isEqualTo("build · running · 0s");
    assertThat(posted.getValue().build().prUid()).isNull();
    verifyNoInteractions(codeBuild);
  }

  @Test
  void aTerminalPipelineEventWinsOverALaggingRunningExecution() {
    BuildEvent e = event("codepipeline/execution-succeeded.json");
    when(codePipeline.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", null, List.of(), null), pipelineVars())));

    service().handle(e);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.SUCCESS);
    // the event's start-time 12:40:00.125 to its time 12:46:12
    assertThat(posted.getValue().flag().comment()).isEqualTo("build · passed in 6m11s");
  }

  @Test
  void aLateStartedPipelineEventPostsTheFinishedExecutionsStatus() {
    BuildEvent e = event("codepipeline/execution-started.json");
    when(codePipeline.lookup(e.ref()))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(true, "SUPERSEDED", null, List.of(), null), pipelineVars())));

    service().handle(e);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.CANCELED);
    // GetPipelineExecution gives no times, and the late event's time is not the end
    assertThat(posted.getValue().flag().comment())
        .isEqualTo("build · superseded by a newer execution");
  }

  @Test
  void ignoresPipelinesThatAreNotConfiguredWithoutCallingCodePipeline() {
    EventOutcome outcome =
        service(Set.of(), Set.of("release")).handle(event("codepipeline/execution-started.json"));

    assertThat(outcome).isInstanceOf(EventOutcome.Ignored.class);
    verifyNoInteractions(codePipeline, reporter);
  }

  @Test
  void rethrowsWhenPagureDoesNotTakeTheFlag() {
    doThrow(new ReportFailedException("pagure rejected", 404, false, null))
        .when(reporter)
        .report(any());

    assertThatThrownBy(() -> service().handle(event("codebuild/state-succeeded.json")))
        .isInstanceOf(ReportFailedException.class);
    verify(codeBuild, never()).lookup(any());
  }

  /** What the service logs (slf4j-simple writes to System.out) while {@code action} runs. */
  private static String logOf(Runnable action) {
    PrintStream real = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(real);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void logsTheDeliveryIdABuildCarries() {
    BuildEvent good = event("codebuild/state-succeeded.json");
    Map<String, String> vars = pagureVars();
    vars.put("PAGURE_DELIVERY_ID", "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d");
    BuildEvent e = new BuildEvent(good.ref(), good.state(), vars, good.eventId());

    String log = logOf(() -> service().handle(e));

    assertThat(log)
        .contains(
            // the decision's fields follow the common ones (timestamp, level, logger, ...)
            "\"decision\":\"posted\",\"event\":\""
                + e.eventId()
                + "\",\"deliveryId\":\"b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d\",\"system\":\"codebuild\"");
  }

  @Test
  void aBuildWithoutADeliveryIdIsLoggedWithoutOne() {
    String log = logOf(() -> service().handle(event("codebuild/state-succeeded.json")));

    assertThat(log).contains("\"decision\":\"posted\"").doesNotContain("\"deliveryId\"");
  }
}
