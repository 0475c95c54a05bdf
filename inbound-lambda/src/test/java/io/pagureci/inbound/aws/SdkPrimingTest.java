package io.pagureci.inbound.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** SnapStart priming of the SDK: every request the accept function makes, answered in memory. */
class SdkPrimingTest {

  @Test
  void everyOperationTheAcceptFunctionUsesRunsThroughTheSdkOnce() {
    SdkPriming.Result result = SdkPriming.primeAll();

    assertThat(result.requests())
        .isEqualTo(Map.of("GetSecretValue", 1, "GetItem", 1, "SendMessage", 1, "PutEvents", 1));
  }

  @Test
  void itCanRunAgain() {
    assertThat(SdkPriming.primeAll().total()).isEqualTo(SdkPriming.primeAll().total()).isEqualTo(4);
  }
}
