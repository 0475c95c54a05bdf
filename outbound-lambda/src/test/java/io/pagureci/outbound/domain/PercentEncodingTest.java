package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentEncodingTest {
  private static final String TEXT = "CodeBuild é #42: a/b~c*d+e_f.g-h";

  @Test
  void aUrlPartKeepsOnlyUnreservedCharactersAndWritesASpaceAsPercent20() {
    assertThat(PercentEncoding.encode(TEXT))
        .isEqualTo("CodeBuild%20%C3%A9%20%2342%3A%20a%2Fb~c%2Ad%2Be_f.g-h");
  }

  @Test
  void aFormFieldDiffersOnlyInTheSpace() {
    assertThat(PercentEncoding.formEncode(TEXT))
        .isEqualTo(PercentEncoding.encode(TEXT).replace("%20", "+"));
  }
}
