package io.pagureci.outbound.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is taken out of a log line before it is posted as a PR comment (docs/security.md, "What a
 * log comment redacts"). Each redaction is replaced by {@link #MASK}.
 *
 * <ol>
 *   <li>The values of the build's own PLAINTEXT variables whose name looks secret ({@link
 *       #SECRET_NAME}: {@code secret}, {@code token}, {@code passw}, {@code credential}, {@code
 *       private}, {@code api_key}/{@code apikey}, or a name ending in {@code _KEY}), at least 4
 *       characters long. The values of SECRETS_MANAGER / PARAMETER_STORE variables are not known
 *       here: the event names only the secret, and outbound may not read it.
 *   <li>AWS access key ids: {@code AKIA}, {@code ASIA} and the other documented 4-letter prefixes,
 *       then 16 of {@code A-Z 0-9}.
 *   <li>Anything shaped like a secret access key: a run of exactly 40 of {@code A-Z a-z 0-9 / +}
 *       holding at least one upper-case letter, one lower-case letter and one digit (so a 40-hex
 *       git sha, all lower-case, stays).
 *   <li>The value after {@code aws_secret_access_key}, {@code aws_session_token}, {@code
 *       secretAccessKey}, {@code sessionToken} (any case, {@code _} optional) and {@code =} or
 *       {@code :}.
 *   <li>STS session tokens: base64 starting {@code FwoGZXIvYXdz} or {@code IQoJb3JpZ2lu}.
 * </ol>
 *
 * A secret split across two log lines, or encoded (base64 of a key, a key with spaces), is not
 * found.
 */
public final class Redaction {
  public static final String MASK = "[redacted]";

  static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(secret|token|passw|credential|private|api_?key|_key$|^key$).*");

  private static final Pattern ACCESS_KEY_ID =
      Pattern.compile(
          "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)"
              + "[A-Z0-9]{16}(?![A-Za-z0-9])");
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])");
  private static final Pattern ASSIGNED =
      Pattern.compile(
          "(?i)(aws_?secret_?access_?key|aws_?session_?token|secret_?access_?key|session_?token)"
              + "([\"']?\\s*[:=]\\s*[\"']?)([^\\s\"',;]+)");
  private static final Pattern SESSION_TOKEN =
      Pattern.compile("(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{16,}");

  private final List<String> values;

  private Redaction(List<String> values) {
    this.values = values;
  }

  /** Redacts the secret-named values among {@code variables} (the build's PLAINTEXT ones). */
  public static Redaction of(Map<String, String> variables) {
    List<String> values = new ArrayList<>();
    variables.forEach(
        (name, value) -> {
          if (value != null
              && value.strip().length() >= 4
              && SECRET_NAME.matcher(name).matches()
              && !name.equals("PAGURE_BUILD_KEY")) {
            values.add(value.strip());
          }
        });
    values.sort(Comparator.comparingInt(String::length).reversed());
    return new Redaction(List.copyOf(values));
  }

  /** The line with every redaction applied. */
  public String apply(String line) {
    String s = line;
    for (String v : values) {
      s = s.replace(v, MASK);
    }
    s = ACCESS_KEY_ID.matcher(s).replaceAll(MASK);
    s = SESSION_TOKEN.matcher(s).replaceAll(MASK);
    s =
        ASSIGNED
            .matcher(s)
            .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + MASK));
    Matcher m = SECRET_KEY.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String g = m.group();
      boolean upper = false;
      boolean lower = false;
      boolean digit = false;
      for (int i = 0; i < g.length(); i++) {
        char c = g.charAt(i);
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        digit |= c >= '0' && c <= '9';
      }
      m.appendReplacement(out, Matcher.quoteReplacement(upper && lower && digit ? MASK : g));
    }
    m.appendTail(out);
    return out.toString();
  }
}
