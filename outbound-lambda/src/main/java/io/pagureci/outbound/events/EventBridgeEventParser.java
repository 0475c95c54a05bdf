package io.pagureci.outbound.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.pagureci.outbound.domain.BuildEvent;
import io.pagureci.outbound.domain.BuildLogs;
import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PhaseResult;
import io.pagureci.outbound.domain.RequestEvent;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the EventBridge events the outbound Lambda receives (jackson-core into a plain tree, see
 * {@link Json}; no event classes, no databind): {@code CodeBuild Build State Change}, {@code
 * CodeBuild Build Phase Change}, {@code CodePipeline Pipeline Execution State Change}, and this
 * project's own request events ({@code Build Request State Change} from source {@code
 * pagure-ci-aws}, docs/queue.md §4).
 */
public final class EventBridgeEventParser {
  public static final String CODEBUILD_STATE = "CodeBuild Build State Change";
  public static final String CODEBUILD_PHASE = "CodeBuild Build Phase Change";
  public static final String PIPELINE_STATE = "CodePipeline Pipeline Execution State Change";
  public static final String REQUEST_STATE = "Build Request State Change";

  /** The {@code Source} the accept and worker functions put their request events with. */
  public static final String REQUEST_SOURCE = "pagure-ci-aws";

  private static final DateTimeFormatter CODEBUILD_TIME =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .appendPattern("MMM d, yyyy h:mm:ss a")
          .toFormatter(Locale.US)
          .withZone(ZoneOffset.UTC);

  private static final Pattern BUILD_KEY = Pattern.compile("[0-9a-f]{64}");

  /** CloudWatch Logs' naming rules for log groups and log streams. */
  private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9._/#-]{1,512}");

  private static final Pattern LOG_STREAM = Pattern.compile("[^:*\\p{Cntrl}]{1,512}");
  private static final Pattern REASON_CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

  /** Longest reason kept in a flag comment (longer ones are cut, with an ellipsis). */
  static final int MAX_REASON_CHARS = 300;

  /** Longest rebuild phrase accepted: it is quoted whole, for the author to copy. */
  static final int MAX_RETRY_CHARS = 200;

  private final JsonFactory json =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
          .build();

  public ParsedEvent parse(InputStream in) {
    Object root;
    try (JsonParser p = json.createParser(in)) {
      root = p.nextToken() == null ? null : Json.read(p);
      if (root != null && p.nextToken() != null) {
        return new ParsedEvent.Unusable(null, null, "trailing content after the event");
      }
    } catch (IOException e) {
      return new ParsedEvent.Unusable(null, null, "not well-formed JSON");
    }
    return parse(root);
  }

  private ParsedEvent parse(Object root) {
    if (!(root instanceof Map<?, ?>)) {
      return new ParsedEvent.Unusable(null, null, "event is not a JSON object");
    }
    String id = text(root, "id");
    String detailType = text(root, "detail-type");
    Object detail = Json.path(root, "detail");
    if (detailType == null) {
      return new ParsedEvent.Unusable(id, null, "no detail-type");
    }
    if (!(detail instanceof Map<?, ?>)) {
      return new ParsedEvent.Unusable(id, detailType, "no detail object");
    }
    try {
      return switch (detailType) {
        case CODEBUILD_STATE -> new ParsedEvent.Usable(codeBuild(root, detail, id, false));
        case CODEBUILD_PHASE -> new ParsedEvent.Usable(codeBuild(root, detail, id, true));
        case PIPELINE_STATE -> new ParsedEvent.Usable(pipeline(root, detail, id));
        case REQUEST_STATE -> new ParsedEvent.Request(request(root, detail, id));
        default -> new ParsedEvent.Unusable(id, detailType, "unsupported detail-type");
      };
    } catch (Malformed e) {
      String delivery = text(detail, "deliveryId");
      return new ParsedEvent.Unusable(
          id,
          detailType,
          detailType.equals(REQUEST_STATE) && PagureBuild.validDeliveryId(delivery)
              ? delivery
              : null,
          e.getMessage());
    }
  }

  /**
   * A request event: source {@code pagure-ci-aws}; {@code detail.state} QUEUED, ERROR,
   * AWAITING_APPROVAL or CANCELED (its {@code reason} one of {@link FlagMapper#CANCEL_REASON}); a
   * well-formed {@code deliveryId}; a 64-hex {@code buildKey}; {@code target.system} codebuild or
   * codepipeline and a valid {@code target.name} for it; {@code variables} an object of strings
   * that {@link PagureBuild#from} accepts; the envelope's region and 12-digit account (they are
   * part of the flag uid). ERROR also needs {@code code} ({@code A-Z0-9_}) and a {@code reason};
   * its {@code retry} phrase, absent for a push, is non-blank when present; {@code attempts}, when
   * present, is a positive integer; AWAITING_APPROVAL needs a {@code reason} and the {@code retry}
   * (approval) phrase. Whether the event is for this function (pagure, target, account) is decided
   * later.
   */
  private static RequestEvent request(Object root, Object detail, String id) {
    if (!REQUEST_SOURCE.equals(Json.string(root, "source"))) {
      throw new Malformed("source is not " + REQUEST_SOURCE);
    }
    String stateName = required(detail, "state");
    RequestEvent.State state;
    try {
      state = RequestEvent.State.valueOf(stateName);
    } catch (IllegalArgumentException e) {
      throw new Malformed("detail.state is not QUEUED, ERROR, AWAITING_APPROVAL or CANCELED");
    }
    String delivery = required(detail, "deliveryId");
    if (!PagureBuild.validDeliveryId(delivery)) {
      throw new Malformed("detail.deliveryId is not a request id");
    }
    String buildKey = required(detail, "buildKey");
    if (!BUILD_KEY.matcher(buildKey).matches()) {
      throw new Malformed("detail.buildKey is not 64 lower-case hex digits");
    }
    Object target = Json.path(detail, "target");
    BuildSystem system = BuildSystem.ofId(Json.string(target, "system"));
    if (system == null) {
      throw new Malformed("detail.target.system is not codebuild or codepipeline");
    }
    String name = Json.string(target, "name");
    if (!system.validTarget(name)) {
      throw new Malformed("detail.target.name is not a valid " + system.label() + " name");
    }
    Object vars = Json.path(detail, "variables");
    if (!(vars instanceof Map<?, ?> map)) {
      throw new Malformed("detail.variables is missing or not an object");
    }
    Map<String, String> variables = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getValue() instanceof String v)) {
        throw new Malformed("detail.variables." + e.getKey() + " is not a string");
      }
      variables.put((String) e.getKey(), v);
    }
    PagureBuild build;
    try {
      build = PagureBuild.from(variables);
    } catch (IllegalArgumentException e) {
      throw new Malformed("detail.variables: " + e.getMessage());
    }
    String region = region(root, null);
    String account = account(root, null);
    if (account == null) {
      throw new Malformed("no account");
    }
    String code = null;
    String reason = null;
    String retry = null;
    Integer attempts = null;
    if (state == RequestEvent.State.ERROR) {
      code = required(detail, "code");
      if (!REASON_CODE.matcher(code).matches()) {
        throw new Malformed("detail.code is not a reason code (A-Z, 0-9, _)");
      }
      Object n = Json.path(detail, "attempts");
      if (n != Json.MISSING) {
        if (!(n instanceof Integer i) || i < 1) {
          throw new Malformed("detail.attempts is not a positive integer");
        }
        attempts = i;
      }
    }
    if (state == RequestEvent.State.CANCELED) {
      reason = oneLine(required(detail, "reason"));
      if (!FlagMapper.CANCEL_REASON.matcher(reason).matches()) {
        throw new Malformed(
            "detail.reason of CANCELED is not 'superseded by <short sha>', 'PR closed' or 'PR merged'");
      }
    }
    if (state == RequestEvent.State.ERROR || state == RequestEvent.State.AWAITING_APPROVAL) {
      reason = oneLine(required(detail, "reason"));
      if (reason.codePoints().noneMatch(Character::isLetterOrDigit)) {
        throw new Malformed("detail.reason says nothing");
      }
      if (reason.codePointCount(0, reason.length()) > MAX_REASON_CHARS) {
        reason =
            reason.substring(0, reason.offsetByCodePoints(0, MAX_REASON_CHARS - 1)).strip() + "…";
      }
      // the worker writes no retry phrase for a push's ERROR (the rebuild phrase is a PR comment)
      boolean optional =
          state == RequestEvent.State.ERROR && Json.path(detail, "retry") == Json.MISSING;
      retry = optional ? null : oneLine(required(detail, "retry"));
      if (retry != null && retry.length() > MAX_RETRY_CHARS) {
        throw new Malformed("detail.retry is longer than " + MAX_RETRY_CHARS + " characters");
      }
    }
    return new RequestEvent(
        id, delivery, state, buildKey, system, name, region, account, build, variables, code,
        reason, retry, attempts);
  }

  /** Control characters and runs of white space become one space: a flag comment is one line. */
  private static String oneLine(String s) {
    return s.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
  }

  private static BuildEvent codeBuild(Object root, Object detail, String id, boolean phaseEvent) {
    String project = required(detail, "project-name");
    String buildId = required(detail, "build-id");
    if (!buildId.contains(":build/" + project + ":") && !buildId.startsWith(project + ":")) {
      throw new Malformed("build-id does not belong to project-name");
    }
    Object info = Json.path(detail, "additional-information");
    Long number =
        Json.path(info, "build-number") instanceof Number n ? Long.valueOf(n.longValue()) : null;
    List<PhaseResult> phases = new ArrayList<>();
    for (Object phase : Json.elements(Json.path(info, "phases"))) {
      String type = text(phase, "phase-type");
      if (type != null) {
        phases.add(
            new PhaseResult(
                type,
                text(phase, "phase-status"),
                codeBuildTime(text(phase, "start-time")),
                codeBuildTime(text(phase, "end-time"))));
      }
    }
    Instant started = codeBuildTime(text(info, "build-start-time"));
    if (started == null && !phases.isEmpty()) {
      started = phases.get(0).start();
    }
    Instant eventTime = isoTime(text(root, "time"));
    BuildState state;
    if (phaseEvent) {
      String completed = required(detail, "completed-phase");
      required(detail, "completed-phase-status");
      state =
          new BuildState(
              false,
              "IN_PROGRESS",
              currentPhase(phases, completed),
              phases,
              number,
              started,
              PhaseResult.latest(eventTime, phases));
    } else {
      String status = required(detail, "build-status");
      String current = text(detail, "current-phase");
      boolean finished = !status.equals("IN_PROGRESS");
      state =
          new BuildState(
              finished,
              status,
              current,
              phases,
              number,
              started,
              finished ? end(phases, eventTime) : PhaseResult.latest(eventTime, phases));
    }
    Map<String, String> vars = new LinkedHashMap<>();
    Object env = Json.path(Json.path(info, "environment"), "environment-variables");
    if (env != Json.MISSING && !(env instanceof List<?>)) {
      throw new Malformed("environment-variables is not an array");
    }
    for (Object var : Json.elements(env)) {
      String name = text(var, "name");
      String type = text(var, "type");
      Object v = Json.path(var, "value");
      String value = Json.isValue(v) ? Json.asText(v) : null;
      if (name != null && value != null && (type == null || type.equals("PLAINTEXT"))) {
        vars.put(name, value);
      }
    }
    BuildRef ref =
        new BuildRef(
            BuildSystem.CODEBUILD, project, buildId, region(root, buildId), account(root, buildId));
    return new BuildEvent(ref, state, vars, id, logs(info));
  }

  /**
   * The event's {@code logs.group-name} and {@code stream-name} when both are valid CloudWatch Logs
   * names, else {@code null} (then no log can be read: no comment).
   */
  private static BuildLogs logs(Object info) {
    Object logs = Json.path(info, "logs");
    String group = text(logs, "group-name");
    String stream = text(logs, "stream-name");
    if (group == null
        || stream == null
        || !LOG_GROUP.matcher(group).matches()
        || !LOG_STREAM.matcher(stream).matches()) {
      return null;
    }
    return new BuildLogs(group, stream);
  }

  /**
   * The phase running after {@code completed}: the last listed phase without a status, else the
   * next one.
   */
  private static String currentPhase(List<PhaseResult> phases, String completed) {
    if (!phases.isEmpty()) {
      PhaseResult last = phases.get(phases.size() - 1);
      if (last.status() == null && !last.phase().equals(completed)) {
        return last.phase();
      }
    }
    int i = FlagMapper.CODEBUILD_PHASES.indexOf(completed);
    return i >= 0 && i + 1 < FlagMapper.CODEBUILD_PHASES.size()
        ? FlagMapper.CODEBUILD_PHASES.get(i + 1)
        : completed;
  }

  private static BuildEvent pipeline(Object root, Object detail, String id) {
    String pipeline = required(detail, "pipeline");
    String execution = required(detail, "execution-id");
    String state = required(detail, "state");
    boolean finished = !FlagMapper.PIPELINE_RUNNING.contains(state);
    BuildRef ref =
        new BuildRef(
            BuildSystem.CODEPIPELINE, pipeline, execution, region(root, null), account(root, null));
    BuildState buildState =
        new BuildState(
            finished,
            state,
            null,
            List.of(),
            null,
            isoTime(text(detail, "start-time")),
            isoTime(text(root, "time")));
    return new BuildEvent(ref, buildState, Map.of(), id);
  }

  /**
   * CodeBuild's event times ({@code Nov 27, 2026 12:28:41 PM}, UTC), or {@code null} when missing
   * or not of that form: a time is shown when it is known, never guessed.
   */
  static Instant codeBuildTime(String s) {
    if (s == null) {
      return null;
    }
    try {
      return CODEBUILD_TIME.parse(s.trim(), Instant::from);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** An ISO-8601 instant ({@code 2026-11-27T12:29:32Z}), or {@code null}. */
  static Instant isoTime(String s) {
    if (s == null) {
      return null;
    }
    try {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s.trim(), Instant::from);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A finished build's end: the start of its COMPLETED phase, else the last phase end, else the
   * event's time (CodeBuild sends the final state event when the build ends).
   */
  private static Instant end(List<PhaseResult> phases, Instant eventTime) {
    Instant last = null;
    for (PhaseResult p : phases) {
      if (p.phase().equals("COMPLETED") && p.start() != null) {
        return p.start();
      }
      if (p.end() != null && (last == null || p.end().isAfter(last))) {
        last = p.end();
      }
    }
    return last != null ? last : eventTime;
  }

  private static String region(Object root, String arn) {
    String r = text(root, "region");
    if (r == null && arn != null && arn.startsWith("arn:")) {
      String[] parts = arn.split(":", 6);
      r = parts.length > 3 ? parts[3] : null;
    }
    if (r == null || !r.matches("[a-z]{2}(-[a-z]+)+-\\d{1,2}")) {
      throw new Malformed("no valid region");
    }
    return r;
  }

  private static String account(Object root, String arn) {
    String a = text(root, "account");
    if (a == null && arn != null && arn.startsWith("arn:")) {
      String[] parts = arn.split(":", 6);
      a = parts.length > 4 ? parts[4] : null;
    }
    if (a != null && !a.matches("\\d{12}")) {
      throw new Malformed("account is not a 12-digit id");
    }
    return a;
  }

  private static String required(Object node, String field) {
    String v = text(node, field);
    if (v == null) {
      throw new Malformed("detail." + field + " is missing or not a string");
    }
    return v;
  }

  private static String text(Object node, String field) {
    String v = Json.string(node, field);
    return v != null && !v.isBlank() ? v : null;
  }

  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
