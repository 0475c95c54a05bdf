package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LogTailTest {
  private static final BuildRef REF =
      new BuildRef(
          BuildSystem.CODEBUILD,
          "pagure-ci-demo",
          "arn:aws:codebuild:eu-west-1:123456789012:build/pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44",
          "eu-west-1",
          "123456789012");
  private static final String MARKER = LogTail.marker(REF);
  private static final Redaction NONE = Redaction.of(Map.of());

  static List<String> codeBuildLog(int buildLines) {
    List<String> log = new ArrayList<>();
    log.add("[Container] 2026/11/27 12:28:12.000 Entering phase INSTALL");
    log.add("[Container] 2026/11/27 12:28:12.100 Phase complete: INSTALL State: SUCCEEDED");
    log.add("[Container] 2026/11/27 12:28:18.000 Entering phase BUILD");
    log.add("[Container] 2026/11/27 12:28:18.001 Running command make test");
    IntStream.rangeClosed(1, buildLines).forEach(i -> log.add("test line " + i));
    log.add(
        "[Container] 2026/11/27 12:29:00.000 Command did not exit successfully make test exit status 2");
    log.add("[Container] 2026/11/27 12:29:00.001 Phase complete: BUILD State: FAILED");
    log.add(
        "[Container] 2026/11/27 12:29:00.002 Phase context status code: COMMAND_EXECUTION_ERROR"
            + " Message: Error while executing command: make test. Reason: exit status 2");
    log.add("[Container] 2026/11/27 12:29:30.000 Entering phase POST_BUILD");
    log.add("post build line");
    log.add("[Container] 2026/11/27 12:29:31.000 Phase complete: POST_BUILD State: SUCCEEDED");
    return log;
  }

  private static String comment(List<String> log, String phase, int lines, Redaction r) {
    return LogTail.comment(
        "build · failed in BUILD after 1m00s",
        "https://example.org/b",
        phase,
        log,
        lines,
        r,
        MARKER);
  }

  @Test
  void quotesTheLastLinesOfTheFailingPhaseUpToItsContextLineAndNotTheLaterPhases() {
    String c = comment(codeBuildLog(100), "BUILD", 50, NONE);
    assertThat(c)
        .startsWith("**build · failed in BUILD after 1m00s** · [build](https://example.org/b)\n")
        .contains("The last 50 lines of the BUILD phase")
        .contains("test line 100\n")
        .contains("test line 54\n")
        .doesNotContain("test line 53\n")
        .contains("Phase context status code: COMMAND_EXECUTION_ERROR")
        .doesNotContain("post build line")
        .doesNotContain("INSTALL")
        .endsWith("```\n\n" + MARKER + "\n");
  }

  @Test
  void aShortPhaseIsQuotedWholeFromItsEnteringLine() {
    String c = comment(codeBuildLog(2), "BUILD", 50, NONE);
    assertThat(c).contains("The 7 lines of the BUILD phase").contains("Entering phase BUILD");
  }

  @Test
  void withoutThePhaseInTheLogTheEndOfTheLogIsQuoted() {
    String c = comment(codeBuildLog(2), "DOWNLOAD_SOURCE", 3, NONE);
    assertThat(c)
        .contains("The last 3 lines of the build log")
        .contains("post build line")
        .contains("Phase complete: POST_BUILD");
    assertThat(comment(codeBuildLog(2), null, 3, NONE)).contains("of the build log");
  }

  @Test
  void anEmptyLogSaysSo() {
    assertThat(comment(List.of(), "BUILD", 50, NONE))
        .contains("The log has no lines yet.")
        .endsWith(MARKER + "\n");
  }

  @Test
  void aLogLineCannotCloseTheCodeBlockInjectMarkupOrFakeTheMarker() {
    List<String> log = new ArrayList<>(codeBuildLog(0));
    log.add(5, "```");
    log.add(6, "`````` **bold** [x](javascript:alert(1)) @alice");
    log.add(7, "\u001B[31mred\u001B[0m\u0007bell\u202Eevil\u0000nul\tTab");
    String c = comment(log, "BUILD", 50, NONE);
    String fence = "```````"; // 7: one more than the longest run
    assertThat(c).contains("\n" + fence + "\n").endsWith("\n" + fence + "\n\n" + MARKER + "\n");
    assertThat(c.split("\n", -1)).filteredOn(l -> l.equals(fence)).hasSize(2);
    assertThat(c).contains("redbellevilnul\tTab").doesNotContain("\u001B").doesNotContain("\u202E");
  }

  @Test
  void secretsAreRedactedInTheComment() {
    List<String> log = new ArrayList<>(codeBuildLog(0));
    log.add(5, "echo AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY hunter22");
    String c = comment(log, "BUILD", 50, Redaction.of(Map.of("DB_PASSWORD", "hunter22")));
    assertThat(c)
        .contains("echo [redacted] [redacted] [redacted]")
        .doesNotContain("AKIA")
        .doesNotContain("hunter22");
  }

  @Test
  void theCommentStaysWithin60KibOfUtf8EvenOfMultibyteTextAndKeepsTheLatestLines() {
    List<String> log = new ArrayList<>();
    log.add("[Container] Entering phase BUILD");
    String wide = "日本語🙂".repeat(300); // 3+3+3+4 bytes per repeat: 3900 bytes a line
    for (int i = 0; i < 40; i++) {
      log.add(i + " " + wide);
    }
    String c = comment(log, "BUILD", 500, NONE);
    byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isLessThanOrEqualTo(LogTail.MAX_BYTES).isGreaterThan(50_000);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(c);
    assertThat(c).contains("39 " + wide).doesNotContain("\n0 " + wide).endsWith(MARKER + "\n");
    assertThat(c).matches("(?s).*The last \\d+ lines of the BUILD phase.*");
  }

  @Test
  void oneHugeLineIsShortenedAtACodePointAndByteCutsKeepTheEndAtACodePoint() {
    String huge = "🙂".repeat(10_000) + "END";
    String cleaned = LogTail.clean(huge);
    assertThat(cleaned.length()).isLessThanOrEqualTo(LogTail.MAX_LINE_CHARS);
    assertThat(cleaned).endsWith("…");
    assertThat(Character.isHighSurrogate(cleaned.charAt(cleaned.length() - 2))).isFalse();
    String cut = LogTail.lastBytes("a🙂🙂", 5);
    assertThat(cut).isEqualTo("🙂");
    assertThat(LogTail.lastBytes("🙂", 3)).isEmpty();
  }

  @Test
  void theMarkerNamesTheBuild() {
    assertThat(MARKER)
        .isEqualTo(
            "<!-- pagure-ci-aws:log-tail:pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44 -->");
  }
}
