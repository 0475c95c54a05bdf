package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pagureci.inbound.config.InboundConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every real pagure delivery in testdata/pagure/webhooks, with its real signature and key.
 */
class WebhookReplayTest {

  private static final Set<String> BUILD_TOPICS =
      Set.of(
          "pull-request.new",
          "pull-request.updated",
          "pull-request.rebased",
          "pull-request.reopened");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();
  private final Fakes.CapturingLog log = new Fakes.CapturingLog();

  private Fakes.Pipeline service(InboundConfig config) {
    return new Fakes.Pipeline(config, secrets, packager, starter, records, log);
  }

  static Stream<PagureFixtures.Delivery> deliveries() {
    return PagureFixtures.webhooks().stream();
  }

  @Test
  void fixturesAreThere() {
    assertThat(PagureFixtures.webhooks()).hasSizeGreaterThanOrEqualTo(87);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deliveries")
  void eachDeliveryBuildsOrIsIgnoredAsDocumented(PagureFixtures.Delivery d) throws Exception {
    Outcome outcome = service(TestConfigs.config()).handle(d.request());

    JsonNode body = new ObjectMapper().readTree(d.body());
    String topic = body.get("topic").asText();
    JsonNode pr = body.path("msg").path("pullrequest");
    if (d.project().startsWith("forks/")) {
      // a fork's own web-hook: README's "202 ignored", before any secret is read (ForkWebhookTest)
      assertThat(outcome).isEqualTo(ForkWebhookTest.IGNORED);
      assertThat(secrets.reads.get()).isZero();
      assertThat(starter.requests).isEmpty();
    } else if (BUILD_TOPICS.contains(topic) && pr.path("status").asText().equals("Open")
        || topic.equals("pull-request.comment.added")
            && pr.path("status").asText().equals("Open")
            && isRebuildPhrase(pr)) {
      assertThat(outcome).isInstanceOf(Outcome.Queued.class);
      BuildRequest r = starter.requests.getFirst();
      assertThat(r.commit()).isEqualTo(pr.get("commit_stop").asText());
      assertThat(r.prId()).isEqualTo(pr.get("id").asLong());
      assertThat(packager.plans).hasSize(1);
    } else {
      assertThat(outcome).isInstanceOf(Outcome.Ignored.class);
      assertThat(packager.plans).isEmpty();
      assertThat(starter.requests).isEmpty();
    }
  }

  /** A fork's own delivery is ignored whatever its signature (ForkWebhookTest); others are 401. */
  private static Outcome unauthenticatedUnlessFork(PagureFixtures.Delivery d) {
    return d.project().startsWith("forks/")
        ? ForkWebhookTest.IGNORED
        : new Outcome.Rejected(401, "UNAUTHENTICATED", "the request is not authenticated");
  }

  private static boolean isRebuildPhrase(JsonNode pr) {
    JsonNode comments = pr.path("comments");
    String last = comments.get(comments.size() - 1).path("comment").asText();
    return last.strip().toLowerCase(Locale.ROOT).equals("pretty please pagure-ci rebuild");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deliveries")
  void theSameBytesWithOneByteChangedAreRejected(PagureFixtures.Delivery d) {
    byte[] tampered = d.body().clone();
    // change one character inside the msg_id string: still valid JSON, different bytes
    String text = new String(tampered, StandardCharsets.US_ASCII);
    int at = text.indexOf("\"msg_id\": \"") + "\"msg_id\": \"".length();
    tampered[at] = (byte) (tampered[at] == 'a' ? 'b' : 'a');

    Outcome outcome =
        service(TestConfigs.config("ALLOWED_PROJECTS", "**")).handle(d.withBody(tampered));

    assertThat(outcome).isEqualTo(unauthenticatedUnlessFork(d));
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deliveries")
  void theSameBytesSignedWithAnotherKeyAreRejected(PagureFixtures.Delivery d) {
    String otherKey = "ZZZZTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6";
    String signature =
        java.util.HexFormat.of()
            .formatHex(
                Authenticator.hmacSha256(otherKey.getBytes(StandardCharsets.US_ASCII), d.body()));

    Outcome outcome =
        service(TestConfigs.config("ALLOWED_PROJECTS", "**"))
            .handle(d.withHeader("x-pagure-signature-256", signature));

    assertThat(outcome).isEqualTo(unauthenticatedUnlessFork(d));
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void forkPullRequestBuildsTheForkBranchWithEveryPagureVariable() {
    Outcome outcome =
        service(TestConfigs.config())
            .handle(PagureFixtures.webhook("pull-request.new-1").request());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    BuildRequest r = starter.requests.getFirst();
    assertThat(r.buildVariables())
        .containsExactly(
            java.util.Map.entry("PAGURE_INSTANCE", "http://127.0.0.1:5000/"),
            java.util.Map.entry("PAGURE_PROJECT", "demo"),
            java.util.Map.entry("PAGURE_SOURCE_PROJECT", "forks/bob/demo"),
            java.util.Map.entry("PAGURE_BRANCH", "feature-fork"),
            java.util.Map.entry("PAGURE_TARGET_BRANCH", "master"),
            java.util.Map.entry("PAGURE_COMMIT", "ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f"),
            java.util.Map.entry("PAGURE_PR_ID", "1"),
            java.util.Map.entry("PAGURE_PR_UID", r.prUid()),
            java.util.Map.entry("PAGURE_CAUSE", "1"),
            java.util.Map.entry("PAGURE_TRIGGER", "pull-request"),
            java.util.Map.entry("PAGURE_ORIGIN", "webhook"));
    FetchPlan plan = packager.plans.getFirst();
    assertThat(plan.candidates())
        .containsExactly(
            new RepoRef("forks/bob/demo", "refs/heads/feature-fork"),
            new RepoRef("demo", "refs/pull/1/head"));
    assertThat(plan.commit()).isEqualTo("ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f");
    assertThat(plan.trustedBuildspec())
        .contains(new BuildspecSource("demo", "master", "buildspec.yml"));
    assertThat(packager.keys)
        .containsExactly("source/demo/pr/1/ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f.zip");
    assertThat(starter.sources.getFirst().buildspec()).contains("version: 0.2");
  }

  @Test
  void aDuplicateDeliveryStartsNoSecondBuild() {
    Fakes.Pipeline service = service(TestConfigs.config());
    PagureFixtures.Delivery d = PagureFixtures.webhook("pull-request.updated-1");

    Outcome first = service.handle(d.request());
    Outcome second = service.handle(d.request());

    assertThat(first).isInstanceOf(Outcome.Queued.class);
    assertThat(second).isInstanceOf(Outcome.Duplicate.class);
    Outcome.Duplicate dup = (Outcome.Duplicate) second;
    assertThat(dup.build()).isEqualTo(new StartedBuild("codebuild", "proj:build-1"));
    assertThat(dup.buildKey()).isEqualTo(((Outcome.Queued) first).buildKey());
    assertThat(starter.requests).hasSize(1);
    assertThat(packager.plans).hasSize(1);
  }

  @Test
  void theUpdateAndItsNotificationCommentStartOneBuild() {
    Fakes.Pipeline service = service(TestConfigs.config());

    Outcome update = service.handle(PagureFixtures.webhook("pull-request.updated-1").request());
    Outcome notification =
        service.handle(PagureFixtures.webhook("pull-request.comment.added-1").request());

    assertThat(update).isInstanceOf(Outcome.Queued.class);
    assertThat(notification)
        .isEqualTo(new Outcome.Ignored("comment is a pagure notification, not a rebuild request"));
    assertThat(starter.requests).hasSize(1);
  }

  @Test
  void rebuildCommentsBuildAgainEvenForTheSameCommit() {
    Fakes.Pipeline service = service(TestConfigs.config());

    List<Outcome> outcomes =
        Stream.of(
                "pull-request.comment.added-6",
                "pull-request.comment.added-7",
                "pull-request.comment.added-8")
            .map(n -> service.handle(PagureFixtures.webhook(n).request()))
            .toList();

    assertThat(outcomes)
        .allSatisfy(
            o -> {
              assertThat(o).isInstanceOf(Outcome.Queued.class);
            });
    assertThat(starter.requests).extracting(BuildRequest::trigger).containsOnly("rebuild");
    assertThat(starter.requests)
        .extracting(BuildRequest::rebuildId)
        .containsExactly("comment-6", "comment-7", "comment-8");
    assertThat(starter.tokens).doesNotHaveDuplicates();
  }

  @Test
  void aReplayedRebuildCommentStartsNothingNew() {
    Fakes.Pipeline service = service(TestConfigs.config());
    PagureFixtures.Delivery rebuild = PagureFixtures.webhook("pull-request.comment.added-6");

    Outcome first = service.handle(rebuild.request());
    Outcome replay = service.handle(rebuild.request());

    assertThat(first).isInstanceOf(Outcome.Queued.class);
    assertThat(replay).isInstanceOf(Outcome.Duplicate.class);
    assertThat(starter.requests).hasSize(1);
  }

  @Test
  void gitReceiveBuildsOnlyConfiguredBranches() {
    PagureFixtures.Delivery master = PagureFixtures.webhook("git.receive-1");
    PagureFixtures.Delivery feature = PagureFixtures.webhook("git.receive-2");

    Outcome byDefault = service(TestConfigs.config()).handle(master.request());
    Fakes.Pipeline withMaster = service(TestConfigs.config("BUILD_BRANCHES", "master,release/*"));
    Outcome configured = withMaster.handle(master.request());
    Outcome otherBranch = withMaster.handle(feature.request());

    assertThat(byDefault)
        .isEqualTo(new Outcome.Ignored("pushes to branch 'master' are not built (BUILD_BRANCHES)"));
    assertThat(configured).isInstanceOf(Outcome.Queued.class);
    BuildRequest push = starter.requests.getFirst();
    assertThat(push.trigger()).isEqualTo("push");
    assertThat(push.commit()).isEqualTo("7203aad291faafb5de07ec8c17f864e75d6105ec");
    assertThat(push.buildVariables()).doesNotContainKeys("PAGURE_PR_ID", "PAGURE_PR_UID");
    assertThat(packager.keys)
        .containsExactly("source/demo/branch/master/7203aad291faafb5de07ec8c17f864e75d6105ec.zip");
    assertThat(packager.plans.getFirst().trustedBuildspec()).isEmpty();
    assertThat(otherBranch).isInstanceOf(Outcome.Ignored.class);
  }

  @Test
  void trustedBuildspecCanBeSwitchedOff() {
    service(TestConfigs.config("TRUSTED_BUILDSPEC", "false"))
        .handle(PagureFixtures.webhook("pull-request.new-1").request());

    assertThat(packager.plans.getFirst().trustedBuildspec()).isEmpty();
    assertThat(starter.sources.getFirst().buildspec()).isEmpty();
  }

  @Test
  void decisionsAreLoggedAsOneJsonLineWithoutKeysOrBodies() throws Exception {
    Fakes.Pipeline pipeline = service(TestConfigs.config());
    pipeline.handle(PagureFixtures.webhook("pull-request.new-1").request());
    service(TestConfigs.config()).handle(PagureFixtures.webhook("Test.notification-1").request());

    assertThat(log.lines).hasSize(2);
    String accepted = log.lines.get(0);
    assertThat(accepted).startsWith("INFO {");
    JsonNode line = new ObjectMapper().readTree(accepted.substring(5));
    assertThat(line.get("decision").asText()).isEqualTo("queued");
    assertThat(line.get("deliveryId").asText()).isEqualTo("req-pull-request.new-1");
    assertThat(line.get("project").asText()).isEqualTo("demo");
    assertThat(line.get("pr").asInt()).isEqualTo(1);
    assertThat(line.get("sha").asText()).isEqualTo("ad1d3caa2caee757e07ceecd6ea97ea4dac3e49f");
    assertThat(line.get("buildKey").asText()).matches("[0-9a-f]{64}");
    // the worker's line for the same delivery carries the same delivery id and the build
    JsonNode work = new ObjectMapper().readTree(pipeline.workLog.lines.getFirst().substring(5));
    assertThat(work.get("deliveryId").asText()).isEqualTo("req-pull-request.new-1");
    assertThat(work.get("decision").asText()).isEqualTo("started");
    assertThat(work.get("buildId").asText()).isEqualTo("proj:build-1");
    assertThat(String.join("\n", log.lines) + String.join("\n", pipeline.workLog.lines))
        .doesNotContain("YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6")
        .doesNotContain("initial_comment")
        .doesNotContain("Opened from bob");
  }
}
