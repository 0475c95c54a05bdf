package io.pagureci.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonLogProviderTest {

  private static final String[] KEYS = {
    JsonLogProvider.PROVIDER_PROPERTY, JsonLogProvider.VERBOSITY_PROPERTY
  };

  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    for (String k : KEYS) {
      saved.put(k, System.getProperty(k));
      System.clearProperty(k);
    }
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
  }

  @Test
  void namesThisProviderToSlf4jAndKeepsSlf4jsNoteAboutItOffTheLog() {
    JsonLogProvider.nameToSlf4j();

    assertThat(System.getProperty("slf4j.provider")).isEqualTo("io.pagureci.log.JsonLogProvider");
    assertThat(System.getProperty("slf4j.internal.verbosity")).isEqualTo("WARN");
  }

  @Test
  void keepsWhatTheOperatorSetAlready() {
    System.setProperty("slf4j.provider", "org.example.OtherProvider");
    System.setProperty("slf4j.internal.verbosity", "DEBUG");

    JsonLogProvider.nameToSlf4j();

    assertThat(System.getProperty("slf4j.provider")).isEqualTo("org.example.OtherProvider");
    assertThat(System.getProperty("slf4j.internal.verbosity")).isEqualTo("DEBUG");
  }
}
