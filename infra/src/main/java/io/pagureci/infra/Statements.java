package io.pagureci.infra;

import java.util.List;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.ILogGroup;

/**
 * The stack's own IAM statements: each an Allow with a Sid (the tests and docs name statements by
 * it), its actions and the exact resources. A statement with conditions says so where it is built
 * ({@link RequestEvents#put}, {@link BuildRecords#writeLogComments}).
 */
final class Statements {

  private Statements() {}

  /** Writing to the one log group of a function or a build: new streams, events into them. */
  static PolicyStatement writeOwnLogs(ILogGroup logs) {
    return allow(
        "WriteOwnLogs",
        List.of("logs:CreateLogStream", "logs:PutLogEvents"),
        List.of(logs.getLogGroupArn()));
  }

  static PolicyStatement allow(String sid, List<String> actions, List<String> resources) {
    return PolicyStatement.Builder.create().sid(sid).actions(actions).resources(resources).build();
  }
}
