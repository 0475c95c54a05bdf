package io.pagureci.outbound.domain;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Is a build event about a build this stack started? The {@code PAGURE_*} variables of a build say
 * which pagure project and commit it is for, but anyone who may start a build with environment
 * overrides (or invoke the outbound function) can set them; the build record cannot be written that
 * way. So a build's event is posted only if:
 *
 * <ul>
 *   <li>its envelope's account is this function's ({@code ACCOUNT_ID}, when set), and
 *   <li>the build carries {@code PAGURE_BUILD_KEY} (the worker passes it, docs/protocol.md §3), the
 *       build record {@code build/<key>} exists, says {@code STARTED}, and names this very build:
 *       the same service and the same build id (CodeBuild {@code project:uuid} = the tail of the
 *       event's build ARN; the pipeline execution id).
 * </ul>
 *
 * Everything else is "not a build this stack started" and ignored with the reason. Without a record
 * store ({@code BUILD_RECORDS_TABLE} not set; the stack always sets it) the record is not checked,
 * and that is said once at init ({@link DecisionLog#provenanceUnchecked}). A record that cannot be
 * read, or a failing store, is thrown: the event is retried, not guessed at.
 */
public final class BuildProvenance {
  private static final Pattern BUILD_KEY = Pattern.compile("[0-9a-f]{64}");
  private static final String NOT_OURS = ": not a build this stack started";

  private final BuildRecordLookup records;
  private final String accountId;

  /**
   * @param records the build records, or {@code null}: not checked (no {@code BUILD_RECORDS_TABLE})
   * @param accountId the function's own account ({@code ACCOUNT_ID}), or {@code null}: not checked
   */
  public BuildProvenance(BuildRecordLookup records, String accountId) {
    this.records = records;
    this.accountId = accountId;
    if (records == null) {
      DecisionLog.provenanceUnchecked(
          "BUILD_RECORDS_TABLE is not set: build events are posted without"
              + " checking that this stack started the build");
    }
  }

  /**
   * Checks the build record of every event, on {@code records}; the account when {@code accountId}
   * is set.
   */
  public static BuildProvenance checked(BuildRecordLookup records, String accountId) {
    return new BuildProvenance(Objects.requireNonNull(records, "records"), accountId);
  }

  /** Whether the build record is read for each event. */
  public boolean checksRecords() {
    return records != null;
  }

  /**
   * Why an event of {@code ref}'s account is not ours, or empty when it is (or the account is not
   * known).
   */
  Optional<String> foreignAccount(BuildRef ref) {
    if (accountId == null || accountId.equals(ref.account())) {
      return Optional.empty();
    }
    return Optional.of(
        "account "
            + (ref.account().isEmpty() ? "(none)" : ref.account())
            + " is not this function's account (ACCOUNT_ID "
            + accountId
            + ")"
            + NOT_OURS);
  }

  /**
   * Why the build {@code ref} with the variables {@code variables} is not one this stack started,
   * or empty when its build record names it (or records are not checked). One {@code GetItem}.
   *
   * @throws RuntimeException when the record cannot be read (the store's or {@link
   *     BuildRecordLookup.UnreadableRecordException})
   */
  Optional<String> refusal(BuildRef ref, Map<String, String> variables) {
    return check(ref, variables).refusal();
  }

  /**
   * What {@link #check} found: why the build is not ours (empty: it is), and the build record it
   * read ({@code null}: none read, or records are not checked).
   */
  record Verdict(Optional<String> refusal, BuildRecord record) {}

  /** {@link #refusal}, with the record that decided it (outbound reads its cancel reason). */
  Verdict check(BuildRef ref, Map<String, String> variables) {
    if (records == null) {
      return new Verdict(Optional.empty(), null);
    }
    String key = PagureBuild.buildKey(variables);
    if (key == null) {
      return refused("no " + PagureBuild.BUILD_KEY + NOT_OURS);
    }
    if (!BUILD_KEY.matcher(key).matches()) {
      return refused(PagureBuild.BUILD_KEY + " is not a build key" + NOT_OURS);
    }
    Optional<BuildRecord> found = records.find(key);
    if (found.isEmpty()) {
      return refused("no build record for " + PagureBuild.BUILD_KEY + " " + key + NOT_OURS);
    }
    BuildRecord record = found.get();
    if (!record.started()) {
      return refused(
          "the build record of " + key + " says " + record.state() + ", not STARTED" + NOT_OURS);
    }
    if (record.system() != ref.system() || !shortId(record.buildId()).equals(ref.shortId())) {
      return refused(
          "the build record of "
              + key
              + " names "
              + record.system().id()
              + " build "
              + record.buildId()
              + ", not "
              + ref.shortId()
              + NOT_OURS);
    }
    String commit = variables.get(PagureBuild.COMMIT);
    if (record.commit() != null && !record.commit().equals(commit == null ? null : commit.trim())) {
      // a genuine build's id and key replayed with another commit (an invocation by hand)
      return refused(
          "the build record of "
              + key
              + " is for commit "
              + record.commit()
              + ", not "
              + commit
              + NOT_OURS);
    }
    return new Verdict(Optional.empty(), record);
  }

  private static Verdict refused(String why) {
    return new Verdict(Optional.of(why), null);
  }

  /** A CodeBuild id as {@code project:uuid}, whether stored as that or as the build's ARN. */
  private static String shortId(String buildId) {
    int slash = buildId.indexOf(":build/");
    return slash >= 0 ? buildId.substring(slash + ":build/".length()) : buildId;
  }
}
