package io.pagureci.outbound.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.outbound.domain.BuildEvent;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagStatus;
import io.pagureci.outbound.domain.PhaseResult;
import io.pagureci.outbound.domain.RequestEvent;
import io.pagureci.outbound.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventBridgeEventParserTest {
  /**
   * Bad twins whose fault is relative to the configuration (another pagure, target or account):
   * they parse, and the decision ignores them (RequestEventServiceTest, OutboundHandlerTest). Every
   * other bad twin is dropped here.
   */
  static final Set<String> IGNORED_BY_THE_DECISION =
      Set.of(
          "pagure-ci-aws/queued-pull-request.bad-foreign-instance.json",
          "pagure-ci-aws/queued-pull-request.bad-foreign-account.json",
          "pagure-ci-aws/error-head-moved.bad-foreign-target.json");

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
    assertThat(e.variables())
        .containsEntry("PAGURE_COMMIT", Fixtures.SHA)
        .containsEntry("PAGURE_PROJECT", "demo")
        .containsEntry("PAGURE_PR_ID", "1")
        .doesNotContainKey("DEPLOY_KEY");
  }

  @ParameterizedTest(name = "{0}: {1} .. {2}")
  @CsvSource({
    // finished: build-start-time .. the COMPLETED phase's start
    "codebuild/state-succeeded.json, 2026-11-27T12:28:00Z, 2026-11-27T12:28:30Z",
    "codebuild/state-failed-in-build.json, 2026-11-27T12:28:00Z, 2026-11-27T12:29:31Z",
    "codebuild/state-timed-out.json, 2026-11-27T12:28:00Z, 2026-11-27T13:28:31Z",
    // running: .. the event's time, or a later phase time
    "codebuild/state-in-progress.json, 2026-11-27T12:28:00Z, 2026-11-27T12:28:41Z",
    "codebuild/phase-pre-build-completed.json, 2026-11-27T12:28:00Z, 2026-11-27T12:29:04Z",
    // pipelines: detail.start-time .. the event's time
    "codepipeline/execution-succeeded.json, 2026-11-27T12:40:00.125Z, 2026-11-27T12:46:12Z",
    "codepipeline/execution-started.json, 2026-11-27T12:40:00.125Z, 2026-11-27T12:40:00Z",
  })
  void readsTheBuildsOwnTimes(String fixture, String started, String at) {
    BuildEvent e = usable(fixture);

    assertThat(e.state().started()).isEqualTo(Instant.parse(started));
    assertThat(e.state().at()).isEqualTo(Instant.parse(at));
  }

  @Test
  void readsWhereTheBuildsLogIsAndNothingForAnInvalidName() {
    BuildEvent e = usable("codebuild/state-failed-in-build.json");
    assertThat(e.logs())
        .isEqualTo(
            new io.pagureci.outbound.domain.BuildLogs(
                "/aws/codebuild/pagure-ci-demo", "6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44"));
    String bad =
        Fixtures.event("codebuild/state-failed-in-build.json")
            .replace("\"stream-name\": \"6f1c", "\"stream-name\": \"a:*6f1c");
    ParsedEvent parsed =
        new EventBridgeEventParser()
            .parse(new java.io.ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)));
    assertThat(((ParsedEvent.Usable) parsed).event().logs()).isNull();
    assertThat(usable("codebuild/phase-pre-build-completed.json").logs()).isNotNull();
  }

  @Test
  void readsEveryPhasesStartAndEnd() {
    BuildEvent e = usable("codebuild/state-failed-in-build.json");

    assertThat(e.state().phases().get(6))
        .isEqualTo(
            new PhaseResult(
                "BUILD",
                "FAILED",
                Instant.parse("2026-11-27T12:28:18Z"),
                Instant.parse("2026-11-27T12:29:00Z")));
    assertThat(e.state().phases().getLast().end()).isNull();
  }

  @Test
  void missingOrUnreadableTimesAreUnknownNotGuessed() {
    String text =
        Fixtures.event("codebuild/state-succeeded.json")
            .replace(
                "\"build-start-time\": \"Nov 27, 2026 12:28:00 PM\"",
                "\"build-start-time\": \"soon\"")
            .replaceAll("\"start-time\": \"[^\"]*\"", "\"start-time\": \"27/11/2026\"")
            .replaceAll("\"end-time\": \"[^\"]*\",?", "")
            .replace("\"time\": \"2026-11-27T12:31:10Z\"", "\"time\": 17");
    ParsedEvent parsed = parse(text);

    assertThat(parsed).isInstanceOf(ParsedEvent.Usable.class);
    BuildEvent e = ((ParsedEvent.Usable) parsed).event();
    assertThat(e.state().started()).isNull();
    assertThat(e.state().at()).isNull();
    assertThat(e.state().elapsed()).isNull();
  }

  @Test
  void codeBuildTimesAreUtcInEnglish() {
    assertThat(EventBridgeEventParser.codeBuildTime("Sep 1, 2017 4:12:29 PM"))
        .isEqualTo(Instant.parse("2017-09-01T16:12:29Z"));
    assertThat(EventBridgeEventParser.codeBuildTime("Dec 31, 2026 12:00:00 AM"))
        .isEqualTo(Instant.parse("2026-12-31T00:00:00Z"));
    assertThat(EventBridgeEventParser.codeBuildTime("2017-09-01T16:12:29Z")).isNull();
    assertThat(EventBridgeEventParser.isoTime("2026-11-27T12:40:00.125Z"))
        .isEqualTo(Instant.parse("2026-11-27T12:40:00.125Z"));
    assertThat(EventBridgeEventParser.isoTime("Nov 27, 2026 12:28:00 PM")).isNull();
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

  /** Every fixture file under events/eventbridge/. */
  static List<String> fixtures() throws Exception {
    Path root =
        Path.of(EventBridgeEventParserTest.class.getResource("/events/eventbridge").toURI());
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(f -> f.toString().endsWith(".json"))
          .map(f -> root.relativize(f).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  static List<String> badTwins() throws Exception {
    return fixtures().stream()
        .filter(f -> f.contains(".bad-") && !IGNORED_BY_THE_DECISION.contains(f))
        .toList();
  }

  @ParameterizedTest
  @MethodSource("badTwins")
  void dropsEveryBadTwinWithAReason(String fixture) {
    ParsedEvent parsed = parse(Fixtures.event(fixture));

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedEvent.Unusable.class, u -> assertThat(u.reason()).isNotBlank());
  }

  @Test
  void theBadTwinsLeftToTheDecisionExistAndParse() throws Exception {
    assertThat(fixtures()).containsAll(IGNORED_BY_THE_DECISION);
    for (String f : IGNORED_BY_THE_DECISION) {
      assertThat(parse(Fixtures.event(f))).as(f).isInstanceOf(ParsedEvent.Request.class);
    }
  }

  @Test
  void everyGoodFixtureIsUsableAndHasABadTwinNextToIt() throws Exception {
    List<String> all = fixtures();
    List<String> good = all.stream().filter(f -> !f.contains(".bad-")).toList();

    assertThat(good).hasSizeGreaterThanOrEqualTo(12);
    for (String g : good) {
      assertThat(parse(Fixtures.event(g)))
          .as(g)
          .isInstanceOfAny(ParsedEvent.Usable.class, ParsedEvent.Request.class);
      String stem = g.substring(0, g.length() - ".json".length());
      assertThat(all).as("bad twin of " + g).anyMatch(f -> f.startsWith(stem + ".bad-"));
    }
  }

  @Test
  void dropsAnUnknownDetailTypeNamingIt() {
    ParsedEvent parsed =
        parse(Fixtures.event("codepipeline/execution-started.bad-stage-event.json"));

    assertThat(parsed)
        .isEqualTo(
            new ParsedEvent.Unusable(
                "7d3e1a2b-6666-4f5e-8a9b-0c1d2e3f4a06",
                "CodePipeline Stage Execution State Change",
                "unsupported detail-type"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "null",
        "42",
        "{\"detail-type\": \"CodeBuild Build State Change\"}",
        "{\"a\": 1, \"a\": 2}",
        "{} {}"
      })
  void dropsMalformedInput(String text) {
    assertThat(parse(text)).isInstanceOf(ParsedEvent.Unusable.class);
  }

  private RequestEvent request(String text) {
    ParsedEvent parsed = parse(text);
    assertThat(parsed).isInstanceOf(ParsedEvent.Request.class);
    return ((ParsedEvent.Request) parsed).event();
  }

  private Object dropReason(String text) {
    ParsedEvent parsed = parse(text);
    assertThat(parsed).isInstanceOf(ParsedEvent.Unusable.class);
    return ((ParsedEvent.Unusable) parsed).reason();
  }

  @Test
  void readsAQueuedRequestEvent() {
    RequestEvent r = request(Fixtures.event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(r.eventId()).isEqualTo("5a1b2c3d-1111-4e5f-8a9b-0c1d2e3f4a51");
    assertThat(r.deliveryId()).isEqualTo("b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d");
    assertThat(r.state()).isEqualTo(RequestEvent.State.QUEUED);
    assertThat(r.buildKey())
        .isEqualTo("3f9c2a7e5b1d4c8f0a6e2b9d7c5a3f1e8b4d6c0a2e9f7b5d3c1a8e6f4b2d0c9a");
    assertThat(r.system()).isEqualTo(BuildSystem.CODEBUILD);
    assertThat(r.target()).isEqualTo("pagure-ci-demo");
    assertThat(r.region()).isEqualTo("eu-west-1");
    assertThat(r.account()).isEqualTo("123456789012");
    assertThat(r.build().instance()).isEqualTo(Fixtures.FIXTURE_INSTANCE);
    assertThat(r.build().project()).isEqualTo("demo");
    assertThat(r.build().commit()).isEqualTo(Fixtures.SHA);
    assertThat(r.build().prId()).isEqualTo(1L);
    assertThat(r.variables()).hasSize(11).containsEntry("PAGURE_SOURCE_PROJECT", "forks/bob/demo");
    assertThat(r.code()).isNull();
    assertThat(r.reason()).isNull();
    assertThat(r.retry()).isNull();
  }

  @Test
  void readsAnErrorRequestEvent() {
    RequestEvent r = request(Fixtures.event("pagure-ci-aws/error-push-commit-not-found.json"));

    assertThat(r.state()).isEqualTo(RequestEvent.State.ERROR);
    assertThat(r.code()).isEqualTo("COMMIT_NOT_FOUND");
    assertThat(r.reason())
        .isEqualTo("the pushed commit did not show up in the repository in time.");
    assertThat(r.retry())
        .as("the worker writes no retry phrase for a push (RequestEvent.error): still usable")
        .isNull();
    assertThat(r.attempts()).isEqualTo(8);
    assertThat(r.build().project()).isEqualTo("rpms/widget");
    assertThat(r.build().prId()).isNull();
  }

  @Test
  void readsAPipelineTarget() {
    RequestEvent r = request(Fixtures.event("pagure-ci-aws/queued-push-pipeline.json"));

    assertThat(r.system()).isEqualTo(BuildSystem.CODEPIPELINE);
    assertThat(r.target()).isEqualTo("pagure-ci-pipeline");
  }

  @Test
  void aDroppedRequestEventStillNamesItsDelivery() {
    ParsedEvent parsed =
        parse(Fixtures.event("pagure-ci-aws/queued-pull-request.bad-build-key.json"));

    assertThat(parsed)
        .isEqualTo(
            new ParsedEvent.Unusable(
                "5a1b2c3d-1111-4e5f-8a9b-0c1d2e3f4a51",
                "Build Request State Change",
                "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
                "detail.buildKey is not 64 lower-case hex digits"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "queued-pull-request.bad-source.json|source is not pagure-ci-aws",
        "queued-pull-request.bad-build-key.json|detail.buildKey is not 64 lower-case hex digits",
        "error-head-moved.bad-state.json|detail.state is not QUEUED, ERROR, AWAITING_APPROVAL or CANCELED",
        "queued-push-pipeline.bad-missing-variables.json|detail.variables is missing or not an object",
        "error-push-commit-not-found.bad-no-reason.json|detail.reason is missing or not a string",
        "awaiting-approval-pull-request.bad-no-retry.json|detail.retry is missing or not a string",
        "canceled-superseded.bad-reason.json|detail.reason of CANCELED is not 'superseded by <short sha>', 'PR closed' or 'PR merged'",
      })
  void dropsEachRequestBadTwinForItsFault(String fixture, String reason) {
    assertThat(dropReason(Fixtures.event("pagure-ci-aws/" + fixture))).isEqualTo(reason);
  }

  /** One good event, one field changed. */
  private static String queued(String from, String to) {
    String good = Fixtures.event("pagure-ci-aws/queued-pull-request.json");
    assertThat(good).contains(from);
    return good.replace(from, to);
  }

  private static String error(String from, String to) {
    String good = Fixtures.event("pagure-ci-aws/error-head-moved.json");
    assertThat(good).contains(from);
    return good.replace(from, to);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "\"deliveryId\": \"b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d\"|\"deliveryId\": \"b3a4 c1d2\"|detail.deliveryId is not a request id",
        "\"deliveryId\": \"b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d\"|\"deliveryId\": 7|detail.deliveryId is missing or not a string",
        "\"system\": \"codebuild\"|\"system\": \"jenkins\"|detail.target.system is not codebuild or codepipeline",
        "\"name\": \"pagure-ci-demo\"|\"name\": \"pagure ci/demo\"|detail.target.name is not a valid CodeBuild name",
        "\"PAGURE_COMMIT\": \"ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e\"|\"PAGURE_COMMIT\": \"HEAD\"|detail.variables: PAGURE_COMMIT is not a full lower-case sha",
        "\"PAGURE_PR_ID\": \"1\"|\"PAGURE_PR_ID\": 1|detail.variables.PAGURE_PR_ID is not a string",
        "\"PAGURE_PROJECT\": \"demo\"|\"PAGURE_PROJECT\": \"../demo\"|detail.variables: PAGURE_PROJECT is not a pagure project fullname",
        "\"account\": \"123456789012\"|\"account\": \"1234\"|account is not a 12-digit id",
        "\"account\": \"123456789012\",|\"_account\": \"-\",|no account",
        "\"region\": \"eu-west-1\"|\"region\": \"mars\"|no valid region",
        "\"state\": \"QUEUED\"|\"state\": \"queued\"|detail.state is not QUEUED, ERROR, AWAITING_APPROVAL or CANCELED",
      })
  void dropsAMalformedQueuedEvent(String from, String to, String reason) {
    assertThat(dropReason(queued(from, to))).isEqualTo(reason);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "\"code\": \"HEAD_MOVED\"|\"code\": \"head moved\"|detail.code is not a reason code (A-Z, 0-9, _)",
        "\"code\": \"HEAD_MOVED\",|\"_code\": 1,|detail.code is missing or not a string",
        "\"retry\": \"pretty please pagure-ci rebuild\",|\"retry\": \" \",|detail.retry is missing or not a string",
        "\"reason\": \"the pull request's head moved on before the build could start.\"|\"reason\": \"...\"|detail.reason says nothing",
        "\"attempts\": 1|\"attempts\": 0|detail.attempts is not a positive integer",
        "\"attempts\": 1|\"attempts\": \"1\"|detail.attempts is not a positive integer",
      })
  void dropsAMalformedErrorEvent(String from, String to, String reason) {
    assertThat(dropReason(error(from, to))).isEqualTo(reason);
  }

  @Test
  void makesTheReasonOneLineAndCutsALongOne() {
    String reason = "the pull request's head\\n\\tmoved on " + "and on ".repeat(60) + "- end";
    RequestEvent r =
        request(error("the pull request's head moved on before the build could start.", reason));

    assertThat(r.reason())
        .startsWith("the pull request's head moved on and on ")
        .endsWith("…")
        .doesNotContain("\n", "\t", "  ");
    assertThat(r.reason().codePointCount(0, r.reason().length()))
        .isLessThanOrEqualTo(EventBridgeEventParser.MAX_REASON_CHARS);
  }

  @Test
  void refusesARetryPhraseTooLongToQuote() {
    assertThat(dropReason(error("pretty please pagure-ci rebuild", "x".repeat(201))))
        .isEqualTo("detail.retry is longer than 200 characters");
  }

  @Test
  void aQueuedEventNeedsNoErrorFields() {
    RequestEvent r =
        request(queued("\"state\": \"QUEUED\"", "\"state\": \"QUEUED\", \"code\": \"x y\""));

    assertThat(r.code()).isNull();
  }
}
