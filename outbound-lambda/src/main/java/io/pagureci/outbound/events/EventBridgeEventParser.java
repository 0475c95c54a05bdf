package io.pagureci.outbound.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.pagureci.outbound.domain.BuildEvent;
import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.PhaseResult;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the EventBridge events the outbound Lambda receives (jackson-core into a plain tree, see {@link Json}; no
 * event classes, no databind):
 * {@code CodeBuild Build State Change}, {@code CodeBuild Build Phase Change} and
 * {@code CodePipeline Pipeline Execution State Change}.
 */
public final class EventBridgeEventParser {
    public static final String CODEBUILD_STATE = "CodeBuild Build State Change";
    public static final String CODEBUILD_PHASE = "CodeBuild Build Phase Change";
    public static final String PIPELINE_STATE = "CodePipeline Pipeline Execution State Change";

    private final JsonFactory json = JsonFactory.builder()
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
                default -> new ParsedEvent.Unusable(id, detailType, "unsupported detail-type");
            };
        } catch (Malformed e) {
            return new ParsedEvent.Unusable(id, detailType, e.getMessage());
        }
    }

    private static BuildEvent codeBuild(Object root, Object detail, String id, boolean phaseEvent) {
        String project = required(detail, "project-name");
        String buildId = required(detail, "build-id");
        if (!buildId.contains(":build/" + project + ":") && !buildId.startsWith(project + ":")) {
            throw new Malformed("build-id does not belong to project-name");
        }
        Object info = Json.path(detail, "additional-information");
        Long number = Json.path(info, "build-number") instanceof Number n ? Long.valueOf(n.longValue()) : null;
        List<PhaseResult> phases = new ArrayList<>();
        for (Object phase : Json.elements(Json.path(info, "phases"))) {
            String type = text(phase, "phase-type");
            if (type != null) {
                phases.add(new PhaseResult(type, text(phase, "phase-status")));
            }
        }
        BuildState state;
        if (phaseEvent) {
            String completed = required(detail, "completed-phase");
            required(detail, "completed-phase-status");
            state = new BuildState(false, "IN_PROGRESS", currentPhase(phases, completed), phases, number);
        } else {
            String status = required(detail, "build-status");
            String current = text(detail, "current-phase");
            state = new BuildState(!status.equals("IN_PROGRESS"), status, current, phases, number);
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
        BuildRef ref = new BuildRef(BuildSystem.CODEBUILD, project, buildId, region(root, buildId),
                account(root, buildId));
        return new BuildEvent(ref, state, vars, id);
    }

    /** The phase running after {@code completed}: the last listed phase without a status, else the next one. */
    private static String currentPhase(List<PhaseResult> phases, String completed) {
        if (!phases.isEmpty()) {
            PhaseResult last = phases.get(phases.size() - 1);
            if (last.status() == null && !last.phase().equals(completed)) {
                return last.phase();
            }
        }
        int i = FlagMapper.CODEBUILD_PHASES.indexOf(completed);
        return i >= 0 && i + 1 < FlagMapper.CODEBUILD_PHASES.size() ? FlagMapper.CODEBUILD_PHASES.get(i + 1)
                : completed;
    }

    private static BuildEvent pipeline(Object root, Object detail, String id) {
        String pipeline = required(detail, "pipeline");
        String execution = required(detail, "execution-id");
        String state = required(detail, "state");
        boolean finished = !FlagMapper.PIPELINE_RUNNING.contains(state);
        BuildRef ref = new BuildRef(BuildSystem.CODEPIPELINE, pipeline, execution, region(root, null),
                account(root, null));
        return new BuildEvent(ref, new BuildState(finished, state, null, List.of(), null), Map.of(), id);
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
