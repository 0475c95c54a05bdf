package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JavaFunctionTest {

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @Test
  void theSettingsFollowTheConstructsOwnVariablesInNameOrderWhateverOrderTheyCameIn() {
    Map<String, String> environment = ordered("ROUTES", "r", "ACCOUNT_ID", "a");

    JavaFunction.addSettings(
        environment,
        ordered("REPORTER", "flag-api", "LOG_ACCESS", "console", "PAGURE_URL", "u"),
        "Owner");

    assertThat(environment.keySet())
        .containsExactly("ROUTES", "ACCOUNT_ID", "LOG_ACCESS", "PAGURE_URL", "REPORTER");
  }

  @Test
  void aSettingMayNotReplaceAVariableTheConstructSetsItself() {
    Map<String, String> environment = ordered("ROUTES", "r");

    assertThatThrownBy(
            () -> JavaFunction.addSettings(environment, Map.of("ROUTES", "x"), "FlagReporter"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ROUTES is set by FlagReporter itself");
    assertThat(environment).containsExactly(Map.entry("ROUTES", "r"));
  }
}
