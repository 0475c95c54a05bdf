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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Captor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

@ExtendWith(MockitoExtension.class)
class OutboundServiceTest {
    private static final String PAGURE = "https://pagure.example.org/";

    @Mock
    FlagReporter reporter;
    @Mock
    BuildStatusLookup codeBuild;
    @Mock
    BuildStatusLookup codePipeline;
    @Captor
    ArgumentCaptor<FlagUpdate> posted;

    private OutboundService service(Set<String> projects, Set<String> pipelines) {
        return new OutboundService(new Scope(PAGURE, projects, pipelines), new FlagMapper(null, new BuildUrls(null)),
                reporter, codeBuild, codePipeline);
    }

    private OutboundService service() {
        return service(Set.of(), Set.of());
    }

    private static BuildEvent event(String fixture) {
        ParsedEvent parsed = new EventBridgeEventParser().parse(
                new ByteArrayInputStream(Fixtures.event(fixture).getBytes(StandardCharsets.UTF_8)));
        return ((ParsedEvent.Usable) parsed).event();
    }

    private static Map<String, String> pagureVars() {
        return new HashMap<>(event("codebuild/state-succeeded.json").variables());
    }

    @Test
    void postsATerminalCodeBuildEventWithoutAskingCodeBuild() {
        Outcome outcome = service().handle(event("codebuild/state-succeeded.json"));

        verify(reporter).report(posted.capture());
        verifyNoInteractions(codeBuild, codePipeline);
        assertThat(outcome).isInstanceOf(Outcome.Posted.class);
        FlagUpdate u = posted.getValue();
        assertThat(u.flag().status()).isEqualTo(FlagStatus.SUCCESS);
        assertThat(u.flag().comment()).isEqualTo("CodeBuild pagure-ci-demo #42: SUCCEEDED");
        assertThat(u.build().project()).isEqualTo("demo");
        assertThat(u.build().commit()).isEqualTo(Fixtures.SHA);
        assertThat(u.build().prId()).isEqualTo(1L);
    }

    @Test
    void confirmsARunningEventAndPostsTheCurrentPhase() {
        BuildEvent e = event("codebuild/state-in-progress.json");
        when(codeBuild.lookup(e.ref())).thenReturn(Optional.of(new BuildSnapshot(
                new BuildState(false, "IN_PROGRESS", "PRE_BUILD", List.of(), 42L), e.variables())));

        service().handle(e);

        verify(reporter).report(posted.capture());
        assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.PENDING);
        assertThat(posted.getValue().flag().comment()).isEqualTo("CodeBuild pagure-ci-demo #42: PRE_BUILD");
    }

    @Test
    void aBuildThatFinishesWhileItsPendingFlagIsPostedEndsWithTheFinalFlag() {
        // the concurrent invocation with SUCCEEDED may have posted between our look-up and our post
        BuildEvent e = event("codebuild/state-in-progress.json");
        when(codeBuild.lookup(e.ref())).thenReturn(
                Optional.of(new BuildSnapshot(new BuildState(false, "IN_PROGRESS", "BUILD", List.of(), 42L), e.variables())),
                Optional.of(new BuildSnapshot(new BuildState(true, "SUCCEEDED", "COMPLETED", List.of(), 42L), e.variables())));

        Outcome outcome = service().handle(e);

        verify(reporter, times(2)).report(posted.capture());
        assertThat(posted.getAllValues()).extracting(u -> u.flag().status())
                .containsExactly(FlagStatus.PENDING, FlagStatus.SUCCESS);
        assertThat(((Outcome.Posted) outcome).update().flag().status()).isEqualTo(FlagStatus.SUCCESS);
    }

    @Test
    void postsTheFinalStatusWhenARunningEventArrivesAfterTheBuildFinished() {
        BuildEvent late = event("codebuild/phase-pre-build-completed.json");
        when(codeBuild.lookup(late.ref())).thenReturn(Optional.of(new BuildSnapshot(
                new BuildState(true, "FAILED", "COMPLETED", List.of(new PhaseResult("BUILD", "FAILED")), 42L),
                late.variables())));

        service().handle(late);

        verify(reporter).report(posted.capture());
        assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.FAILURE);
    }

    @Test
    void throwsWhenCodeBuildDoesNotKnowTheBuildOfARunningEvent() {
        BuildEvent e = event("codebuild/state-in-progress.json");
        when(codeBuild.lookup(e.ref())).thenReturn(Optional.empty());

        assertThatThrownBy(() -> service().handle(e)).isInstanceOf(OutboundService.BuildNotFoundException.class);
        verifyNoInteractions(reporter);
    }

    @Test
    void ignoresBuildsWithoutPagureVariables() {
        Outcome outcome = service().handle(event("codebuild/state-succeeded-foreign-build.json"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Ignored.class,
                i -> assertThat(i.reason()).contains("no PAGURE_* variables"));
        verifyNoInteractions(reporter, codeBuild);
    }

    @Test
    void ignoresProjectsThatAreNotConfigured() {
        Outcome outcome = service(Set.of("other-project"), Set.of()).handle(event("codebuild/state-succeeded.json"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Ignored.class,
                i -> assertThat(i.reason()).contains("'pagure-ci-demo' is not configured"));
        verifyNoInteractions(reporter, codeBuild);
    }

    @Test
    void ignoresBuildsOfAnotherPagureInstance() {
        OutboundService service = new OutboundService(new Scope("https://other.example.org/", Set.of(), Set.of()),
                new FlagMapper(null, new BuildUrls(null)), reporter, codeBuild, codePipeline);

        Outcome outcome = service.handle(event("codebuild/state-succeeded.json"));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Ignored.class,
                i -> assertThat(i.reason()).contains("PAGURE_INSTANCE"));
        verifyNoInteractions(reporter);
    }

    @Test
    void ignoresBuildsWithUnusablePagureVariables() {
        BuildEvent good = event("codebuild/state-succeeded.json");
        Map<String, String> vars = pagureVars();
        vars.put("PAGURE_COMMIT", "../../etc/passwd");
        BuildEvent bad = new BuildEvent(good.ref(), good.state(), vars, good.eventId());

        assertThat(service().handle(bad)).isInstanceOfSatisfying(Outcome.Ignored.class,
                i -> assertThat(i.reason()).contains("PAGURE_COMMIT"));
        verifyNoInteractions(reporter);
    }

    @Test
    void readsPipelineVariablesFromTheExecution() {
        BuildEvent e = event("codepipeline/execution-started.json");
        Map<String, String> vars = pagureVars();
        vars.put("PAGURE_PR_UID", "-");
        when(codePipeline.lookup(e.ref())).thenReturn(Optional.of(new BuildSnapshot(
                new BuildState(false, "IN_PROGRESS", null, List.of(), null), vars)));

        service().handle(e);

        verify(reporter).report(posted.capture());
        assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.PENDING);
        assertThat(posted.getValue().flag().username()).isEqualTo("AWS CodePipeline");
        assertThat(posted.getValue().build().prUid()).isNull();
        verifyNoInteractions(codeBuild);
    }

    @Test
    void aTerminalPipelineEventWinsOverALaggingRunningExecution() {
        BuildEvent e = event("codepipeline/execution-succeeded.json");
        when(codePipeline.lookup(e.ref())).thenReturn(Optional.of(new BuildSnapshot(
                new BuildState(false, "IN_PROGRESS", null, List.of(), null), pagureVars())));

        service().handle(e);

        verify(reporter).report(posted.capture());
        assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.SUCCESS);
    }

    @Test
    void aLateStartedPipelineEventPostsTheFinishedExecutionsStatus() {
        BuildEvent e = event("codepipeline/execution-started.json");
        when(codePipeline.lookup(e.ref())).thenReturn(Optional.of(new BuildSnapshot(
                new BuildState(true, "SUPERSEDED", null, List.of(), null), pagureVars())));

        service().handle(e);

        verify(reporter).report(posted.capture());
        assertThat(posted.getValue().flag().status()).isEqualTo(FlagStatus.CANCELED);
    }

    @Test
    void ignoresPipelinesThatAreNotConfiguredWithoutCallingCodePipeline() {
        Outcome outcome = service(Set.of(), Set.of("release")).handle(event("codepipeline/execution-started.json"));

        assertThat(outcome).isInstanceOf(Outcome.Ignored.class);
        verifyNoInteractions(codePipeline, reporter);
    }

    @Test
    void rethrowsWhenPagureDoesNotTakeTheFlag() {
        doThrow(new ReportFailedException("pagure rejected", 404, false, null)).when(reporter).report(any());

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

        assertThat(log).contains("{\"decision\":\"posted\",\"event\":\"" + e.eventId()
                + "\",\"deliveryId\":\"b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d\",\"system\":\"codebuild\"");
    }

    @Test
    void aBuildWithoutADeliveryIdIsLoggedWithoutOne() {
        String log = logOf(() -> service().handle(event("codebuild/state-succeeded.json")));

        assertThat(log).contains("\"decision\":\"posted\"").doesNotContain("\"deliveryId\"");
    }
}
