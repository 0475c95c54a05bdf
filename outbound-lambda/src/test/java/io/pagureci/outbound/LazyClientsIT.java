package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.pagureci.outbound.testing.StandIns.captured;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real wiring builds each client on first use: a terminal CodeBuild event (secret + pagure POST) never builds
 * the CodeBuild, CodePipeline or S3 client, a request event builds S3's but no build service's, and SnapStart
 * priming builds them all without a network call.
 */
class LazyClientsIT {
    private static final String COMMIT_FLAG_PATH = "/api/0/demo/c/" + Fixtures.SHA + "/flag";
    private static final String RECORD_PATH = "/records/source/.builds/"
            + "3f9c2a7e5b1d4c8f0a6e2b9d7c5a3f1e8b4d6c0a2e9f7b5d3c1a8e6f4b2d0c9a.json";

    private StandIns aws;

    @BeforeEach
    void start() {
        aws = new StandIns();
        aws.secret("LAZYCLIENTSTESTTOKEN");
        aws.wm.stubFor(post(COMMIT_FLAG_PATH).willReturn(captured("commit_flag_pr_head_form")));
    }

    @AfterEach
    void stop() {
        aws.close();
    }

    private String event(String fixture) {
        return Fixtures.event(fixture, aws.pagureUrl());
    }

    /** The stack's environment with the build records configured (WireMock plays S3 here). */
    private Map<String, String> env() {
        Map<String, String> env = aws.env();
        env.put("BUILD_RECORDS_BUCKET", "records");
        env.put("BUILD_RECORDS_PREFIX", "source/.builds/");
        return env;
    }

    @Test
    void initBuildsNoClient() {
        DependencyFactory factory = DependencyFactory.fromEnv(env());
        factory.wire();

        assertThat(factory.secretsManagerBuilt()).isFalse();
        assertThat(factory.codeBuildBuilt()).isFalse();
        assertThat(factory.codePipelineBuilt()).isFalse();
        assertThat(factory.s3Built()).isFalse();
    }

    @Test
    void aTerminalCodeBuildEventBuildsOnlyTheSecretsManagerClient() {
        DependencyFactory factory = DependencyFactory.fromEnv(env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.json"));

        assertThat(out.path("outcome").asText()).isEqualTo("posted");
        assertThat(factory.secretsManagerBuilt()).isTrue();
        assertThat(factory.codeBuildBuilt()).isFalse();
        assertThat(factory.codePipelineBuilt()).isFalse();
        assertThat(factory.s3Built()).isFalse();
    }

    @Test
    void aRequestEventBuildsTheS3ClientButNoBuildServiceClient() {
        aws.wm.stubFor(get(urlPathEqualTo(RECORD_PATH)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/xml")
                .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The"
                        + " specified key does not exist.</Message><Key>source/.builds/3f9c.json</Key>"
                        + "<RequestId>4442587FB7D0A2F9</RequestId><HostId>Y2lkZW50aWZpZXI=</HostId></Error>")));
        DependencyFactory factory = DependencyFactory.fromEnv(env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        JsonNode out = Invoke.handle(handler, event("pagure-ci-aws/queued-pull-request.json"));

        assertThat(out.path("status").asText()).isEqualTo("pending");
        aws.wm.verify(2, getRequestedFor(urlPathEqualTo(RECORD_PATH)));
        assertThat(factory.s3Built()).isTrue();
        assertThat(factory.secretsManagerBuilt()).isTrue();
        assertThat(factory.codeBuildBuilt()).isFalse();
        assertThat(factory.codePipelineBuilt()).isFalse();
    }

    @Test
    void aRunningCodeBuildEventBuildsTheCodeBuildClientButNotCodePipelines() {
        aws.build(Fixtures.BUILD_ARN, "IN_PROGRESS", "BUILD", List.<String[]>of(new String[] {"SUBMITTED", "SUCCEEDED"},
                new String[] {"BUILD"}), StandIns.pagureVars(aws.pagureUrl()));
        DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        JsonNode out = Invoke.handle(handler, event("codebuild/state-in-progress.json"));

        assertThat(out.path("status").asText()).isEqualTo("pending");
        assertThat(factory.codeBuildBuilt()).isTrue();
        assertThat(factory.codePipelineBuilt()).isFalse();
    }

    @Test
    void aDroppedEventBuildsNoClient() {
        DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        JsonNode out = Invoke.handle(handler, event("codebuild/state-succeeded.bad-no-build-id.json"));

        assertThat(out.path("outcome").asText()).isEqualTo("dropped");
        assertThat(factory.secretsManagerBuilt()).isFalse();
        assertThat(factory.codeBuildBuilt()).isFalse();
        assertThat(factory.codePipelineBuilt()).isFalse();
    }

    @Test
    void snapStartPrimingBuildsEveryClientWithoutANetworkCall() {
        DependencyFactory factory = DependencyFactory.fromEnv(env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        handler.beforeCheckpoint(null);

        assertThat(factory.secretsManagerBuilt()).isTrue();
        assertThat(factory.codeBuildBuilt()).isTrue();
        assertThat(factory.codePipelineBuilt()).isTrue();
        assertThat(factory.s3Built()).isTrue();
        assertThat(aws.wm.getAllServeEvents()).isEmpty();
        // and the primed handler still works, reading the secret after the snapshot
        Invoke.handle(handler, event("codebuild/state-succeeded.json"));
        aws.wm.verify(1, StandIns.awsCalls("secretsmanager.GetSecretValue"));
    }

    @Test
    void withoutBuildRecordsPrimingLeavesTheS3ClientUnbuilt() {
        DependencyFactory factory = DependencyFactory.fromEnv(aws.env());
        OutboundHandler handler = new OutboundHandler(factory.wire());

        handler.beforeCheckpoint(null);

        assertThat(factory.codeBuildBuilt()).isTrue();
        assertThat(factory.s3Built()).isFalse();
    }

    @Test
    void aConfigurationErrorStillFailsAtInit() {
        Map<String, String> env = aws.env();
        env.remove("PAGURE_URL");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DependencyFactory.fromEnv(env))
                .hasMessageContaining("PAGURE_URL");
    }
}
