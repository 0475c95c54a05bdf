package io.pagureci.inbound.domain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's decision lines: one JSON line per message, with the delivery id the accept function
 * logged, so one CloudWatch Logs Insights query follows a delivery from web-hook to flag
 * (docs/deploy.md). Never a key, a token or a body. Same line format as {@link DecisionLog}.
 */
public class WorkLog {

  private static final Logger LOG = LoggerFactory.getLogger("io.pagureci.inbound.work");

  /** A line for one message; {@code item} is null when the message could not be read. */
  public Line line(WorkerService.Message message, WorkItem item) {
    return new Line(this, message, item);
  }

  /** Writes one finished line; overridable for tests that capture lines. */
  protected void write(String level, String json) {
    switch (level) {
      case "ERROR" -> LOG.error("{}", json);
      case "WARN" -> LOG.warn("{}", json);
      default -> LOG.info("{}", json);
    }
  }

  /** The line being built; fields keep the order of their first setting. */
  public static final class Line {
    private final WorkLog sink;
    private final DecisionLog.Node node = new DecisionLog.Node();

    Line(WorkLog sink, WorkerService.Message message, WorkItem item) {
      this.sink = sink;
      node.put("deliveryId", item == null ? null : item.deliveryId());
      node.put("messageId", message.messageId());
      node.put("attempt", message.receiveCount());
      if (item != null) {
        BuildRequest r = item.request();
        node.put("buildKey", item.buildKey());
        node.put("project", r.project());
        node.put("trigger", r.trigger());
        if (r.prId() != null) {
          node.put("pr", r.prId());
        }
        node.put("sha", r.commit());
        if (item.target() != null) {
          node.put("target", item.target());
        }
        if (item.actor() != null) {
          node.put("actor", item.actor().name());
          node.put("actorRole", item.actor().role().id());
        }
      }
    }

    /** The routing table's target the item builds (its name). */
    Line target(String name) {
      node.put("target", name);
      return this;
    }

    /** What the contributor policy decided ({@code member}, {@code not-a-member}, …). */
    Line policy(String policy) {
      node.put("policy", policy);
      return this;
    }

    Line decision(String decision) {
      node.put("decision", decision);
      return this;
    }

    Line code(String code) {
      node.put("code", code);
      return this;
    }

    Line cause(String cause) {
      node.put("cause", cause);
      return this;
    }

    Line source(PackagedSource source) {
      node.put("sourceKey", source.key());
      node.put("sourceVersion", source.versionId());
      return this;
    }

    Line build(StartedBuild build) {
      node.put("buildTarget", build.target());
      node.put("buildId", build.id());
      return this;
    }

    /** A superseded build this item stopped (or tried to): its id, why, and what the stop did. */
    Line stopped(CurrentHeads.Build build, String why, String outcome) {
      node.put("stoppedBuildId", build.id());
      node.put("stoppedSha", build.commit());
      node.put("stopReason", why);
      node.put("stop", outcome);
      return this;
    }

    Line millis(long startedNanos) {
      node.put("millis", (System.nanoTime() - startedNanos) / 1_000_000);
      return this;
    }

    void write(String level) {
      sink.write(level, node.toString());
    }
  }
}
