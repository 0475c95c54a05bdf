package io.pagureci.inbound.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.pagure.routing.Rule;
import io.pagureci.pagure.routing.Target;
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
 * The accept function's logic (behind the function URL): authenticate a request over its raw bytes,
 * check it completely (JSON, format, instance, names, allow-list), then keep it durably in the work
 * queue and ask for the "queued" flag (docs/queue.md). Every bad input ends as an explicit 4xx
 * {@link Outcome.Rejected}; nothing is queued for it. Fetching, packaging and starting the build
 * are the worker's ({@link WorkerService}).
 */
public final class InboundService {

  /**
   * Largest pagure web-hook body, after base64 decoding: the function URL's own request limit (6
   * MB). pagure's pull-request payload carries every comment of the PR, so a rebuild comment on a
   * long PR is over 1 MiB. Only a request with a well-formed signature header and project hint gets
   * this far with its body (see {@link #process}).
   */
  public static final int MAX_WEBHOOK_BODY_BYTES = 6 * 1024 * 1024;

  /**
   * Largest body of a ci webhook (Basic or IAM caller): a v1 document is a few hundred bytes, its
   * fields are capped by the schema at a few KiB in all.
   */
  public static final int MAX_DOCUMENT_BODY_BYTES = 64 * 1024;

  /** How far in the future a delivery's timestamp may be (clock skew between pagure and AWS). */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  private final InboundConfig config;
  private final Authenticator auth;
  private final PagureWebhooks webhooks;
  private final CiWebhooks ciWebhooks;
  private final BuildClaims claims;
  private final WorkQueue queue;
  private final RequestEvents events;
  private final DecisionLog log;
  private final Clock clock;
  private final boolean cancelSuperseded;

  /**
   * @param clock the age of a pagure delivery is checked against it
   * @param cancelSuperseded a pull request's close is queued for the worker, which stops its
   *     running build ({@code CANCEL_SUPERSEDED}); false: a close is ignored
   */
  public InboundService(
      InboundConfig config,
      Secrets secrets,
      BuildClaims claims,
      WorkQueue queue,
      RequestEvents events,
      DecisionLog log,
      Clock clock,
      boolean cancelSuperseded) {
    this.cancelSuperseded = cancelSuperseded;
    this.clock = clock;
    this.config = config;
    this.auth = new Authenticator(config, secrets);
    this.webhooks = new PagureWebhooks(config);
    this.ciWebhooks = new CiWebhooks(config);
    this.claims = claims;
    this.queue = queue;
    this.events = events;
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
      if (r.detail() != null) {
        entry.cause(r.detail());
      }
      outcome = r.toOutcome();
    } catch (Secrets.SecretsUnavailableException e) {
      entry.cause(e.getMessage());
      outcome =
          new Outcome.Rejected(
              503, "SECRETS_UNAVAILABLE", "the configured secret could not be read; retry later");
    } catch (RuntimeException e) {
      // a bug, not bad input: keep the stack trace for the operator (our messages hold no secrets)
      org.slf4j.LoggerFactory.getLogger(InboundService.class).error("unexpected failure", e);
      entry.cause(e.getClass().getName());
      outcome =
          new Outcome.Rejected(500, "INTERNAL_ERROR", "unexpected error; see the function's logs");
    }
    entry.finish(outcome, (System.nanoTime() - started) / 1_000_000);
    return outcome;
  }

  /**
   * The order matters: only the cheap checks that reveal nothing about the configuration run before
   * the request is authenticated over its raw bytes — method and content type (headers), then the
   * credential headers' form; the body is copied (and base64-decoded) only for a request whose
   * credential headers are well-formed, under the cap of its kind; it is parsed, and the instance,
   * allow-list and names checked, only for an authentic request.
   */
  private Outcome process(HttpRequest request, DecisionLog.Entry entry)
      throws Rejection, Secrets.SecretsUnavailableException {
    if (!request.method().equalsIgnoreCase("POST")) {
      throw new Rejection(405, "METHOD_NOT_ALLOWED", "only POST is accepted");
    }
    checkContentType(request);
    if (isPagureWebhook(request)) {
      entry
          .format(BuildRequest.ORIGIN_WEBHOOK)
          .topic(request.header("x-pagure-topic").orElse(null));
      byte[] signature = Authenticator.signatureOf(request);
      String hint = Authenticator.projectHint(request);
      entry.project(hint);
      if (Names.isFork(hint)) {
        // a fork's own web-hook (a push to the fork, its settings, a PR inside the fork): never a
        // build — a fork's PRs build from the target's web-hook. The same answer for every fork
        // and every configuration, given before any secret is read: it tells nothing.
        return new Outcome.Ignored(
            "web-hooks of forks do not start builds; a fork's pull requests build from the target"
                + " project's web-hook");
      }
      byte[] body = body(request, MAX_WEBHOOK_BODY_BYTES, "6 MiB, the function URL's limit");
      auth.verifyWebhook(hint, body, signature);
      JsonNode root = object(body);
      entry.topic(PagureWebhooks.text(root, "topic"));
      String signer = webhooks.signingProject(root);
      if (!signer.equals(hint)) {
        throw Rejection.forbidden(
            "PROJECT_MISMATCH",
            "msg.project_fullname is not the project named by X-Pagure-project, whose key signed the delivery");
      }
      checkAge(root);
      Object decision = webhooks.decide(root);
      if (decision instanceof Outcome.Ignored ignored) {
        return ignored;
      }
      if (decision instanceof PagureWebhooks.Closing closing) {
        return close(closing, deliveryId(request), entry);
      }
      PagureWebhooks.Decided decided = (PagureWebhooks.Decided) decision;
      return queue(
          decided.request(), decided.actor(), decided.target(), deliveryId(request), entry);
    }
    if (Authenticator.hasCallerCredentials(request)) {
      entry.format(BuildRequest.ORIGIN_CI_WEBHOOK);
      byte[] body = body(request, MAX_DOCUMENT_BODY_BYTES, "64 KiB for a ci webhook document");
      auth.verifyCaller(request);
      JsonNode root = object(body);
      if (!root.has("protocol")) {
        throw Rejection.badRequest(
            "UNKNOWN_FORMAT", "the body is not a ci webhook document (\"protocol\")");
      }
      BuildRequest decision = ciWebhooks.decide(root, request.requestId());
      entry.project(decision.project());
      // the caller is an authenticated CI integration, trusted to ask only for what may build
      return queue(decision, null, null, deliveryId(request), entry);
    }
    throw Rejection.unauthenticated(
        "MISSING_CREDENTIALS: neither pagure web-hook headers nor ci-webhook credentials");
  }

  /**
   * The authenticated body as a JSON object (strict: duplicate keys, depth, trailing data refused).
   */
  private static JsonNode object(byte[] body) throws Rejection {
    JsonNode root = StrictJson.parse(body);
    if (!root.isObject()) {
      throw Rejection.badRequest("UNKNOWN_FORMAT", "the body is not a JSON object");
    }
    return root;
  }

  /**
   * Keeps an authentic, valid request durably for the worker and asks for the "queued" flags: one
   * work item per target of the project's rule (the one target a rebuild comment named, if it did),
   * sent together (SendMessageBatch). A target whose build already started is a duplicate: nothing
   * is queued for it. No git, source-object or build call happens here.
   *
   * <p>When only some items could be queued, the answer is {@code 503 QUEUE_UNAVAILABLE} naming the
   * targets that were and were not queued; the queued ones build (and get their "queued" flag). A
   * caller that sends the request again queues them all again, and each target still builds once:
   * its build key's claim turns the second item into a duplicate.
   */
  private Outcome queue(
      BuildRequest request,
      WorkItem.Actor actor,
      String requestedTarget,
      String deliveryId,
      DecisionLog.Entry entry)
      throws Rejection {
    entry.request(request);
    Rule rule =
        config
            .routes()
            .ruleFor(request.project())
            .orElseThrow(() -> PagureWebhooks.notAllowed(request.project()));
    List<String> names = requestedTarget != null ? List.of(requestedTarget) : rule.targetNames();
    Instant now = clock.instant();
    List<WorkItem> items = new ArrayList<>();
    List<Outcome.ForTarget> results = new ArrayList<>();
    Outcome.Duplicate duplicate = null;
    for (String name : names) {
      WorkItem item = WorkItem.of(deliveryId, now, request, actor, name);
      // a rebuild's key includes its own id (comment / request), so only a replay of the very
      // same rebuild request finds a record here
      Optional<BuildClaims.Record> existing = findRecord(item.buildKey(), entry);
      if (existing.isPresent() && existing.get().state() == BuildClaims.State.STARTED) {
        results.add(new Outcome.ForTarget(name, item.buildKey(), "duplicate"));
        if (duplicate == null) {
          duplicate =
              new Outcome.Duplicate(request, deliveryId, item.buildKey(), existing.get().build());
        }
      } else {
        items.add(item);
      }
    }
    entry.buildKey(items.isEmpty() ? duplicate.buildKey() : items.get(0).buildKey());
    if (items.isEmpty()) {
      return duplicate;
    }
    WorkQueue.Sent sent = queue.sendAll(items);
    List<String> notQueued = new ArrayList<>();
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      WorkItem item = items.get(i);
      String messageId = sent.messageIds().get(i);
      if (messageId == null) {
        notQueued.add(item.target());
        continue;
      }
      queued.add(item.target());
      results.add(new Outcome.ForTarget(item.target(), item.buildKey(), "queued"));
      if (i == 0) {
        entry.messageId(messageId);
      }
      // an unknown target (a rebuild comment naming one the rule lacks) gets no "queued" flag:
      // the worker answers it once the commenter passed the rebuild policy
      Optional<Target> target = rule.target(item.target());
      if (target.isPresent() && !ContributorGate.quietUntilChecked(config, item)) {
        // the worker may refuse a quiet item without a word (a non-member's comment): a
        // "queued" flag now would replace the commit's real flag with one nothing ever updates;
        // the worker asks for it once the commenter is known to be a member
        try {
          events.publish(RequestEvent.queued(item, RequestEvent.Target.of(target.get())));
        } catch (RequestEvents.EventException e) {
          // the request is queued and will build; only the early "queued" flag is missing
          entry.cause("queued flag not requested: " + e.getMessage());
        }
      }
    }
    if (!notQueued.isEmpty()) {
      entry.cause(sent.failure());
      if (queued.isEmpty()) {
        throw new Rejection(
            503, "QUEUE_UNAVAILABLE", "the request could not be queued; nothing will be built");
      }
      throw new Rejection(
          503,
          "QUEUE_UNAVAILABLE",
          "the request was queued for target(s) "
              + String.join(", ", queued)
              + " only, not for "
              + String.join(", ", notQueued)
              + "; send it again (each target still builds once)");
    }
    WorkItem first = items.get(0);
    // in the rule's order of targets
    results.sort(java.util.Comparator.comparingInt(t -> names.indexOf(t.name())));
    return new Outcome.Queued(request, deliveryId, first.buildKey(), results);
  }

  /**
   * Queues a pull request's close for the worker (no "queued" flag: nothing builds). The build
   * record is not looked at: a started build is what the close stops.
   */
  private Outcome close(PagureWebhooks.Closing closing, String deliveryId, DecisionLog.Entry entry)
      throws Rejection {
    entry.request(closing.request());
    if (!cancelSuperseded) {
      return new Outcome.Ignored("a closed pull request stops nothing (CANCEL_SUPERSEDED is off)");
    }
    WorkItem item = WorkItem.close(deliveryId, clock.instant(), closing.request(), closing.why());
    entry.buildKey(item.buildKey());
    try {
      entry.messageId(queue.send(item));
    } catch (WorkQueue.QueueException e) {
      entry.cause(e.getMessage());
      throw new Rejection(
          503,
          "QUEUE_UNAVAILABLE",
          "the close could not be queued; running builds are not stopped");
    }
    return new Outcome.Queued(closing.request(), deliveryId, item.buildKey());
  }

  private Optional<BuildClaims.Record> findRecord(String buildKey, DecisionLog.Entry entry) {
    try {
      return claims.find(buildKey);
    } catch (BuildClaims.RecordException e) {
      // the worker's claim still keeps the build single; only the early duplicate answer is lost
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
    if (sent.isBefore(now.minus(config.maxDeliveryAge()))
        || sent.isAfter(now.plus(MAX_CLOCK_SKEW))) {
      throw Rejection.unauthorized(
          "STALE_DELIVERY",
          "the delivery was sent at "
              + sent
              + ", outside the accepted window (MAX_DELIVERY_AGE_SECONDS); replays are refused");
    }
  }

  /**
   * The delivery id: the function URL's request id (a fresh one if a caller outside Lambda gave
   * none).
   */
  private static String deliveryId(HttpRequest request) {
    return request.requestId().isBlank()
        ? java.util.UUID.randomUUID().toString()
        : request.requestId();
  }

  /** A pagure web-hook announces itself with its headers (all of them unsigned hints). */
  private static boolean isPagureWebhook(HttpRequest request) {
    return request.header("x-pagure-topic").isPresent()
        || request.header(Authenticator.SIGNATURE_HEADER).isPresent()
        || request.header("x-pagure-signature").isPresent()
        || request.header(Authenticator.PROJECT_HEADER).isPresent();
  }

  /**
   * The raw body bytes, at most {@code max} of them. The size is checked on the text before it is
   * copied or decoded (a UTF-8 body has at least as many bytes as characters; base64 gives 3 bytes
   * per 4 characters), so an oversized body costs no copy.
   */
  private static byte[] body(HttpRequest request, int max, String limit) throws Rejection {
    String body = request.body() == null ? "" : request.body();
    byte[] bytes;
    if (request.base64()) {
      if (body.length() > (max / 3 + 1) * 4 + 4) {
        throw tooLarge(limit);
      }
      try {
        bytes = Base64.getDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw Rejection.badRequest("BAD_BASE64", "the body is marked base64 but does not decode");
      }
    } else {
      if (body.length() > max) {
        throw tooLarge(limit);
      }
      bytes = body.getBytes(StandardCharsets.UTF_8);
    }
    if (bytes.length > max) {
      throw tooLarge(limit);
    }
    return bytes;
  }

  private static Rejection tooLarge(String limit) {
    return new Rejection(413, "BODY_TOO_LARGE", "the body is larger than " + limit);
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
