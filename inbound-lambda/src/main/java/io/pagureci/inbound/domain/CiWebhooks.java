package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.pagureci.inbound.config.InboundConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/** Format B: the ci webhook protocol v1 (docs/protocol.md §1.B), enforced by its JSON Schema. */
final class CiWebhooks {

  static final String PROTOCOL = "pagure-ci-webhook";
  private static final String SCHEMA_RESOURCE = "/schema/ci-webhook-v1.schema.json";

  private final InboundConfig config;
  // loaded on the first ci webhook document: a pagure web-hook (or a rejected request) never pays
  // for the schema library's start-up (~0.5 s on a cold JVM with Lambda's flags)
  private volatile Schema schema;

  CiWebhooks(InboundConfig config) {
    this.config = config;
  }

  private Schema schema() {
    Schema s = schema;
    if (s == null) {
      synchronized (this) {
        s = schema;
        if (s == null) {
          s = loadSchema();
          schema = s;
        }
      }
    }
    return s;
  }

  static Schema loadSchema() {
    try (InputStream in = CiWebhooks.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + SCHEMA_RESOURCE);
      }
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where (a JSON Pointer) and what, e.g. {@code /commit: does not match the regex pattern ...}.
   */
  static String describe(Error error) {
    return error.getInstanceLocation() + ": " + error.getMessage();
  }

  /**
   * Validates a ci webhook document and turns it into a build request.
   *
   * @param requestId the function URL request id; an explicit rebuild always builds anew
   */
  BuildRequest decide(JsonNode root, String requestId) throws Rejection {
    if (!PROTOCOL.equals(PagureWebhooks.text(root, "protocol"))) {
      throw Rejection.unprocessable("SCHEMA_VIOLATION", "protocol must be '" + PROTOCOL + "'");
    }
    JsonNode version = root.path("version");
    if (!version.isIntegralNumber() || version.asLong() != 1) {
      throw Rejection.unprocessable(
          "UNSUPPORTED_VERSION",
          "only version 1 of the ci webhook protocol is supported, got "
              + shorten(version.toString()));
    }
    List<Error> errors = schema().validate(root);
    if (!errors.isEmpty() && errors.stream().allMatch(CiWebhooks::isAboutCause)) {
      // the schema's "cause" definition is the one rule; this only gives it its own code
      throw Rejection.unprocessable(
          "INVALID_CAUSE",
          "cause must be 1 to 255 characters of [A-Za-z0-9._/+@=-], not starting with '-' or '/'"
              + " (it reaches the build as PAGURE_CAUSE)");
    }
    if (!errors.isEmpty()) {
      String why =
          errors.stream()
              .map(CiWebhooks::describe)
              .sorted()
              .limit(5)
              .map(CiWebhooks::shorten)
              .collect(Collectors.joining("; "));
      throw Rejection.unprocessable(
          "SCHEMA_VIOLATION", "the document does not follow ci-webhook v1: " + why);
    }
    String instance = root.get("instance").textValue();
    if (!InboundConfig.normaliseInstance(instance).map(config.pagureUrl()::equals).orElse(false)) {
      throw Rejection.forbidden("WRONG_INSTANCE", "instance is not the configured pagure instance");
    }
    String project = root.get("project").textValue();
    String source = root.get("source_project").textValue();
    if (!Names.isProjectFullname(project) || Names.isFork(project)) {
      throw Rejection.unprocessable("INVALID_PROJECT", "project is not a pagure project fullname");
    }
    if (!Names.isProjectFullname(source)) {
      throw Rejection.unprocessable(
          "INVALID_PROJECT", "source_project is not a pagure project fullname");
    }
    if (!Names.isSourceOf(source, project)) {
      throw Rejection.unprocessable(
          "INVALID_PROJECT", "source_project is neither project nor one of its forks");
    }
    String sourceBranch = root.get("source_branch").textValue();
    String targetBranch = root.get("target_branch").textValue();
    if (!Names.isBranch(sourceBranch) || !Names.isBranch(targetBranch)) {
      throw Rejection.unprocessable(
          "INVALID_BRANCH", "source_branch or target_branch is not a valid git branch name");
    }
    String commit = root.get("commit").textValue();
    if (!Names.isCommit(commit)) {
      throw Rejection.unprocessable("INVALID_COMMIT", "commit is not a full lower-case commit sha");
    }
    io.pagureci.pagure.routing.Rule rule =
        config.routes().ruleFor(project).orElseThrow(() -> PagureWebhooks.notAllowed(project));
    String trigger = root.get("trigger").textValue();
    JsonNode pr = root.path("pull_request");
    Long prId = pr.isObject() ? pr.get("id").asLong() : null;
    String prUid = pr.isObject() ? pr.get("uid").textValue() : null;
    if (prId != null && !rule.pullRequests()) {
      throw Rejection.forbidden(
          "PULL_REQUESTS_NOT_ALLOWED",
          "pull requests of '" + project + "' are not built (its rule has pullRequests false)");
    }
    if (trigger.equals(BuildRequest.TRIGGER_PUSH)) {
      if (!source.equals(project) || !sourceBranch.equals(targetBranch)) {
        throw Rejection.unprocessable(
            "SCHEMA_VIOLATION",
            "a push build has source_project == project and source_branch == target_branch");
      }
      if (!rule.buildsBranch(sourceBranch)) {
        throw Rejection.forbidden(
            "BRANCH_NOT_ALLOWED",
            "pushes to branch '" + sourceBranch + "' are not built (BUILD_BRANCHES)");
      }
    }
    String rebuildId = trigger.equals(BuildRequest.TRIGGER_REBUILD) ? "request-" + requestId : null;
    return new BuildRequest(
        BuildRequest.ORIGIN_CI_WEBHOOK,
        trigger,
        config.pagureUrl().toString(),
        project,
        source,
        sourceBranch,
        targetBranch,
        commit,
        prId,
        prUid,
        root.get("cause").textValue(),
        rebuildId);
  }

  /** Whether a schema violation is about the value of {@code cause} (not its absence). */
  private static boolean isAboutCause(Error e) {
    return e.getInstanceLocation() != null && e.getInstanceLocation().toString().equals("/cause");
  }

  private static String shorten(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
