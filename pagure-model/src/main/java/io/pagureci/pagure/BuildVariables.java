package io.pagureci.pagure;

import java.util.List;

/**
 * The {@code PAGURE_*} variables a build gets (docs/protocol.md §3): the worker sets them when it
 * starts a build, the stack declares them on the pipeline, the build script reads them, and the
 * outbound function reads them back from the build's events to know which commit to flag.
 */
public final class BuildVariables {

  public static final String INSTANCE = "PAGURE_INSTANCE";
  public static final String PROJECT = "PAGURE_PROJECT";
  public static final String SOURCE_PROJECT = "PAGURE_SOURCE_PROJECT";
  public static final String BRANCH = "PAGURE_BRANCH";
  public static final String TARGET_BRANCH = "PAGURE_TARGET_BRANCH";
  public static final String COMMIT = "PAGURE_COMMIT";
  public static final String PR_ID = "PAGURE_PR_ID";
  public static final String PR_UID = "PAGURE_PR_UID";
  public static final String CAUSE = "PAGURE_CAUSE";
  public static final String TRIGGER = "PAGURE_TRIGGER";
  public static final String ORIGIN = "PAGURE_ORIGIN";

  /**
   * The delivery that asked for the build (the function URL request id, the work item's {@code
   * deliveryId}): for the logs only, never part of a flag.
   */
  public static final String DELIVERY_ID = "PAGURE_DELIVERY_ID";

  /**
   * The build key of the build (the work item's {@code buildKey}): names the build record ({@link
   * BuildRecordKey}) that says whether this stack started the build; never part of a flag.
   */
  public static final String BUILD_KEY = "PAGURE_BUILD_KEY";

  /**
   * Pipeline variables cannot be empty: the stack declares each with this default, meaning "not
   * set".
   */
  public static final String UNSET = "-";

  /** Every variable, in the order the stack declares them. */
  public static final List<String> ALL =
      List.of(
          INSTANCE,
          PROJECT,
          SOURCE_PROJECT,
          BRANCH,
          TARGET_BRANCH,
          COMMIT,
          PR_ID,
          PR_UID,
          CAUSE,
          TRIGGER,
          ORIGIN,
          DELIVERY_ID,
          BUILD_KEY);

  private BuildVariables() {}
}
