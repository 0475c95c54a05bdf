package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PagureBuildTest {
  private static Map<String, String> vars() {
    Map<String, String> v = new HashMap<>();
    v.put("PAGURE_INSTANCE", "https://pagure.example.org");
    v.put("PAGURE_PROJECT", "rpms/widget");
    v.put("PAGURE_COMMIT", "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e");
    v.put("PAGURE_PR_ID", "7");
    return v;
  }

  /** The rule itself is proven in pagure-model (ProjectNameTest). */
  @ParameterizedTest
  @CsvSource({"rpms/widget, true", "c++, true", "+demo, false", "demo.git, false", "a/b/c, false"})
  void checksTheProjectWithTheSharedRule(String fullname, boolean valid) {
    Map<String, String> v = vars();
    v.put("PAGURE_PROJECT", fullname);

    if (valid) {
      assertThat(PagureBuild.from(v).project()).isEqualTo(fullname);
    } else {
      assertThatThrownBy(() -> PagureBuild.from(v)).hasMessageStartingWith("PAGURE_PROJECT");
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "PAGURE_INSTANCE, NULL",
        "PAGURE_INSTANCE, file:///etc",
        "PAGURE_PROJECT, -",
        "PAGURE_PROJECT, ../x",
        "PAGURE_COMMIT, EE04891F7F4B55BF38FEB7C0CBB454C8D9083F2E",
        "PAGURE_COMMIT, ee04891",
        "PAGURE_PR_ID, 0",
        "PAGURE_PR_ID, x"
      })
  void namesTheBadVariable(String name, String value) {
    Map<String, String> v = vars();
    v.put(name, value);
    if (value == null) {
      v.remove(name);
    }

    assertThatThrownBy(() -> PagureBuild.from(v)).hasMessageStartingWith(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-", "", " "})
  void treatsTheUnsetMarkerAsAbsent(String unset) {
    Map<String, String> v = vars();
    v.put("PAGURE_PR_ID", unset);

    PagureBuild b = PagureBuild.from(v);

    assertThat(b.prId()).isNull();
    assertThat(b.instance()).isEqualTo("https://pagure.example.org/");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d, b3a4c1d2-7e8f-4a9b-8c0d-1e2f3a4b5c6d",
        "' b3a4 ', b3a4",
        "NULL, NULL",
        "-, NULL",
        "'b3a4 c1d2', NULL",
        "'{\"a\":1}', NULL",
        "-b3a4, NULL"
      })
  void readsAWellFormedDeliveryIdForTheLogOnly(String value, String expected) {
    Map<String, String> v = vars();
    if (value != null) {
      v.put("PAGURE_DELIVERY_ID", value);
    }

    assertThat(PagureBuild.deliveryId(v)).isEqualTo(expected);
  }
}
