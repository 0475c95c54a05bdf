package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.FeatureFlags;

/**
 * cdk.json records the CDK feature flags as {@code cdk init} does (so no "N feature flags are not
 * configured" on synth), and the tests' stacks are built with them.
 */
class FeatureFlagsTest {

  /**
   * Flags cdk.json keeps at their old (unset) value instead of what aws-cdk-lib recommends, each
   * for a reason; every other recommended flag is on (docs/testing.md lists what those change).
   */
  private static final Map<String, Object> PINNED =
      Map.of(
          // Sorts the actions and resources inside each IAM statement and merges statements of the
          // same effect and resource: the same permissions, but the stack tests (and the branches
          // being merged into them) assert each role's statements in grant order.
          "@aws-cdk/aws-iam:minimizePolicies", false,
          // Renames the imported existing-project role's policy (construct path and logical id):
          // the policy would be replaced and the cdk-nag suppression on its path would miss it.
          "@aws-cdk/aws-iam:importedRoleStackSafeDefaultPolicyName", false);

  @Test
  void cdkJsonRecordsEveryFlagTheCdkLibraryRecommends() throws IOException {
    Map<String, Object> expected = new HashMap<>(recommendedFlags());
    expected.putAll(PINNED);

    assertThat(expected).isNotEmpty().containsKey("@aws-cdk/aws-iam:minimizePolicies");
    assertThat(TestStacks.cdkJsonContext()).isEqualTo(expected);
  }

  @Test
  void testStacksAreBuiltWithCdkJsonsFlags() {
    PagureCiStack stack = TestStacks.stack(Map.of());

    assertThat(FeatureFlags.of(stack).isEnabled("@aws-cdk/aws-lambda:recognizeLayerVersion"))
        .isTrue();
    assertThat(FeatureFlags.of(stack).isEnabled("@aws-cdk/aws-iam:minimizePolicies")).isFalse();
  }

  @Test
  void aTestsOwnContextWinsOverCdkJson() {
    App app = TestStacks.app(Map.of("@aws-cdk/aws-iam:minimizePolicies", true));

    assertThat(FeatureFlags.of(app).isEnabled("@aws-cdk/aws-iam:minimizePolicies")).isTrue();
  }

  /**
   * The flags this aws-cdk-lib recommends for new projects ({@code cdk init} writes them): its
   * {@code recommended-feature-flags.json}, read from the jsii package inside the library's jar.
   */
  private static Map<String, Object> recommendedFlags() throws IOException {
    Path jar;
    try {
      jar = Path.of(App.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry tgz =
          zip.stream()
              .filter(
                  e -> e.getName().matches("software/amazon/awscdk/aws-cdk-lib@.*\\.jsii\\.tgz"))
              .findFirst()
              .orElseThrow(() -> new IOException("no jsii package in " + jar));
      try (InputStream tar = new GZIPInputStream(zip.getInputStream(tgz), 1 << 16)) {
        byte[] json = tarEntry(tar, "package/recommended-feature-flags.json");
        return new ObjectMapper().readValue(json, new TypeReference<>() {});
      }
    }
  }

  /** The content of {@code name} in a (ustar) tar stream. */
  private static byte[] tarEntry(InputStream tar, String name) throws IOException {
    byte[] header = new byte[512];
    while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
      String prefix = field(header, 345, 155);
      String entry = (prefix.isEmpty() ? "" : prefix + "/") + field(header, 0, 100);
      long size = Long.parseLong(field(header, 124, 12).trim(), 8);
      if (entry.equals(name)) {
        return tar.readNBytes((int) size);
      }
      tar.skipNBytes((size + 511) / 512 * 512);
    }
    throw new IOException(name + " not found in the jsii package");
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}
