package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pagureci.outbound.domain.BuildRef;
import io.pagureci.outbound.domain.BuildState;
import io.pagureci.outbound.domain.BuildSystem;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagUpdate;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PhaseResult;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.StatusSchema;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CiWebhookDocumentTest {
  private static final PagureBuild PR_BUILD =
      new PagureBuild(
          "https://pagure.example.org/",
          "rpms/widget",
          "forks/bob/rpms/widget",
          "fix-build",
          "rawhide",
          Fixtures.SHA,
          7L,
          "f2b3cd9a0f5e4a7c9b1d2e3f4a5b6c7d",
          "7",
          "pull-request",
          "ci-webhook");
  private static final PagureBuild PUSH_BUILD =
      new PagureBuild(
          "https://pagure.example.org/",
          "demo",
          "demo",
          "master",
          "master",
          Fixtures.SHA,
          null,
          null,
          "master",
          "push",
          "webhook");
  private static final BuildRef CODEBUILD =
      new BuildRef(
          BuildSystem.CODEBUILD,
          "widget-ci",
          "arn:aws:codebuild:eu-west-1:123456789012:build/widget-ci:6f1c2b3a",
          "eu-west-1",
          "123456789012");
  private static final BuildRef PIPELINE =
      new BuildRef(
          BuildSystem.CODEPIPELINE,
          "widget-pipeline",
          "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55",
          "eu-west-1",
          "123456789012");
  private static final FlagMapper MAPPER = new FlagMapper(null, new BuildUrls(null));

  static FlagUpdate update(PagureBuild build, BuildRef ref, BuildState state) {
    return new FlagUpdate(build, ref, state, MAPPER.flagFor(build, ref, state));
  }

  static List<FlagUpdate> updates() {
    return List.of(
        update(
            PR_BUILD,
            CODEBUILD,
            new BuildState(
                false,
                "IN_PROGRESS",
                "BUILD",
                List.of(new PhaseResult("SUBMITTED", "SUCCEEDED"), new PhaseResult("BUILD", null)),
                42L)),
        update(
            PR_BUILD,
            CODEBUILD,
            new BuildState(
                true,
                "FAILED",
                "COMPLETED",
                List.of(new PhaseResult("DOWNLOAD_SOURCE", "CLIENT_ERROR")),
                42L)),
        update(
            PUSH_BUILD, CODEBUILD, new BuildState(true, "SUCCEEDED", "COMPLETED", List.of(), 1L)),
        update(PUSH_BUILD, PIPELINE, new BuildState(false, "STARTED", null, List.of(), null)),
        update(PR_BUILD, PIPELINE, new BuildState(true, "SUPERSEDED", null, List.of(), null)));
  }

  private static ObjectNode parse(FlagUpdate u) throws Exception {
    return (ObjectNode) Fixtures.JSON.readTree(PagureCiWebhook.document(u));
  }

  @ParameterizedTest
  @MethodSource("updates")
  void everyDocumentFollowsTheSchema(FlagUpdate u) throws Exception {
    assertThat(StatusSchema.violations(parse(u))).isEmpty();
  }

  @Test
  void carriesTheFlagAndTheBuild() throws Exception {
    JsonNode doc = parse(updates().get(0));

    assertThat(doc.path("protocol").asText()).isEqualTo("pagure-ci-webhook-status");
    assertThat(doc.path("version").asInt()).isEqualTo(1);
    assertThat(doc.path("project").asText()).isEqualTo("rpms/widget");
    assertThat(doc.path("pull_request").path("id").asLong()).isEqualTo(7L);
    assertThat(doc.path("flag").path("status").asText()).isEqualTo("pending");
    assertThat(doc.path("flag").path("percent").asInt()).isEqualTo(60);
    assertThat(doc.path("flag").path("uid").asText()).hasSize(32);
    assertThat(doc.path("build").path("number").asLong()).isEqualTo(42L);
    assertThat(doc.path("build").path("phase").asText()).isEqualTo("BUILD");
  }

  @Test
  void theExampleInTheProtocolDocsFollowsTheSchema() throws Exception {
    String doc = java.nio.file.Files.readString(Fixtures.schema("../protocol.md"));
    String section = doc.substring(doc.indexOf("### `ci-webhook`: the status document (v1)"));
    String example =
        section.substring(
            section.indexOf("```json") + 7, section.indexOf("```", section.indexOf("```json") + 7));

    assertThat(StatusSchema.violations(Fixtures.JSON.readTree(example))).isEmpty();
  }

  static List<Consumer<ObjectNode>> breakages() {
    return List.of(
        d -> d.put("version", 2),
        d -> d.put("token", "s3cr3t"),
        d -> d.remove("commit"),
        d -> d.put("commit", "ee04891"),
        d -> d.put("project", "../etc"),
        d -> ((ObjectNode) d.get("flag")).put("status", "running"),
        d -> ((ObjectNode) d.get("flag")).put("uid", "u".repeat(33)),
        d -> ((ObjectNode) d.get("flag")).put("percent", 101),
        d -> ((ObjectNode) d.get("flag")).put("url", "not a url"),
        d -> ((ObjectNode) d.get("build")).put("system", "jenkins"),
        d -> d.put("instance", "https://pagure.example.org"));
  }

  @ParameterizedTest
  @MethodSource("breakages")
  void theSchemaRejectsABadTwin(Consumer<ObjectNode> breakage) throws Exception {
    ObjectNode doc = parse(updates().get(0));
    breakage.accept(doc);

    assertThat(StatusSchema.violations(doc)).isNotEmpty();
  }
}
