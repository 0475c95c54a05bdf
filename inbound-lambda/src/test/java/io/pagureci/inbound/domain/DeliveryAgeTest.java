package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Replay protection: an authentic pagure delivery outside the accepted time window is refused. */
class DeliveryAgeTest {

  /** pull-request.new-1 was sent at 1795782062 (2026-11-27T12:21:02Z). */
  private static final long SENT = 1795782062L;

  private final Fakes.RecordingPackager packager = new Fakes.RecordingPackager();
  private final Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
  private final Fakes.MemoryClaims records = new Fakes.MemoryClaims();

  private Outcome deliverAt(long nowEpochSeconds, String maxAge) {
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config("MAX_DELIVERY_AGE_SECONDS", maxAge),
            TestConfigs.secrets(),
            packager,
            starter,
            records,
            new Fakes.CapturingLog(),
            Clock.fixed(Instant.ofEpochSecond(nowEpochSeconds), ZoneOffset.UTC));
    return service.handle(PagureFixtures.webhook("pull-request.new-1").request());
  }

  @Test
  void aFreshDeliveryBuilds() {
    assertThat(deliverAt(SENT + 3, "900")).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void aDeliveryAtTheEdgeOfTheWindowStillBuilds() {
    assertThat(deliverAt(SENT + 900, "900")).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void aReplayAfterTheWindowIsRefusedAndNothingIsStarted() {
    Outcome outcome = deliverAt(SENT + 901, "900");

    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    assertThat(((Outcome.Rejected) outcome).status()).isEqualTo(401);
    assertThat(((Outcome.Rejected) outcome).code()).isEqualTo("STALE_DELIVERY");
    assertThat(packager.plans).isEmpty();
    assertThat(starter.requests).isEmpty();
    assertThat(records.finds).isZero();
  }

  @Test
  void aDeliveryFromTheFutureBeyondTheSkewIsRefused() {
    assertThat(deliverAt(SENT - 301, "900")).isInstanceOf(Outcome.Rejected.class);
    assertThat(deliverAt(SENT - 299, "900")).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void zeroSwitchesTheCheckOff() {
    assertThat(deliverAt(SENT + 86_400 * 30, "0")).isInstanceOf(Outcome.Queued.class);
  }

  @Test
  void aForgedTimestampBreaksTheSignature() {
    PagureFixtures.Delivery d = PagureFixtures.webhook("pull-request.new-1");
    byte[] body =
        new String(d.body(), java.nio.charset.StandardCharsets.US_ASCII)
            .replace("\"timestamp\": " + SENT, "\"timestamp\": " + (SENT + 5000))
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config("MAX_DELIVERY_AGE_SECONDS", "900"),
            TestConfigs.secrets(),
            packager,
            starter,
            records,
            new Fakes.CapturingLog(),
            Clock.fixed(Instant.ofEpochSecond(SENT + 5000), ZoneOffset.UTC));

    Outcome outcome = service.handle(d.withBody(body));

    assertThat(outcome)
        .isEqualTo(
            new Outcome.Rejected(401, "UNAUTHENTICATED", "the request is not authenticated"));
  }
}
