package io.pagureci.init;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigExceptionTest {

  @Test
  void theMessageNamesTheVariableBeforeWhatIsWrongWithIt() {
    ConfigException e = new ConfigException("PAGURE_URL", "is required");

    assertThat(e).hasMessage("PAGURE_URL: is required");
    assertThat(e.variable()).isEqualTo("PAGURE_URL");
  }
}
