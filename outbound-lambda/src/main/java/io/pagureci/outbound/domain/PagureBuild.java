package io.pagureci.outbound.domain;

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
   * The delivery that asked for the build (the function URL request id), passed by the worker: read
   * for the decision log only, never part of a flag.
   */
  public static final String DELIVERY_ID = "PAGURE_DELIVERY_ID";

  /**
   * The build key of the build (the work item's {@code buildKey}), passed by the worker: names the
   * build record that says whether this stack started the build ({@link BuildProvenance}); never
   * part of a flag.
   */
  public static final String BUILD_KEY = "PAGURE_BUILD_KEY";

  /**
   * Pipeline variables cannot be empty: the stack declares them with this value, meaning "not set".
   */
  public static final String UNSET = "-";

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+][A-Za-z0-9._+-]*");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
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
    if (!SHA.matcher(commit).matches()) {
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

  /**
   * pagure fullname: {@code name}, {@code ns/name}, {@code forks/user/name}, {@code
   * forks/user/ns/name}.
   */
  public static boolean validFullname(String fullname) {
    String[] parts = fullname.split("/", -1);
    boolean fork = parts.length >= 3 && parts[0].equals("forks");
    int size = fork ? parts.length - 2 : parts.length;
    if (size < 1 || size > 2 || (!fork && parts[0].equals("forks"))) {
      return false;
    }
    for (String part : parts) {
      if (!SEGMENT.matcher(part).matches() || part.endsWith(".git") || part.length() > 255) {
        return false;
      }
    }
    return true;
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
