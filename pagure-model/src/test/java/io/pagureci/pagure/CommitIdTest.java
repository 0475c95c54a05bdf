package io.pagureci.pagure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommitIdTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2eee04891f7f4b55bf38feb7c0"
      })
  void acceptsFullShas(String sha) {
    assertThat(CommitId.isValid(sha)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ee04891",
        "EE04891F7F4B55BF38FEB7C0CBB454C8D9083F2E",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e0",
        "xe04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e\n"
      })
  void rejectsOtherShas(String sha) {
    assertThat(CommitId.isValid(sha)).isFalse();
  }
}
