package io.pagureci.inbound.domain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The work item's JSON form (docs/queue.md §3), written with jackson-core's generator and read back
 * strictly ({@link StrictJson}): the worker trusts nothing it did not check again.
 */
public final class WorkItemJson {

  private WorkItemJson() {}

  public static String write(WorkItem item) {
    StringWriter out = new StringWriter(512);
    BuildRequest r = item.request();
    try (JsonGenerator g = StrictJson.generator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", WorkItem.VERSION);
      g.writeStringField("deliveryId", item.deliveryId());
      g.writeStringField("acceptedAt", item.acceptedAt().toString());
      g.writeStringField("buildKey", item.buildKey());
      g.writeObjectFieldStart("request");
      g.writeStringField("origin", r.origin());
      g.writeStringField("trigger", r.trigger());
      g.writeStringField("instance", r.instance());
      g.writeStringField("project", r.project());
      g.writeStringField("sourceProject", r.sourceProject());
      g.writeStringField("sourceBranch", r.sourceBranch());
      g.writeStringField("targetBranch", r.targetBranch());
      g.writeStringField("commit", r.commit());
      if (r.prId() != null) {
        g.writeNumberField("prId", r.prId());
      } else {
        g.writeNullField("prId");
      }
      g.writeStringField("prUid", r.prUid());
      g.writeStringField("cause", r.cause());
      g.writeStringField("rebuildId", r.rebuildId());
      g.writeEndObject();
      if (item.actor() != null) {
        g.writeObjectFieldStart("actor");
        g.writeStringField("name", item.actor().name());
        g.writeStringField("role", item.actor().role().id());
        g.writeEndObject();
      }
      if (item.target() != null) {
        g.writeStringField("target", item.target());
      }
      if (item.close() != null) {
        g.writeStringField("close", item.close().id());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Reads an item; the request's names are checked again by the worker.
   *
   * @throws Rejection {@code 422 INVALID_WORK_ITEM} naming what is wrong
   */
  public static WorkItem read(String body) throws Rejection {
    JsonNode root;
    try {
      root = StrictJson.parse(body.getBytes(StandardCharsets.UTF_8));
    } catch (Rejection e) {
      throw invalid("not well-formed JSON");
    }
    if (!root.isObject() || root.path("v").asInt(-1) != WorkItem.VERSION) {
      throw invalid("not a version " + WorkItem.VERSION + " work item");
    }
    JsonNode r = root.path("request");
    if (!r.isObject()) {
      throw invalid("request is missing");
    }
    Instant acceptedAt;
    try {
      acceptedAt = Instant.parse(required(root, "acceptedAt"));
    } catch (DateTimeParseException e) {
      throw invalid("acceptedAt is not an instant");
    }
    JsonNode pr = r.path("prId");
    Long prId = null;
    if (!pr.isNull() && !pr.isMissingNode()) {
      if (!pr.isIntegralNumber() || pr.asLong() < 1) {
        throw invalid("request.prId is not a positive integer");
      }
      prId = pr.asLong();
    }
    BuildRequest request =
        new BuildRequest(
            required(r, "origin"),
            required(r, "trigger"),
            required(r, "instance"),
            required(r, "project"),
            required(r, "sourceProject"),
            required(r, "sourceBranch"),
            required(r, "targetBranch"),
            required(r, "commit"),
            prId,
            optional(r, "prUid"),
            required(r, "cause"),
            optional(r, "rebuildId"));
    String target = optional(root, "target");
    if (target != null && !io.pagureci.pagure.routing.Target.validName(target)) {
      throw invalid("target is not a target name");
    }
    WorkItem item =
        new WorkItem(
            required(root, "deliveryId"),
            acceptedAt,
            required(root, "buildKey"),
            request,
            actor(root.path("actor")),
            target,
            close(root));
    if (!item.buildKey().equals(BuildKey.idempotencyToken(request, target))) {
      throw invalid("buildKey is not the build key of the request");
    }
    return item;
  }

  /**
   * The optional actor: absent in items queued before the contributor policy (they stay readable;
   * the worker treats a pull request or rebuild without one as asked for by a non-member).
   */
  private static WorkItem.Actor actor(JsonNode a) throws Rejection {
    if (a.isMissingNode() || a.isNull()) {
      return null;
    }
    if (!a.isObject()) {
      throw invalid("actor is not an object");
    }
    String name = required(a, "name");
    if (!Names.isUser(name)) {
      throw invalid("actor.name is not a pagure user name");
    }
    WorkItem.Role role = WorkItem.Role.of(required(a, "role"));
    if (role == null) {
      throw invalid("actor.role is not author, rebuild or approval");
    }
    return new WorkItem.Actor(name, role);
  }

  /** The optional close ({@code closed} / {@code merged}) of a pull request's cancel item. */
  private static CurrentHeads.Closed close(JsonNode root) throws Rejection {
    String close = optional(root, "close");
    if (close == null) {
      return null;
    }
    CurrentHeads.Closed why = CurrentHeads.Closed.of(close);
    if (why == null) {
      throw invalid("close is not closed or merged");
    }
    if (root.path("request").path("prId").isNull()
        || root.path("request").path("prId").isMissingNode()) {
      throw invalid("close names no pull request");
    }
    return why;
  }

  private static String required(JsonNode node, String field) throws Rejection {
    JsonNode v = node.path(field);
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw invalid(field + " is missing");
    }
    return v.textValue();
  }

  private static String optional(JsonNode node, String field) throws Rejection {
    JsonNode v = node.path(field);
    if (v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(field + " is not a string");
    }
    return v.textValue();
  }

  private static Rejection invalid(String why) {
    return Rejection.unprocessable("INVALID_WORK_ITEM", "the work item is unusable: " + why);
  }
}
