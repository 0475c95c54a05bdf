package io.pagureci.inbound.domain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What docs/protocol.md §2 documents. */
final class ProtocolDoc {

  private ProtocolDoc() {}

  /** Every error answer of the table of codes, as {@code "401 UNAUTHENTICATED"}. */
  static Set<String> documentedCodes() {
    String text = text();
    Matcher m =
        Pattern.compile("^\\| (\\d{3}) \\| `([A-Z_]+)`(?: / `([A-Z_]+)`)? \\|", Pattern.MULTILINE)
            .matcher(text);
    Set<String> codes = new TreeSet<>();
    while (m.find()) {
      codes.add(m.group(1) + " " + m.group(2));
      if (m.group(3) != null) {
        codes.add(m.group(1) + " " + m.group(3));
      }
    }
    return codes;
  }

  /**
   * The worker's reason codes (§2, "Worker reason codes"), as {@code "SOURCE_TOO_LARGE no"}: code
   * and whether retried.
   */
  static Set<String> workerCodes() {
    Matcher m =
        Pattern.compile("^\\| `([A-Z_]+)` \\| (yes|no) \\|", Pattern.MULTILINE).matcher(text());
    Set<String> codes = new TreeSet<>();
    while (m.find()) {
      codes.add(m.group(1) + " " + m.group(2));
    }
    return codes;
  }

  private static String text() {
    Path doc = Path.of(System.getProperty("pagure.fixtures")).resolve("../../docs/protocol.md");
    try {
      return Files.readString(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
