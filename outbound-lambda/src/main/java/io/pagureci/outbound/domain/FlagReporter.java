package io.pagureci.outbound.domain;

/** Port: delivers a status to pagure. Throws {@link ReportFailedException} when it cannot. */
public interface FlagReporter {
  void report(FlagUpdate update);
}
