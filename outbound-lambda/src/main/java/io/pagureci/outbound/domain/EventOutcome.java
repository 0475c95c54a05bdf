package io.pagureci.outbound.domain;

/**
 * How the handling of one event ended (failures are thrown, never returned). Not the inbound
 * function's {@code Outcome}, which is the HTTP answer to one request.
 */
public sealed interface EventOutcome {
  /** A status was delivered to pagure. */
  record Posted(FlagUpdate update) implements EventOutcome {}

  /** The event is not ours or not usable; nothing was sent. */
  record Ignored(String reason) implements EventOutcome {}
}
