package io.pagureci.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the deployable jars are made of (issue 6, jar size; docs/performance.md, "jars ≤ 15 MB"):
 * each function.jar stays under its size limit, still holds what is only loaded by name (service
 * files, the HTTP client, the schemas), does not hold the HTTP clients and YAML support the build
 * excludes, and no class in it refers to a class that the shade filters dropped from a package the
 * jar does ship (a filter that cut too much, or new code using more of a filtered library).
 */
class FunctionJarContentIT {

  private static final long MIB = 1024 * 1024;

  /** The issue-6 target for both jars (15 MiB). */
  static final long TARGET_BYTES = 15 * MIB;

  /**
   * The inbound jar does not meet the target: its seven SDK service models are reachable from the
   * clients' interfaces (docs/performance.md, recommendation 3). This limit is the measured size
   * plus a little headroom, so that growth fails the build; lower it when the jar shrinks. It was
   * 21 MiB until the accept/work split (docs/queue.md) added the SQS, EventBridge and DynamoDB
   * clients: 26,812,300 B (25.57 MiB) measured, the three models ≈ 4.8 MB compressed.
   */
  static final long INBOUND_LIMIT_BYTES = 26 * MIB;

  @Test
  void theOutboundJarMeetsTheSizeTarget() throws IOException {
    assertThat(Files.size(outboundJar()))
        .as("bytes of %s", outboundJar())
        .isLessThanOrEqualTo(TARGET_BYTES);
  }

  @Test
  void theInboundJarStaysUnderItsDocumentedLimit() throws IOException {
    assertThat(Files.size(inboundJar()))
        .as("bytes of %s", inboundJar())
        .isLessThanOrEqualTo(INBOUND_LIMIT_BYTES);
  }

  @Test
  void bothJarsKeepWhatIsLoadedByNameAndTheNotices() throws IOException {
    for (Path jar : List.of(inboundJar(), outboundJar())) {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        assertThat(text(zip, "META-INF/services/software.amazon.awssdk.http.SdkHttpService"))
            .as("%s: the SDK finds its HTTP client through this file", jar)
            .contains("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
        assertThat(text(zip, "META-INF/services/org.slf4j.spi.SLF4JServiceProvider"))
            .contains("io.pagureci.log.JsonLogProvider");
        assertThat(zip.getEntry("META-INF/NOTICE")).as("%s: META-INF/NOTICE", jar).isNotNull();
        assertThat(text(zip, "META-INF/LICENSE"))
            .as("%s: the Apache License 2.0 text", jar)
            .contains("Apache License", "Version 2.0, January 2004");
        for (String cls :
            List.of(
                "software/amazon/awssdk/http/urlconnection/UrlConnectionSdkHttpService.class",
                "io/pagureci/log/JsonLogProvider.class",
                // loaded by name by the SigV4 signer (OptionalDependencyLoaderUtil)
                "software/amazon/awssdk/http/auth/aws/eventstream/HttpAuthAwsEventStream.class")) {
          assertThat(zip.getEntry(cls)).as("%s: %s", jar, cls).isNotNull();
        }
        // the clients are built with UrlConnectionHttpClient: no other HTTP client is shipped
        assertThat(
                entriesStartingWith(
                    zip,
                    "org/apache/hc/",
                    "software/amazon/awssdk/http/apache",
                    "software/amazon/awssdk/http/nio/",
                    "io/netty/"))
            .as("%s: unused HTTP clients", jar)
            .isEmpty();
      }
    }
    try (ZipFile zip = new ZipFile(inboundJar().toFile())) {
      assertThat(zip.getEntry("io/pagureci/inbound/InboundHandler.class")).isNotNull();
      assertThat(zip.getEntry("schema/ci-webhook-v1.schema.json")).isNotNull();
      assertThat(zip.getEntry("draft/2020-12/schema"))
          .as("the meta-schema of the ci webhook schema")
          .isNotNull();
      assertThat(
              zip.getEntry(
                  "org/apache/commons/compress/archivers/zip/ZipArchiveOutputStream.class"))
          .isNotNull();
      assertThat(entriesStartingWith(zip, "org/yaml/", "com/fasterxml/jackson/dataformat/yaml/"))
          .as("YAML support (the schemas are JSON)")
          .isEmpty();
    }
    try (ZipFile zip = new ZipFile(outboundJar().toFile())) {
      assertThat(zip.getEntry("io/pagureci/outbound/OutboundHandler.class")).isNotNull();
    }
  }

  @Test
  void noClassInTheInboundJarRefersToAClassDroppedFromAPackageItShips() {
    assertThat(droppedFromShippedPackages(inboundJar())).isEmpty();
  }

  @Test
  void noClassInTheOutboundJarRefersToAClassDroppedFromAPackageItShips() {
    assertThat(droppedFromShippedPackages(outboundJar())).isEmpty();
  }

  /**
   * jdeps' "not found" dependences of the jar's classes, keeping those whose package has classes in
   * the jar. Optional dependences of the libraries (the CRT, GraalVM, ...) are in packages the jar
   * does not have at all and are left out.
   */
  static Set<String> droppedFromShippedPackages(Path jar) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int rc =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(out),
            "--multi-release",
            "21",
            "-verbose:class",
            "-filter:none",
            jar.toString());
    assertThat(rc).as("jdeps: %s", out).isZero();
    Set<String> packages = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      zip.stream()
          .map(ZipEntry::getName)
          .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/") && n.contains("/"))
          .forEach(n -> packages.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(packages).as("packages of %s", jar).hasSizeGreaterThan(10);
    Pattern notFound =
        Pattern.compile("^\\s+(?:\\d+/)?(\\S+)\\s+->\\s+(?:\\d+/)?(\\S+)\\s+not found\\s*$");
    Set<String> dropped = new TreeSet<>();
    out.toString()
        .lines()
        .forEach(
            line -> {
              Matcher m = notFound.matcher(line);
              if (m.matches()) {
                String target = m.group(2);
                int dot = target.lastIndexOf('.');
                if (dot > 0 && packages.contains(target.substring(0, dot))) {
                  dropped.add(m.group(1) + " -> " + target);
                }
              }
            });
    return dropped;
  }

  private static List<String> entriesStartingWith(ZipFile zip, String... prefixes) {
    return zip.stream()
        .map(ZipEntry::getName)
        .filter(n -> List.of(prefixes).stream().anyMatch(n::startsWith))
        .toList();
  }

  private static String text(ZipFile zip, String name) throws IOException {
    ZipEntry e = zip.getEntry(name);
    assertThat(e).as(name).isNotNull();
    return new String(zip.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Path inboundJar() {
    return Path.of(
        System.getProperty("inbound.function.jar", "../inbound-lambda/target/function.jar"));
  }

  private static Path outboundJar() {
    return Path.of(
        System.getProperty("outbound.function.jar", "../outbound-lambda/target/function.jar"));
  }
}
