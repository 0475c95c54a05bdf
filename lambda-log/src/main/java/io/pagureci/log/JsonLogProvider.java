package io.pagureci.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J's provider for both functions (named by {@link #nameToSlf4j}, found through {@code
 * META-INF/services} otherwise): every event becomes one {@link JsonLine} on standard output, which
 * Lambda sends to CloudWatch Logs.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {

  /** SLF4J's system property naming the provider to load instead of looking one up. */
  static final String PROVIDER_PROPERTY = "slf4j.provider";

  /** SLF4J's own notes' level; INFO would print one about a provider named by the property. */
  static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

  /**
   * Names this provider to SLF4J before its first logger, so that it loads it directly instead of
   * scanning the class path's {@code META-INF/services} (≈ 5 ms and 39 classes of a cold start,
   * docs/performance.md §3), and keeps SLF4J's note about that off the log. The same as {@code
   * -Dslf4j.provider=… -Dslf4j.internal.verbosity=WARN}, without {@code JAVA_TOOL_OPTIONS} (whose
   * "Picked up" line the JVM prints as plain text at every start). Each handler calls it first, in
   * its static initializer; a property already set is kept, and once SLF4J has bound (a test JVM)
   * it changes nothing.
   */
  public static void nameToSlf4j() {
    if (System.getProperty(PROVIDER_PROPERTY) == null) {
      System.setProperty(PROVIDER_PROPERTY, JsonLogProvider.class.getName());
    }
    if (System.getProperty(VERBOSITY_PROPERTY) == null) {
      System.setProperty(VERBOSITY_PROPERTY, "WARN");
    }
  }

  private ILoggerFactory loggerFactory;
  private IMarkerFactory markerFactory;
  private MDCAdapter mdcAdapter;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggerFactory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markerFactory;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdcAdapter;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    loggerFactory = new JsonLoggerFactory(JsonLine.Sink.fromEnvironment(System.getenv()));
    markerFactory = new BasicMarkerFactory();
    mdcAdapter = new BasicMDCAdapter();
  }
}
