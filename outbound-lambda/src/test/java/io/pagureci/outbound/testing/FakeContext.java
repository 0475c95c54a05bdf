package io.pagureci.outbound.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/**
 * A Lambda context for in-process invocations: a deadline {@code remainingMillis} from creation.
 */
public final class FakeContext implements Context {
  private final long deadline;

  public FakeContext(long remainingMillis) {
    this.deadline = System.currentTimeMillis() + remainingMillis;
  }

  @Override
  public String getAwsRequestId() {
    return "00000000-0000-4000-8000-000000000000";
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/outbound";
  }

  @Override
  public String getLogStreamName() {
    return "local";
  }

  @Override
  public String getFunctionName() {
    return "outbound";
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:eu-west-1:123456789012:function:outbound";
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.max(0, deadline - System.currentTimeMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    return 512;
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        System.out.print(message);
      }

      @Override
      public void log(byte[] message) {
        System.out.print(new String(message, StandardCharsets.UTF_8));
      }
    };
  }
}
