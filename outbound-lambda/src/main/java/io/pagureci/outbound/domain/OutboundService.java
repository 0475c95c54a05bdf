package io.pagureci.outbound.domain;

import java.util.Map;
import java.util.Optional;

/**
 * Turns one build event into at most one pagure status. Never stale: a non-terminal event is
 * confirmed with the build service first, and when the build has finished by then the final status
 * is posted instead. Terminal CodeBuild events are posted as they are (no status call); pipeline
 * events always need one ({@code GetPipelineExecution}) because the variables are only there. After
 * posting a non-terminal status the build is looked up once more, and if it finished meanwhile its
 * final status is posted, so a concurrent invocation with the final event can never be overwritten
 * for good.
 *
 * <p>Only builds this stack started are posted ({@link BuildProvenance}: the event's account, and
 * the build record named by {@code PAGURE_BUILD_KEY} must name this build); the check comes before
 * any status call, except for pipelines, whose variables (and so the build key) are only in the
 * execution.
 */
public final class OutboundService {
  private final Scope scope;
  private final FlagMapper mapper;
  private final FlagReporter reporter;
  private final BuildStatusLookup codeBuild;
  private final BuildStatusLookup codePipeline;
  private final BuildProvenance provenance;
  private final LogCommentService comments;

  /**
   * @param provenance which builds this stack started (checked before anything is posted or looked
   *     up, except the pipeline execution that holds a pipeline's variables)
   * @param comments posts a failed PR build's log tail ({@code LOG_ACCESS=…,comment}), or {@code
   *     null} (no comments)
   */
  public OutboundService(
      Scope scope,
      BuildProvenance provenance,
      FlagMapper mapper,
      FlagReporter reporter,
      BuildStatusLookup codeBuild,
      BuildStatusLookup codePipeline,
      LogCommentService comments) {
    this.comments = comments;
    this.scope = scope;
    this.provenance = provenance;
    this.mapper = mapper;
    this.reporter = reporter;
    this.codeBuild = codeBuild;
    this.codePipeline = codePipeline;
  }

  /**
   * Handles one event: returns {@link EventOutcome.Posted} or {@link EventOutcome.Ignored}; throws
   * when the status could not be delivered (or the build could not be looked up), so that Lambda
   * retries.
   */
  public EventOutcome handle(BuildEvent event) {
    return handle(event, null);
  }

  /**
   * {@link #handle(BuildEvent)} for the delivery {@code deliveryId} (logged on every line); {@code
   * null}: the build's own {@code PAGURE_DELIVERY_ID} variable, if it has one.
   */
  EventOutcome handle(BuildEvent event, String deliveryId) {
    BuildRef ref = event.ref();
    String delivery = deliveryId != null ? deliveryId : PagureBuild.deliveryId(event.variables());
    if (!scope.handles(ref)) {
      return ignore(event, delivery, null, Scope.notConfigured(ref.system(), ref.target()));
    }
    Optional<String> foreign = provenance.foreignAccount(ref);
    if (foreign.isPresent()) {
      return ignore(event, delivery, null, foreign.get());
    }
    BuildState state = event.state();
    Map<String, String> variables = event.variables();
    BuildSnapshot snapshot = null;
    if (ref.system() == BuildSystem.CODEPIPELINE) {
      snapshot = current(codePipeline, event, delivery);
      variables = snapshot.variables();
      if (delivery == null) {
        delivery = PagureBuild.deliveryId(variables);
      }
    }
    if (!PagureBuild.present(variables)) {
      return ignore(
          event, delivery, null, "no PAGURE_* variables: not a build this project started");
    }
    PagureBuild build;
    try {
      build = PagureBuild.from(variables);
    } catch (IllegalArgumentException e) {
      return ignore(event, delivery, null, "unusable PAGURE_* variables: " + e.getMessage());
    }
    if (!build.instance().equals(scope.pagureUrl())) {
      return ignore(
          event,
          delivery,
          build,
          "PAGURE_INSTANCE " + build.instance() + " is not the configured PAGURE_URL");
    }
    BuildProvenance.Verdict verdict = check(event, delivery, build, variables);
    if (verdict.refusal().isPresent()) {
      return ignore(event, delivery, build, verdict.refusal().get());
    }
    // the worker writes why it stops a build into its record before the stop (docs/queue.md §5)
    String cancelReason = verdict.record() == null ? null : verdict.record().cancelReason();
    if (ref.system() == BuildSystem.CODEBUILD) {
      if (!state.finished()) {
        state = current(codeBuild, event, delivery).state().withFactsFrom(event.state());
      }
    } else if (!state.finished() || snapshot.state().finished()) {
      state = snapshot.state().withFactsFrom(event.state());
    }
    FlagUpdate update =
        new FlagUpdate(build, ref, state, mapper.flagFor(build, ref, state, cancelReason));
    report(event, delivery, update);
    if (comments != null && event.state().finished()) {
      // only the terminal state event itself: it names the log group and stream, and it is
      // delivered at least once (a running event that finds the build finished leaves it to it)
      comments.handle(event, delivery, update);
    }
    if (!state.finished()) {
      // Close the check-then-post race with a concurrent invocation carrying the final event:
      // if the build finished while this pending status was on its way, the final one may
      // already have been posted and overwritten. The build service reports "finished"
      // before EventBridge emits the final event, so a second look after the post sees it.
      BuildSnapshot after =
          current(
              ref.system() == BuildSystem.CODEBUILD ? codeBuild : codePipeline, event, delivery);
      if (after.state().finished()) {
        BuildState finalState = after.state().withFactsFrom(state);
        FlagUpdate last =
            new FlagUpdate(
                build, ref, finalState, mapper.flagFor(build, ref, finalState, cancelReason));
        report(event, delivery, last);
        return new EventOutcome.Posted(last);
      }
    }
    return new EventOutcome.Posted(update);
  }

  private void report(BuildEvent event, String delivery, FlagUpdate update) {
    try {
      reporter.report(update);
    } catch (RuntimeException e) {
      DecisionLog.failed(event.eventId(), delivery, update.ref(), update.build(), e);
      throw e;
    }
    DecisionLog.posted(event.eventId(), delivery, update);
  }

  private BuildProvenance.Verdict check(
      BuildEvent event, String delivery, PagureBuild build, Map<String, String> variables) {
    try {
      return provenance.check(event.ref(), variables);
    } catch (RuntimeException e) {
      DecisionLog.failed(event.eventId(), delivery, event.ref(), build, e);
      throw e;
    }
  }

  private static BuildSnapshot current(
      BuildStatusLookup lookup, BuildEvent event, String delivery) {
    try {
      return lookup
          .lookup(event.ref())
          .orElseThrow(
              () ->
                  new BuildNotFoundException(
                      event.ref().system().label() + " does not know build " + event.ref().id()));
    } catch (RuntimeException e) {
      DecisionLog.failed(event.eventId(), delivery, event.ref(), null, e);
      throw e;
    }
  }

  private static EventOutcome ignore(
      BuildEvent event, String delivery, PagureBuild build, String reason) {
    DecisionLog.ignored(event.eventId(), delivery, event.ref(), build, reason);
    return new EventOutcome.Ignored(reason);
  }

  /** The build service does not know the build an event named; thrown so that Lambda retries. */
  public static final class BuildNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BuildNotFoundException(String message) {
      super(message);
    }
  }
}
