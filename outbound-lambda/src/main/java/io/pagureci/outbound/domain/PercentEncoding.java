package io.pagureci.outbound.domain;

import java.nio.charset.StandardCharsets;

/**
 * The percent-encoding of the outbound function (URL parts and form bodies alike): the UTF-8 bytes
 * of the text, RFC 3986 unreserved characters {@code A-Z a-z 0-9 - . _ ~} kept, every other byte
 * {@code %XX} (upper-case hex).
 */
public final class PercentEncoding {
  private PercentEncoding() {}

  /** For a URL's path segment or query value: a space is {@code %20}. */
  public static String encode(String value) {
    return encode(value, false);
  }

  /**
   * For an {@code application/x-www-form-urlencoded} field exactly as Python's {@code urlencode}
   * (and so pagure's own clients) writes it: a space is {@code +}.
   */
  public static String formEncode(String value) {
    return encode(value, true);
  }

  private static String encode(String value, boolean spaceAsPlus) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else if (c == ' ' && spaceAsPlus) {
        out.append('+');
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
