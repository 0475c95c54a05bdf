package io.pagureci.log;

import com.amazonaws.services.lambda.runtime.Context;

/**
 * What every JSON log line says about the invocation it belongs to: the Lambda request id and
 * whether it is the first invocation of this execution environment (a cold start). A handler opens
 * one {@link Invocation} per call; lines written outside one (the init phase) carry neither.
 *
 * <p>Process-wide rather than per thread: Lambda runs one invocation at a time per environment, and
 * the lines of helper threads (the packager's zip and upload threads) belong to it as well. The
 * delivery id is per thread instead ({@link #DELIVERY_ID} in SLF4J's MDC, inherited by threads
 * started while it is set): the domain sets it without knowing about Lambda.
 */
public final class LambdaLog {

  /** The MDC key of the pagure delivery a line belongs to (the function URL request id). */
  public static final String DELIVERY_ID = "deliveryId";

  private static volatile String requestId;
  private static volatile Boolean coldStart;
  private static int invocations;

  private LambdaLog() {}

  /** Starts an invocation: its lines carry {@code requestId} and {@code coldStart}. */
  public static Invocation begin(Context context) {
    return begin(context == null ? null : context.getAwsRequestId());
  }

  /** As {@link #begin(Context)}, with the request id itself ({@code null}: unknown). */
  public static synchronized Invocation begin(String awsRequestId) {
    coldStart = invocations == 0;
    invocations++;
    requestId = awsRequestId;
    return new Invocation();
  }

  /**
   * A decision line's message: the flat {@code fields} (strings, whole and decimal numbers,
   * booleans, nulls; anything else as its string) as one JSON object, in their order. Logged as the
   * message ({@code log.info("{}", LambdaLog.fields(line))}), its fields become top-level fields of
   * the line. Both functions' decision logs write their lines with it.
   */
  public static String fields(java.util.Map<String, ?> fields) {
    return JsonLine.object(fields);
  }

  static String requestId() {
    return requestId;
  }

  static Boolean coldStart() {
    return coldStart;
  }

  /** The scope of one invocation; closing it ends the invocation's fields. */
  public static final class Invocation implements AutoCloseable {
    private Invocation() {}

    @Override
    public void close() {
      requestId = null;
      coldStart = null;
    }
  }
}
