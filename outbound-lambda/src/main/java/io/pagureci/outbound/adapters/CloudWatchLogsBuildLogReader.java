package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.BuildLogReader;
import io.pagureci.outbound.domain.BuildLogs;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/**
 * A build's log from CloudWatch Logs: {@code GetLogEvents} on the group and stream the state event
 * names, read backwards from the end ({@code startFromHead=false}, then {@code nextBackwardToken})
 * until the wanted line, the line budget or the start of the stream ({@code nextBackwardToken}
 * comes back unchanged) — at most {@link #MAX_PAGES} pages. A failure (throttling after the SDK's
 * retries, access denied, no such stream) is the SDK's exception, thrown.
 */
public final class CloudWatchLogsBuildLogReader implements BuildLogReader {
  /** Pages read at most (each up to 1 MB or 10,000 events). */
  static final int MAX_PAGES = 20;

  private final CloudWatchLogsClient client;

  public CloudWatchLogsBuildLogReader(CloudWatchLogsClient client) {
    this.client = Objects.requireNonNull(client);
  }

  @Override
  public List<String> lastLines(BuildLogs logs, Predicate<String> startAt, int maxLines) {
    Deque<String> lines = new ArrayDeque<>();
    String token = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      String from = token;
      GetLogEventsResponse r =
          client.getLogEvents(
              g ->
                  g.logGroupName(logs.group())
                      .logStreamName(logs.stream())
                      .startFromHead(false)
                      .nextToken(from));
      List<OutputLogEvent> events = r.events();
      for (int i = events.size() - 1; i >= 0; i--) {
        List<String> message = split(events.get(i).message());
        for (int j = message.size() - 1; j >= 0; j--) {
          String line = message.get(j);
          lines.addFirst(line);
          if (startAt.test(line) || lines.size() >= maxLines) {
            return new ArrayList<>(lines);
          }
        }
      }
      String next = r.nextBackwardToken();
      if (events.isEmpty() || next == null || next.equals(from)) {
        break;
      }
      token = next;
    }
    return new ArrayList<>(lines);
  }

  /** A message's lines (CodeBuild ends each with a newline; that one makes no empty line). */
  static List<String> split(String message) {
    List<String> out = new ArrayList<>();
    if (message == null) {
      return out;
    }
    String[] parts = message.split("\r\n|\r|\n", -1);
    int n = parts.length;
    if (n > 0 && parts[n - 1].isEmpty()) {
      n--;
    }
    for (int i = 0; i < n; i++) {
      out.add(parts[i]);
    }
    return out;
  }
}
