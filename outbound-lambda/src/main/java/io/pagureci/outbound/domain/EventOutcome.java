package io.pagureci.outbound.domain;

/** How the handling of one event ended (failures are thrown, never returned). */
public sealed interface Outcome {
  /** A status was delivered to pagure. */
  record Posted(FlagUpdate update) implements Outcome {}

  /** The event is not ours or not usable; nothing was sent. */
  record Ignored(String reason) implements Outcome {}
}
