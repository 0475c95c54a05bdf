package io.pagureci.outbound.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The PR comment a failed build leaves (docs/outbound.md, "Log tail comment"): the last lines of
 * the failing phase's log, cleaned and redacted, in a code block no log line can close, with a
 * marker that names the build, at most {@link #MAX_BYTES} bytes of UTF-8 in all.
 */
public final class LogTail {
  /** pagure stores a comment as Text; we keep ours to 60 KiB so the PR page stays usable. */
  public static final int MAX_BYTES = 60 * 1024;

  /** Longest line kept (longer ones keep their start and end {@code …}). */
  static final int MAX_LINE_CHARS = 2000;

  /** CodeBuild's agent writes these around every buildspec phase. */
  private static final Pattern ENTERING = Pattern.compile(".*\\bEntering phase ([A-Z_]+)\\s*$");

  private static final Pattern COMPLETE =
      Pattern.compile(".*\\bPhase complete: ([A-Z_]+) State:.*");
  private static final Pattern CONTEXT = Pattern.compile(".*\\bPhase context status code:.*");

  /** ANSI escape sequences (colours, cursor moves) of a terminal log. */
  private static final Pattern ANSI =
      Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]");

  private LogTail() {}

  /** The marker that identifies the comment of {@code ref} among a PR's comments. */
  public static String marker(BuildRef ref) {
    return "<!-- pagure-ci-aws:log-tail:" + ref.shortId() + " -->";
  }

  /** Whether {@code line} opens {@code phase} in a CodeBuild log. */
  public static boolean entersPhase(String line, String phase) {
    var m = ENTERING.matcher(line);
    return phase != null && m.matches() && m.group(1).equals(phase);
  }

  /**
   * The lines of {@code phase}: from its last "Entering phase" line to its "Phase complete" line
   * and the "Phase context" line after it; {@code null} when the log has no such phase.
   */
  static List<String> phaseLines(List<String> lines, String phase) {
    int start = -1;
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (entersPhase(lines.get(i), phase)) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return null;
    }
    int end = lines.size();
    for (int i = start + 1; i < lines.size(); i++) {
      var m = COMPLETE.matcher(lines.get(i));
      if (m.matches() && m.group(1).equals(phase)) {
        end = i + 1;
        if (end < lines.size() && CONTEXT.matcher(lines.get(end)).matches()) {
          end++;
        }
        break;
      }
    }
    return lines.subList(start, end);
  }

  /**
   * One line as it may be shown: ANSI escapes, control characters (tab stays) and bidirectional
   * overrides removed, at most {@link #MAX_LINE_CHARS} characters.
   */
  static String clean(String line) {
    String s = ANSI.matcher(line).replaceAll("");
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .filter(
            c ->
                c == '\t'
                    || !(Character.isISOControl(c)
                        || (c >= 0x202A && c <= 0x202E)
                        || (c >= 0x2066 && c <= 0x2069)
                        || c == 0x200E
                        || c == 0x200F))
        .forEach(out::appendCodePoint);
    if (out.length() > MAX_LINE_CHARS) {
      int cut = MAX_LINE_CHARS - 1;
      if (Character.isHighSurrogate(out.charAt(cut - 1))) {
        cut--;
      }
      return out.substring(0, cut) + "…";
    }
    return out.toString();
  }

  /**
   * The comment.
   *
   * @param heading the first line (the flag's own words, e.g. {@code build · failed in BUILD after
   *     3m10s})
   * @param url the flag's link to the build
   * @param phase the failing phase, or {@code null}
   * @param log the log's last lines, oldest first (as read)
   * @param maxLines how many lines to quote at most
   * @param redaction what to take out
   * @param marker {@link #marker}
   */
  public static String comment(
      String heading,
      String url,
      String phase,
      List<String> log,
      int maxLines,
      Redaction redaction,
      String marker) {
    List<String> slice = phase == null ? null : phaseLines(log, phase);
    boolean ofPhase = slice != null;
    List<String> source = ofPhase ? slice : log;
    List<String> lines = new ArrayList<>();
    for (String l : source.subList(Math.max(0, source.size() - maxLines), source.size())) {
      lines.add(redaction.apply(clean(l)));
    }
    String fence = fence(lines);
    String closing = "\n" + fence + "\n\n" + marker + "\n";
    // the heading with the largest count it can say: the real one is never longer
    int budget =
        MAX_BYTES
            - utf8(head(heading, url, ofPhase, phase, Integer.MAX_VALUE, lines.size(), fence))
            - utf8(closing);
    List<String> kept = new ArrayList<>();
    int used = 0;
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      int n = utf8(l) + 1;
      if (used + n > budget) {
        if (kept.isEmpty()) {
          kept.add(lastBytes(l, budget - 1));
        }
        break;
      }
      kept.add(0, l);
      used += n;
    }
    StringBuilder out =
        new StringBuilder(head(heading, url, ofPhase, phase, source.size(), kept.size(), fence));
    for (String l : kept) {
      out.append(l).append('\n');
    }
    if (!kept.isEmpty()) {
      out.setLength(out.length() - 1);
    }
    out.append(closing);
    return out.toString();
  }

  private static String head(
      String heading,
      String url,
      boolean ofPhase,
      String phase,
      int total,
      int shown,
      String fence) {
    String what =
        shown == 0
            ? "The log has no lines yet."
            : (shown == total ? "The " : "The last ")
                + shown
                + (shown == 1 ? " line" : " lines")
                + (ofPhase ? " of the " + phase + " phase" : " of the build log")
                + " (AWS keys and secret-named variables redacted):";
    return "**"
        + heading.replace("*", "\\*")
        + "** · [build]("
        + url
        + ")\n\n"
        + what
        + "\n\n"
        + fence
        + "\n";
  }

  /** A fence of backticks longer than any run of backticks in the lines (at least 3). */
  static String fence(List<String> lines) {
    int longest = 0;
    for (String l : lines) {
      int run = 0;
      for (int i = 0; i < l.length(); i++) {
        run = l.charAt(i) == '`' ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
    }
    return "`".repeat(Math.max(3, longest + 1));
  }

  /** The end of {@code s} that fits in {@code bytes} bytes of UTF-8, cut at a code point. */
  static String lastBytes(String s, int bytes) {
    if (bytes <= 0) {
      return "";
    }
    int used = 0;
    int i = s.length();
    while (i > 0) {
      int cp = s.codePointBefore(i);
      int n = utf8(new String(Character.toChars(cp)));
      if (used + n > bytes) {
        break;
      }
      used += n;
      i -= Character.charCount(cp);
    }
    return s.substring(i);
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
