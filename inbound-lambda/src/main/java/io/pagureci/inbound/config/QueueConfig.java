package io.pagureci.inbound.config;

import io.pagureci.init.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the accept and worker functions need beyond {@link InboundConfig}: the work queue, the event
 * bus for the request events, the build-records table and the retry schedule (docs/queue.md §2).
 * Read once at init; a bad variable fails naming it.
 *
 * @param workQueueUrl the SQS work queue
 * @param eventBusName bus of the {@code pagure-ci-aws} request events
 * @param buildRecordsTable the DynamoDB build-records table
 * @param maxAttempts attempts before an item goes to the dead-letter queue (= its maxReceiveCount)
 * @param retryBase back-off of the first retry
 * @param retryMax cap of one back-off
 * @param claimLease how long a worker's claim on a build key blocks other workers
 * @param recordTtlDays how long a build record is kept (the stack: {@code sourceExpirationDays})
 * @param cancelSuperseded a pull request's new head stops the build of its previous head, its close
 *     stops its running build, and queued items of older heads are dropped (context key {@code
 *     cancelSuperseded}; default on)
 * @param cancelSupersededBranches the same for the pushes to each built branch (context key {@code
 *     cancelSupersededBranches}; default off)
 */
public record QueueConfig(
    String workQueueUrl,
    String eventBusName,
    String buildRecordsTable,
    int maxAttempts,
    Duration retryBase,
    Duration retryMax,
    Duration claimLease,
    int recordTtlDays,
    boolean cancelSuperseded,
    boolean cancelSupersededBranches) {

  public static final String WORK_QUEUE_URL = "WORK_QUEUE_URL";
  public static final String EVENT_BUS_NAME = "EVENT_BUS_NAME";
  public static final String BUILD_RECORDS_TABLE = "BUILD_RECORDS_TABLE";
  public static final String WORK_MAX_ATTEMPTS = "WORK_MAX_ATTEMPTS";
  public static final String RETRY_BASE_SECONDS = "RETRY_BASE_SECONDS";
  public static final String RETRY_MAX_SECONDS = "RETRY_MAX_SECONDS";
  public static final String CLAIM_LEASE_SECONDS = "CLAIM_LEASE_SECONDS";
  public static final String RECORD_TTL_DAYS = "RECORD_TTL_DAYS";
  public static final String CANCEL_SUPERSEDED = "CANCEL_SUPERSEDED";
  public static final String CANCEL_SUPERSEDED_BRANCHES = "CANCEL_SUPERSEDED_BRANCHES";

  /** Every variable read here. */
  public static final List<String> VARIABLES =
      List.of(
          WORK_QUEUE_URL,
          EVENT_BUS_NAME,
          BUILD_RECORDS_TABLE,
          WORK_MAX_ATTEMPTS,
          RETRY_BASE_SECONDS,
          RETRY_MAX_SECONDS,
          CLAIM_LEASE_SECONDS,
          RECORD_TTL_DAYS,
          CANCEL_SUPERSEDED,
          CANCEL_SUPERSEDED_BRANCHES);

  /** Reads and validates; {@code WORK_QUEUE_URL} and {@code BUILD_RECORDS_TABLE} are required. */
  public static QueueConfig fromEnv(Map<String, String> env) {
    InboundConfig.Reader r = new InboundConfig.Reader(env);
    Duration base = r.seconds(RETRY_BASE_SECONDS, 30, 1, 43_200);
    Duration max = r.seconds(RETRY_MAX_SECONDS, 900, 1, 43_200);
    if (max.compareTo(base) < 0) {
      throw new ConfigException(RETRY_MAX_SECONDS, "must not be below " + RETRY_BASE_SECONDS);
    }
    return new QueueConfig(
        r.required(WORK_QUEUE_URL),
        r.optional(EVENT_BUS_NAME).orElse("default"),
        r.required(BUILD_RECORDS_TABLE),
        r.count(WORK_MAX_ATTEMPTS, 8, 1, 1000),
        base,
        max,
        r.seconds(CLAIM_LEASE_SECONDS, 900, 60, 43_200),
        r.count(RECORD_TTL_DAYS, 30, 1, 3650),
        r.bool(CANCEL_SUPERSEDED, true),
        r.bool(CANCEL_SUPERSEDED_BRANCHES, false));
  }

  /** The back-off before attempt {@code attempt + 1}: {@code min(base · 2^(attempt-1), max)}. */
  public Duration backoff(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 30));
    long seconds = retryBase.toSeconds() << doublings;
    return seconds > retryMax.toSeconds() || seconds <= 0 ? retryMax : Duration.ofSeconds(seconds);
  }

  /** Whether a newer head (or the close) of {@code request}'s pull request / branch stops it. */
  public boolean cancelsSuperseded(boolean pullRequest) {
    return pullRequest ? cancelSuperseded : cancelSupersededBranches;
  }

  /** How long all retries together wait: the sum of the back-offs of attempts 1 .. max-1. */
  public Duration retryWindow() {
    Duration total = Duration.ZERO;
    for (int a = 1; a < maxAttempts; a++) {
      total = total.plus(backoff(a));
    }
    return total;
  }
}
