package io.pagureci.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.testkit.FunctionProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A CodeBuild build that was started by a {@code StartBuild} request, moving through its phases the
 * way CodeBuild moves a build, and seen the two ways the outbound function sees it: as EventBridge
 * events ({@code CodeBuild Build State Change} / {@code CodeBuild Build Phase Change}) and as the
 * {@code BatchGetBuilds} answer. The events are the realistic fixtures of the outbound module
 * ({@code events/eventbridge/codebuild/}, system property {@code eventbridge.fixtures}) with this
 * build's values: its ARN, number, source and the {@code environmentVariablesOverride} of the
 * {@code StartBuild} request — so the {@code PAGURE_*} variables travel exactly as on AWS.
 */
final class SimulatedBuild {

  static final List<String> PHASES =
      List.of(
          "SUBMITTED",
          "QUEUED",
          "PROVISIONING",
          "DOWNLOAD_SOURCE",
          "INSTALL",
          "PRE_BUILD",
          "BUILD",
          "POST_BUILD",
          "UPLOAD_ARTIFACTS",
          "FINALIZING",
          "COMPLETED");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter EVENT_TIME =
      DateTimeFormatter.ofPattern("MMM d, yyyy h:mm:ss a", Locale.US).withZone(ZoneOffset.UTC);
  private static final long PHASE_SECONDS = 3;

  private record Phase(String type, Instant start, Instant end, String status) {}

  private final String project;
  private final String uuid;
  private final int number;
  private final String sourceLocation;
  private final String sourceVersion;
  private final ArrayNode variables;
  private final Instant started;
  private final List<Phase> phases = new ArrayList<>();
  private String status = "IN_PROGRESS";

  /**
   * @param startBuild the {@code StartBuild} request the inbound function sent
   * @param uuid the build's id after {@code <project>:}
   * @param number the build number
   */
  SimulatedBuild(JsonNode startBuild, String uuid, int number, Instant started) {
    this.project = startBuild.path("projectName").asText();
    this.uuid = uuid;
    this.number = number;
    this.sourceLocation = startBuild.path("sourceLocationOverride").asText();
    this.sourceVersion = startBuild.path("sourceVersion").asText();
    this.variables = JSON.createArrayNode();
    for (JsonNode v : startBuild.path("environmentVariablesOverride")) {
      variables
          .addObject()
          .put("name", v.path("name").asText())
          .put("type", v.path("type").asText("PLAINTEXT"))
          .put("value", v.path("value").asText());
    }
    this.started = started;
    phases.add(new Phase("SUBMITTED", started, null, null));
  }

  static String newUuid() {
    return UUID.randomUUID().toString();
  }

  String id() {
    return project + ":" + uuid;
  }

  String arn() {
    return "arn:aws:codebuild:"
        + FunctionProcess.REGION
        + ":"
        + FunctionProcess.ACCOUNT
        + ":build/"
        + id();
  }

  int number() {
    return number;
  }

  String currentPhase() {
    return phases.getLast().type();
  }

  /**
   * The state event CodeBuild sends right after the build was accepted (IN_PROGRESS, SUBMITTED).
   */
  String stateChange() {
    ObjectNode event = template("codebuild/state-succeeded.json");
    fill(event, "CodeBuild Build State Change");
    ObjectNode detail = (ObjectNode) event.get("detail");
    detail.put("build-status", status);
    detail.put("current-phase", currentPhase());
    return event.toString();
  }

  /**
   * Ends the current phase with {@code phaseStatus} and moves to the next one; returns the phase
   * event for the ended phase.
   */
  String completePhase(String phaseStatus) {
    Phase current = phases.removeLast();
    Instant end = current.start().plusSeconds(PHASE_SECONDS);
    Phase done = new Phase(current.type(), current.start(), end, phaseStatus);
    phases.add(done);
    phases.add(new Phase(PHASES.get(PHASES.indexOf(current.type()) + 1), end, null, null));
    ObjectNode event = template("codebuild/phase-pre-build-completed.json");
    fill(event, "CodeBuild Build Phase Change");
    ObjectNode detail = (ObjectNode) event.get("detail");
    detail.put("completed-phase", done.type());
    detail.put("completed-phase-status", phaseStatus);
    detail.put("completed-phase-duration-seconds", PHASE_SECONDS);
    detail.put("completed-phase-start", EVENT_TIME.format(done.start()));
    detail.put("completed-phase-end", EVENT_TIME.format(done.end()));
    return event.toString();
  }

  /**
   * Runs the remaining phases (all SUCCEEDED) up to COMPLETED and ends the build with {@code
   * buildStatus}.
   */
  String finish(String buildStatus) {
    while (!currentPhase().equals("COMPLETED")) {
      completePhase("SUCCEEDED");
    }
    status = buildStatus;
    return stateChange();
  }

  /** What {@code BatchGetBuilds} answers for this build now. */
  ObjectNode batchGetBuilds() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode b = root.putArray("builds").addObject();
    b.put("id", id())
        .put("arn", arn())
        .put("buildNumber", number)
        .put("startTime", epoch(started))
        .put("currentPhase", currentPhase())
        .put("buildStatus", status)
        .put("sourceVersion", sourceVersion)
        .put("projectName", project)
        .put("initiator", "pagure-ci-inbound")
        .put("buildComplete", finished())
        .put("timeoutInMinutes", 60)
        .put("queuedTimeoutInMinutes", 480);
    ArrayNode ph = b.putArray("phases");
    for (Phase p : phases) {
      ObjectNode n = ph.addObject().put("phaseType", p.type()).put("startTime", epoch(p.start()));
      if (p.status() != null) {
        n.put("phaseStatus", p.status())
            .put("endTime", epoch(p.end()))
            .put("durationInSeconds", PHASE_SECONDS);
      }
    }
    b.putObject("source").put("type", "S3").put("location", sourceLocation);
    ObjectNode env =
        b.putObject("environment")
            .put("type", "LINUX_CONTAINER")
            .put("image", "aws/codebuild/amazonlinux-x86_64-standard:5.0")
            .put("computeType", "BUILD_GENERAL1_SMALL")
            .put("imagePullCredentialsType", "CODEBUILD");
    ArrayNode ev = env.putArray("environmentVariables");
    variables.forEach(
        v ->
            ev.addObject()
                .put("name", v.path("name").asText())
                .put("value", v.path("value").asText())
                .put("type", v.path("type").asText()));
    b.putObject("logs")
        .put("groupName", "/aws/codebuild/" + project)
        .put("streamName", uuid)
        .put("deepLink", deepLink());
    root.putArray("buildsNotFound");
    return root;
  }

  private boolean finished() {
    return !status.equals("IN_PROGRESS");
  }

  private void fill(ObjectNode event, String detailType) {
    Instant now = phases.getLast().start();
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", detailType);
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(now));
    event.put("region", FunctionProcess.REGION);
    event.put("account", FunctionProcess.ACCOUNT);
    event.putArray("resources").add(arn());
    ObjectNode detail = (ObjectNode) event.get("detail");
    detail.put("project-name", project);
    detail.put("build-id", arn());
    ObjectNode info = (ObjectNode) detail.get("additional-information");
    info.put("build-number", (double) number);
    info.put("build-complete", finished());
    info.put("build-start-time", EVENT_TIME.format(started));
    ((ObjectNode) info.get("source")).put("location", sourceLocation).put("type", "S3");
    info.put("source-version", sourceVersion);
    ((ObjectNode) info.get("environment")).set("environment-variables", variables.deepCopy());
    ((ObjectNode) info.get("logs"))
        .put("group-name", "/aws/codebuild/" + project)
        .put("stream-name", uuid)
        .put("deep-link", deepLink());
    ArrayNode ph = info.putArray("phases");
    for (Phase p : phases) {
      ObjectNode n = ph.addObject();
      n.putArray("phase-context");
      n.put("start-time", EVENT_TIME.format(p.start()));
      n.put("phase-type", p.type());
      if (p.status() != null) {
        n.put("end-time", EVENT_TIME.format(p.end()))
            .put("duration-in-seconds", PHASE_SECONDS)
            .put("phase-status", p.status());
      }
    }
  }

  private String deepLink() {
    return "https://console.aws.amazon.com/cloudwatch/home?region="
        + FunctionProcess.REGION
        + "#logEvent:group=/aws/codebuild/"
        + project
        + ";stream="
        + uuid;
  }

  private static double epoch(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  private static ObjectNode template(String name) {
    String root = System.getProperty("eventbridge.fixtures");
    if (root == null) {
      throw new IllegalStateException(
          "system property eventbridge.fixtures is not set (run through Maven)");
    }
    try {
      return (ObjectNode) JSON.readTree(Path.of(root, name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
