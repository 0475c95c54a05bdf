package io.pagureci.inbound.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** SnapStart priming of the SDK: every request the function makes, answered in memory. */
class SdkPrimingTest {

  @Test
  void everyOperationTheFunctionUsesRunsThroughTheSdkOnce() {
    SdkPriming.Result result = SdkPriming.primeAll();

    assertThat(result.requests()).isEqualTo(Map.of(
        "GetObject", 1, "PutObject", 1,
        "CreateMultipartUpload", 1, "UploadPart", 2, "CompleteMultipartUpload", 1,
        "GetSecretValue", 1, "StartBuild", 1, "StartPipelineExecution", 1));
  }

  @Test
  void itCanRunAgain() {
    assertThat(SdkPriming.primeAll().total()).isEqualTo(SdkPriming.primeAll().total()).isEqualTo(9);
  }
}
