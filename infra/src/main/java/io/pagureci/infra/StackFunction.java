package io.pagureci.infra;

import java.util.Map;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Function;

/**
 * A construct built around one of the stack's functions ({@link AcceptFunction}, {@link
 * BuildWorker}, {@link FlagReporter}): what the stack and its tests read of each of them.
 */
interface StackFunction {

  /** The function, its role and every variable it gets (tokens unresolved). */
  record Parts(Function function, Role role, Map<String, String> environment) {
    public Parts {
      environment = Map.copyOf(environment);
    }
  }

  Parts parts();

  default Function function() {
    return parts().function();
  }

  default Role role() {
    return parts().role();
  }

  /** Every variable the function gets (tokens unresolved). */
  default Map<String, String> environment() {
    return parts().environment();
  }
}
