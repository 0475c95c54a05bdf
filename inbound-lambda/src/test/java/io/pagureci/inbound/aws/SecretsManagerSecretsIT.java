package io.pagureci.inbound.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The secret cache against a Secrets Manager stand-in (WireMock): a TTL cache, and a re-read past
 * it that is rate-limited, so a rotated web-hook key works at once without letting a stream of bad
 * signatures become a stream of Secrets Manager calls.
 */
class SecretsManagerSecretsIT {

  private WireMockServer aws;
  private SecretsManagerClient client;
  private Instant now = Instant.parse("2026-12-06T12:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @BeforeEach
  void start() {
    aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    aws.start();
    client =
        SecretsManagerClient.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .endpointOverride(URI.create(aws.baseUrl()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
            .build();
    answer("{\"demo\": \"old-key\"}");
  }

  @AfterEach
  void stop() {
    client.close();
    aws.stop();
  }

  private void answer(String secretString) {
    aws.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(
                        "{\"Name\": \"hook-keys\", \"SecretString\": "
                            + com.fasterxml.jackson.databind.node.TextNode.valueOf(secretString)
                            + "}")));
  }

  private int calls() {
    return aws.countRequestsMatching(postRequestedFor(urlEqualTo("/")).build()).getCount();
  }

  @Test
  void readsAreCachedForTheTtl() throws Exception {
    SecretsManagerSecrets secrets =
        new SecretsManagerSecrets(client, Duration.ofSeconds(300), clock);

    assertThat(secrets.read("hook-keys")).isEqualTo("{\"demo\": \"old-key\"}");
    answer("{\"demo\": \"new-key\"}");
    now = now.plusSeconds(299);
    assertThat(secrets.read("hook-keys")).isEqualTo("{\"demo\": \"old-key\"}");
    now = now.plusSeconds(2);
    assertThat(secrets.read("hook-keys")).isEqualTo("{\"demo\": \"new-key\"}");
    assertThat(calls()).isEqualTo(2);
  }

  @Test
  void aRereadSeesARotatedKeyAtOnceButAtMostOncePerInterval() throws Exception {
    SecretsManagerSecrets secrets =
        new SecretsManagerSecrets(client, Duration.ofSeconds(300), clock);
    secrets.read("hook-keys");
    answer("{\"demo\": \"new-key\"}");

    assertThat(secrets.reread("hook-keys")).isEqualTo("{\"demo\": \"new-key\"}");
    assertThat(secrets.read("hook-keys"))
        .as("the re-read value is cached")
        .isEqualTo("{\"demo\": \"new-key\"}");
    int afterFirst = calls();
    for (int i = 0; i < 50; i++) {
      secrets.reread("hook-keys"); // a stream of bad signatures inside the interval
    }
    assertThat(calls()).as("no Secrets Manager call inside the interval").isEqualTo(afterFirst);

    answer("{\"demo\": \"newer-key\"}");
    now = now.plus(SecretsManagerSecrets.REREAD_INTERVAL);
    assertThat(secrets.reread("hook-keys")).isEqualTo("{\"demo\": \"newer-key\"}");
    assertThat(calls()).isEqualTo(afterFirst + 1);
  }
}
