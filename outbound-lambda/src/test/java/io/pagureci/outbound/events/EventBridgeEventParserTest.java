package io.pagureci.outbound.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.outbound.domain.BuildEvent;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagStatus;
import io.pagureci.outbound.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventBridgeEventParserTest {
    private final EventBridgeEventParser parser = new EventBridgeEventParser();

    private ParsedEvent parse(String text) {
        return parser.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private BuildEvent usable(String fixture) {
        ParsedEvent parsed = parse(Fixtures.event(fixture));
        assertThat(parsed).isInstanceOf(ParsedEvent.Usable.class);
        return ((ParsedEvent.Usable) parsed).event();
    }

    @Test
    void readsACodeBuildStateChangeWithItsPagureVariables() {
        BuildEvent e = usable("codebuild/state-succeeded.json");

        assertThat(e.ref().system()).isEqualTo(BuildSystem.CODEBUILD);
        assertThat(e.ref().target()).isEqualTo("pagure-ci-demo");
        assertThat(e.ref().id()).isEqualTo(Fixtures.BUILD_ARN);
        assertThat(e.ref().region()).isEqualTo("eu-west-1");
        assertThat(e.ref().account()).isEqualTo("123456789012");
        assertThat(e.eventId()).isEqualTo("0b1e5c7a-3333-4c3e-9d1f-6a8b2c3d4e03");
        assertThat(e.state().finished()).isTrue();
        assertThat(e.state().status()).isEqualTo("SUCCEEDED");
        assertThat(e.state().buildNumber()).isEqualTo(42L);
        assertThat(e.state().phases()).hasSize(11);
        assertThat(e.variables()).containsEntry("PAGURE_COMMIT", Fixtures.SHA)
                .containsEntry("PAGURE_PROJECT", "demo")
                .containsEntry("PAGURE_PR_ID", "1")
                .doesNotContainKey("DEPLOY_KEY");
    }

    @Test
    void readsAPhaseChangeAsRunningInTheNextPhase() {
        BuildEvent e = usable("codebuild/phase-pre-build-completed.json");

        assertThat(e.state().finished()).isFalse();
        assertThat(e.state().status()).isEqualTo("IN_PROGRESS");
        assertThat(e.state().phase()).isEqualTo("BUILD");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "codebuild/state-in-progress.json, PENDING",
        "codebuild/phase-pre-build-completed.json, PENDING",
        "codebuild/state-succeeded.json, SUCCESS",
        "codebuild/state-failed-in-build.json, FAILURE",
        "codebuild/state-timed-out.json, FAILURE",
        "codebuild/state-failed-client-error.json, ERROR",
        "codebuild/state-stopped.json, CANCELED",
        "codepipeline/execution-started.json, PENDING",
        "codepipeline/execution-succeeded.json, SUCCESS",
        "codepipeline/execution-failed.json, FAILURE",
        "codepipeline/execution-superseded.json, CANCELED",
    })
    void mapsEveryGoodFixtureToItsFlagStatus(String fixture, FlagStatus expected) {
        assertThat(FlagMapper.status(usable(fixture).state())).isEqualTo(expected);
    }

    @Test
    void readsAPipelineExecutionWithoutVariables() {
        BuildEvent e = usable("codepipeline/execution-started.json");

        assertThat(e.ref().system()).isEqualTo(BuildSystem.CODEPIPELINE);
        assertThat(e.ref().target()).isEqualTo("pagure-ci-pipeline");
        assertThat(e.ref().id()).isEqualTo("4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55");
        assertThat(e.state().finished()).isFalse();
        assertThat(e.variables()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "bad/codebuild-state-without-build-id.json",
        "bad/codebuild-phase-without-completed-phase.json",
        "bad/codebuild-state-build-id-of-another-project.json",
        "bad/codebuild-state-variables-not-a-list.json",
        "bad/codepipeline-execution-without-execution-id.json",
        "bad/codepipeline-stage-event-unsupported.json",
        "bad/truncated.json",
        "bad/array-instead-of-object.json",
    })
    void dropsEveryBadTwinWithAReason(String fixture) {
        ParsedEvent parsed = parse(Fixtures.event(fixture));

        assertThat(parsed).isInstanceOfSatisfying(ParsedEvent.Unusable.class,
                u -> assertThat(u.reason()).isNotBlank());
    }

    @Test
    void dropsAnUnknownDetailTypeNamingIt() {
        ParsedEvent parsed = parse(Fixtures.event("bad/codepipeline-stage-event-unsupported.json"));

        assertThat(parsed).isEqualTo(new ParsedEvent.Unusable("7d3e1a2b-6666-4f5e-8a9b-0c1d2e3f4a06",
                "CodePipeline Stage Execution State Change", "unsupported detail-type"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "42", "{\"detail-type\": \"CodeBuild Build State Change\"}",
        "{\"a\": 1, \"a\": 2}", "{} {}"})
    void dropsMalformedInput(String text) {
        assertThat(parse(text)).isInstanceOf(ParsedEvent.Unusable.class);
    }
}
