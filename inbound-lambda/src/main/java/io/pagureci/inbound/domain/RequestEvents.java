package io.pagureci.inbound.domain;

/** Port: publishes {@link RequestEvent}s for the outbound function (EventBridge). */
public interface RequestEvents {

  void publish(RequestEvent event) throws EventException;

  /** Publishing failed; the message is safe to log. */
  final class EventException extends Exception {
    private static final long serialVersionUID = 1L;

    public EventException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
