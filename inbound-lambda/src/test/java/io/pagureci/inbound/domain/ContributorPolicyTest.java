package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.inbound.config.InboundConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contributor policy (docs/security.md "Who can make us build") on the real captures: bob's
 * fork PR #1 on demo ({@code pull-request.new-1}), alice's rebuild comments on it ({@code
 * pull-request.comment.added-6..8}); alice owns demo, bob has no access. pagure's access lists are
 * a fake of our own port, shaped like pagure's API.
 */
class ContributorPolicyTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final String APPROVE = InboundConfig.APPROVE_PHRASE;

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims claims = new Fakes.MemoryClaims();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.MemoryQueue queue = new Fakes.MemoryQueue();
  private final Fakes.CapturingWorkLog workLog = new Fakes.CapturingWorkLog();
  private final Fakes.MemoryMembers members = new Fakes.MemoryMembers();
  private final List<WorkerService.Result> results = new ArrayList<>();
  private int drained;

  /** Accept and worker on the same fakes, configured with these policies. */
  private final class Stack {
    final InboundService accept;
    final WorkerService worker;

    Stack(String contributorPolicy, String rebuildPolicy) {
      Map<String, String> env = TestConfigs.env();
      env.put("CONTRIBUTOR_POLICY", contributorPolicy);
      env.put("REBUILD_POLICY", rebuildPolicy);
      env.put("BUILD_BRANCHES", "master");
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
              workLog,
              clock);
    }

    /** Accepts, then works everything queued since (each item on its first receive). */
    Outcome send(HttpRequest request) {
      Outcome outcome = accept.handle(request);
      while (drained < queue.bodies.size()) {
        int n = ++drained;
        results.add(
            worker.handle(
                new WorkerService.Message("msg-" + n, "rh-" + n, queue.bodies.get(n - 1), 1)));
      }
      return outcome;
    }
  }

  private static HttpRequest bobsPr() {
    return PagureFixtures.webhook("pull-request.new-1").request();
  }

  private static String bobsHead() {
    return "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f";
  }

  /**
   * A comment on PR #1 by {@code user} saying {@code text}, made on the real capture of alice's
   * rebuild comment; the PR's head is put back to bob's first head (as if the comment had been made
   * then), so an approval names the head that waits.
   */
  private static HttpRequest comment(String fixture, String user, String text) {
    return PagureFixtures.webhook(fixture)
        .edited(
            root -> {
              ObjectNode pr = (ObjectNode) root.path("msg").path("pullrequest");
              pr.put("commit_stop", bobsHead());
              ArrayNode comments = (ArrayNode) pr.path("comments");
              ObjectNode last = (ObjectNode) comments.get(comments.size() - 1);
              last.put("comment", text);
              ((ObjectNode) last.path("user")).put("name", user);
            });
  }

  private List<RequestEvent.State> eventStates() {
    return events.events.stream().map(RequestEvent::state).toList();
  }

  @Test
  void underApproveANonMembersPullRequestWaitsWithAPendingFlagNamingThePhraseAndIsNotBuilt()
      throws Exception {
    Stack stack = new Stack("approve", "members");

    Outcome outcome = stack.send(bobsPr());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.items).isEmpty();
    assertThat(packager.plans).as("nothing is even fetched").isEmpty();
    assertThat(results).containsExactly(new WorkerService.Done("awaiting-approval"));
    WorkItem item = WorkItemJson.read(queue.bodies.getFirst());
    assertThat(item.actor()).isEqualTo(new WorkItem.Actor("bob", WorkItem.Role.AUTHOR));
    assertThat(claims.records.get(item.buildKey()).state())
        .isEqualTo(BuildClaims.State.AWAITING_APPROVAL);
    assertThat(eventStates())
        .containsExactly(RequestEvent.State.QUEUED, RequestEvent.State.AWAITING_APPROVAL);
    RequestEvent pending = events.events.get(1);
    assertThat(pending.buildKey()).isEqualTo(item.buildKey());
    assertThat(pending.retry()).isEqualTo(APPROVE);
    assertThat(pending.reason()).contains("'bob' has no commit access to demo");
    assertThat(pending.variables()).containsEntry("PAGURE_COMMIT", bobsHead());
    assertThat(members.lookups).containsExactly("project demo");
    assertThat(workLog.lines.getFirst())
        .contains("\"actor\":\"bob\"")
        .contains("\"policy\":\"not-a-member\"")
        .contains("\"decision\":\"awaiting-approval\"");
  }

  @Test
  void aMembersApprovalBuildsTheWaitingHeadOnceUnderThePullRequestsOwnBuildKey() throws Exception {
    Stack stack = new Stack("approve", "members");
    stack.send(bobsPr());
    String prKey = WorkItemJson.read(queue.bodies.getFirst()).buildKey();
    events.events.clear();

    Outcome approved = stack.send(comment("pull-request.comment.added-6", "alice", APPROVE));

    assertThat(approved).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.items).hasSize(1);
    WorkItem built = starter.items.getFirst();
    assertThat(built.buildKey()).isEqualTo(prKey);
    assertThat(built.request().commit()).isEqualTo(bobsHead());
    assertThat(built.request().trigger()).isEqualTo(BuildRequest.TRIGGER_PULL_REQUEST);
    assertThat(built.actor()).isEqualTo(new WorkItem.Actor("alice", WorkItem.Role.APPROVAL));
    assertThat(claims.records.get(prKey).state()).isEqualTo(BuildClaims.State.STARTED);
    assertThat(eventStates())
        .as("no 'queued' from the accept function; the worker asks for it once alice is checked")
        .containsExactly(RequestEvent.State.QUEUED);

    // the same approval again, and a second member's approval: still one build
    members.user("demo", "commit", "carol");
    Outcome again = stack.send(comment("pull-request.comment.added-6", "alice", APPROVE));
    Outcome second = stack.send(comment("pull-request.comment.added-7", "carol", APPROVE));

    assertThat(again).isInstanceOf(Outcome.Duplicate.class);
    assertThat(second).isInstanceOf(Outcome.Duplicate.class);
    assertThat(starter.items).hasSize(1);
  }

  @Test
  void anApprovalQueuedTwiceBeforeEitherIsWorkedStillBuildsOnce() throws Exception {
    Stack stack = new Stack("approve", "members");
    stack.send(bobsPr());
    // both accepted before the worker sees either (two deliveries racing)
    stack.accept.handle(comment("pull-request.comment.added-6", "alice", APPROVE));
    stack.accept.handle(comment("pull-request.comment.added-7", "alice", APPROVE));
    assertThat(queue.bodies).hasSize(3);

    stack.send(bobsPr()); // drains both approvals, then bob's re-delivered PR event

    assertThat(starter.items).hasSize(1);
    assertThat(results.subList(1, 3))
        .containsExactly(new WorkerService.Done("started"), new WorkerService.Done("duplicate"));
    assertThat(results.getLast())
        .as("the PR event of a started head leaves no pending flag")
        .isEqualTo(new WorkerService.Done("duplicate"));
  }

  @Test
  void aNonMembersApprovalDoesNothingButALogLine() throws Exception {
    Stack stack = new Stack("approve", "members");
    stack.send(bobsPr());
    events.events.clear();
    String prKey = WorkItemJson.read(queue.bodies.getFirst()).buildKey();

    Outcome outcome = stack.send(comment("pull-request.comment.added-6", "bob", APPROVE));

    assertThat(outcome)
        .as("accepted: the accept function cannot know")
        .isInstanceOf(Outcome.Queued.class);
    assertThat(starter.items).isEmpty();
    assertThat(events.events).as("no flag change at all").isEmpty();
    assertThat(claims.records.get(prKey).state()).isEqualTo(BuildClaims.State.AWAITING_APPROVAL);
    assertThat(results.getLast()).isEqualTo(new WorkerService.Done("ignored"));
    assertThat(workLog.lines.getLast())
        .startsWith("INFO")
        .contains("\"actorRole\":\"approval\"")
        .contains("\"decision\":\"ignored\"")
        .contains("no approval");
  }

  @Test
  void aMembersOwnPullRequestBuildsAtOnceDirectlyOrThroughAGroup() throws Exception {
    members.group("demo", "commit", "demo-devs", "dave", "bob");
    Stack stack = new Stack("approve", "members");

    stack.send(bobsPr());

    assertThat(starter.items).hasSize(1);
    assertThat(eventStates()).containsExactly(RequestEvent.State.QUEUED);
    assertThat(members.lookups).containsExactly("project demo", "group demo-devs");
  }

  @Test
  void collaboratorAndTicketAccessDoNotMakeAMember() throws Exception {
    members.user("demo", "collaborator", "bob").user("demo", "ticket", "bob");
    members.group("demo", "collaborator", "demo-helpers", "bob");
    members.group("demo", "ticket", "demo-triage", "bob");
    Stack stack = new Stack("approve", "members");

    stack.send(bobsPr());

    assertThat(starter.items).isEmpty();
    assertThat(results).containsExactly(new WorkerService.Done("awaiting-approval"));
    assertThat(members.lookups)
        .as("only groups with commit rights are looked into")
        .containsExactly("project demo");
  }

  @Test
  void adminAccessDirectlyOrThroughAGroupMakesAMember() throws Exception {
    members.user("demo", "admin", "bob");
    new Stack("members", "members").send(bobsPr());
    assertThat(starter.items).hasSize(1);
  }

  @Test
  void membershipIsLookedUpOncePerWorkerInvocation() throws Exception {
    members.group("demo", "admin", "demo-admins", "erin");
    Stack stack = new Stack("approve", "members");
    stack.accept.handle(
        comment("pull-request.comment.added-6", "bob", "pretty please pagure-ci rebuild"));
    stack.accept.handle(
        comment("pull-request.comment.added-7", "bob", "pretty please pagure-ci rebuild"));
    stack.accept.handle(
        comment("pull-request.comment.added-8", "erin", "pretty please pagure-ci rebuild"));
    List<WorkerService.Message> batch = new ArrayList<>();
    for (int i = 0; i < queue.bodies.size(); i++) {
      batch.add(new WorkerService.Message("m" + i, "rh" + i, queue.bodies.get(i), 1));
    }

    List<String> failed = stack.worker.handleBatch(batch, () -> 60_000);

    assertThat(failed).isEmpty();
    assertThat(starter.items).hasSize(1);
    assertThat(starter.items.getFirst().actor().name()).isEqualTo("erin");
    assertThat(members.lookups).containsExactly("project demo", "group demo-admins");
  }

  @Test
  void underMembersANonMembersPullRequestIsNotBuiltAndThePrSaysWhyAndWhatAMemberCanDo()
      throws Exception {
    Stack stack = new Stack("members", "members");

    stack.send(bobsPr());

    assertThat(starter.items).isEmpty();
    assertThat(results).containsExactly(new WorkerService.Done("failed"));
    assertThat(eventStates()).containsExactly(RequestEvent.State.QUEUED, RequestEvent.State.ERROR);
    RequestEvent error = events.events.get(1);
    assertThat(error.code()).isEqualTo("NOT_A_MEMBER");
    assertThat(error.reason())
        .contains("'bob'")
        .contains("no commit access to demo")
        .contains("a member of the project can ask for a build");
    assertThat(error.retry()).isEqualTo("pretty please pagure-ci rebuild");
    WorkItem item = WorkItemJson.read(queue.bodies.getFirst());
    assertThat(claims.records).as("nothing claimed").doesNotContainKey(item.buildKey());
  }

  @Test
  void underMembersAMembersRebuildCommentBuildsTheNonMembersHead() throws Exception {
    Stack stack = new Stack("members", "members");
    stack.send(bobsPr());
    events.events.clear();

    stack.send(PagureFixtures.webhook("pull-request.comment.added-6").request());

    assertThat(starter.items).hasSize(1);
    assertThat(starter.items.getFirst().request().trigger())
        .isEqualTo(BuildRequest.TRIGGER_REBUILD);
    assertThat(starter.items.getFirst().actor())
        .isEqualTo(new WorkItem.Actor("alice", WorkItem.Role.REBUILD));
    assertThat(eventStates())
        .as("queued once, by the worker after the check")
        .containsExactly(RequestEvent.State.QUEUED);
  }

  @Test
  void pagureOwnTriggerCiButtonCountsAsTheClickingUsersComment() throws Exception {
    Stack stack = new Stack("members", "members");

    // fixture 8: the web UI's 'trigger CI' button, a notification comment by alice
    stack.send(PagureFixtures.webhook("pull-request.comment.added-8").request());

    assertThat(starter.items).hasSize(1);
    assertThat(starter.items.getFirst().actor().name()).isEqualTo("alice");
  }

  @Test
  void aNonMembersRebuildCommentUnderRebuildPolicyMembersStartsNothingAndChangesNoFlag()
      throws Exception {
    Stack stack = new Stack("all", "members");
    stack.send(bobsPr());
    assertThat(starter.items).hasSize(1);
    events.events.clear();

    Outcome outcome =
        stack.send(
            comment("pull-request.comment.added-6", "bob", "pretty please pagure-ci rebuild"));

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.items).as("still only the PR's own build").hasSize(1);
    assertThat(events.events).as("the build's flag stays the last word").isEmpty();
    assertThat(results.getLast()).isEqualTo(new WorkerService.Done("ignored"));
    assertThat(workLog.lines.getLast()).contains("\"decision\":\"ignored\"").contains("no rebuild");
  }

  @Test
  void underRebuildPolicyAllAnyonesRebuildCommentBuilds() throws Exception {
    Stack stack = new Stack("all", "all");

    stack.send(comment("pull-request.comment.added-6", "bob", "pretty please pagure-ci rebuild"));

    assertThat(starter.items).hasSize(1);
    assertThat(members.lookups).as("nobody asked").isEmpty();
    assertThat(eventStates())
        .as("queued at once, as before")
        .containsExactly(RequestEvent.State.QUEUED);
  }

  @Test
  void pushesToTheTargetProjectAreNeverChecked() throws Exception {
    Stack stack = new Stack("members", "members");

    stack.send(PagureFixtures.webhook("git.receive-1").request());

    assertThat(starter.items).hasSize(1);
    assertThat(starter.items.getFirst().actor()).isNull();
    assertThat(members.lookups).isEmpty();
  }

  @Test
  void theApprovalPhraseIsAnOrdinaryCommentUnlessThePolicyIsApprove() throws Exception {
    Stack stack = new Stack("members", "members");

    Outcome outcome = stack.send(comment("pull-request.comment.added-6", "alice", APPROVE));

    assertThat(outcome).isInstanceOf(Outcome.Ignored.class);
    assertThat(queue.sent).isEmpty();
  }

  @Test
  void aFailingLookupIsRetriedWithBackOffThenTheLastAttemptTellsThePrHowToRetry() throws Exception {
    Stack stack = new Stack("approve", "members");
    members.failWith =
        new ProjectMembers.LookupException(
            "pagure's API answered HTTP 500 for project demo", false, null);
    stack.accept.handle(bobsPr());
    String body = queue.bodies.getFirst();
    int max = TestConfigs.queueConfig().maxAttempts();
    events.events.clear();

    WorkerService.Result first = stack.worker.handle(new WorkerService.Message("m", "rh", body, 1));
    WorkerService.Result last =
        stack.worker.handle(new WorkerService.Message("m", "rh", body, max));

    assertThat(first)
        .isEqualTo(new WorkerService.Retry(TestConfigs.queueConfig().backoff(1), "retry"));
    assertThat(last).isEqualTo(new WorkerService.Retry(java.time.Duration.ZERO, "gave-up"));
    assertThat(starter.items).isEmpty();
    assertThat(eventStates()).containsExactly(RequestEvent.State.ERROR);
    RequestEvent error = events.events.getFirst();
    assertThat(error.code()).isEqualTo("MEMBERSHIP_CHECK_FAILED");
    assertThat(error.reason())
        .contains("commit access of 'bob' to demo could not be checked with pagure's API")
        .contains("gave up after " + max + " attempts");
    assertThat(error.retry()).isEqualTo("pretty please pagure-ci rebuild");
    assertThat(workLog.lines.getFirst()).startsWith("WARN").contains("HTTP 500");
  }

  @Test
  void aFailingGroupLookupIsTransientToo() throws Exception {
    members.group("demo", "commit", "demo-devs", "bob");
    members.failGroupsWith =
        new ProjectMembers.LookupException(
            "pagure's API did not answer for group demo-devs", false, null);
    Stack stack = new Stack("approve", "members");

    stack.send(bobsPr());

    assertThat(results.getFirst()).isInstanceOf(WorkerService.Retry.class);
    assertThat(starter.items).isEmpty();
    assertThat(claims.records.values()).as("no wait recorded on a guess").isEmpty();
  }

  @Test
  void aProjectPagureWillNotShowIsAPermanentFailureToldAtOnce() throws Exception {
    members.projects.clear();
    Stack stack = new Stack("approve", "members");

    stack.send(bobsPr());

    assertThat(results).containsExactly(new WorkerService.Done("failed"));
    assertThat(events.events.getLast().code()).isEqualTo("MEMBERSHIP_CHECK_FAILED");
    assertThat(events.events.getLast().reason()).contains("HTTP 404");
  }

  @Test
  void itemsQueuedByThePreviousVersionHaveNoActorAndCountAsANonMembers() throws Exception {
    Stack stack = new Stack("approve", "members");
    stack.accept.handle(bobsPr());
    stack.accept.handle(PagureFixtures.webhook("pull-request.comment.added-6").request());
    List<String> legacy =
        queue.bodies.stream().map(b -> b.replaceFirst(",\"actor\":\\{[^}]*\\}", "")).toList();
    assertThat(legacy).allSatisfy(b -> assertThat(b).doesNotContain("actor"));

    WorkerService.Result pr =
        stack.worker.handle(new WorkerService.Message("a", "ra", legacy.get(0), 1));
    WorkerService.Result rebuild =
        stack.worker.handle(new WorkerService.Message("b", "rb", legacy.get(1), 1));

    assertThat(pr).isEqualTo(new WorkerService.Done("awaiting-approval"));
    assertThat(rebuild).isEqualTo(new WorkerService.Done("ignored"));
    assertThat(starter.items).isEmpty();
    assertThat(members.lookups).as("an unknown actor needs no lookup").isEmpty();
  }

  @Test
  void aPushOfANewHeadWaitsAgainWhileTheApprovedHeadKeepsItsOneBuild() throws Exception {
    Stack stack = new Stack("approve", "members");
    stack.send(bobsPr());
    stack.send(comment("pull-request.comment.added-6", "alice", APPROVE));
    assertThat(starter.items).hasSize(1);

    // bob pushes again: pagure's pull-request.updated names the new head
    stack.send(PagureFixtures.webhook("pull-request.updated-1").request());

    assertThat(starter.items).as("the approval was for the earlier head only").hasSize(1);
    assertThat(results.getLast()).isEqualTo(new WorkerService.Done("awaiting-approval"));
    assertThat(events.events.getLast().state()).isEqualTo(RequestEvent.State.AWAITING_APPROVAL);
    assertThat(events.events.getLast().variables().get("PAGURE_COMMIT")).isNotEqualTo(bobsHead());
  }

  @Test
  void theWorkItemCarriesTheActorAndReadsItBack() throws Exception {
    WorkItem item =
        WorkItem.of(
            "d-1",
            NOW,
            WorkItemJson.read(queueBody(bobsPr())).request(),
            new WorkItem.Actor("bob", WorkItem.Role.AUTHOR));

    String json = WorkItemJson.write(item);

    assertThat(json).contains("\"actor\":{\"name\":\"bob\",\"role\":\"author\"}");
    assertThat(WorkItemJson.read(json)).isEqualTo(item);
    for (String bad :
        List.of(
            "\"actor\":{\"name\":\"../x\",\"role\":\"author\"}",
            "\"actor\":{\"name\":\"bob\",\"role\":\"owner\"}",
            "\"actor\":\"bob\"")) {
      String body = json.replace("\"actor\":{\"name\":\"bob\",\"role\":\"author\"}", bad);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkItemJson.read(body))
          .isInstanceOf(Rejection.class)
          .hasMessageContaining("actor");
    }
  }

  private String queueBody(HttpRequest request) {
    new Stack("all", "all").accept.handle(request);
    return queue.bodies.getLast();
  }
}
