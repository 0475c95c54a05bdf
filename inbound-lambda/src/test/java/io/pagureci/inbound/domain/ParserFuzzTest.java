package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of the request parser and validator. The seeds are fixed and the number of
 * tries comes from junit-platform.properties (1,000), so CI is reproducible; a longer run: {@code
 * ./mvnw -pl inbound-lambda test -Dtest=ParserFuzzTest -Djqwik.tries.default=100000} (see
 * docs/testing.md).
 */
class ParserFuzzTest {

  private static final List<String> FIELDS =
      List.of(
          "protocol",
          "version",
          "trigger",
          "instance",
          "project",
          "source_project",
          "source_branch",
          "target_branch",
          "commit",
          "cause",
          "pull_request");

  private Fakes.Pipeline service(Fakes.RecordingPackager packager, Fakes.RecordingStarter starter) {
    return new Fakes.Pipeline(
        TestConfigs.config("BUILD_BRANCHES", "**"),
        TestConfigs.secrets(),
        packager,
        starter,
        new Fakes.MemoryClaims(),
        new Fakes.CapturingLog());
  }

  /** Any bytes at all, sent as a signed-looking web-hook: a 4xx, never a 5xx, never a build. */
  @Property(seed = "424242")
  void arbitraryBytesNeverBuildAndNeverFail(@ForAll byte[] body, @ForAll boolean base64) {
    Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
    Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
    String text =
        base64
            ? Base64.getEncoder().encodeToString(body)
            : new String(body, StandardCharsets.ISO_8859_1);
    HttpRequest request =
        new HttpRequest(
            "POST",
            Map.of(
                "content-type",
                "application/json",
                "x-pagure-topic",
                "pull-request.new",
                "x-pagure-signature-256",
                "0".repeat(64)),
            text,
            base64,
            null,
            "fuzz");

    Outcome outcome = service(packager, starter).handle(request);

    assertThat(outcome.status()).isBetween(400, 499);
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
  }

  /**
   * A valid ci webhook document with one field replaced by arbitrary JSON: either still valid (and
   * then every name that reaches the build passed pagure's naming rules) or a 4xx — never a 5xx.
   */
  @Property(seed = "1337")
  void mutatedDocumentsAreValidOrRefused(@ForAll("mutations") Map.Entry<String, Object> mutation) {
    Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
    Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
    ObjectNode doc = CiWebhookTest.validDoc();
    HostileInputTest.set(doc, mutation.getKey(), mutation.getValue());

    Outcome outcome =
        service(packager, starter)
            .handle(
                new HttpRequest(
                    "POST",
                    Map.of("content-type", "application/json"),
                    doc.toString(),
                    false,
                    "arn:aws:iam::1:user/ci",
                    "fuzz"));

    if (outcome instanceof Outcome.Queued) {
      BuildRequest r = starter.requests.getFirst();
      assertThat(Names.isProjectFullname(r.project())).isTrue();
      assertThat(Names.isProjectFullname(r.sourceProject())).isTrue();
      assertThat(Names.isBranch(r.sourceBranch())).isTrue();
      assertThat(Names.isBranch(r.targetBranch())).isTrue();
      assertThat(Names.isCommit(r.commit())).isTrue();
    } else {
      assertThat(outcome.status()).isBetween(400, 499);
      assertThat(packager.plans).isEmpty();
      assertThat(starter.requests).isEmpty();
    }
  }

  @Provide
  Arbitrary<Map.Entry<String, Object>> mutations() {
    Arbitrary<Object> values =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(80).map(s -> (Object) s),
            Arbitraries.strings()
                .withChars("abcdef0123456789ABCDEF./-_~^:%")
                .ofMaxLength(70)
                .map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just((Object) List.of()),
            Arbitraries.just((Object) Map.of("id", 1, "uid", "x")));
    return Combinators.combine(Arbitraries.of(FIELDS), values).as(Map::entry);
  }
}
