package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ci webhook protocol v1 (docs/protocol.md §1.B) accepted paths. */
class CiWebhookTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();
  private final Fakes.MapSecrets secrets = TestConfigs.secrets();

  static ObjectNode validDoc() {
    ObjectNode d = JSON.createObjectNode();
    d.put("protocol", "pagure-ci-webhook");
    d.put("version", 1);
    d.put("trigger", "pull-request");
    d.put("instance", "http://127.0.0.1:5000/");
    d.put("project", "demo");
    d.put("source_project", "forks/bob/demo");
    d.put("source_branch", "feature-fork");
    d.put("target_branch", "master");
    d.put("commit", "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e");
    d.putObject("pull_request").put("id", 1).put("uid", "d56aae16d99a415e8feb939dfeb1a419");
    d.put("cause", "1");
    return d;
  }

  private Fakes.Pipeline service() {
    return new Fakes.Pipeline(
        TestConfigs.config("BUILD_BRANCHES", "master"),
        secrets,
        packager,
        starter,
        records,
        new Fakes.CapturingLog());
  }

  @Test
  void anIamCallerStartsAPullRequestBuild() {
    Outcome outcome =
        service()
            .handle(
                new HttpRequest(
                    "POST",
                    Map.of("content-type", "application/json"),
                    validDoc().toString(),
                    false,
                    "arn:aws:iam::111122223333:user/pagure-ci",
                    "req-9"));

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    BuildRequest r = starter.requests.getFirst();
    assertThat(r.origin()).isEqualTo("ci-webhook");
    assertThat(r.sourceProject()).isEqualTo("forks/bob/demo");
    assertThat(r.buildVariables())
        .containsEntry("PAGURE_ORIGIN", "ci-webhook")
        .containsEntry("PAGURE_PR_ID", "1");
    assertThat(secrets.reads.get()).as("IAM callers need no Basic secret").isZero();
  }

  @Test
  void basicCredentialsWorkOnANonIamUrlWithACharsetContentType() {
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("pagure:s3cr3t-basic-pw".getBytes(StandardCharsets.UTF_8));

    Outcome outcome =
        service()
            .handle(
                new HttpRequest(
                    "POST",
                    Map.of(
                        "Content-Type", "application/json; charset=utf-8", "Authorization", auth),
                    validDoc().toString(),
                    false,
                    null,
                    "req-1"));

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void aBase64EncodedBodyIsDecodedFirst() {
    String body =
        Base64.getEncoder().encodeToString(validDoc().toString().getBytes(StandardCharsets.UTF_8));

    Outcome outcome =
        service()
            .handle(
                new HttpRequest(
                    "POST",
                    Map.of("content-type", "application/json"),
                    body,
                    true,
                    "arn:aws:iam::111122223333:user/pagure-ci",
                    "req-1"));

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void aRebuildAlwaysStartsANewBuildAndAPushBuildsTheBranch() {
    ObjectNode rebuild = validDoc().put("trigger", "rebuild");
    ObjectNode push =
        validDoc()
            .put("trigger", "push")
            .put("source_project", "demo")
            .put("source_branch", "master")
            .put("cause", "master");
    push.remove("pull_request");
    Fakes.Pipeline service = service();

    Outcome first = service.handle(iam(rebuild, "r1"));
    Outcome second = service.handle(iam(rebuild, "r2"));
    Outcome pushed = service.handle(iam(push, "r3"));

    assertThat(first).isInstanceOf(Outcome.Queued.class);
    assertThat(second).isInstanceOf(Outcome.Queued.class);
    assertThat(pushed).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.requests).hasSize(3);
    assertThat(starter.requests.get(2).buildVariables())
        .containsEntry("PAGURE_TRIGGER", "push")
        .doesNotContainKey("PAGURE_PR_ID");
    assertThat(packager.keys.get(2))
        .isEqualTo("source/demo/branch/master/ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e.zip");
  }

  @Test
  void theDocumentedExamplesFollowTheSchema() throws IOException {
    Path docs =
        Path.of(System.getProperty("pagure.fixtures")).resolve("../../docs/protocol/examples");
    try (var files = Files.list(docs)) {
      for (Path example : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        ObjectNode doc = (ObjectNode) JSON.readTree(example.toFile());
        // the examples name another instance; point them at the test instance
        doc.put("instance", "http://127.0.0.1:5000/");
        doc.put("project", "demo");
        if (doc.path("source_project").asText().startsWith("forks/")) {
          doc.put("source_project", "forks/bob/demo");
        } else {
          doc.put("source_project", "demo");
        }
        Outcome outcome = service().handle(iam(doc, example.getFileName().toString()));
        assertThat(outcome).as(example.toString()).isInstanceOf(Outcome.Queued.class);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "7",
        "master",
        "feature/fix-1.2",
        "release_2.0+build@x=y",
        "a"
            + "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
            + "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
            + "012345678901234567890123456789012345678901234567890123"
      })
  void aCauseOfBranchNameCharactersIsPassedToTheBuildAsIs(String cause) {
    Outcome outcome = service().handle(iam(validDoc().put("cause", cause), "req-c"));

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(starter.requests.getFirst().buildVariables()).containsEntry("PAGURE_CAUSE", cause);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "",
        "7\n",
        "7\nPAGURE_BRANCH=evil",
        "\n7",
        "7\r",
        "7\u0000",
        "7\u0007",
        "7\t8",
        "7\u001b[31m",
        "7 8",
        "$(id)",
        "`id`",
        "7;rm -rf /",
        "7|sh",
        "7&&id",
        "'7'",
        "\"7\"",
        "7>x",
        "~root",
        "*",
        "[x](http://evil/)",
        "**bold**",
        "<script>",
        "#1",
        "%0a",
        "-7",
        "--upload-pack=x",
        "/etc/passwd",
        "caf\u00e9",
        "\u0661",
        "7\u202e",
        "7\u200b",
        "\ud83d\ude00",
        "\uff17"
      })
  void aCauseWithAnyOtherCharacterIsRefusedWithItsOwnCodeAndNothingIsQueued(String cause) {
    Outcome outcome = service().handle(iam(validDoc().put("cause", cause), "req-c"));

    assertThat(outcome)
        .isEqualTo(
            new Outcome.Rejected(
                422,
                "INVALID_CAUSE",
                "cause must be 1 to 255 characters of [A-Za-z0-9._/+@=-], not starting with '-' or"
                    + " '/' (it reaches the build as PAGURE_CAUSE)"));
    assertThat(starter.requests).isEmpty();
    assertThat(packager.plans).isEmpty();
  }

  @Test
  void aCauseOver255CharactersIsRefusedAndAMissingOneIsASchemaViolation() {
    Outcome tooLong = service().handle(iam(validDoc().put("cause", "7".repeat(256)), "req-c"));
    ObjectNode without = validDoc();
    without.remove("cause");
    Outcome missing = service().handle(iam(without, "req-d"));
    Outcome mixed =
        service().handle(iam(validDoc().put("cause", "$(id)").put("trigger", "merge"), "req-e"));

    assertThat(tooLong).extracting(o -> ((Outcome.Rejected) o).code()).isEqualTo("INVALID_CAUSE");
    assertThat(missing)
        .extracting(o -> ((Outcome.Rejected) o).code())
        .isEqualTo("SCHEMA_VIOLATION");
    assertThat(mixed).extracting(o -> ((Outcome.Rejected) o).code()).isEqualTo("SCHEMA_VIOLATION");
    assertThat(starter.requests).isEmpty();
  }

  @Test
  void aSchemaViolationNamesTheFieldAndTheRule() {
    ObjectNode doc = validDoc();
    doc.put("commit", "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2E");
    var errors = CiWebhooks.loadSchema().validate(doc);
    assertThat(errors).isNotEmpty();
    assertThat(errors.stream().map(CiWebhooks::describe))
        .anySatisfy(m -> assertThat(m).startsWith("/commit: ").contains("pattern"));
  }

  private static HttpRequest iam(ObjectNode doc, String requestId) {
    return new HttpRequest(
        "POST",
        Map.of("content-type", "application/json"),
        doc.toString(),
        false,
        "arn:aws:iam::111122223333:user/pagure-ci",
        requestId);
  }
}
