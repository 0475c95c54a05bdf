package io.pagureci.pagure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pagureci.pagure.PagureBaseUrl.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PagureBaseUrlTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://pagure.io/",
        "https://pagure.io",
        "HTTPS://src.example.org:8443/pagure/",
        "http://127.0.0.1:5000"
      })
  void anHttpUrlWithAHostAndNothingElseIsOne(String value) {
    assertThat(PagureBaseUrl.check(value).getHost()).isNotNull();
  }

  @ParameterizedTest
  @CsvSource({
    "'https://pagure.io/a b', NOT_A_URL",
    "' https://pagure.io/', NOT_A_URL",
    "ftp://pagure.io/, NOT_HTTP",
    "pagure.io, NOT_HTTP",
    "/relative/, NOT_HTTP",
    "https:///no-host, NOT_PLAIN",
    "https://user:secret@pagure.io/, NOT_PLAIN",
    "https://pagure.io/?x=1, NOT_PLAIN",
    "https://pagure.io/#top, NOT_PLAIN"
  })
  void anythingElseIsRefusedWithWhatIsWrong(String value, Problem problem) {
    PagureBaseUrl.Invalid e =
        catchThrowableOfType(PagureBaseUrl.Invalid.class, () -> PagureBaseUrl.check(value));

    assertThat(e.problem()).isEqualTo(problem);
  }

  @org.junit.jupiter.api.Test
  void anUnparsableOneCarriesTheParsersMessage() {
    PagureBaseUrl.Invalid e =
        catchThrowableOfType(
            PagureBaseUrl.Invalid.class, () -> PagureBaseUrl.check("https://pagure.io/a b"));

    assertThat(e.getMessage())
        .isEqualTo("Illegal character in path at index 19: https://pagure.io/a b");
  }
}
