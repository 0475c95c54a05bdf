package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.pagureci.outbound.events.EventBridgeEventParser;
import io.pagureci.outbound.events.ParsedEvent;
import io.pagureci.outbound.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Captor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

/**
 * The decision on request events, with a fake build-record store and mocked build lookups and
 * reporter.
 */
@ExtendWith(MockitoExtension.class)
class RequestEventServiceTest {
  private static final String PAGURE = Fixtures.FIXTURE_INSTANCE;
  private static final String ACCOUNT = "123456789012";
  private static final String BUILD_ID = "pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";
  private static final BuildRecord STARTED =
      new BuildRecord(
          BuildRecord.State.STARTED,
          BuildSystem.CODEBUILD,
          BUILD_ID,
          "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d");

  @Mock FlagReporter reporter;
  @Mock BuildStatusLookup codeBuild;
  @Mock BuildStatusLookup codePipeline;
  @Captor ArgumentCaptor<FlagUpdate> posted;

  /**
   * The build-record store: answers one record per read, in order (the last one again), and counts
   * the reads.
   */
  static final class FakeRecords implements BuildRecordLookup {
    private final List<Optional<BuildRecord>> answers;
    final List<String> reads = new ArrayList<>();

    @SafeVarargs
    FakeRecords(Optional<BuildRecord>... answers) {
      this.answers = Arrays.asList(answers);
    }

    @Override
    public Optional<BuildRecord> find(String buildKey) {
      reads.add(buildKey);
      return answers.get(Math.min(reads.size(), answers.size()) - 1);
    }
  }

  private final FlagMapper mapper = new FlagMapper(null, new BuildUrls(null));

  /** What the build path's provenance check reads (any key): the worker's STARTED record. */
  private BuildRecordLookup startedRecord = key -> Optional.of(STARTED);

  private OutboundService builds(Set<String> projects) {
    // the build path's own provenance check reads the same record the request found STARTED
    return new OutboundService(
        new Scope(PAGURE, projects, Set.of()),
        BuildProvenance.checked(startedRecord, null),
        mapper,
        reporter,
        codeBuild,
        codePipeline,
        null);
  }

  private RequestEventService service(BuildRecordLookup records) {
    return service(records, Set.of("pagure-ci-demo"), ACCOUNT);
  }

  private RequestEventService service(
      BuildRecordLookup records, Set<String> projects, String accountId) {
    return new RequestEventService(
        new Scope(PAGURE, projects, Set.of()),
        accountId,
        mapper,
        reporter,
        records,
        builds(projects));
  }

  static ParsedEvent parse(String fixture) {
    return new EventBridgeEventParser()
        .parse(new ByteArrayInputStream(Fixtures.event(fixture).getBytes(StandardCharsets.UTF_8)));
  }

  static RequestEvent request(String fixture) {
    return ((ParsedEvent.Request) parse("pagure-ci-aws/" + fixture)).event();
  }

  @Test
  void aQueuedRequestWithoutABuildRecordIsPostedAsPending() {
    FakeRecords records = new FakeRecords(Optional.empty());
    RequestEvent r = request("queued-pull-request.json");

    EventOutcome outcome = service(records).handle(r);

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag())
        .isEqualTo(
            new Flag(
                "pagure-ci/build",
                "build · queued — waiting for a build slot",
                "https://pagure.example.org/demo/pull-request/1",
                FlagStatus.PENDING,
                null,
                FlagUid.of(
                    BuildSystem.CODEBUILD, "eu-west-1", ACCOUNT, "pagure-ci-demo", Fixtures.SHA)));
    assertThat(posted.getValue().build()).isEqualTo(r.build());
    assertThat(outcome).isEqualTo(new EventOutcome.Posted(posted.getValue()));
    // before posting, and once more after it (did the build start meanwhile?)
    assertThat(records.reads).containsExactly(r.buildKey(), r.buildKey());
    verifyNoInteractions(codeBuild, codePipeline);
  }

  @Test
  void theQueuedFlagIsTheFlagTheBuildsOwnEventsUpdate() {
    service(new FakeRecords(Optional.empty())).handle(request("queued-pull-request.json"));
    BuildEvent buildEvent = ((ParsedEvent.Usable) parse("codebuild/state-succeeded.json")).event();
    builds(Set.of()).handle(buildEvent);

    verify(reporter, times(2)).report(posted.capture());
    Flag queued = posted.getAllValues().get(0).flag();
    Flag succeeded = posted.getAllValues().get(1).flag();
    assertThat(succeeded.status()).isEqualTo(FlagStatus.SUCCESS);
    assertThat(queued.uid()).isEqualTo(succeeded.uid()).hasSize(32);
    assertThat(queued.username()).isEqualTo(succeeded.username());
    assertThat(posted.getAllValues().get(0).build().commit())
        .isEqualTo(posted.getAllValues().get(1).build().commit());
  }

  @Test
  void aConfiguredFlagUsernameNamesTheQueuedFlagToo() {
    FlagMapper named = new FlagMapper("Fedora CI on AWS", new BuildUrls(null));
    RequestEventService service =
        new RequestEventService(
            new Scope(PAGURE, Set.of(), Set.of()),
            null,
            named,
            reporter,
            new FakeRecords(Optional.empty()),
            builds(Set.of()));

    service.handle(request("queued-pull-request.json"));

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().username()).isEqualTo("Fedora CI on AWS");
  }

  @Test
  void aConfiguredTargetNameNamesTheQueuedFlagWithTheSameUid() {
    FlagMapper named = new FlagMapper(null, "rpm-build", new BuildUrls(null));
    RequestEventService service =
        new RequestEventService(
            new Scope(PAGURE, Set.of(), Set.of()),
            null,
            named,
            reporter,
            new FakeRecords(Optional.empty()),
            builds(Set.of()));

    service.handle(request("queued-pull-request.json"));

    verify(reporter).report(posted.capture());
    Flag flag = posted.getValue().flag();
    assertThat(flag.username()).isEqualTo("pagure-ci/rpm-build");
    assertThat(flag.comment()).isEqualTo("rpm-build · queued — waiting for a build slot");
    assertThat(flag.uid()).isEqualTo(mapper.requestFlag(request("queued-pull-request.json")).uid());
  }

  @Test
  void aQueuedRequestWhoseBuildStartedIsIgnored() {
    FakeRecords records = new FakeRecords(Optional.of(STARTED));

    EventOutcome outcome = service(records).handle(request("queued-pull-request.json"));

    assertThat(outcome)
        .isEqualTo(
            new EventOutcome.Ignored(
                "the build record says STARTED: the build's own events own the flag"));
    assertThat(records.reads).hasSize(1);
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @ParameterizedTest
  @EnumSource(
      value = BuildRecord.State.class,
      names = {"CLAIMED", "FAILED"})
  void aQueuedRequestWhoseBuildHasNotStartedIsPosted(BuildRecord.State state) {
    FakeRecords records = new FakeRecords(Optional.of(new BuildRecord(state, null, null, "b3a4")));

    EventOutcome outcome = service(records).handle(request("queued-pull-request.json"));

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.PENDING);
    assertThat(outcome).isInstanceOf(EventOutcome.Posted.class);
    assertThat(records.reads).hasSize(2);
  }

  @Test
  void aBuildThatStartsWhileQueuedIsPostedEndsWithTheBuildsState() {
    // the worker started the build, and its events may have been posted, while "queued" was on its
    // way
    FakeRecords records = new FakeRecords(Optional.empty(), Optional.of(STARTED));
    RequestEvent r = request("queued-pull-request.json");
    BuildRef ref =
        new BuildRef(BuildSystem.CODEBUILD, "pagure-ci-demo", BUILD_ID, "eu-west-1", ACCOUNT);
    when(codeBuild.lookup(ref))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L), r.variables())),
            Optional.of(
                new BuildSnapshot(
                    new BuildState(true, "SUCCEEDED", "COMPLETED", List.of(), 42L),
                    r.variables())));

    EventOutcome outcome = service(records).handle(r);

    verify(reporter, times(3)).report(posted.capture());
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().comment())
        .containsExactly(
            "build · queued — waiting for a build slot", "build · BUILD 6/9", "build · passed");
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().uid())
        .containsOnly(posted.getAllValues().get(0).flag().uid());
    assertThat(((EventOutcome.Posted) outcome).update().flag().status())
        .isEqualTo(FlagStatus.SUCCESS);
    verify(codeBuild, times(2)).lookup(ref);
  }

  @Test
  void aPipelineThatStartsWhileQueuedIsPostedIsLookedUpInCodePipeline() {
    RequestEvent r = request("queued-push-pipeline.json");
    FakeRecords records =
        new FakeRecords(
            Optional.empty(),
            Optional.of(
                new BuildRecord(
                    BuildRecord.State.STARTED,
                    BuildSystem.CODEPIPELINE,
                    "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
                    null)));
    startedRecord = key -> key.equals(r.buildKey()) ? records.answers.get(1) : Optional.empty();
    BuildRef ref =
        new BuildRef(
            BuildSystem.CODEPIPELINE,
            "pagure-ci-pipeline",
            "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
            "eu-west-1",
            ACCOUNT);
    Map<String, String> executionVariables = new HashMap<>(r.variables());
    executionVariables.put("PAGURE_BUILD_KEY", r.buildKey());
    when(codePipeline.lookup(ref))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(true, "FAILED", null, List.of(), null), executionVariables)));
    RequestEventService service =
        new RequestEventService(
            new Scope(PAGURE, Set.of(), Set.of()),
            ACCOUNT,
            mapper,
            reporter,
            records,
            builds(Set.of()));

    service.handle(r);

    verify(reporter, times(2)).report(posted.capture());
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().status())
        .containsExactly(FlagStatus.PENDING, FlagStatus.FAILURE);
    assertThat(posted.getAllValues().get(0).flag().url())
        .isEqualTo(
            "https://pagure.example.org/rpms/widget/c/4c2f0d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d");
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().uid())
        .containsOnly(posted.getAllValues().get(0).flag().uid());
    verifyNoInteractions(codeBuild);
  }

  @Test
  void aStartedRecordOfAnotherTargetIsNotLookedUp() {
    FakeRecords records =
        new FakeRecords(
            Optional.empty(),
            Optional.of(
                new BuildRecord(
                    BuildRecord.State.STARTED, BuildSystem.CODEBUILD, "widget-ci:0d9e8b7a", null)));

    EventOutcome outcome = service(records).handle(request("queued-pull-request.json"));

    verify(reporter).report(posted.capture());
    assertThat(outcome).isEqualTo(new EventOutcome.Posted(posted.getValue()));
    verifyNoInteractions(codeBuild, codePipeline);
  }

  @Test
  void aNonMembersWaitingHeadIsPostedAsPendingNamingTheApprovalPhraseOnTheBuildsOwnFlag() {
    FakeRecords records =
        new FakeRecords(
            Optional.of(new BuildRecord(BuildRecord.State.AWAITING_APPROVAL, null, null, "b3a4")));
    RequestEvent r = request("awaiting-approval-pull-request.json");

    EventOutcome outcome = service(records).handle(r);
    builds(Set.of()).handle(((ParsedEvent.Usable) parse("codebuild/state-succeeded.json")).event());

    verify(reporter, times(2)).report(posted.capture());
    Flag waiting = posted.getAllValues().get(0).flag();
    assertThat(waiting)
        .isEqualTo(
            new Flag(
                "pagure-ci/build",
                "build · waiting for a maintainer — 'bob' has no commit access"
                    + " to demo. A member of the project comments \"pretty please pagure-ci"
                    + " approve\" to build this commit.",
                "https://pagure.example.org/demo/pull-request/1",
                FlagStatus.PENDING,
                null,
                FlagUid.of(
                    BuildSystem.CODEBUILD, "eu-west-1", ACCOUNT, "pagure-ci-demo", Fixtures.SHA)));
    assertThat(outcome).isEqualTo(new EventOutcome.Posted(posted.getAllValues().get(0)));
    Flag built = posted.getAllValues().get(1).flag();
    assertThat(built.uid())
        .as("the build, once approved, updates the same flag")
        .isEqualTo(waiting.uid());
    assertThat(built.username()).isEqualTo(waiting.username());
    assertThat(records.reads).containsExactly(r.buildKey(), r.buildKey());
  }

  @Test
  void aWaitingHeadWhoseBuildStartedIsNotFlaggedAgain() {
    FakeRecords records = new FakeRecords(Optional.of(STARTED));

    EventOutcome outcome = service(records).handle(request("awaiting-approval-pull-request.json"));

    assertThat(outcome)
        .isEqualTo(
            new EventOutcome.Ignored(
                "the build record says STARTED: the build's own events own the flag"));
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void anApprovalThatStartsTheBuildWhileTheWaitingFlagIsPostedEndsWithTheBuildsState() {
    FakeRecords records = new FakeRecords(Optional.empty(), Optional.of(STARTED));
    RequestEvent r = request("awaiting-approval-pull-request.json");
    BuildRef ref =
        new BuildRef(BuildSystem.CODEBUILD, "pagure-ci-demo", BUILD_ID, "eu-west-1", ACCOUNT);
    when(codeBuild.lookup(ref))
        .thenReturn(
            Optional.of(
                new BuildSnapshot(
                    new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L), r.variables())));

    service(records).handle(r);

    verify(reporter, times(2)).report(posted.capture());
    assertThat(posted.getAllValues())
        .extracting(u -> u.flag().comment())
        .last()
        .isEqualTo("build · BUILD 6/9");
  }

  @Test
  void anErrorIsPostedWithItsReasonAndTheRebuildPhrase() {
    FakeRecords records = new FakeRecords(Optional.empty());

    service(records).handle(request("error-head-moved.json"));

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag())
        .isEqualTo(
            new Flag(
                "pagure-ci/build",
                "build · could not start the build — the pull request's head moved on before the"
                    + " build could start (HEAD_MOVED). Comment \"pretty please pagure-ci rebuild\" to try again.",
                "https://pagure.example.org/demo/pull-request/1",
                FlagStatus.ERROR,
                null,
                FlagUid.of(
                    BuildSystem.CODEBUILD, "eu-west-1", ACCOUNT, "pagure-ci-demo", Fixtures.SHA)));
    // an error is final for its build key: no second read
    assertThat(records.reads).hasSize(1);
  }

  @Test
  void thePushOfAnErrorLinksItsCommitAndHasNoCommentToMake() {
    service(new FakeRecords(Optional.empty())).handle(request("error-push-commit-not-found.json"));

    verify(reporter).report(posted.capture());
    Flag flag = posted.getValue().flag();
    assertThat(flag.comment())
        .isEqualTo(
            "build · could not start the build — the pushed"
                + " commit did not show up in the repository in time (COMMIT_NOT_FOUND).");
    assertThat(flag.url())
        .isEqualTo(
            "https://pagure.example.org/rpms/widget/c/4c2f0d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d");
    assertThat(flag.status()).isEqualTo(FlagStatus.ERROR);
  }

  @Test
  void anErrorWhoseBuildStartedIsIgnored() {
    EventOutcome outcome =
        service(new FakeRecords(Optional.of(STARTED))).handle(request("error-head-moved.json"));

    assertThat(outcome).isInstanceOf(EventOutcome.Ignored.class);
    verifyNoInteractions(reporter);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "queued-pull-request.bad-foreign-instance.json",
        "queued-pull-request.bad-foreign-account.json",
        "error-head-moved.bad-foreign-target.json"
      })
  void ignoresARequestForAnotherPagureTargetOrAccountWithoutReadingTheRecord(String fixture) {
    FakeRecords records = new FakeRecords(Optional.empty());

    EventOutcome outcome = service(records).handle(request(fixture));

    assertThat(outcome)
        .isInstanceOfSatisfying(
            EventOutcome.Ignored.class,
            i ->
                assertThat(i.reason())
                    .containsAnyOf(
                        "is not the configured PAGURE_URL",
                        "CodeBuild project 'pagure-ci-other' is not" + " configured",
                        "account 210987654321 is not this function's account (ACCOUNT_ID"));
    assertThat(records.reads).isEmpty();
    verifyNoInteractions(reporter, codeBuild, codePipeline);
  }

  @Test
  void withoutAKnownAccountTheEventsAccountIsNotChecked() {
    service(new FakeRecords(Optional.empty()), Set.of(), null)
        .handle(request("queued-pull-request.bad-foreign-account.json"));

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().uid())
        .isEqualTo(
            FlagUid.of(
                BuildSystem.CODEBUILD,
                "eu-west-1",
                "210987654321",
                "pagure-ci-demo",
                Fixtures.SHA));
  }

  @Test
  void aDisabledServiceIgnoresEveryRequestWithItsReason() {
    EventOutcome outcome =
        RequestEventService.disabled("BUILD_RECORDS_TABLE is not set")
            .handle(request("queued-pull-request.json"));

    assertThat(outcome).isEqualTo(new EventOutcome.Ignored("BUILD_RECORDS_TABLE is not set"));
  }

  @Test
  void throwsWhenTheBuildRecordCannotBeReadAndPostsNothing() {
    BuildRecordLookup broken =
        key -> {
          throw new BuildRecordLookup.UnreadableRecordException(
              "build record build/k in table t: attribute state is missing", null);
        };

    assertThatThrownBy(() -> service(broken).handle(request("queued-pull-request.json")))
        .hasMessage("build record build/k in table t: attribute state is missing");
    verifyNoInteractions(reporter);
  }

  @Test
  void throwsWhenPagureDoesNotTakeTheQueuedFlag() {
    FakeRecords records = new FakeRecords(Optional.empty());
    doThrow(new ReportFailedException("pagure did not accept POST", 500, true, null))
        .when(reporter)
        .report(any());

    assertThatThrownBy(() -> service(records).handle(request("queued-pull-request.json")))
        .isInstanceOf(ReportFailedException.class);
    assertThat(records.reads).hasSize(1);
  }

  @Test
  void aDroppedSupersededRequestEndsItsFlagCanceledOnTheBuildsOwnFlag() {
    FakeRecords records = new FakeRecords(Optional.empty());
    RequestEvent r = request("canceled-superseded.json");

    EventOutcome outcome = service(records).handle(r);

    verify(reporter).report(posted.capture());
    Flag canceled = posted.getValue().flag();
    assertThat(canceled)
        .isEqualTo(
            new Flag(
                "pagure-ci/build",
                "build · canceled — superseded by 5b7fb6a (not built)",
                "https://pagure.example.org/demo/pull-request/1",
                FlagStatus.CANCELED,
                null,
                FlagUid.of(
                    BuildSystem.CODEBUILD, "eu-west-1", ACCOUNT, "pagure-ci-demo", Fixtures.SHA)));
    assertThat(outcome).isEqualTo(new EventOutcome.Posted(posted.getValue()));
    assertThat(records.reads).as("no second look: nothing of it will start").hasSize(1);
  }

  @Test
  void aCanceledRequestWhoseKeyStartedAnywayLeavesTheBuildsFlag() {
    RequestEvent r = request("canceled-superseded.json");

    EventOutcome outcome = service(new FakeRecords(Optional.of(STARTED))).handle(r);

    assertThat(outcome).isInstanceOf(EventOutcome.Ignored.class);
    verifyNoInteractions(reporter);
  }

  @Test
  void aCanceledRequestWithAReasonTheWorkerNeverWritesIsMalformed() {
    assertThat(parse("pagure-ci-aws/canceled-superseded.bad-reason.json"))
        .isInstanceOf(ParsedEvent.Unusable.class);
  }

  @Test
  void aBuildTheWorkerStoppedSaysWhyFromItsRecord() {
    startedRecord =
        key ->
            Optional.of(
                new BuildRecord(
                    BuildRecord.State.STARTED,
                    BuildSystem.CODEBUILD,
                    BUILD_ID,
                    "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
                    null,
                    "superseded by 5b7fb6a"));

    builds(Set.of("pagure-ci-demo"))
        .handle(((ParsedEvent.Usable) parse("codebuild/state-stopped.json")).event());

    verify(reporter).report(posted.capture());
    assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.CANCELED);
    assertThat(posted.getValue().flag().comment())
        .startsWith("build · canceled — superseded by 5b7fb6a (stopped");
  }

  @Test
  void aStoppedBuildWithoutAReasonOrWithAForeignOneReadsAsBefore() {
    for (String reason : new String[] {null, "rm -rf / <b>"}) {
      startedRecord =
          key ->
              Optional.of(
                  new BuildRecord(
                      BuildRecord.State.STARTED,
                      BuildSystem.CODEBUILD,
                      BUILD_ID,
                      "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
                      null,
                      reason));
      org.mockito.Mockito.clearInvocations(reporter);

      builds(Set.of("pagure-ci-demo"))
          .handle(((ParsedEvent.Usable) parse("codebuild/state-stopped.json")).event());

      verify(reporter).report(posted.capture());
      assertThat(posted.getValue().flag().comment()).startsWith("build · stopped");
    }
  }
}
