package io.pagureci.outbound.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one request event (docs/queue.md §4) into at most one "queued", "waiting for a maintainer"
 * (both {@code pending}), "error" or "canceled" (a request dropped as superseded) flag — the flag
 * the build itself will update (same uid and username) — and never lets it overwrite what the build
 * reported:
 *
 * <ul>
 *   <li>the build record is read first; if it says STARTED, the build's own events own the flag and
 *       nothing is posted;
 *   <li>after posting "queued" or "waiting for a maintainer" the record is read again; if the build
 *       started meanwhile (a member approved), the build is looked up and its current state posted
 *       through the build-event path ({@link OutboundService}, with its own second look), so a late
 *       "queued" is never the last word.
 * </ul>
 *
 * An event for another pagure, another target, another account, or one this function cannot handle
 * (no {@code BUILD_RECORDS_TABLE}, the ci-webhook reporter) is ignored with a logged reason.
 */
public final class RequestEventService {
  private final String disabledReason;
  private final Scope scope;
  private final String accountId;
  private final FlagMapper mapper;
  private final FlagReporter reporter;
  private final BuildRecordLookup records;
  private final OutboundService builds;

  /**
   * @param accountId the function's own account ({@code ACCOUNT_ID}), or {@code null} when it is
   *     not known
   * @param builds the build-event path, for a build that started while "queued" was being posted
   */
  public RequestEventService(
      Scope scope,
      String accountId,
      FlagMapper mapper,
      FlagReporter reporter,
      BuildRecordLookup records,
      OutboundService builds) {
    this.disabledReason = null;
    this.scope = scope;
    this.accountId = accountId;
    this.mapper = mapper;
    this.reporter = reporter;
    this.records = records;
    this.builds = builds;
  }

  /** One that ignores every request event, logging {@code disabledReason}: it needs nothing. */
  private RequestEventService(String disabledReason) {
    this.disabledReason = disabledReason;
    this.scope = null;
    this.accountId = null;
    this.mapper = null;
    this.reporter = null;
    this.records = null;
    this.builds = null;
  }

  /**
   * A configuration that cannot handle request events: each one is ignored, logging {@code reason}.
   */
  public static RequestEventService disabled(String reason) {
    return new RequestEventService(reason);
  }

  /**
   * Returns {@link EventOutcome.Posted} (the last flag posted) or {@link EventOutcome.Ignored};
   * throws when the record could not be read or pagure did not take the flag, so that Lambda
   * retries.
   */
  public EventOutcome handle(RequestEvent r) {
    if (disabledReason != null) {
      return ignore(r, disabledReason);
    }
    if (!r.build().instance().equals(scope.pagureUrl())) {
      return ignore(
          r, "PAGURE_INSTANCE " + r.build().instance() + " is not the configured PAGURE_URL");
    }
    if (!scope.handles(r.system(), r.target())) {
      return ignore(r, Scope.notConfigured(r.system(), r.target()));
    }
    if (accountId != null && !accountId.equals(r.account())) {
      return ignore(
          r,
          "account "
              + r.account()
              + " is not this function's account (ACCOUNT_ID "
              + accountId
              + ")");
    }
    if (read(r).filter(BuildRecord::started).isPresent()) {
      return ignore(r, "the build record says STARTED: the build's own events own the flag");
    }
    FlagUpdate update = new FlagUpdate(r.build(), null, null, mapper.requestFlag(r));
    try {
      reporter.report(update);
    } catch (RuntimeException e) {
      DecisionLog.requestFailed(r, e);
      throw e;
    }
    DecisionLog.requestPosted(r, update.flag());
    if (r.state() == RequestEvent.State.QUEUED
        || r.state() == RequestEvent.State.AWAITING_APPROVAL) {
      // "queued" and "waiting for a maintainer" are both what a build replaces: if one started
      // while ours was on its way, its state must be the last word
      Optional<BuildRecord> after = read(r).filter(BuildRecord::started);
      if (after.isPresent()) {
        return buildStartedMeanwhile(r, after.get(), update);
      }
    }
    return new EventOutcome.Posted(update);
  }

  /**
   * The worker started the build while "queued" was on its way, and the build's own flags may
   * already be on pagure, under ours: post the build's current state (looked up) so that it is the
   * last word.
   */
  private EventOutcome buildStartedMeanwhile(
      RequestEvent r, BuildRecord record, FlagUpdate queued) {
    boolean ours =
        record.system() == r.system()
            && (r.system() != BuildSystem.CODEBUILD
                || record.buildId().startsWith(r.target() + ":")
                || record.buildId().contains(":build/" + r.target() + ":"));
    if (!ours) {
      DecisionLog.requestIgnored(
          r,
          "the build record names "
              + record.system().id()
              + " build "
              + record.buildId()
              + ", not one of "
              + r.target()
              + ": not looked up");
      return new EventOutcome.Posted(queued);
    }
    BuildRef ref =
        new BuildRef(record.system(), r.target(), record.buildId(), r.region(), r.account());
    // the build is checked like any build event; the request's key is its build key
    Map<String, String> variables = new HashMap<>(r.variables());
    variables.putIfAbsent(PagureBuild.BUILD_KEY, r.buildKey());
    EventOutcome outcome =
        builds.handle(
            new BuildEvent(ref, BuildState.unknown(), variables, r.eventId()), r.deliveryId());
    return outcome instanceof EventOutcome.Posted ? outcome : new EventOutcome.Posted(queued);
  }

  private Optional<BuildRecord> read(RequestEvent r) {
    try {
      return records.find(r.buildKey());
    } catch (RuntimeException e) {
      DecisionLog.requestFailed(r, e);
      throw e;
    }
  }

  private static EventOutcome ignore(RequestEvent r, String reason) {
    DecisionLog.requestIgnored(r, reason);
    return new EventOutcome.Ignored(reason);
  }
}
