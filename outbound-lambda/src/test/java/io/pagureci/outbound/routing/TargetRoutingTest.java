package io.pagureci.outbound.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.inbound.domain.BuildRequest;
import io.pagureci.inbound.domain.RequestEventJson;
import io.pagureci.inbound.domain.WorkItem;
import io.pagureci.init.ConfigException;
import io.pagureci.outbound.config.OutboundConfig;
import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.Flag;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagStatus;
import io.pagureci.outbound.domain.RequestEvent;
import io.pagureci.outbound.events.EventBridgeEventParser;
import io.pagureci.outbound.events.ParsedEvent;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Outbound's side of the routing table (issue 14 item 3): the table's resources are the builds it
 * handles, each build's flag names its target ({@code pagure-ci/<name>}), the uid is per commit and
 * resource; and the request events the inbound function writes ({@link RequestEventJson}, the real
 * writer) read back in outbound's parser with their target.
 */
class TargetRoutingTest {

  static final String ROUTES =
      "{\"rules\":[{\"match\":[\"demo\"],\"targets\":["
          + "{\"name\":\"rpmbuild\",\"system\":\"codebuild\",\"resource\":\"Rpmbuild-1\"},"
          + "{\"name\":\"lint\",\"system\":\"codebuild\",\"resource\":\"Lint-1\"}]},"
          + "{\"match\":[\"infra/*\"],\"targets\":["
          + "{\"name\":\"deploy\",\"system\":\"codepipeline\",\"resource\":\"deploy-pipe\"}]}]}";

  static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", "https://pagure.example.org");
    env.put("PAGURE_TOKEN_SECRET_ID", "pagure-ci/token");
    env.put("ROUTES", ROUTES);
    return env;
  }

  private static BuildRef ref(BuildSystem system, String resource) {
    return new BuildRef(
        system,
        resource,
        system == BuildSystem.CODEBUILD
            ? resource + ":abc"
            : "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
        "eu-west-1",
        "123456789012");
  }

  @Test
  void theTablesResourcesAreTheHandledBuildsAndAnEmptySystemHandlesNone() {
    OutboundConfig c = OutboundConfig.fromEnv(env());

    assertThat(c.codeBuildProjects()).containsExactlyInAnyOrder("Rpmbuild-1", "Lint-1");
    assertThat(c.pipelineNames()).containsExactly("deploy-pipe");
    assertThat(c.targetName()).as("no one name: each build has its own").isNull();
    assertThat(c.scope().anyWhenEmpty()).isFalse();

    Map<String, String> onlyCodeBuild = env();
    onlyCodeBuild.put("ROUTES", ROUTES.substring(0, ROUTES.indexOf(",{\"match\":[\"infra")) + "]}");
    OutboundConfig cb = OutboundConfig.fromEnv(onlyCodeBuild);
    assertThat(cb.pipelineNames()).isEmpty();
    assertThat(cb.scope().anyWhenEmpty()).as("no pipeline target: no pipeline is ours").isFalse();
  }

  @Test
  void withoutRoutesTheOneTargetIsTargetNameAndAnEmptyListStillMeansAny() {
    Map<String, String> env = env();
    env.remove("ROUTES");
    env.put("TARGET_NAME", "rpm-build.x86_64");
    OutboundConfig c = OutboundConfig.fromEnv(env);

    assertThat(c.routes()).isNull();
    assertThat(c.targetNames().of(BuildSystem.CODEBUILD, "Whatever-1"))
        .contains("rpm-build.x86_64");
    assertThat(c.scope().anyWhenEmpty()).isTrue();
  }

  @Test
  void eachBuildsFlagNamesItsOwnTargetAndHasItsOwnUid() {
    OutboundConfig c = OutboundConfig.fromEnv(env());
    FlagMapper mapper = new FlagMapper(null, c.targetNames(), new BuildUrls(null));
    io.pagureci.outbound.domain.PagureBuild build =
        new io.pagureci.outbound.domain.PagureBuild(
            "https://pagure.example.org/",
            "demo",
            null,
            null,
            null,
            SHA,
            1L,
            null,
            null,
            null,
            null);
    io.pagureci.outbound.domain.BuildState done =
        new io.pagureci.outbound.domain.BuildState(
            true, "SUCCEEDED", "COMPLETED", java.util.List.of(), 3L);

    Flag rpm = mapper.flagFor(build, ref(BuildSystem.CODEBUILD, "Rpmbuild-1"), done);
    Flag lint = mapper.flagFor(build, ref(BuildSystem.CODEBUILD, "Lint-1"), done);
    Flag deploy = mapper.flagFor(build, ref(BuildSystem.CODEPIPELINE, "deploy-pipe"), done);

    assertThat(rpm.username()).isEqualTo("pagure-ci/rpmbuild");
    assertThat(rpm.comment()).startsWith("rpmbuild · passed");
    assertThat(lint.username()).isEqualTo("pagure-ci/lint");
    assertThat(deploy.username()).isEqualTo("pagure-ci/deploy");
    assertThat(java.util.List.of(rpm.uid(), lint.uid(), deploy.uid())).doesNotHaveDuplicates();

    FlagMapper overridden = new FlagMapper("AWS CI", c.targetNames(), new BuildUrls(null));
    assertThat(overridden.flagFor(build, ref(BuildSystem.CODEBUILD, "Lint-1"), done).username())
        .as("FLAG_USERNAME still overrides")
        .isEqualTo("AWS CI");
  }

  @Test
  void routesBesideAPerTargetVariableOrMalformedFailsInitNamingIt() {
    Map<String, String> both = env();
    both.put("CODEBUILD_PROJECTS", "Rpmbuild-1");
    assertThatThrownBy(() -> OutboundConfig.fromEnv(both))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "ROUTES: is set together with CODEBUILD_PROJECTS: with a routing table, every target's"
                + " settings are in ROUTES");

    Map<String, String> bad = env();
    bad.put("ROUTES", ROUTES.replace("\"lint\"", "\"rpmbuild\""));
    assertThatThrownBy(() -> OutboundConfig.fromEnv(bad))
        .isInstanceOf(ConfigException.class)
        .hasMessage("ROUTES: target name 'rpmbuild' appears twice");
  }

  /** What the inbound function publishes, in the envelope EventBridge delivers it in. */
  private static String envelope(io.pagureci.inbound.domain.RequestEvent event) {
    return "{\"version\":\"0\",\"id\":\"6f1c7a1e-0000-4000-8000-000000000001\","
        + "\"detail-type\":\"Build Request State Change\",\"source\":\"pagure-ci-aws\","
        + "\"account\":\"123456789012\",\"time\":\"2026-11-27T12:30:00Z\",\"region\":\"eu-west-1\","
        + "\"resources\":[],\"detail\":"
        + RequestEventJson.write(event)
        + "}";
  }

  private static WorkItem item(String target, String rebuildId) {
    return WorkItem.of(
        "d-1",
        Instant.parse("2026-11-27T12:30:00Z"),
        new BuildRequest(
            "webhook",
            rebuildId == null ? "pull-request" : "rebuild",
            "https://pagure.example.org/",
            "demo",
            "forks/bob/demo",
            "feature",
            "master",
            SHA,
            1L,
            "d56aae16d99a415e8feb939dfeb1a419",
            "1",
            rebuildId),
        null,
        target);
  }

  private static RequestEvent parsed(io.pagureci.inbound.domain.RequestEvent event) {
    ParsedEvent p =
        new EventBridgeEventParser()
            .parse(new ByteArrayInputStream(envelope(event).getBytes(StandardCharsets.UTF_8)));
    assertThat(p).as(String.valueOf(p)).isInstanceOf(ParsedEvent.Request.class);
    return ((ParsedEvent.Request) p).event();
  }

  @Test
  void inboundsQueuedEventOfOneTargetReadsInOutboundAsThatTargetsFlag() {
    OutboundConfig c = OutboundConfig.fromEnv(env());
    FlagMapper mapper = new FlagMapper(null, c.targetNames(), new BuildUrls(null));
    WorkItem lint = item("lint", null);

    RequestEvent r =
        parsed(
            io.pagureci.inbound.domain.RequestEvent.queued(
                lint,
                new io.pagureci.inbound.domain.RequestEvent.Target("codebuild", "Lint-1", "lint")));

    assertThat(r.target()).isEqualTo("Lint-1");
    assertThat(r.buildKey()).isEqualTo(lint.buildKey());
    Flag flag = mapper.requestFlag(r);
    assertThat(flag.username()).isEqualTo("pagure-ci/lint");
    assertThat(flag.status()).isEqualTo(FlagStatus.PENDING);
    assertThat(flag.uid())
        .as("the build's own events update it in place")
        .isEqualTo(
            mapper
                .flagFor(
                    r.build(),
                    ref(BuildSystem.CODEBUILD, "Lint-1"),
                    io.pagureci.outbound.domain.BuildState.unknown())
                .uid());
  }

  @Test
  void anUnknownTargetsAnswerIsAFlagOfItsOwnThatNoTargetsFlagShares() {
    OutboundConfig c = OutboundConfig.fromEnv(env());
    FlagMapper mapper = new FlagMapper(null, c.targetNames(), new BuildUrls(null));
    WorkItem unknown = item("lnt", "comment-6");

    RequestEvent r =
        parsed(
            io.pagureci.inbound.domain.RequestEvent.error(
                unknown,
                new io.pagureci.inbound.domain.RequestEvent.Target(
                    "codebuild", "Rpmbuild-1", "rpmbuild"),
                "UNKNOWN_TARGET",
                "there is no target 'lnt' for demo; its targets are rpmbuild, lint",
                "pretty please pagure-ci rebuild",
                1));
    Flag flag = mapper.requestFlag(r);

    assertThat(flag.status()).isEqualTo(FlagStatus.ERROR);
    assertThat(flag.username()).isEqualTo("pagure-ci");
    assertThat(flag.uid()).isEqualTo("pci-unknown-target");
    assertThat(flag.comment())
        .isEqualTo(
            "rebuild · there is no target 'lnt' for demo; its targets are rpmbuild, lint."
                + " Comment \"pretty please pagure-ci rebuild <target>\" for one of them, or"
                + " \"pretty please pagure-ci rebuild\" for all.");
    assertThat(flag.uid())
        .isNotEqualTo(
            mapper
                .requestFlag(
                    parsed(
                        io.pagureci.inbound.domain.RequestEvent.queued(
                            item("rpmbuild", null),
                            new io.pagureci.inbound.domain.RequestEvent.Target(
                                "codebuild", "Rpmbuild-1", "rpmbuild"))))
                .uid());
    assertThat(Optional.of(flag.uid()).get()).doesNotMatch("pci-[0-9a-f]{28}");
  }
}
