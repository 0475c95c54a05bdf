package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.config.InboundConfig;
import io.pagureci.init.ConfigException;
import io.pagureci.pagure.routing.Target;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routing table at run time (issue 14 items 3 and 7, issue 12 item 3): a delivery becomes one
 * work item, one "queued" flag and one build per target of the project's first matching rule, each
 * with its own build key, resource and trusted buildspec; a rebuild comment can name one target.
 */
class RoutingTest {

  /** demo: two targets (the second with its own trusted buildspec); rpms/*: one, push-only. */
  static final String ROUTES =
      """
      {"rules":[
        {"match":["demo"],"branches":["master"],"targets":[
          {"name":"rpmbuild","system":"codebuild","resource":"Rpmbuild-1","trustedBuildspecPath":"ci/rpm.yml"},
          {"name":"lint","system":"codebuild","resource":"Lint-1"}]},
        {"match":["rpms/*"],"pullRequests":false,"branches":["main"],"targets":[
          {"name":"deploy","system":"codepipeline","resource":"deploy-pipe"}]}
      ]}
      """;

  static final Instant NOW = Instant.parse("2026-11-27T12:30:00Z");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims claims = new Fakes.MemoryClaims();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.MemoryQueue queue = new Fakes.MemoryQueue();
  private final Fakes.MemoryMembers members = new Fakes.MemoryMembers();
  private final List<WorkerService.Result> results = new ArrayList<>();
  private int drained;

  private final class Stack {
    final InboundService accept;
    final WorkerService worker;

    Stack(String rebuildPolicy) {
      this(rebuildPolicy, ROUTES);
    }

    Stack(String rebuildPolicy, String routes) {
      this(rebuildPolicy, routes, "all");
    }

    Stack(String rebuildPolicy, String routes, String contributorPolicy) {
      Map<String, String> env = TestConfigs.env();
      env.remove("ALLOWED_PROJECTS");
      env.remove("CODEBUILD_PROJECT");
      env.put("ROUTES", routes);
      env.put("REBUILD_POLICY", rebuildPolicy);
      env.put("CONTRIBUTOR_POLICY", contributorPolicy);
      InboundConfig config = InboundConfig.fromEnv(env);
      Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
      accept =
          new InboundService(
              config,
              TestConfigs.secrets(),
              claims,
              queue,
              events,
              new Fakes.CapturingLog(),
              clock,
              false);
      worker =
          new WorkerService(
              config,
              TestConfigs.queueConfig(),
              packager,
              starter,
              claims,
              null,
              null,
              members,
              events,
              queue,
              new Fakes.CapturingWorkLog(),
              clock);
    }

    Outcome send(HttpRequest request) {
      return send(request, 1);
    }

    /** Accepts, then works everything queued since, each item as its {@code receive}th receive. */
    Outcome send(HttpRequest request, int receive) {
      Outcome outcome = accept.handle(request);
      while (drained < queue.bodies.size()) {
        int n = ++drained;
        results.add(
            worker.handle(
                new WorkerService.Message(
                    "msg-" + n, "rh-" + n, queue.bodies.get(n - 1), receive)));
      }
      return outcome;
    }
  }

  private static HttpRequest pr() {
    return PagureFixtures.webhook("pull-request.new-1").request();
  }

  /** A comment by {@code user} saying {@code text} on demo's PR #1 (the real capture, edited). */
  private static HttpRequest comment(String fixture, String user, String text) {
    return PagureFixtures.webhook(fixture)
        .edited(
            root -> {
              ObjectNode pr = (ObjectNode) root.path("msg").path("pullrequest");
              ArrayNode comments = (ArrayNode) pr.path("comments");
              ObjectNode last = (ObjectNode) comments.get(comments.size() - 1);
              last.put("comment", text);
              ((ObjectNode) last.path("user")).put("name", user);
            });
  }

  private List<String> itemTargets() {
    return queue.sent.stream().map(WorkItem::target).toList();
  }

  @Test
  void aPullRequestInATwoTargetProjectIsTwoItemsTwoQueuedFlagsAndTwoBuildsEachOnItsOwnResource()
      throws Exception {
    Outcome outcome = new Stack("all").send(pr());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    Outcome.Queued q = (Outcome.Queued) outcome;
    assertThat(q.targets()).extracting(Outcome.ForTarget::name).containsExactly("rpmbuild", "lint");
    assertThat(q.targets()).extracting(Outcome.ForTarget::status).containsOnly("queued");
    assertThat(itemTargets()).containsExactly("rpmbuild", "lint");
    List<String> keys = queue.sent.stream().map(WorkItem::buildKey).toList();
    assertThat(keys).doesNotHaveDuplicates();
    assertThat(keys.get(0))
        .isEqualTo(BuildKey.idempotencyToken(queue.sent.get(0).request(), "rpmbuild"));
    assertThat(events.events)
        .extracting(RequestEvent::state, RequestEvent::target, RequestEvent::buildKey)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                RequestEvent.State.QUEUED,
                new RequestEvent.Target("codebuild", "Rpmbuild-1", "rpmbuild"),
                keys.get(0)),
            org.assertj.core.groups.Tuple.tuple(
                RequestEvent.State.QUEUED,
                new RequestEvent.Target("codebuild", "Lint-1", "lint"),
                keys.get(1)));
    assertThat(starter.targets)
        .extracting(Target::resource)
        .containsExactly("Rpmbuild-1", "Lint-1");
    assertThat(starter.tokens).containsExactlyElementsOf(keys);
    assertThat(packager.plans.get(0).trustedBuildspec())
        .map(BuildspecSource::path)
        .as("rpmbuild runs the target branch's ci/rpm.yml")
        .contains("ci/rpm.yml");
    assertThat(packager.plans.get(1).trustedBuildspec())
        .as("lint runs the commit's own buildspec")
        .isEmpty();
    assertThat(claims.records.keySet()).containsExactlyInAnyOrderElementsOf(keys);
  }

  @Test
  void oneTargetsStartFailingLeavesTheOtherBuildingAndTellsThePrOnlyAboutItself() throws Exception {
    starter.failingResources.add("Lint-1");

    new Stack("all").send(pr(), TestConfigs.queueConfig().maxAttempts());

    assertThat(results.get(0)).isEqualTo(new WorkerService.Done("started"));
    assertThat(results.get(1)).isInstanceOf(WorkerService.Retry.class);
    RequestEvent error = events.events.get(events.events.size() - 1);
    assertThat(error.state()).isEqualTo(RequestEvent.State.ERROR);
    assertThat(error.code()).isEqualTo("BUILD_START_FAILED");
    assertThat(error.target()).isEqualTo(new RequestEvent.Target("codebuild", "Lint-1", "lint"));
    assertThat(events.events)
        .filteredOn(e -> e.state() == RequestEvent.State.ERROR)
        .as("rpmbuild's flag is its build's")
        .hasSize(1);
    assertThat(claims.records.get(queue.sent.get(0).buildKey()).state())
        .isEqualTo(BuildClaims.State.STARTED);
    assertThat(claims.records.get(queue.sent.get(1).buildKey()).state())
        .isEqualTo(BuildClaims.State.FAILED);
  }

  @Test
  void whenTheQueueKeepsOnlyOneTargetsItemTheCallerIsToldWhichAndASecondSendBuildsEachOnce()
      throws Exception {
    Stack stack = new Stack("all");
    queue.refuse = item -> "lint".equals(item.target());

    Outcome first = stack.send(pr());

    assertThat(first)
        .isEqualTo(
            new Outcome.Rejected(
                503,
                "QUEUE_UNAVAILABLE",
                "the request was queued for target(s) rpmbuild only, not for lint; send it again"
                    + " (each target still builds once)"));
    assertThat(itemTargets()).containsExactly("rpmbuild");
    assertThat(events.events)
        .extracting(e -> e.target().label())
        .as("only what will build is flagged queued")
        .containsExactly("rpmbuild");

    queue.refuse = item -> false;
    Outcome again = stack.send(pr());

    assertThat(again).isInstanceOf(Outcome.Queued.class);
    assertThat(((Outcome.Queued) again).targets())
        .extracting(Outcome.ForTarget::name, Outcome.ForTarget::status)
        .as("rpmbuild started already")
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("rpmbuild", "duplicate"),
            org.assertj.core.groups.Tuple.tuple("lint", "queued"));
    // the first send's rpmbuild build started; the second send queued only lint
    assertThat(itemTargets()).containsExactly("rpmbuild", "lint");
    assertThat(starter.targets).extracting(Target::name).containsExactly("rpmbuild", "lint");
  }

  @Test
  void whenTheQueueKeepsNothingTheAnswerIsTheOneItAlwaysWas() {
    Stack stack = new Stack("all");
    queue.unavailable = true;

    assertThat(stack.send(pr()))
        .isEqualTo(
            new Outcome.Rejected(
                503,
                "QUEUE_UNAVAILABLE",
                "the request could not be queued; nothing will be built"));
    assertThat(events.events).isEmpty();
  }

  @Test
  void theRebuildPhraseRebuildsEveryTargetAndThePhraseWithANameOnlyThatOne() throws Exception {
    Stack stack = new Stack("all");

    stack.send(comment("pull-request.comment.added-6", "alice", "pretty please pagure-ci rebuild"));
    stack.send(
        comment(
            "pull-request.comment.added-7", "alice", "  Pretty please pagure-ci rebuild lint "));

    assertThat(itemTargets()).containsExactly("rpmbuild", "lint", "lint");
    assertThat(starter.targets)
        .extracting(Target::name)
        .containsExactly("rpmbuild", "lint", "lint");
    assertThat(starter.tokens).doesNotHaveDuplicates();
  }

  @Test
  void aMembersRebuildOfAnUnknownTargetIsAnsweredWithTheTargetsThatExistAndBuildsNothing()
      throws Exception {
    new Stack("members")
        .send(
            comment(
                "pull-request.comment.added-6", "alice", "pretty please pagure-ci rebuild lnt"));

    assertThat(starter.items).isEmpty();
    assertThat(packager.plans).isEmpty();
    assertThat(results).containsExactly(new WorkerService.Done("failed"));
    assertThat(events.events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.state()).isEqualTo(RequestEvent.State.ERROR);
              assertThat(e.code()).isEqualTo("UNKNOWN_TARGET");
              assertThat(e.reason())
                  .isEqualTo("there is no target 'lnt' for demo; its targets are rpmbuild, lint");
              assertThat(e.retry()).isEqualTo("pretty please pagure-ci rebuild");
              assertThat(e.target().label())
                  .as("sent under the rule's first target")
                  .isEqualTo("rpmbuild");
            });
    assertThat(claims.records).as("nothing claimed").isEmpty();
  }

  @Test
  void aNonMembersRebuildOfAnUnknownTargetStaysSilent() throws Exception {
    new Stack("members")
        .send(
            comment("pull-request.comment.added-6", "bob", "pretty please pagure-ci rebuild lnt"));

    assertThat(results).containsExactly(new WorkerService.Done("ignored"));
    assertThat(events.events).as("no flag at all: the membership check comes first").isEmpty();
    assertThat(starter.items).isEmpty();
  }

  @Test
  void aPhraseFollowedByMoreThanOneWordOrNoTargetNameIsNoRebuild() {
    Stack stack = new Stack("all");

    Outcome two =
        stack.send(
            comment(
                "pull-request.comment.added-6",
                "alice",
                "pretty please pagure-ci rebuild lint now"));
    Outcome glued =
        stack.send(
            comment(
                "pull-request.comment.added-7", "alice", "pretty please pagure-ci rebuildlint"));

    assertThat(two).isInstanceOf(Outcome.Ignored.class);
    assertThat(glued).isInstanceOf(Outcome.Ignored.class);
    assertThat(queue.sent).isEmpty();
  }

  @Test
  void theApprovalPhraseIsNeverARebuildOfATargetEvenWhenTheRebuildPhraseIsItsFirstWords() {
    Map<String, String> env = TestConfigs.env();
    env.remove("ALLOWED_PROJECTS");
    env.remove("CODEBUILD_PROJECT");
    env.put("ROUTES", ROUTES);
    env.put("REBUILD_PHRASE", "pretty please pagure-ci");
    env.put("CONTRIBUTOR_POLICY", "members");
    InboundService accept =
        new InboundService(
            InboundConfig.fromEnv(env),
            TestConfigs.secrets(),
            claims,
            queue,
            events,
            new Fakes.CapturingLog(),
            Clock.fixed(NOW, ZoneOffset.UTC),
            false);

    Outcome approve =
        accept.handle(
            comment("pull-request.comment.added-6", "alice", "pretty please pagure-ci approve"));
    Outcome lint =
        accept.handle(
            comment("pull-request.comment.added-7", "alice", "pretty please pagure-ci lint"));

    assertThat(approve).isEqualTo(new Outcome.Ignored("comment is not the rebuild phrase"));
    assertThat(lint).isInstanceOf(Outcome.Queued.class);
    assertThat(itemTargets()).containsExactly("lint");
  }

  @Test
  void aNonMembersPullRequestWaitsPerTargetAndOneApprovalBuildsEveryTargetOnce() throws Exception {
    Stack stack = new Stack("members", ROUTES, "approve");

    stack.send(pr()); // bob's fork PR; bob has no commit access to demo

    assertThat(starter.items).isEmpty();
    assertThat(events.events)
        .extracting(RequestEvent::state, e -> e.target().label())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RequestEvent.State.QUEUED, "rpmbuild"),
            org.assertj.core.groups.Tuple.tuple(RequestEvent.State.QUEUED, "lint"),
            org.assertj.core.groups.Tuple.tuple(RequestEvent.State.AWAITING_APPROVAL, "rpmbuild"),
            org.assertj.core.groups.Tuple.tuple(RequestEvent.State.AWAITING_APPROVAL, "lint"));

    // alice (the owner) approves the head the PR had: every target of the PR builds, once
    HttpRequest approval =
        PagureFixtures.webhook("pull-request.comment.added-6")
            .edited(
                root -> {
                  ObjectNode pr = (ObjectNode) root.path("msg").path("pullrequest");
                  pr.put("commit_stop", "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f");
                  ArrayNode comments = (ArrayNode) pr.path("comments");
                  ((ObjectNode) comments.get(comments.size() - 1))
                      .put("comment", "pretty please pagure-ci approve");
                });
    stack.send(approval);
    stack.send(approval);

    assertThat(starter.targets).extracting(Target::name).containsExactly("rpmbuild", "lint");
    assertThat(starter.tokens)
        .as("the PR's own keys: the approval builds what waited")
        .containsExactlyElementsOf(
            queue.sent.subList(0, 2).stream().map(WorkItem::buildKey).toList());
  }

  @Test
  void aRuleWithoutPullRequestsIgnoresThemAndItsBranchesAreItsOwn() throws Exception {
    Stack stack = new Stack("all");
    PagureFixtures.Delivery push = PagureFixtures.webhook("git.receive-1");

    Outcome outcome = stack.send(push.request());

    // demo's rule builds master; git.receive-1 is a push to demo's master
    assertThat(push.project()).isEqualTo("demo");
    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(itemTargets()).containsExactly("rpmbuild", "lint");
    assertThat(packager.plans)
        .allSatisfy(p -> assertThat(p.trustedBuildspec()).as("a push runs its own").isEmpty());
  }

  @Test
  void anItemQueuedBeforeTargetsHadNamesBuildsTheFirstTargetUnderItsOldKey() throws Exception {
    Stack stack = new Stack("all");
    stack.accept.handle(pr());
    WorkItem named = queue.sent.get(0);
    WorkItem old =
        new WorkItem(
            named.deliveryId(),
            named.acceptedAt(),
            BuildKey.idempotencyToken(named.request()),
            named.request(),
            named.actor());

    WorkerService.Result result =
        stack.worker.handle(new WorkerService.Message("m", "rh", WorkItemJson.write(old), 1));

    assertThat(WorkItemJson.write(old)).doesNotContain("\"target\"");
    assertThat(result).isEqualTo(new WorkerService.Done("started"));
    assertThat(starter.targets).extracting(Target::name).containsExactly("rpmbuild");
    assertThat(starter.tokens).containsExactly(BuildKey.idempotencyToken(named.request()));
  }

  @Test
  void aNonRebuildItemForATargetTheRuleLacksIsDropped() throws Exception {
    Stack stack = new Stack("all");
    stack.accept.handle(pr());
    WorkItem named = queue.sent.get(0);
    WorkItem forged =
        WorkItem.of(named.deliveryId(), named.acceptedAt(), named.request(), null, "deploy");

    WorkerService.Result result =
        stack.worker.handle(new WorkerService.Message("m", "rh", WorkItemJson.write(forged), 1));

    assertThat(result).isEqualTo(new WorkerService.Done("dropped"));
    assertThat(starter.items).isEmpty();
  }

  @Test
  void aTargetNameInAWorkItemMustBeOne() {
    String body =
        WorkItemJson.write(
                WorkItem.of(
                    "d",
                    NOW,
                    new BuildRequest(
                        "webhook",
                        "pull-request",
                        "http://127.0.0.1:5000/",
                        "demo",
                        "demo",
                        "f",
                        "master",
                        "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f",
                        1L,
                        null,
                        "1",
                        null),
                    null,
                    "lint"))
            .replace("\"target\":\"lint\"", "\"target\":\"../x\"");

    assertThatThrownBy(() -> WorkItemJson.read(body))
        .isInstanceOf(Rejection.class)
        .hasMessageContaining("target is not a target name");
  }

  private static HttpRequest ciDoc(String project) {
    com.fasterxml.jackson.databind.node.ObjectNode doc = CiWebhookTest.validDoc();
    doc.put("project", project).put("source_project", project);
    return new HttpRequest(
        "POST",
        Map.of("content-type", "application/json"),
        doc.toString(),
        false,
        "arn:aws:iam::111122223333:user/pagure-ci",
        "req-ci-" + project.hashCode());
  }

  @Test
  void aCiWebhookRequestFansOutLikeAWebhookAndARuleWithoutPullRequestsRefusesIt() throws Exception {
    Stack stack = new Stack("all");

    Outcome demo = stack.send(ciDoc("demo"));
    Outcome rpms = stack.send(ciDoc("rpms/widget"));

    assertThat(demo).isInstanceOf(Outcome.Queued.class);
    assertThat(itemTargets()).containsExactly("rpmbuild", "lint");
    assertThat(starter.targets)
        .extracting(Target::resource)
        .containsExactly("Rpmbuild-1", "Lint-1");
    assertThat(rpms)
        .isEqualTo(
            new Outcome.Rejected(
                403,
                "PULL_REQUESTS_NOT_ALLOWED",
                "pull requests of 'rpms/widget' are not built (its rule has pullRequests false)"));
  }

  @Test
  void aWebhookPullRequestOfARuleWithoutPullRequestsIsIgnoredButItsPushesBuild() throws Exception {
    Stack stack =
        new Stack(
            "all",
            "{\"rules\":[{\"match\":[\"demo\"],\"pullRequests\":false,\"branches\":[\"master\"],"
                + "\"targets\":[{\"name\":\"deploy\",\"system\":\"codepipeline\",\"resource\":\"deploy-pipe\"}]}]}");

    Outcome pr = stack.send(pr());
    Outcome comment =
        stack.send(
            comment("pull-request.comment.added-6", "alice", "pretty please pagure-ci rebuild"));
    Outcome push = stack.send(PagureFixtures.webhook("git.receive-1").request());

    assertThat(pr)
        .isEqualTo(
            new Outcome.Ignored(
                "pull requests of 'demo' are not built (its rule has pullRequests false)"));
    assertThat(comment).isEqualTo(pr);
    assertThat(push).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.targets)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.system()).isEqualTo(Target.System.CODEPIPELINE);
              assertThat(t.resource()).isEqualTo("deploy-pipe");
            });
  }

  @Test
  void aProjectNoRuleMatchesIsRefusedAsBefore() {
    Stack stack =
        new Stack(
            "all",
            "{\"rules\":[{\"match\":[\"rpms/*\"],\"targets\":[{\"name\":\"b\",\"system\":\"codebuild\",\"resource\":\"P1\"}]}]}");

    Outcome outcome = stack.send(pr());

    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    assertThat(((Outcome.Rejected) outcome).status()).isEqualTo(403);
    assertThat(((Outcome.Rejected) outcome).code()).isEqualTo("PROJECT_NOT_ALLOWED");
    assertThat(queue.sent).isEmpty();
    assertThat(events.events).isEmpty();
  }

  @Test
  void routesTogetherWithAPerTargetVariableFailsInitNamingBoth() {
    Map<String, String> env = TestConfigs.env();
    env.remove("CODEBUILD_PROJECT");
    env.put("ROUTES", ROUTES);

    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ROUTES: is set together with ALLOWED_PROJECTS");
  }

  @Test
  void aBadTableFailsInitNamingThePlace() {
    Map<String, String> env = TestConfigs.env();
    env.remove("ALLOWED_PROJECTS");
    env.remove("CODEBUILD_PROJECT");
    env.put("ROUTES", ROUTES.replace("\"Lint-1\"", "\"Rpmbuild-1\""));

    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "ROUTES: codebuild resource 'Rpmbuild-1' is the target of both 'rpmbuild' and 'lint'");
  }
}
