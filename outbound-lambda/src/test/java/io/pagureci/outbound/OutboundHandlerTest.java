package io.pagureci.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.pagureci.outbound.adapters.InvocationDeadline;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.RequestEventService;
import io.pagureci.outbound.domain.Scope;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

@ExtendWith(MockitoExtension.class)
class OutboundHandlerTest {
  @Mock FlagReporter reporter;
  @Mock BuildStatusLookup lookup;
  OutboundHandler handler;

  /** Build keys whose record was read. */
  final List<String> recordReads = new ArrayList<>();

  @BeforeEach
  void wire() {
    Scope scope = new Scope(Fixtures.FIXTURE_INSTANCE, Set.of("pagure-ci-demo"), Set.of());
    FlagMapper mapper = new FlagMapper(null, new BuildUrls(null));
    OutboundService service =
        new OutboundService(scope, Fixtures.provenance(), mapper, reporter, lookup, lookup, null);
    BuildRecordLookup records =
        key -> {
          recordReads.add(key);
          return Optional.empty();
        };
    RequestEventService requests =
        new RequestEventService(scope, "123456789012", mapper, reporter, records, service);
    handler = new OutboundHandler(service, requests, new InvocationDeadline());
  }

  static List<String> requestBadTwins() throws Exception {
    Path root =
        Path.of(OutboundHandlerTest.class.getResource("/events/eventbridge/pagure-ci-aws").toURI());
    try (Stream<Path> files = Files.list(root)) {
      return files
          .map(f -> "pagure-ci-aws/" + f.getFileName())
          .filter(f -> f.contains(".bad-"))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("requestBadTwins")
  void refusesEveryRequestBadTwinWithAReasonWithoutReadingARecordOrPosting(String fixture) {
    var out = Invoke.handle(handler, Fixtures.event(fixture));

    assertThat(out.path("outcome").asText()).isIn("dropped", "ignored");
    assertThat(out.path("reason").asText()).isNotBlank();
    assertThat(recordReads).isEmpty();
    verifyNoInteractions(reporter, lookup);
  }

  @Test
  void answersWithASummaryOfTheQueuedFlag() {
    var out = Invoke.handle(handler, Fixtures.event("pagure-ci-aws/queued-pull-request.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("pending");
    assertThat(out.path("uid").asText()).isEqualTo("pci-15b929dd6bf7e894f27d2127552b");
    assertThat(recordReads).hasSize(2);
    verify(reporter).report(any());
  }

  @Test
  void answersWithASummaryOfWhatWasPosted() {
    var out = Invoke.handle(handler, Fixtures.event("codebuild/state-stopped.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("posted");
    assertThat(out.path("status").asText()).isEqualTo("canceled");
    assertThat(out.path("uid").asText()).hasSize(32);
    verify(reporter).report(any());
  }

  @Test
  void answersDroppedForAnUnusableEvent() {
    var out =
        Invoke.handle(
            handler,
            Fixtures.event("codebuild/state-failed-in-build.bad-variables-not-a-list.json"));

    assertThat(out.path("outcome").asText()).isEqualTo("dropped");
    assertThat(out.path("reason").asText()).contains("environment-variables");
    verifyNoInteractions(reporter, lookup);
  }
}
