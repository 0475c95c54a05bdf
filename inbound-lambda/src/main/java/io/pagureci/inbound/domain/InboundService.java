package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.config.InboundConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The inbound Lambda's logic: check a request completely (size, type, JSON, format, instance,
 * names, allow-list — all without any network call), authenticate it, then fetch + package the
 * commit and start its build. Every bad input ends as an explicit 4xx {@link Outcome.Rejected};
 * nothing is fetched, uploaded or started for it.
 */
public final class InboundService {

  /** Largest accepted body, after base64 decoding. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  /** How far in the future a delivery's timestamp may be (clock skew between pagure and AWS). */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  private final InboundConfig config;
  private final Authenticator auth;
  private final PagureWebhooks webhooks;
  private final CiWebhooks ciWebhooks;
  private final SourcePackager packager;
  private final BuildStarter starter;
  private final BuildRecords records;
  private final DecisionLog log;
  private final Clock clock;

  public InboundService(InboundConfig config, Secrets secrets, SourcePackager packager,
      BuildStarter starter, BuildRecords records, DecisionLog log) {
    this(config, secrets, packager, starter, records, log, Clock.systemUTC());
  }

  /** With an explicit clock (the age of a pagure delivery is checked against it). */
  public InboundService(InboundConfig config, Secrets secrets, SourcePackager packager,
      BuildStarter starter, BuildRecords records, DecisionLog log, Clock clock) {
    this.clock = clock;
    this.config = config;
    this.auth = new Authenticator(config, secrets);
    this.webhooks = new PagureWebhooks(config);
    this.ciWebhooks = new CiWebhooks(config);
    this.packager = packager;
    this.starter = starter;
    this.records = records;
    this.log = log;
  }

  /** Handles one request; never throws. */
  public Outcome handle(HttpRequest request) {
    long started = System.nanoTime();
    DecisionLog.Entry entry = log.entry(request.requestId());
    Outcome outcome;
    try {
      outcome = process(request, entry);
    } catch (Rejection r) {
      outcome = r.toOutcome();
    } catch (Secrets.SecretsUnavailableException e) {
      entry.cause(e.getMessage());
      outcome = new Outcome.Rejected(503, "SECRETS_UNAVAILABLE", "the configured secret could not be read; retry later");
    } catch (RuntimeException e) {
      // a bug, not bad input: keep the stack trace for the operator (our messages hold no secrets)
      org.slf4j.LoggerFactory.getLogger(InboundService.class).error("unexpected failure", e);
      entry.cause(e.getClass().getName());
      outcome = new Outcome.Rejected(500, "INTERNAL_ERROR", "unexpected error; see the function's logs");
    }
    entry.finish(outcome, (System.nanoTime() - started) / 1_000_000);
    return outcome;
  }

  private Outcome process(HttpRequest request, DecisionLog.Entry entry)
      throws Rejection, Secrets.SecretsUnavailableException {
    if (!request.method().equalsIgnoreCase("POST")) {
      throw new Rejection(405, "METHOD_NOT_ALLOWED", "only POST is accepted");
    }
    byte[] body = body(request);
    checkContentType(request);
    // well-formedness and the top-level shape with the streaming parser; the tree (jackson-databind)
    // is built only once the static part of the authentication passed, so a request refused before
    // that never loads it (docs/performance.md §3)
    StrictJson.Shape shape = StrictJson.check(body);
    if (!shape.object()) {
      throw Rejection.badRequest("UNKNOWN_FORMAT", "the body is not a JSON object");
    }
    if (isPagureWebhook(request, shape)) {
      entry.format(BuildRequest.ORIGIN_WEBHOOK).topic(shape.topic());
      byte[] signature = Authenticator.signatureOf(request);
      JsonNode root = StrictJson.parse(body);
      Object decision = webhooks.decide(root);
      String signer = webhooks.signingProject(root);
      entry.project(signer);
      auth.verifyWebhook(signer, body, signature);
      checkAge(root);
      if (decision instanceof Outcome.Ignored ignored) {
        return ignored;
      }
      return build((BuildRequest) decision, entry);
    }
    if (shape.hasProtocol()) {
      entry.format(BuildRequest.ORIGIN_CI_WEBHOOK);
      auth.checkCaller(request);
      JsonNode root = StrictJson.parse(body);
      BuildRequest decision = ciWebhooks.decide(root, request.requestId());
      entry.project(decision.project());
      auth.verifyBasic(request);
      return build(decision, entry);
    }
    throw Rejection.badRequest("UNKNOWN_FORMAT",
        "neither a pagure web-hook (X-Pagure-Topic) nor a ci webhook document (\"protocol\")");
  }

  private Outcome build(BuildRequest request, DecisionLog.Entry entry) throws Rejection {
    entry.request(request);
    String token = BuildKey.idempotencyToken(request);
    String key = BuildKey.objectKey(config.sourcePrefix(), request);
    // a rebuild's key includes its own id (comment / request), so only a replay of the very same
    // rebuild request finds a record here
    Optional<BuildRecords.BuildRecord> existing = findRecord(token, entry);
    if (existing.isPresent()) {
      BuildRecords.BuildRecord r = existing.get();
      return new Outcome.Accepted(request, r.build(), r.bucket(), r.key(), r.versionId(), true);
    }
    PackagedSource source;
    try {
      source = packager.pack(plan(request), key);
    } catch (SourceException e) {
      entry.cause(e.getMessage());
      throw switch (e.kind()) {
        case HEAD_MOVED -> new Rejection(409, "HEAD_MOVED", e.getMessage());
        case COMMIT_NOT_FOUND -> new Rejection(409, "COMMIT_NOT_FOUND", e.getMessage());
        case BUILDSPEC_MISSING -> new Rejection(422, "TRUSTED_BUILDSPEC_MISSING", e.getMessage());
        case GIT_FAILED -> new Rejection(502, "GIT_FETCH_FAILED", "fetching the commit from pagure failed");
        case UPLOAD_FAILED -> new Rejection(502, "UPLOAD_FAILED", "storing the source in S3 failed");
        case SOURCE_TOO_LARGE -> new Rejection(422, "SOURCE_TOO_LARGE", e.getMessage());
        case PATH_TOO_LONG -> new Rejection(422, "PATH_TOO_LONG", e.getMessage());
        case DIRECTORY_TOO_LARGE -> new Rejection(422, "DIRECTORY_TOO_LARGE", e.getMessage());
      };
    }
    StartedBuild build;
    try {
      build = starter.start(request, source, token);
    } catch (BuildStarter.BuildStartException e) {
      entry.cause(e.getMessage());
      throw new Rejection(502, "BUILD_START_FAILED", e.getMessage());
    }
    try {
      records.save(token, new BuildRecords.BuildRecord(build, source.bucket(), source.key(), source.versionId(), request.commit()));
    } catch (BuildRecords.RecordException e) {
      // the build runs; only duplicate detection for this key is weakened (CodeBuild's own
      // idempotency token still covers the next 5 minutes)
      entry.cause("build record not saved: " + e.getMessage());
    }
    return new Outcome.Accepted(request, build, source.bucket(), source.key(), source.versionId(), false);
  }

  private Optional<BuildRecords.BuildRecord> findRecord(String token, DecisionLog.Entry entry) {
    try {
      return records.find(token);
    } catch (BuildRecords.RecordException e) {
      entry.cause("build record lookup failed: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Replay protection for authentic deliveries: pagure stamps every message ({@code timestamp},
   * epoch seconds, inside the signed body) and never retries, so an old delivery is a replay.
   */
  private void checkAge(JsonNode root) throws Rejection {
    if (config.maxDeliveryAge().isZero()) {
      return;
    }
    JsonNode ts = root.path("timestamp");
    if (!ts.isNumber()) {
      throw Rejection.unprocessable("INVALID_PAYLOAD", "timestamp is missing");
    }
    Instant sent = Instant.ofEpochSecond(ts.asLong());
    Instant now = clock.instant();
    if (sent.isBefore(now.minus(config.maxDeliveryAge())) || sent.isAfter(now.plus(MAX_CLOCK_SKEW))) {
      throw Rejection.unauthorized("STALE_DELIVERY", "the delivery was sent at " + sent
          + ", outside the accepted window (MAX_DELIVERY_AGE_SECONDS); replays are refused");
    }
  }

  /** Which refs may hold the commit, and where the trusted buildspec comes from. */
  FetchPlan plan(BuildRequest request) {
    List<RepoRef> candidates = new ArrayList<>();
    candidates.add(new RepoRef(request.sourceProject(), "refs/heads/" + request.sourceBranch()));
    if (request.isPullRequest()) {
      candidates.add(new RepoRef(request.project(), "refs/pull/" + request.prId() + "/head"));
    }
    BuildspecSource buildspec = null;
    if (config.trustedBuildspec() && request.isPullRequest()
        && config.buildTarget() == InboundConfig.BuildTarget.CODEBUILD) {
      buildspec = new BuildspecSource(request.project(), request.targetBranch(), config.trustedBuildspecPath());
    }
    return new FetchPlan(candidates, request.commit(), config.refWait(), buildspec);
  }

  private static boolean isPagureWebhook(HttpRequest request, StrictJson.Shape body) {
    return request.header("x-pagure-topic").isPresent()
        || request.header(Authenticator.SIGNATURE_HEADER).isPresent()
        || request.header("x-pagure-signature").isPresent()
        || (body.hasTopic() && body.hasMsg() && !body.hasProtocol());
  }

  private static byte[] body(HttpRequest request) throws Rejection {
    String body = request.body() == null ? "" : request.body();
    byte[] bytes;
    if (request.base64()) {
      if (body.length() > (MAX_BODY_BYTES / 3 + 1) * 4 + 4) {
        throw new Rejection(413, "BODY_TOO_LARGE", "the body is larger than 1 MiB");
      }
      try {
        bytes = Base64.getDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw Rejection.badRequest("BAD_BASE64", "the body is marked base64 but does not decode");
      }
    } else {
      if (body.length() > MAX_BODY_BYTES) {
        throw new Rejection(413, "BODY_TOO_LARGE", "the body is larger than 1 MiB");
      }
      bytes = body.getBytes(StandardCharsets.UTF_8);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new Rejection(413, "BODY_TOO_LARGE", "the body is larger than 1 MiB");
    }
    return bytes;
  }

  private static void checkContentType(HttpRequest request) throws Rejection {
    String type = request.header("content-type").orElse("");
    int semi = type.indexOf(';');
    String media = (semi >= 0 ? type.substring(0, semi) : type).strip().toLowerCase(Locale.ROOT);
    if (!media.equals("application/json")) {
      throw new Rejection(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
  }
}
