package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A project's web-hook key regenerated in pagure and put into the secret: pagure never re-sends, so
 * the first delivery signed with the new key must be accepted although the old value is cached.
 */
class KeyRotationTest {

  private static final String OLD_KEYS = "{\"demo\": \"0000000000000000000000000000000000000000\"}";

  /** A secret cache that still holds the old value; a re-read sees the rotated one. */
  private static final class CachedOldValue implements Secrets {
    final AtomicInteger rereads = new AtomicInteger();
    String current = OLD_KEYS;

    @Override
    public String read(String secretId) {
      return OLD_KEYS;
    }

    @Override
    public String reread(String secretId) {
      rereads.incrementAndGet();
      return current;
    }
  }

  @Test
  void aDeliverySignedWithTheRotatedKeyIsAcceptedAtOnce() {
    CachedOldValue secrets = new CachedOldValue();
    secrets.current = TestConfigs.KEYS_JSON; // the real capture's key is the "new" one
    Fakes.RecordingStarter starter = new Fakes.RecordingStarter();
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config(),
            secrets,
            new Fakes.RecordingPackager(),
            starter,
            new Fakes.MemoryClaims(),
            new Fakes.CapturingLog());

    Outcome outcome = service.handle(PagureFixtures.webhook("pull-request.new-1").request());

    assertThat(outcome).isInstanceOf(Outcome.Queued.class);
    assertThat(secrets.rereads).hasValue(1);
    assertThat(starter.requests).hasSize(1);
  }

  @Test
  void aWrongSignatureIsStillRefusedAfterTheReread() {
    CachedOldValue secrets = new CachedOldValue();
    Fakes.CapturingLog log = new Fakes.CapturingLog();
    Fakes.Pipeline service =
        new Fakes.Pipeline(
            TestConfigs.config(),
            secrets,
            new Fakes.RecordingPackager(),
            new Fakes.RecordingStarter(),
            new Fakes.MemoryClaims(),
            log);

    Outcome outcome = service.handle(PagureFixtures.webhook("pull-request.new-1").request());

    assertThat(outcome)
        .isEqualTo(
            new Outcome.Rejected(401, "UNAUTHENTICATED", "the request is not authenticated"));
    assertThat(secrets.rereads).hasValue(1);
    assertThat(log.lines.getFirst()).contains("\"cause\":\"BAD_SIGNATURE: ");
  }
}
