package io.pagureci.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.pagureci.outbound.domain.BuildStatusLookup;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.Scope;
import io.pagureci.outbound.domain.TokenProvider;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

@ExtendWith(MockitoExtension.class)
class OutboundHandlerTest {
    @Mock
    FlagReporter reporter;
    @Mock
    BuildStatusLookup lookup;
    @Mock
    TokenProvider tokens;
    OutboundHandler handler;

    @BeforeEach
    void wire() {
        OutboundService service = new OutboundService(new Scope(Fixtures.FIXTURE_INSTANCE, Set.of(), Set.of()),
                new FlagMapper(null, new BuildUrls(null)), reporter, lookup, lookup);
        handler = new OutboundHandler(service, tokens);
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
        var out = Invoke.handle(handler, Fixtures.event("bad/codebuild-state-variables-not-a-list.json"));

        assertThat(out.path("outcome").asText()).isEqualTo("dropped");
        assertThat(out.path("reason").asText()).contains("environment-variables");
        verifyNoInteractions(reporter, lookup);
    }

    @Test
    void dropsTheCachedTokenAroundASnapStartSnapshotWithoutNetworkCalls() throws Exception {
        handler.beforeCheckpoint(null);
        handler.afterRestore(null);

        verify(tokens, times(2)).invalidate();
        verifyNoInteractions(reporter, lookup);
    }
}
