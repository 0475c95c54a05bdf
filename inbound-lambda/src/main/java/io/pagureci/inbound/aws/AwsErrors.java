package io.pagureci.inbound.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** Short, secret-free descriptions of SDK failures for answers and logs. */
final class AwsErrors {

  private AwsErrors() {}

  static String describe(SdkException e) {
    if (e instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
      String code = ase.awsErrorDetails().errorCode();
      String message = ase.awsErrorDetails().errorMessage();
      return (code == null ? "HTTP " + ase.statusCode() : code)
          + (message == null ? "" : " (" + truncate(message) + ")");
    }
    return e.getClass().getSimpleName();
  }

  private static String truncate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
