package io.pagureci.infra;

import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.constructs.Construct;

/**
 * A Lambda function's role with no managed policy: the function may write only to its own log
 * group; every other permission is added statement by statement where the function is built.
 */
final class FunctionRole {

  private FunctionRole() {}

  static Role create(Construct scope, String id, String description, ILogGroup logs) {
    Role role =
        Role.Builder.create(scope, id)
            .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
            .description(description)
            .build();
    role.addToPrincipalPolicy(Statements.writeOwnLogs(logs));
    return role;
  }
}
