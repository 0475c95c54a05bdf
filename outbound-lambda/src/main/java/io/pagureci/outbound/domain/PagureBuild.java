package io.pagureci.outbound.domain;

import io.pagureci.pagure.BuildVariables;
import io.pagureci.pagure.CommitId;
import io.pagureci.pagure.ProjectName;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The pagure side of a build: the {@code PAGURE_*} variables the inbound Lambda put into it
 * (docs/protocol.md §3).
 *
 * @param instance pagure URL with one trailing {@code /}
 * @param project target project fullname (flags live there)
 * @param sourceProject project holding the commit, or {@code null}
 * @param branch source branch, or {@code null}
 * @param targetBranch target branch, or {@code null}
 * @param commit full sha that was built
 * @param prId pull-request id, or {@code null} for branch builds
 * @param prUid pull-request uid, or {@code null}
 * @param cause Jenkins-compatible cause, or {@code null}
 * @param trigger {@code pull-request}, {@code rebuild}, {@code push}, or {@code null}
 * @param origin {@code webhook} or {@code ci-webhook}, or {@code null}
 */
public record PagureBuild(
    String instance,
    String project,
    String sourceProject,
    String branch,
    String targetBranch,
    String commit,
    Long prId,
    String prUid,
    String cause,
    String trigger,
    String origin) {

  // the names of the variables: pagure-model's BuildVariables, the one list of the worker, the
  // stack and this function
  public static final String INSTANCE = BuildVariables.INSTANCE;
  public static final String PROJECT = BuildVariables.PROJECT;
  public static final String SOURCE_PROJECT = BuildVariables.SOURCE_PROJECT;
  public static final String BRANCH = BuildVariables.BRANCH;
  public static final String TARGET_BRANCH = BuildVariables.TARGET_BRANCH;
  public static final String COMMIT = BuildVariables.COMMIT;
  public static final String PR_ID = BuildVariables.PR_ID;
  public static final String PR_UID = BuildVariables.PR_UID;
  public static final String CAUSE = BuildVariables.CAUSE;
  public static final String TRIGGER = BuildVariables.TRIGGER;
  public static final String ORIGIN = BuildVariables.ORIGIN;

  /** {@link BuildVariables#DELIVERY_ID}: read for the decision log only, never part of a flag. */
  public static final String DELIVERY_ID = BuildVariables.DELIVERY_ID;

  /**
   * {@link BuildVariables#BUILD_KEY}: names the build record that says whether this stack started
   * the build ({@link BuildProvenance}); never part of a flag.
   */
  public static final String BUILD_KEY = BuildVariables.BUILD_KEY;

  /** {@link BuildVariables#UNSET}: the stack's default, meaning "not set". */
  public static final String UNSET = BuildVariables.UNSET;

  private static final Pattern DELIVERY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  public PagureBuild {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(commit, "commit");
  }

  /** Whether the variables carry the {@code PAGURE_*} values of a build this project started. */
  public static boolean present(Map<String, String> vars) {
    return value(vars, INSTANCE) != null
        || value(vars, PROJECT) != null
        || value(vars, COMMIT) != null;
  }

  /**
   * Reads the {@code PAGURE_*} values.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed
   */
  public static PagureBuild from(Map<String, String> vars) {
    String instance = required(vars, INSTANCE);
    URI uri;
    try {
      uri = URI.create(instance);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(INSTANCE + " is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(INSTANCE + " is not an http(s) URL");
    }
    String project = required(vars, PROJECT);
    if (!validFullname(project)) {
      throw new IllegalArgumentException(PROJECT + " is not a pagure project fullname");
    }
    String commit = required(vars, COMMIT);
    if (!CommitId.isValid(commit)) {
      throw new IllegalArgumentException(COMMIT + " is not a full lower-case sha");
    }
    Long prId = null;
    String pr = value(vars, PR_ID);
    if (pr != null) {
      try {
        prId = Long.parseLong(pr);
      } catch (NumberFormatException e) {
        prId = -1L;
      }
      if (prId <= 0) {
        throw new IllegalArgumentException(PR_ID + " is not a positive integer");
      }
    }
    return new PagureBuild(
        normalise(instance),
        project,
        value(vars, SOURCE_PROJECT),
        value(vars, BRANCH),
        value(vars, TARGET_BRANCH),
        commit,
        prId,
        value(vars, PR_UID),
        value(vars, CAUSE),
        value(vars, TRIGGER),
        value(vars, ORIGIN));
  }

  /**
   * Whether {@code id} looks like a delivery id (a request id: letters, digits, {@code . _ : -}, ≤
   * 128).
   */
  public static boolean validDeliveryId(String id) {
    return id != null && DELIVERY.matcher(id).matches();
  }

  /** {@code PAGURE_DELIVERY_ID} when it is set and well-formed, else {@code null}. */
  public static String deliveryId(Map<String, String> vars) {
    String v = value(vars, DELIVERY_ID);
    return validDeliveryId(v) ? v : null;
  }

  /** {@code PAGURE_BUILD_KEY} as set (trimmed; {@code -} is unset), unchecked, or {@code null}. */
  public static String buildKey(Map<String, String> vars) {
    return value(vars, BUILD_KEY);
  }

  /** Whether {@code fullname} is a pagure project fullname: pagure-model's {@link ProjectName}. */
  public static boolean validFullname(String fullname) {
    return ProjectName.isValid(fullname);
  }

  private static String normalise(String url) {
    int end = url.length();
    while (end > 0 && url.charAt(end - 1) == '/') {
      end--;
    }
    return url.substring(0, end) + "/";
  }

  private static String required(Map<String, String> vars, String name) {
    String v = value(vars, name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return v;
  }

  private static String value(Map<String, String> vars, String name) {
    String v = vars.get(name);
    if (v == null) {
      return null;
    }
    v = v.trim();
    return v.isEmpty() || v.equals(UNSET) ? null : v;
  }
}
