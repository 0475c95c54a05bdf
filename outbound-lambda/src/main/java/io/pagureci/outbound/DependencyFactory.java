package io.pagureci.outbound;

import io.pagureci.outbound.adapters.CodeBuildStatusLookup;
import io.pagureci.outbound.adapters.CodePipelineStatusLookup;
import io.pagureci.outbound.adapters.PagureCiWebhook;
import io.pagureci.outbound.adapters.PagureFlagApi;
import io.pagureci.outbound.adapters.PagureHttp;
import io.pagureci.outbound.adapters.RetryPolicy;
import io.pagureci.outbound.adapters.SecretsManagerTokenProvider;
import io.pagureci.outbound.config.ConfigException;
import io.pagureci.outbound.config.OutboundConfig;
import io.pagureci.outbound.domain.BuildUrls;
import io.pagureci.outbound.domain.FlagMapper;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.OutboundService;
import io.pagureci.outbound.domain.Scope;
import io.pagureci.outbound.domain.TokenProvider;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Wires the real clients, once per execution environment: SDK clients on one URL-connection HTTP client, region
 * from {@code AWS_REGION}, credentials from the SDK's default chain, endpoints only through the SDK's own
 * {@code AWS_ENDPOINT_URL*} / {@code aws.endpointUrl*} support.
 */
public final class DependencyFactory {
    /** Set by the Lambda runtime. */
    public static final String AWS_REGION = "AWS_REGION";

    private DependencyFactory() {
    }

    /** What the handler needs: the service and the token cache (for SnapStart restore). */
    public record Wiring(OutboundService service, TokenProvider tokens) {
    }

    public static Wiring create(Map<String, String> env) {
        OutboundConfig config = OutboundConfig.fromEnv(env);
        String regionName = env.get(AWS_REGION);
        if (regionName == null || regionName.isBlank()) {
            throw new ConfigException(AWS_REGION, "is required (the Lambda runtime sets it)");
        }
        Region region = Region.of(regionName.trim());
        SdkHttpClient http = UrlConnectionHttpClient.builder().build();
        SecretsManagerClient secrets = SecretsManagerClient.builder().region(region).httpClient(http).build();
        CodeBuildClient codeBuild = CodeBuildClient.builder().region(region).httpClient(http).build();
        CodePipelineClient codePipeline = CodePipelineClient.builder().region(region).httpClient(http).build();

        TokenProvider tokens = new SecretsManagerTokenProvider(secrets, config.tokenSecretId(), config.tokenTtl(),
                Clock.systemUTC());
        PagureHttp pagure = new PagureHttp(PagureHttp.newClient(config.pagureTimeout()), tokens,
                config.pagureTimeout(), new RetryPolicy(config.retryMaxAttempts(), config.retryBaseDelay()));
        FlagReporter reporter = switch (config.reporter()) {
            case FLAG_API -> new PagureFlagApi(config.pagureUrl(),
                    config.flagEndpoint() == OutboundConfig.FlagEndpoint.PULL_REQUEST, pagure);
            case CI_WEBHOOK -> new PagureCiWebhook(config.pagureUrl(), pagure);
        };
        OutboundService service = new OutboundService(
                new Scope(config.pagureUrl(), config.codeBuildProjects(), config.pipelineNames()),
                new FlagMapper(config.flagUsername(), new BuildUrls(config.buildUrlTemplate())),
                reporter, new CodeBuildStatusLookup(codeBuild), new CodePipelineStatusLookup(codePipeline));
        return new Wiring(service, tokens);
    }
}
