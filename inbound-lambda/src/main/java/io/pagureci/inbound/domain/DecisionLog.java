package io.pagureci.inbound.domain;

import io.pagureci.log.LambdaLog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One structured JSON line per request and decision: accepted / duplicate / ignored / rejected,
 * why, and the project, PR, sha and build id. Never a key, a token, a credential or a body. Written
 * as lambda-log's decision line ({@link LambdaLog#fields}: jackson-core's generator, no
 * jackson-databind on the path of a rejected request).
 */
public class DecisionLog {

  private static final Logger LOG = LoggerFactory.getLogger("io.pagureci.inbound.decision");

  public Entry entry(String requestId) {
    return new Entry(this, requestId);
  }

  /** Writes one finished line; overridable for tests that capture lines. */
  protected void write(String level, String json) {
    if (level.equals("WARN")) {
      LOG.warn("{}", json);
    } else if (level.equals("ERROR")) {
      LOG.error("{}", json);
    } else {
      LOG.info("{}", json);
    }
  }

  /**
   * The line being built for one request. Fields keep the order of their first setting; setting a
   * field again replaces its value in place.
   */
  public static final class Entry {
    private final DecisionLog sink;
    private final Node node = new Node();

    Entry(DecisionLog sink, String requestId) {
      this.sink = sink;
      // the function URL request id is the delivery id: the work item, the worker's lines, the
      // request events and the build's PAGURE_DELIVERY_ID carry it on (docs/queue.md)
      node.put("deliveryId", requestId);
    }

    Entry format(String format) {
      node.put("format", format);
      return this;
    }

    Entry topic(String topic) {
      if (topic != null) {
        node.put("topic", topic.length() > 100 ? topic.substring(0, 100) : topic);
      }
      return this;
    }

    Entry project(String project) {
      node.put("project", project);
      return this;
    }

    Entry buildKey(String buildKey) {
      node.put("buildKey", buildKey);
      return this;
    }

    /** The routing table's targets the delivery was queued for ({@code rpmbuild,lint}). */
    Entry targets(java.util.List<String> names) {
      node.put("targets", String.join(",", names));
      return this;
    }

    Entry messageId(String messageId) {
      node.put("messageId", messageId);
      return this;
    }

    Entry cause(String cause) {
      node.put("cause", cause);
      return this;
    }

    Entry request(BuildRequest r) {
      node.put("project", r.project());
      node.put("sourceProject", r.sourceProject());
      node.put("trigger", r.trigger());
      if (r.prId() != null) {
        node.put("pr", r.prId());
      }
      node.put("branch", r.sourceBranch());
      node.put("sha", r.commit());
      return this;
    }

    void finish(Outcome outcome, long millis) {
      String level = "INFO";
      // instanceof rather than a pattern switch: the switch's bootstrap spins a class at first use
      // (several ms of a cold start, docs/performance.md §3)
      if (outcome instanceof Outcome.Queued) {
        node.put("decision", "queued");
      } else if (outcome instanceof Outcome.Duplicate d) {
        node.put("decision", "duplicate");
        if (d.build() != null) {
          node.put("buildTarget", d.build().target());
          node.put("buildId", d.build().id());
        }
      } else if (outcome instanceof Outcome.Ignored i) {
        node.put("decision", "ignored");
        node.put("reason", i.reason());
      } else if (outcome instanceof Outcome.Rejected r) {
        node.put("decision", "rejected");
        node.put("status", r.status());
        node.put("code", r.code());
        node.put("reason", r.message());
        level = r.status() >= 500 ? "ERROR" : "WARN";
      }
      node.put("millis", millis);
      sink.write(level, node.toString());
    }
  }

  /** Flat JSON object of strings and numbers (null allowed), in insertion order. */
  static final class Node {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    void put(String name, Object value) {
      fields.put(name, value);
    }

    @Override
    public String toString() {
      return LambdaLog.fields(fields);
    }
  }
}
