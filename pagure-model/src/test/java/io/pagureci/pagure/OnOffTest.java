package io.pagureci.pagure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OnOffTest {

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True", "1", "yes", "YES", "on", "On"})
  void theYesWordsAreTrue(String word) {
    assertThat(OnOff.parse(word)).contains(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "FALSE", "0", "no", "No", "off", "OFF"})
  void theNoWordsAreFalse(String word) {
    assertThat(OnOff.parse(word)).contains(false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "y", "n", "2", "-1", "enabled", "truee", " true", "true "})
  void anythingElseIsNone(String word) {
    assertThat(OnOff.parse(word)).isEmpty();
  }
}
