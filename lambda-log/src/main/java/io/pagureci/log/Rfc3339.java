package io.pagureci.log;

/**
 * {@code 2026-12-06T23:00:10.123Z} from epoch milliseconds, without {@code java.time.format} (whose
 * formatters cost a cold start tens of milliseconds of class loading, docs/performance.md).
 */
final class Rfc3339 {

  private Rfc3339() {}

  static String utc(long epochMillis) {
    long days = Math.floorDiv(epochMillis, 86_400_000L);
    int msOfDay = (int) Math.floorMod(epochMillis, 86_400_000L);
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long day = doy - (153 * mp + 2) / 5 + 1;
    long month = mp < 10 ? mp + 3 : mp - 9;
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder s = new StringBuilder(24);
    pad(s, year, 4).append('-');
    pad(s, month, 2).append('-');
    pad(s, day, 2).append('T');
    pad(s, msOfDay / 3_600_000, 2).append(':');
    pad(s, msOfDay / 60_000 % 60, 2).append(':');
    pad(s, msOfDay / 1000 % 60, 2).append('.');
    pad(s, msOfDay % 1000, 3).append('Z');
    return s.toString();
  }

  private static StringBuilder pad(StringBuilder s, long v, int width) {
    String d = Long.toString(v);
    for (int i = d.length(); i < width; i++) {
      s.append('0');
    }
    return s.append(d);
  }
}
