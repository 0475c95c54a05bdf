package io.pagureci.inbound.coldpath;

import io.pagureci.inbound.InboundHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-JVM entry point of {@link RejectedRequestClassLoadingIT}: what the Lambda runtime does for
 * one cold invocation of the inbound function — {@code new InboundHandler()} (configuration from
 * the environment) and one {@code handleRequest} with the function URL event in the file named by
 * the argument — then prints the response document. Uses nothing but the JDK and the handler, so
 * every class the JVM loads is loaded on the handler's behalf.
 */
public final class InvokeOnce {

  private InvokeOnce() {}

  public static void main(String[] args) throws Exception {
    InboundHandler handler = new InboundHandler();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      handler.handleRequest(in, out, null);
    }
    System.out.write(out.toByteArray());
    System.out.println();
    System.out.flush();
  }
}
