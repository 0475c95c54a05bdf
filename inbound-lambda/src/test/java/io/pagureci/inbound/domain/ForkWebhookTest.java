package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.config.InboundConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fork's own web-hook ({@code X-Pagure-project: forks/<user>/<project>}: a push to the fork, a
 * branch created in it, its settings edited — the real captures of bob's fork) is answered {@code
 * 202 ignored}, as README promises, and can neither learn nor trigger anything: the answer is the
 * same whatever the signature, the keys, the allow-list and the branches are, and it comes before
 * any secret is read, the body is parsed, or anything is queued. A fork's pull requests build from
 * the target project's web-hook.
 */
class ForkWebhookTest {

  static final Outcome IGNORED =
      new Outcome.Ignored(
          "web-hooks of forks do not start builds; a fork's pull requests build from the target"
              + " project's web-hook");

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();

  /** Everything allowed: before this rule, bob's push to his fork built with this configuration. */
  private Fakes.Pipeline openService() {
    return service(
        InboundConfig.fromEnv(
            with(with(TestConfigs.env(), "ALLOWED_PROJECTS", "**"), "BUILD_BRANCHES", "**")));
  }

  private Fakes.Pipeline service(InboundConfig config) {
    return new Fakes.Pipeline(
        config, secrets, packager, starter, records, new Fakes.CapturingLog());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"git.receive-3", "git.branch.creation-3", "project.edit-3"})
  void aForksOwnDeliveryIsIgnoredBeforeAnySecretIsReadEvenWhenEverythingIsAllowed(String name) {
    PagureFixtures.Delivery d = PagureFixtures.webhook(name);
    assertThat(d.project()).isEqualTo("forks/bob/demo");

    Fakes.Pipeline service = openService();
    Outcome outcome = service.handle(d.request());

    assertThat(outcome).isEqualTo(IGNORED);
    assertThat(secrets.reads.get()).as("no secret read").isZero();
    assertThat(service.queue.sent).isEmpty();
    assertThat(service.events.events).isEmpty();
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
    assertThat(records.finds + records.saves).isZero();
  }

  @Test
  void theAnswerIsTheSameWithAWrongSignatureOrNoKeyForTheFork() {
    PagureFixtures.Delivery push = PagureFixtures.webhook("git.receive-3");
    secrets.values.put(
        TestConfigs.HOOK_KEYS, "{\"demo\": \"YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6\"}");

    Outcome noKey = openService().handle(push.request());
    Outcome wrong = openService().handle(push.withHeader("x-pagure-signature-256", "0".repeat(64)));
    Outcome denyAll = service(TestConfigs.config("ALLOWED_PROJECTS", "")).handle(push.request());

    assertThat(noKey).isEqualTo(IGNORED);
    assertThat(wrong).isEqualTo(IGNORED);
    assertThat(denyAll).isEqualTo(IGNORED);
    assertThat(secrets.reads.get()).isZero();
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void aForksDeliveryPassedOffAsTheTargetsIsRefusedAndAMalformedSignatureIsA401() {
    PagureFixtures.Delivery push = PagureFixtures.webhook("git.receive-3");

    // the fork's bytes and signature under the target's name: the target's key does not match
    Outcome asTarget = openService().handle(push.withHeader("x-pagure-project", "demo"));
    // the credential headers' form is checked first, for forks as for everyone
    Outcome noSignature = openService().handle(push.withHeader("x-pagure-signature-256", null));

    Outcome.Rejected unauthenticated =
        new Outcome.Rejected(401, "UNAUTHENTICATED", "the request is not authenticated");
    assertThat(asTarget).isEqualTo(unauthenticated);
    assertThat(noSignature).isEqualTo(unauthenticated);
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void theTargetsOwnPushStillBuildsWithTheSameConfiguration() {
    // the control: the rule is about the delivering project, not about pushes
    PagureFixtures.Delivery push = PagureFixtures.webhook("git.receive-1");
    assertThat(push.project()).isEqualTo("demo");

    Outcome outcome = openService().handle(push.request());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.requests).hasSize(1);
  }

  private static Map<String, String> with(Map<String, String> env, String name, String value) {
    env.put(name, value);
    return env;
  }
}
