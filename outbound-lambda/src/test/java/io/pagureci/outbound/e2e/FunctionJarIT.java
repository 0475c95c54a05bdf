package io.pagureci.outbound.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.StandIns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployable {@code target/function.jar} under the real Lambda runtime interface client, with its handler
 * string, against WireMock as pagure and AWS (endpoints through {@code AWS_ENDPOINT_URL}).
 */
class FunctionJarIT {
    static final String HANDLER = "io.pagureci.outbound.OutboundHandler::handleRequest";
    static final String TOKEN = "E2ETOKEN0123456789THROWAWAYVALUE";
    static final Path JAR = Path.of("target/function.jar");

    static StandIns aws;
    static LocalLambdaRuntime function;

    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("AWS_ENDPOINT_URL", aws.base());
        env.put("AWS_ACCESS_KEY_ID", "AKIDFAKETESTKEY00000");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    @BeforeAll
    static void start() throws Exception {
        assertThat(JAR).as("run through Maven: package builds the jar before the ITs").exists();
        aws = new StandIns();
        aws.secret(TOKEN);
        aws.wm.stubFor(post("/api/0/demo/c/" + Fixtures.SHA + "/flag")
                .willReturn(StandIns.captured("commit_flag_pr_head_form")));
        aws.wm.stubFor(post("/api/0/demo/c/" + "0".repeat(40) + "/flag")
                .willReturn(StandIns.captured("commit_flag_malformed_hash")));
        Files.createDirectories(Path.of("target/e2e"));
        function = LocalLambdaRuntime.start(JAR, HANDLER, env(), Path.of("target/e2e/function.log"));
    }

    @AfterAll
    static void stop() {
        if (function != null) {
            function.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void turnsAStateChangeIntoAFlag() throws Exception {
        LocalLambdaRuntime.Invocation r = function.invoke(
                Fixtures.event("codebuild/state-succeeded.json", aws.pagureUrl()), Duration.ofSeconds(30));

        assertThat(r.failed()).as(r.body()).isFalse();
        JsonNode out = Fixtures.JSON.readTree(r.body());
        assertThat(out.path("outcome").asText()).isEqualTo("posted");
        assertThat(out.path("status").asText()).isEqualTo("success");
        assertThat(aws.wm.findAll(postRequestedFor(urlPathMatching("/api/0/demo/c/.*")))
                .stream().map(q -> q.getHeader("Authorization"))).contains("token " + TOKEN);
        assertThat(function.output()).contains("\"decision\":\"posted\"").doesNotContain(TOKEN);
    }

    @Test
    void reportsAPagureRejectionAsAFunctionErrorSoLambdaRetries() {
        String event = Fixtures.event("codebuild/state-failed-in-build.json", aws.pagureUrl())
                .replace(Fixtures.SHA, "0".repeat(40));

        LocalLambdaRuntime.Invocation r = function.invoke(event, Duration.ofSeconds(30));

        assertThat(r.failed()).isTrue();
        assertThat(r.body()).contains("ReportFailedException").contains("404 ENOCOMMIT").doesNotContain(TOKEN);
    }

    @Test
    void failsAtInitNamingAMissingVariable() {
        Map<String, String> env = env();
        env.remove("PAGURE_TOKEN_SECRET_ID");

        try (LocalLambdaRuntime broken = LocalLambdaRuntime.start(JAR, HANDLER, env,
                Path.of("target/e2e/function-init-error.log"))) {
            assertThat(broken.awaitInitError(Duration.ofSeconds(30)))
                    .contains("PAGURE_TOKEN_SECRET_ID: is required");
        }
    }

    @Test
    void dropsAMalformedEventWithoutAnError() throws Exception {
        LocalLambdaRuntime.Invocation r = function.invoke(Fixtures.event("codebuild/state-in-progress.bad-truncated.json"),
                Duration.ofSeconds(30));

        assertThat(r.failed()).isFalse();
        assertThat(Fixtures.JSON.readTree(r.body()).path("outcome").asText()).isEqualTo("dropped");
    }
}
