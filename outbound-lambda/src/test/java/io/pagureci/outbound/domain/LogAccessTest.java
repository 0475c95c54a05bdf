package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LogAccessTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "console|console",
        "public|public",
        "comment|console,comment",
        "console,comment|console,comment",
        "comment, public|public,comment",
        " PUBLIC , Comment |public,comment"
      })
  void acceptsOneLinkKindOptionallyWithComment(String value, String canonical) {
    assertThat(LogAccess.parse(value, 50).wire()).isEqualTo(canonical);
  }

  @Test
  void unsetIsTodaysConsoleLinkWithoutComment() {
    assertThat(LogAccess.parse(null, 50)).isEqualTo(LogAccess.DEFAULT);
    assertThat(LogAccess.parse("  ", 50)).isEqualTo(LogAccess.DEFAULT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"console,public", "public,public", "comments", "public,", ",comment"})
  void refusesTwoLinkKindsRepeatsUnknownAndEmptyItems(String value) {
    assertThatThrownBy(() -> LogAccess.parse(value, 50))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTailLengthIsBounded() {
    assertThatThrownBy(() -> LogAccess.parse("comment", 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LogAccess.parse("comment", LogAccess.MAX_TAIL_LINES + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(LogAccess.parse("comment", LogAccess.MAX_TAIL_LINES).tailLines()).isEqualTo(500);
  }
}
