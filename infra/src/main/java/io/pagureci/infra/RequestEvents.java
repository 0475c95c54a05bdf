package io.pagureci.infra;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.services.events.IEventBus;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * The {@code pagure-ci-aws} request events (docs/queue.md §4) the accept and worker functions put
 * on the default bus and the outbound function's rule matches.
 */
final class RequestEvents {

  static final String SOURCE = "pagure-ci-aws";
  static final String DETAIL_TYPE = "Build Request State Change";

  private RequestEvents() {}

  /**
   * {@code events:PutEvents} on {@code bus}, only for entries with this source and detail type.
   * {@code events:source} and {@code events:detail-type} are PutEvents condition keys (service
   * authorization reference, Amazon EventBridge); both are multi-valued (one value per entry of the
   * request), hence {@code ForAllValues:StringEquals}: every entry must be ours.
   */
  static PolicyStatement put(IEventBus bus) {
    return PolicyStatement.Builder.create()
        .sid("PutRequestEvents")
        .actions(List.of("events:PutEvents"))
        .resources(List.of(bus.getEventBusArn()))
        .conditions(
            Map.of(
                "ForAllValues:StringEquals",
                // ordered: Map.of's order changes from one JVM to the next, the template should not
                new TreeMap<>(Map.of("events:source", SOURCE, "events:detail-type", DETAIL_TYPE))))
        .build();
  }
}
