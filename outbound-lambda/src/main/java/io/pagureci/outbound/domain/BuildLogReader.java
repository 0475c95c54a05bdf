package io.pagureci.outbound.domain;

import java.util.List;
import java.util.function.Predicate;

/** Port: reads the end of a build's log. Throws (an SDK exception) when it cannot. */
public interface BuildLogReader {
  /**
   * The last lines of the log, oldest first: read backwards from the end until a line matching
   * {@code startAt} has been read (it is the first line returned) or {@code maxLines} lines were
   * read (then the oldest of them comes first). A message with several lines counts as several.
   */
  List<String> lastLines(BuildLogs logs, Predicate<String> startAt, int maxLines);
}
