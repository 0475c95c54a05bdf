package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.inbound.domain.SourceException.Kind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What becomes of a queued build request whose commit cannot be packaged: every {@link Kind} is a
 * worker reason code documented in docs/protocol.md §2 (with whether it is retried), nothing is
 * started, and a permanent one tells the PR at once.
 */
class PackagingFailureTest {

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.RecordingEvents events = new Fakes.RecordingEvents();
  private final Fakes.CapturingWorkLog log = new Fakes.CapturingWorkLog();
  private final WorkerService worker =
      new WorkerService(
          TestConfigs.config(),
          TestConfigs.queueConfig(),
          packager,
          starter,
          new Fakes.MemoryClaims(),
          null,
          null,
          null,
          events,
          new Fakes.MemoryQueue(),
          log,
          Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC));
  private final WorkItem item = WorkerServiceTest.queuedItem("pull-request.new-1");

  /** The first attempt fails with {@code kind}; returns (code, retried). */
  private String failWith(Kind kind, String message) {
    packager.failWith = new SourceException(kind, message);
    WorkerService.Result result =
        worker.handle(new WorkerService.Message("m", "rh", WorkItemJson.write(item), 1));
    assertThat(packager.plans).as("packaged").hasSize(1);
    assertThat(starter.requests).as("builds started").isEmpty();
    boolean retried = result instanceof WorkerService.Retry;
    if (!retried) {
      assertThat(events.events).as("a permanent failure tells the PR at once").hasSize(1);
      return events.events.getFirst().code() + " no";
    }
    assertThat(events.events).as("nothing to tell yet: it is retried").isEmpty();
    java.util.regex.Matcher code =
        java.util.regex.Pattern.compile("\"code\":\"([A-Z_]+)\"").matcher(log.lines.getLast());
    assertThat(code.find()).as(log.lines.getLast()).isTrue();
    return code.group(1) + " yes";
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyPackagingFailureIsADocumentedWorkerReasonCode(Kind kind) {
    assertThat(ProtocolDoc.workerCodes()).contains(failWith(kind, "it failed"));
  }

  /** The PR author's own tree is the problem: not retried, the limit named in the flag. */
  @ParameterizedTest
  @EnumSource(
      value = Kind.class,
      names = {"SOURCE_TOO_LARGE", "PATH_TOO_LONG", "DIRECTORY_TOO_LARGE"})
  void aTreeOverALimitIsAPermanentErrorSayingWhichLimit(Kind kind) {
    String message = "the tree has more than 200000 files and directories (MAX_SOURCE_FILES)";

    assertThat(failWith(kind, message)).isEqualTo(kind.name() + " no");
    assertThat(events.events.getFirst().reason()).isEqualTo(message);
    assertThat(events.events.getFirst().retry()).isEqualTo("pretty please pagure-ci rebuild");
  }
}
