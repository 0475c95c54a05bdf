package io.pagureci.outbound.adapters;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded} exactly as Python's {@code urlencode} (and so pagure's
 * own clients) writes it: unreserved {@code A-Z a-z 0-9 _ . - ~} kept, space as {@code +},
 * everything else {@code %XX} of UTF-8.
 */
final class FormEncoding {
  private FormEncoding() {}

  static String encode(Map<String, String> fields) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(encode(e.getKey())).append('=').append(encode(e.getValue()));
    }
    return out.toString();
  }

  static String encode(String value) {
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
      } else if (c == ' ') {
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
