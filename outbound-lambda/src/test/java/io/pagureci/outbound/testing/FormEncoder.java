package io.pagureci.outbound.testing;

import java.nio.charset.StandardCharsets;

/** Independent re-implementation of Python's {@code quote_plus} for assertions. */
public final class FormEncoder {
  private FormEncoder() {}

  public static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (Character.isLetterOrDigit(c) && c < 128 || "_.-~".indexOf(c) >= 0) {
        out.append(c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append(String.format("%%%02X", (int) c));
      }
    }
    return out.toString();
  }
}
