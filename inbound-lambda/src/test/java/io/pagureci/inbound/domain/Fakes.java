package io.pagureci.inbound.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory stand-ins for the inbound ports, recording every call. */
public final class Fakes {

  private Fakes() {}

  public static class RecordingPackager implements SourcePackager {
    public final List<FetchPlan> plans = new ArrayList<>();
    public final List<String> keys = new ArrayList<>();
    SourceException failWith;
    String buildspec;
    int versions;

    @Override
    public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
      plans.add(plan);
      keys.add(objectKey);
      if (failWith != null) {
        throw failWith;
      }
      versions++;
      return new PackagedSource(
          "src-bucket",
          objectKey,
          "v" + versions,
          1234,
          plan.trustedBuildspec().isPresent()
              ? (buildspec == null ? "version: 0.2" : buildspec)
              : null);
    }
  }

  public static final class RecordingStarter implements BuildStarter {
    public final List<BuildRequest> requests = new ArrayList<>();
    public final List<WorkItem> items = new ArrayList<>();
    public final List<PackagedSource> sources = new ArrayList<>();
    public final List<String> tokens = new ArrayList<>();
    public final List<io.pagureci.pagure.routing.Target> targets = new ArrayList<>();

    /** Resources (CodeBuild projects, pipelines) whose every start fails. */
    public final java.util.Set<String> failingResources = new java.util.HashSet<>();

    BuildStartException failWith;

    @Override
    public StartedBuild start(
        WorkItem item, io.pagureci.pagure.routing.Target target, PackagedSource source)
        throws BuildStartException {
      targets.add(target);
      requests.add(item.request());
      items.add(item);
      sources.add(source);
      tokens.add(item.buildKey());
      if (failWith != null) {
        throw failWith;
      }
      if (failingResources.contains(target.resource())) {
        throw new BuildStartException(
            "CodeBuild StartBuild failed for project " + target.resource() + ": throttled", null);
      }
      return new StartedBuild("codebuild", "proj:build-" + requests.size());
    }
  }

  /**
   * The claim rules of docs/queue.md §5 in memory (each transition under one lock, as the table's
   * conditional writes are atomic per item).
   */
  public static final class MemoryClaims implements BuildClaims {
    public final Map<String, Record> records = new HashMap<>();
    private final Map<String, String> claimIds = new HashMap<>();
    final java.time.Duration lease;
    int finds;
    int saves;
    boolean unavailable;

    public MemoryClaims() {
      this(java.time.Duration.ofMinutes(15));
    }

    public MemoryClaims(java.time.Duration lease) {
      this.lease = lease;
    }

    @Override
    public synchronized Claim claim(
        String buildKey, String deliveryId, String commit, java.time.Instant now)
        throws RecordException {
      check();
      Record r = records.get(buildKey);
      if (r != null && r.state() == State.STARTED) {
        return new AlreadyStarted(r);
      }
      if (r != null && r.state() == State.CLAIMED && r.leaseUntil().isAfter(now)) {
        return new HeldElsewhere(r.leaseUntil());
      }
      saves++;
      String token = java.util.UUID.randomUUID().toString();
      java.time.Instant until = now.plus(lease);
      records.put(
          buildKey,
          new Record(
              State.CLAIMED, until, deliveryId, commit, null, null, null, null, null, null, now));
      claimIds.put(buildKey, token);
      return new Claimed(buildKey, token, until);
    }

    @Override
    public synchronized boolean awaitingApproval(
        String buildKey, String deliveryId, String commit, java.time.Instant now)
        throws RecordException {
      check();
      Record r = records.get(buildKey);
      if (r != null && r.state() == State.STARTED) {
        return false;
      }
      if (r != null && r.state() == State.CLAIMED && r.leaseUntil().isAfter(now)) {
        return false;
      }
      saves++;
      records.put(
          buildKey,
          new Record(
              State.AWAITING_APPROVAL,
              null,
              deliveryId,
              commit,
              null,
              null,
              null,
              null,
              null,
              null,
              now));
      claimIds.remove(buildKey);
      return true;
    }

    @Override
    public synchronized void started(
        Claimed claim, StartedBuild build, PackagedSource source, java.time.Instant now)
        throws RecordException, ClaimLostException {
      Record r = mine(claim);
      saves++;
      records.put(
          claim.buildKey(),
          new Record(
              State.STARTED,
              r.leaseUntil(),
              r.deliveryId(),
              r.commit(),
              build,
              source.bucket(),
              source.key(),
              source.versionId(),
              null,
              null,
              now));
    }

    @Override
    public synchronized void failed(
        Claimed claim, String code, String reason, java.time.Instant now)
        throws RecordException, ClaimLostException {
      Record r = mine(claim);
      saves++;
      records.put(
          claim.buildKey(),
          new Record(
              State.FAILED,
              now,
              r.deliveryId(),
              r.commit(),
              null,
              null,
              null,
              null,
              code,
              reason,
              now));
    }

    @Override
    public synchronized void release(Claimed claim, java.time.Instant now)
        throws RecordException, ClaimLostException {
      Record r = mine(claim);
      saves++;
      records.put(
          claim.buildKey(),
          new Record(
              State.CLAIMED,
              now,
              r.deliveryId(),
              r.commit(),
              null,
              null,
              null,
              null,
              null,
              null,
              now));
    }

    /** The reasons written by {@link #stopping}, by build key. */
    public final Map<String, String> cancelReasons = new HashMap<>();

    @Override
    public synchronized boolean stopping(
        String buildKey, String buildId, String reason, java.time.Instant now)
        throws RecordException {
      check();
      Record r = records.get(buildKey);
      if (r == null || r.state() != State.STARTED || !r.build().id().equals(buildId)) {
        return false;
      }
      saves++;
      cancelReasons.put(buildKey, reason);
      return true;
    }

    @Override
    public synchronized Optional<Record> find(String buildKey) throws RecordException {
      check();
      finds++;
      return Optional.ofNullable(records.get(buildKey));
    }

    /** Marks a key as built (as an earlier delivery would have). */
    public synchronized void startedBefore(String buildKey, StartedBuild build) {
      records.put(
          buildKey,
          new Record(
              State.STARTED,
              java.time.Instant.EPOCH,
              "earlier",
              null,
              build,
              "src-bucket",
              "k",
              "v0",
              null,
              null,
              java.time.Instant.EPOCH));
    }

    private Record mine(Claimed claim) throws RecordException, ClaimLostException {
      check();
      Record r = records.get(claim.buildKey());
      if (r == null || !claim.token().equals(claimIds.get(claim.buildKey()))) {
        throw new ClaimLostException("the claim on " + claim.buildKey() + " was taken over");
      }
      return r;
    }

    private void check() throws RecordException {
      if (unavailable) {
        throw new RecordException("record store down", null);
      }
    }
  }

  /** The work queue in memory: what was sent, and the back-offs asked for. */
  public static final class MemoryQueue implements WorkQueue {
    public final List<WorkItem> sent = new ArrayList<>();
    public final List<String> bodies = new ArrayList<>();
    public final Map<String, java.time.Duration> backoffs = new HashMap<>();
    boolean unavailable;

    /** Items the queue refuses (the others are kept): one entry of a batch failing. */
    java.util.function.Predicate<WorkItem> refuse = item -> false;

    @Override
    public synchronized String send(WorkItem item) throws QueueException {
      if (unavailable || refuse.test(item)) {
        throw new QueueException("queue down", null);
      }
      sent.add(item);
      bodies.add(WorkItemJson.write(item));
      return "msg-" + sent.size();
    }

    @Override
    public synchronized void retryAfter(String receiptHandle, java.time.Duration delay) {
      backoffs.put(receiptHandle, delay);
    }
  }

  /** Request events, recorded. */
  public static final class RecordingEvents implements RequestEvents {
    public final List<RequestEvent> events = new ArrayList<>();
    boolean unavailable;

    @Override
    public synchronized void publish(RequestEvent event) throws EventException {
      if (unavailable) {
        throw new EventException("event bus down", null);
      }
      events.add(event);
    }
  }

  /**
   * The accept function and the worker on the same fakes: {@link #handle} answers what the accept
   * function answers, then the worker drains the queue (each item received once), so tests see both
   * the caller's answer and what was built.
   */
  public static final class Pipeline {
    public final InboundService accept;
    public final WorkerService worker;
    public final MemoryQueue queue = new MemoryQueue();
    public final RecordingEvents events = new RecordingEvents();
    public final CapturingWorkLog workLog = new CapturingWorkLog();
    public final List<WorkerService.Result> results = new ArrayList<>();
    private int drained;

    public Pipeline(
        io.pagureci.inbound.config.InboundConfig config,
        Secrets secrets,
        RecordingPackager packager,
        RecordingStarter starter,
        MemoryClaims claims,
        DecisionLog log) {
      this(config, secrets, packager, starter, claims, log, java.time.Clock.systemUTC());
    }

    public Pipeline(
        io.pagureci.inbound.config.InboundConfig config,
        Secrets secrets,
        RecordingPackager packager,
        RecordingStarter starter,
        MemoryClaims claims,
        DecisionLog log,
        java.time.Clock clock) {
      accept = new InboundService(config, secrets, claims, queue, events, log, clock, false);
      worker =
          new WorkerService(
              config,
              TestConfigs.queueConfig(),
              packager,
              starter,
              claims,
              null,
              null,
              null,
              events,
              queue,
              workLog,
              clock);
    }

    public Outcome handle(HttpRequest request) {
      Outcome outcome = accept.handle(request);
      drain();
      return outcome;
    }

    /** Works every item queued since the last drain, each as its first receive. */
    public List<WorkerService.Result> drain() {
      List<WorkerService.Result> now = new ArrayList<>();
      while (drained < queue.bodies.size()) {
        int n = ++drained;
        now.add(
            worker.handle(
                new WorkerService.Message("msg-" + n, "rh-" + n, queue.bodies.get(n - 1), 1)));
      }
      results.addAll(now);
      return now;
    }
  }

  /**
   * Current heads in memory, by the rules of docs/queue.md §5 (newer in delivery order wins; the
   * replaced head's build becomes the new head's {@code previous}).
   */
  public static final class MemoryHeads implements CurrentHeads {
    public final Map<String, Head> heads = new HashMap<>();
    boolean unavailable;

    @Override
    public synchronized Recorded record(String project, String scope, String target, Head head)
        throws BuildClaims.RecordException {
      if (unavailable) {
        throw new BuildClaims.RecordException("table down", null);
      }
      String id = project + "/" + scope + "/" + target;
      Head old = heads.get(id);
      if (old != null && old.sameDelivery(head)) {
        return new Recorded(true, old);
      }
      if (old != null && !head.isNewerThan(old)) {
        return new Recorded(false, old);
      }
      Head written =
          head.replacing(old == null ? null : old.build() != null ? old.build() : old.previous());
      heads.put(id, written);
      return new Recorded(true, written);
    }

    @Override
    public synchronized Optional<Head> find(String project, String scope, String target)
        throws BuildClaims.RecordException {
      if (unavailable) {
        throw new BuildClaims.RecordException("table down", null);
      }
      return Optional.ofNullable(heads.get(project + "/" + scope + "/" + target));
    }
  }

  /** Stops builds in memory, recording every call; a scripted failure per call. */
  public static class RecordingStopper implements BuildStopper {
    public final List<CurrentHeads.Build> stopped = new ArrayList<>();
    public final List<String> reasons = new ArrayList<>();

    /** Builds that finished before any stop (their stop is ALREADY_FINISHED). */
    public final java.util.Set<String> finished = new java.util.HashSet<>();

    /** Failures to throw, one per call, before the calls succeed. */
    public final java.util.Deque<StopException> failures = new java.util.ArrayDeque<>();

    @Override
    public synchronized Stop stop(CurrentHeads.Build build, String reason) throws StopException {
      stopped.add(build);
      reasons.add(reason);
      StopException f = failures.poll();
      if (f != null) {
        throw f;
      }
      return finished.contains(build.id()) ? Stop.ALREADY_FINISHED : Stop.STOPPED;
    }
  }

  /**
   * pagure's access lists in memory, shaped as pagure's API gives them (the demo project of the
   * captures: owner alice, nobody else), counting the lookups.
   */
  public static final class MemoryMembers implements ProjectMembers {
    public final Map<String, Access> projects = new HashMap<>();
    public final Map<String, List<String>> groups = new HashMap<>();
    public final List<String> lookups = new ArrayList<>();
    ProjectMembers.LookupException failWith;
    ProjectMembers.LookupException failGroupsWith;

    public MemoryMembers() {
      projects.put(
          "demo",
          new Access(
              Map.of(
                  "owner", List.of("alice"),
                  "admin", List.of(),
                  "commit", List.of(),
                  "collaborator", List.of(),
                  "ticket", List.of()),
              Map.of(
                  "admin",
                  List.of(),
                  "commit",
                  List.of(),
                  "collaborator",
                  List.of(),
                  "ticket",
                  List.of())));
    }

    /** Gives {@code user} {@code level} access to {@code project}. */
    public MemoryMembers user(String project, String level, String user) {
      Access a = projects.get(project);
      Map<String, List<String>> users = new HashMap<>(a.users());
      List<String> names = new ArrayList<>(users.getOrDefault(level, List.of()));
      names.add(user);
      users.put(level, names);
      projects.put(project, new Access(users, a.groups()));
      return this;
    }

    /**
     * Gives group {@code group} (members {@code users}) {@code level} access to {@code project}.
     */
    public MemoryMembers group(String project, String level, String group, String... users) {
      Access a = projects.get(project);
      Map<String, List<String>> gs = new HashMap<>(a.groups());
      List<String> names = new ArrayList<>(gs.getOrDefault(level, List.of()));
      names.add(group);
      gs.put(level, names);
      projects.put(project, new Access(a.users(), gs));
      groups.put(group, List.of(users));
      return this;
    }

    @Override
    public synchronized Access access(String project) throws LookupException {
      lookups.add("project " + project);
      if (failWith != null) {
        throw failWith;
      }
      Access a = projects.get(project);
      if (a == null) {
        throw new LookupException("HTTP 404 for project " + project, true, null);
      }
      return a;
    }

    @Override
    public synchronized List<String> groupMembers(String group) throws LookupException {
      lookups.add("group " + group);
      if (failGroupsWith != null) {
        throw failGroupsWith;
      }
      return groups.getOrDefault(group, List.of());
    }
  }

  /** Captures the worker's lines instead of logging them. */
  public static final class CapturingWorkLog extends WorkLog {
    public final List<String> lines = new ArrayList<>();

    @Override
    protected synchronized void write(String level, String json) {
      lines.add(level + " " + json);
    }
  }

  public static final class MapSecrets implements Secrets {
    public final Map<String, String> values = new HashMap<>();
    public final AtomicInteger reads = new AtomicInteger();
    boolean unavailable;

    @Override
    public String read(String secretId) throws SecretsUnavailableException {
      reads.incrementAndGet();
      if (unavailable) {
        throw new SecretsUnavailableException("secret store down", null);
      }
      String v = values.get(secretId);
      if (v == null) {
        throw new SecretsUnavailableException("no secret " + secretId, null);
      }
      return v;
    }
  }

  /** Captures decision lines instead of logging them. */
  public static final class CapturingLog extends DecisionLog {
    public final List<String> lines = new ArrayList<>();

    @Override
    protected void write(String level, String json) {
      lines.add(level + " " + json);
    }
  }
}
