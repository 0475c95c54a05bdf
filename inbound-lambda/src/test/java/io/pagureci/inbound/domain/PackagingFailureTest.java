package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.domain.SourceException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the caller of a valid, authenticated build request gets when packaging its commit fails:
 * every {@link Kind} is an answer documented in docs/protocol.md §2, and nothing is started.
 */
class PackagingFailureTest {

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final InboundService service = new InboundService(TestConfigs.config(), TestConfigs.secrets(), packager,
      starter, new Fakes.MemoryRecords(), new Fakes.CapturingLog());

  private Outcome.Rejected failWith(Kind kind, String message) {
    packager.failWith = new SourceException(kind, message);
    Outcome outcome = service.handle(PagureFixtures.webhook("pull-request.new-1").request());
    assertThat(packager.plans).as("packaged").hasSize(1);
    assertThat(starter.requests).as("builds started").isEmpty();
    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    return (Outcome.Rejected) outcome;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyPackagingFailureIsADocumentedAnswer(Kind kind) {
    Outcome.Rejected answer = failWith(kind, "it failed");

    assertThat(ProtocolDoc.documentedCodes()).contains(answer.status() + " " + answer.code());
  }

  /** The PR author's own tree is the problem: 422, with the limit named. */
  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"SOURCE_TOO_LARGE", "PATH_TOO_LONG", "DIRECTORY_TOO_LARGE"})
  void aTreeOverALimitIsA422SayingWhichLimit(Kind kind) {
    String message = "the tree has more than 200000 files and directories (MAX_SOURCE_FILES)";

    assertThat(failWith(kind, message)).isEqualTo(new Outcome.Rejected(422, kind.name(), message));
  }
}
