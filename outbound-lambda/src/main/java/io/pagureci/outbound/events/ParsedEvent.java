package io.pagureci.outbound.events;

import io.pagureci.outbound.domain.BuildEvent;
import io.pagureci.outbound.domain.RequestEvent;

/** Result of reading an EventBridge event. */
public sealed interface ParsedEvent {
  /** An event about a build. */
  record Usable(BuildEvent event) implements ParsedEvent {}

  /** A request event of this project ({@code pagure-ci-aws}, docs/queue.md §4): no build yet. */
  record Request(RequestEvent event) implements ParsedEvent {}

  /**
   * Unknown detail-type or malformed: logged and dropped (no retry would help).
   *
   * @param deliveryId the request event's {@code deliveryId} when it could be read, else {@code
   *     null}
   */
  record Unusable(String eventId, String detailType, String deliveryId, String reason)
      implements ParsedEvent {
    public Unusable(String eventId, String detailType, String reason) {
      this(eventId, detailType, null, reason);
    }
  }
}
