package io.pagureci.outbound.domain;

import java.util.Objects;

/**
 * Where a CodeBuild build's log is: its CloudWatch Logs group and stream, as the build state-change
 * event names them ({@code additional-information.logs.group-name} / {@code stream-name}).
 */
public record BuildLogs(String group, String stream) {
  public BuildLogs {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(stream, "stream");
  }
}
