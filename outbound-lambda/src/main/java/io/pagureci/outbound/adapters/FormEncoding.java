package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.PercentEncoding;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded} exactly as Python's {@code urlencode} (and so pagure's
 * own clients) writes it: {@code key=value} pairs joined by {@code &}, each side {@link
 * PercentEncoding#formEncode} (unreserved {@code A-Z a-z 0-9 _ . - ~} kept, space as {@code +},
 * everything else {@code %XX} of UTF-8).
 */
final class FormEncoding {
  private FormEncoding() {}

  static String encode(Map<String, String> fields) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(PercentEncoding.formEncode(e.getKey()))
          .append('=')
          .append(PercentEncoding.formEncode(e.getValue()));
    }
    return out.toString();
  }
}
