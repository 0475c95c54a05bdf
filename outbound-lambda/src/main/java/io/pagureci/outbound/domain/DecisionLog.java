package io.pagureci.outbound.domain;

import io.pagureci.log.LambdaLog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per decision (posted, ignored, failed), with build and pagure context; never a
 * token. Every line names the pagure delivery it belongs to ({@code deliveryId}, the key the
 * inbound lines use too) when it is known: the request event's {@code deliveryId}, or a build's
 * {@code PAGURE_DELIVERY_ID} variable.
 */
public final class DecisionLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.pagureci.outbound");

  private DecisionLog() {}

  public static void posted(String eventId, String deliveryId, FlagUpdate u) {
    Map<String, Object> line = base("posted", eventId, deliveryId, u.ref());
    context(line, u.build());
    line.put("state", u.state().status());
    line.put("phase", u.state().phase());
    line.put("status", u.flag().status().wire());
    line.put("percent", u.flag().percent());
    line.put("uid", u.flag().uid());
    LOG.info("{}", write(line));
  }

  public static void ignored(
      String eventId, String deliveryId, BuildRef ref, PagureBuild build, String reason) {
    Map<String, Object> line = base("ignored", eventId, deliveryId, ref);
    if (build != null) {
      context(line, build);
    }
    line.put("reason", reason);
    LOG.info("{}", write(line));
  }

  public static void dropped(String eventId, String detailType, String deliveryId, String reason) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "ignored");
    line.put("event", eventId);
    if (deliveryId != null) {
      line.put("deliveryId", deliveryId);
    }
    line.put("detailType", detailType);
    line.put("reason", reason);
    LOG.warn("{}", write(line));
  }

  public static void failed(
      String eventId, String deliveryId, BuildRef ref, PagureBuild build, RuntimeException e) {
    Map<String, Object> line = base("failed", eventId, deliveryId, ref);
    if (build != null) {
      context(line, build);
    }
    error(line, e);
    LOG.error("{}", write(line));
  }

  /** Said once, at init: build events are posted without reading their build record. */
  /**
   * A log-tail comment decision ({@code comment-posted}, {@code comment-already-posted}, {@code
   * comment-skipped}); {@code reason} may be {@code null}. Never the comment itself.
   */
  public static void comment(
      String decision, String eventId, String deliveryId, FlagUpdate u, String reason) {
    Map<String, Object> line = base(decision, eventId, deliveryId, u.ref());
    context(line, u.build());
    if (u.state() != null) {
      line.put("state", u.state().status());
    }
    if (reason != null) {
      line.put("reason", reason);
    }
    LOG.info("{}", write(line));
  }

  public static void provenanceUnchecked(String reason) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", "provenance-unchecked");
    line.put("reason", reason);
    LOG.warn("{}", write(line));
  }

  /** A request event's flag was posted. */
  public static void requestPosted(RequestEvent r, Flag flag) {
    Map<String, Object> line = request("posted", r);
    line.put("status", flag.status().wire());
    line.put("uid", flag.uid());
    LOG.info("{}", write(line));
  }

  /**
   * A request event was not posted, and why (also: the build record says the build owns the flag).
   */
  public static void requestIgnored(RequestEvent r, String reason) {
    Map<String, Object> line = request("ignored", r);
    line.put("reason", reason);
    LOG.info("{}", write(line));
  }

  public static void requestFailed(RequestEvent r, RuntimeException e) {
    Map<String, Object> line = request("failed", r);
    error(line, e);
    LOG.error("{}", write(line));
  }

  private static Map<String, Object> request(String decision, RequestEvent r) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", decision);
    line.put("event", r.eventId());
    line.put("deliveryId", r.deliveryId());
    line.put("request", r.state().name());
    line.put("buildKey", r.buildKey());
    line.put("system", r.system().id());
    line.put("target", r.target());
    context(line, r.build());
    if (r.code() != null) {
      line.put("code", r.code());
    }
    if (r.attempts() != null) {
      line.put("attempts", r.attempts());
    }
    return line;
  }

  private static Map<String, Object> base(
      String decision, String eventId, String deliveryId, BuildRef ref) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("decision", decision);
    line.put("event", eventId);
    if (deliveryId != null) {
      line.put("deliveryId", deliveryId);
    }
    if (ref != null) {
      line.put("system", ref.system().id());
      line.put("target", ref.target());
      line.put("build", ref.id());
    }
    return line;
  }

  private static void context(Map<String, Object> line, PagureBuild b) {
    line.put("project", b.project());
    line.put("pr", b.prId());
    line.put("sha", b.commit());
  }

  private static void error(Map<String, Object> line, RuntimeException e) {
    line.put("error", e.getClass().getSimpleName());
    line.put("message", e.getMessage());
  }

  private static String write(Map<String, Object> line) {
    return LambdaLog.fields(line);
  }
}
