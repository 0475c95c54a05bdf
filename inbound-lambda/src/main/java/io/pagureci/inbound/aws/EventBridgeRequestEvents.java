package io.pagureci.inbound.aws;

import io.pagureci.inbound.domain.RequestEvent;
import io.pagureci.inbound.domain.RequestEventJson;
import io.pagureci.inbound.domain.RequestEvents;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * Request events as EventBridge custom events ({@code Source: pagure-ci-aws}, docs/queue.md §4).
 */
public final class EventBridgeRequestEvents implements RequestEvents {

  private final EventBridgeClient events;
  private final String busName;

  public EventBridgeRequestEvents(EventBridgeClient events, String busName) {
    this.events = events;
    this.busName = busName;
  }

  @Override
  public void publish(RequestEvent event) throws EventException {
    PutEventsResponse response;
    try {
      response =
          events.putEvents(
              b ->
                  b.entries(
                      e ->
                          e.source(RequestEvent.SOURCE)
                              .detailType(RequestEvent.DETAIL_TYPE)
                              .eventBusName(busName)
                              .detail(RequestEventJson.write(event))));
    } catch (SdkException e) {
      throw new EventException("EventBridge PutEvents failed: " + AwsErrors.describe(e), e);
    }
    if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
      String code = response.entries().isEmpty() ? "?" : response.entries().getFirst().errorCode();
      throw new EventException("EventBridge refused the event: " + code, null);
    }
  }
}
