package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For random builds, every delivery order with duplicates of their events leaves pagure with the
 * build's true final status, and a terminal flag is never replaced by another status.
 */
class NeverStalePropertyTest {
  private static final String PAGURE = "https://pagure.example.org/";
  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";
  private static final String BUILD_KEY =
      "3f9c2a7be41d5c6f8a0b9e7d2c4f6a8b1e3d5c7f9a2b4d6e8f0a1c3e5b7d9f2a";

  /** How a build ends. */
  record Ending(
      BuildSystem system,
      String status,
      String failedPhase,
      String phaseStatus,
      FlagStatus expected) {}

  /**
   * A build's true history: the events it emits, in emission order, its state at each step (what
   * the build service answers), and its final state with the true times (what the last flag must
   * say).
   */
  record Build(
      Ending ending,
      int lastPhase,
      List<BuildEvent> events,
      List<BuildState> truth,
      BuildState finalWithTimes) {}

  /** When every build starts; each CodeBuild phase takes 10 s, each pipeline step 40 s. */
  static final Instant T0 = Instant.parse("2026-11-27T12:28:00Z");

  @Provide
  Arbitrary<Build> builds() {
    Arbitrary<Ending> endings =
        Arbitraries.of(
            new Ending(BuildSystem.CODEBUILD, "SUCCEEDED", null, null, FlagStatus.SUCCESS),
            new Ending(BuildSystem.CODEBUILD, "FAILED", "BUILD", "FAILED", FlagStatus.FAILURE),
            new Ending(
                BuildSystem.CODEBUILD,
                "FAILED",
                "DOWNLOAD_SOURCE",
                "CLIENT_ERROR",
                FlagStatus.ERROR),
            new Ending(BuildSystem.CODEBUILD, "FAULT", "PROVISIONING", "FAULT", FlagStatus.ERROR),
            new Ending(
                BuildSystem.CODEBUILD, "TIMED_OUT", "BUILD", "TIMED_OUT", FlagStatus.FAILURE),
            new Ending(
                BuildSystem.CODEBUILD, "STOPPED", "PRE_BUILD", "STOPPED", FlagStatus.CANCELED),
            new Ending(BuildSystem.CODEPIPELINE, "SUCCEEDED", null, null, FlagStatus.SUCCESS),
            new Ending(BuildSystem.CODEPIPELINE, "FAILED", null, null, FlagStatus.FAILURE),
            new Ending(BuildSystem.CODEPIPELINE, "STOPPED", null, null, FlagStatus.CANCELED),
            new Ending(BuildSystem.CODEPIPELINE, "CANCELED", null, null, FlagStatus.CANCELED),
            new Ending(BuildSystem.CODEPIPELINE, "SUPERSEDED", null, null, FlagStatus.CANCELED));
    return Combinators.combine(
            endings, Arbitraries.integers().between(1, 9), Arbitraries.integers().between(1, 999))
        .as(NeverStalePropertyTest::history);
  }

  static Build history(Ending ending, int phasesRun, int number) {
    List<BuildEvent> events = new ArrayList<>();
    List<BuildState> truth = new ArrayList<>();
    List<String> all = FlagMapper.CODEBUILD_PHASES;
    BuildState finalWithTimes;
    if (ending.system() == BuildSystem.CODEBUILD) {
      BuildRef ref =
          new BuildRef(
              BuildSystem.CODEBUILD,
              "demo-ci",
              "arn:aws:codebuild:eu-west-1:123456789012:build/demo-ci:b" + number,
              "eu-west-1",
              "123456789012");
      int stop =
          ending.failedPhase() != null ? all.indexOf(ending.failedPhase()) : Math.min(phasesRun, 9);
      List<PhaseResult> done = new ArrayList<>();
      BuildState running =
          new BuildState(false, "IN_PROGRESS", "SUBMITTED", List.of(), (long) number, T0, T0);
      events.add(new BuildEvent(ref, running, vars(), "state-start"));
      truth.add(running);
      for (int i = 0; i < stop; i++) {
        done.add(new PhaseResult(all.get(i), "SUCCEEDED"));
        BuildState s =
            new BuildState(
                false,
                "IN_PROGRESS",
                all.get(i + 1),
                done,
                (long) number,
                T0,
                T0.plusSeconds(10L * (i + 1)));
        events.add(new BuildEvent(ref, s, vars(), "phase-" + all.get(i)));
        truth.add(s);
      }
      if (ending.failedPhase() != null) {
        done.add(new PhaseResult(ending.failedPhase(), ending.phaseStatus()));
      }
      done.add(new PhaseResult("COMPLETED", null));
      BuildState end =
          new BuildState(
              true,
              ending.status(),
              "COMPLETED",
              done,
              (long) number,
              T0,
              T0.plusSeconds(10L * (stop + 1)));
      events.add(new BuildEvent(ref, end, vars(), "state-end"));
      truth.add(end);
      finalWithTimes = end;
    } else {
      BuildRef ref =
          new BuildRef(
              BuildSystem.CODEPIPELINE,
              "demo-pipeline",
              "exec-" + number,
              "eu-west-1",
              "123456789012");
      // the events carry times; GetPipelineExecution (the truth) has none
      BuildState started = new BuildState(false, "STARTED", null, List.of(), null, T0, T0);
      events.add(new BuildEvent(ref, started, Map.of(), "started"));
      truth.add(new BuildState(false, "IN_PROGRESS", null, List.of(), null));
      if (ending.status().equals("STOPPED")) {
        events.add(
            new BuildEvent(
                ref,
                new BuildState(false, "STOPPING", null, List.of(), null, T0, T0.plusSeconds(40)),
                Map.of(),
                "stopping"));
        truth.add(new BuildState(false, "STOPPING", null, List.of(), null));
      }
      BuildState end =
          new BuildState(true, ending.status(), null, List.of(), null, T0, T0.plusSeconds(80));
      events.add(new BuildEvent(ref, end, Map.of(), "end"));
      truth.add(new BuildState(true, ending.status(), null, List.of(), null));
      finalWithTimes = end;
    }
    return new Build(ending, phasesRun, events, truth, finalWithTimes);
  }

  static Map<String, String> vars() {
    return Map.of(
        "PAGURE_INSTANCE",
        PAGURE,
        "PAGURE_PROJECT",
        "demo",
        "PAGURE_COMMIT",
        SHA,
        "PAGURE_PR_ID",
        "1",
        "PAGURE_BUILD_KEY",
        BUILD_KEY);
  }

  /** pagure in memory: the live flag per uid, checking that a terminal flag is never replaced. */
  static final class FakePagure implements FlagReporter {
    final Map<String, Flag> flags = new HashMap<>();
    FlagStatus expectedFinal;

    @Override
    public void report(FlagUpdate update) {
      Flag old = flags.get(update.flag().uid());
      if (old != null && old.status().terminal()) {
        assertThat(update.flag().status())
            .as("a terminal flag was replaced")
            .isEqualTo(old.status());
      }
      if (update.flag().status().terminal()) {
        assertThat(update.flag().status())
            .as("a terminal status that is not the build's")
            .isEqualTo(expectedFinal);
      }
      flags.put(update.flag().uid(), update.flag());
    }
  }

  /** The build service: answers with the state the build has reached by "now". */
  static final class FakeBuildService implements BuildStatusLookup {
    final Build build;
    int now;
    int calls;

    FakeBuildService(Build build) {
      this.build = build;
    }

    @Override
    public Optional<BuildSnapshot> lookup(BuildRef ref) {
      calls++;
      Map<String, String> vars =
          ref.system() == BuildSystem.CODEPIPELINE
              ? new HashMap<>(
                  Map.of(
                      "PAGURE_INSTANCE",
                      PAGURE,
                      "PAGURE_PROJECT",
                      "demo",
                      "PAGURE_COMMIT",
                      SHA,
                      "PAGURE_PR_ID",
                      "-",
                      "PAGURE_BUILD_KEY",
                      BUILD_KEY))
              : vars();
      return Optional.of(new BuildSnapshot(build.truth().get(now), vars));
    }
  }

  @Property(tries = 1000, seed = "20261127")
  void pagureEndsWithTheTrueFinalStatusWhateverTheDeliveryOrder(
      @ForAll("builds") Build build, @ForAll Random random) {
    // every event delivered at least once, some several times, in a random order
    List<Integer> deliveries = new ArrayList<>();
    for (int i = 0; i < build.events().size(); i++) {
      int copies = 1 + (random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0);
      for (int c = 0; c < copies; c++) {
        deliveries.add(i);
      }
    }
    java.util.Collections.shuffle(deliveries, random);

    FakePagure pagure = new FakePagure();
    pagure.expectedFinal = build.ending().expected();
    FakeBuildService service = new FakeBuildService(build);
    // the worker's record of this build: STARTED, naming it
    BuildRef ref = build.events().get(0).ref();
    BuildRecord record =
        new BuildRecord(BuildRecord.State.STARTED, ref.system(), ref.shortId(), null);
    BuildProvenance provenance =
        BuildProvenance.checked(
            key -> key.equals(BUILD_KEY) ? Optional.of(record) : Optional.empty(), null);
    OutboundService outbound =
        new OutboundService(
            new Scope(PAGURE, Set.of(), Set.of()),
            provenance,
            new FlagMapper(null, new BuildUrls(null)),
            pagure,
            service,
            service,
            null);

    int terminalCodeBuildDeliveries = 0;
    for (int index : deliveries) {
      // the build has at least reached the event being delivered, and may have gone further
      int last = build.truth().size() - 1;
      service.now = Math.min(last, Math.max(service.now, index) + (random.nextInt(3) == 0 ? 1 : 0));
      BuildEvent event = build.events().get(index);
      boolean terminalCodeBuild =
          event.state().finished() && event.ref().system() == BuildSystem.CODEBUILD;
      int callsBefore = service.calls;

      EventOutcome outcome = outbound.handle(event);

      assertThat(outcome).isInstanceOf(EventOutcome.Posted.class);
      if (terminalCodeBuild) {
        terminalCodeBuildDeliveries++;
        assertThat(service.calls - callsBefore)
            .as("no status call for terminal CodeBuild events")
            .isZero();
      } else {
        // one look-up before posting; one more after posting a non-terminal status
        assertThat(service.calls - callsBefore).isBetween(1, 2);
      }
    }

    String uid = FlagUid.of(build.events().get(0).ref(), SHA);
    assertThat(pagure.flags).containsOnlyKeys(uid);
    assertThat(pagure.flags.get(uid).status()).isEqualTo(build.ending().expected());
    // and says how long the build took, from the build service's times, whatever the order; a
    // pipeline whose end only its final event knows may end without a duration, never a wrong one
    BuildState end = build.finalWithTimes();
    BuildRef ref0 = build.events().get(0).ref();
    String withTime = "build · " + FlagMapper.progress(ref0, end, FlagMapper.status(end));
    if (ref0.system() == BuildSystem.CODEBUILD) {
      assertThat(pagure.flags.get(uid).comment()).isEqualTo(withTime);
    } else {
      BuildState untimed = new BuildState(true, end.status(), null, List.of(), null, null, null);
      assertThat(pagure.flags.get(uid).comment())
          .isIn(withTime, "build · " + FlagMapper.progress(ref0, untimed, FlagMapper.status(end)));
    }
    assertThat(service.calls)
        .isLessThanOrEqualTo(2 * (deliveries.size() - terminalCodeBuildDeliveries));
  }
}
