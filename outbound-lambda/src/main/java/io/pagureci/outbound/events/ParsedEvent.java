package io.pagureci.outbound.events;

import io.pagureci.outbound.domain.BuildEvent;

/** Result of reading an EventBridge event. */
public sealed interface ParsedEvent {
    /** An event about a build. */
    record Usable(BuildEvent event) implements ParsedEvent {
    }

    /** Unknown detail-type or malformed: logged and dropped (no retry would help). */
    record Unusable(String eventId, String detailType, String reason) implements ParsedEvent {
    }
}
