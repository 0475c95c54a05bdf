package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {
  private static final Redaction NONE = Redaction.of(Map.of());

  @Test
  void accessKeyIdsOfEveryDocumentedPrefixAreRedacted() {
    assertThat(NONE.apply("key=AKIAIOSFODNN7EXAMPLE, session ASIAY34FZKBOKMUTVV7A."))
        .isEqualTo("key=[redacted], session [redacted].");
    assertThat(NONE.apply("AROAEXAMPLEID1234567 AIDAJQABLZS4A3QDU576"))
        .isEqualTo("[redacted] [redacted]");
  }

  @Test
  void aKeyIdInsideALongerWordIsNotAKeyId() {
    assertThat(NONE.apply("XAKIAIOSFODNN7EXAMPLE1")).isEqualTo("XAKIAIOSFODNN7EXAMPLE1");
  }

  @Test
  void fortyCharacterSecretKeysAreRedactedButGitShasAndPathsStay() {
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assertThat(NONE.apply("export AWS_SECRET=" + secret + " done"))
        .isEqualTo("export AWS_SECRET=[redacted] done");
    String sha = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";
    assertThat(NONE.apply("HEAD is now at " + sha)).isEqualTo("HEAD is now at " + sha);
    assertThat(NONE.apply("abcdefghijklmnopqrstuvwxyzabcdefghijklmn"))
        .as("no digit, no upper-case letter: not key-shaped")
        .isEqualTo("abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
  }

  @Test
  void valuesAfterSecretKeyAndSessionTokenNamesAreRedactedWhateverTheirShape() {
    assertThat(NONE.apply("aws_secret_access_key = short/one"))
        .isEqualTo("aws_secret_access_key = [redacted]");
    assertThat(NONE.apply("{\"SecretAccessKey\": \"x\", \"SessionToken\": \"y\"}"))
        .isEqualTo("{\"SecretAccessKey\": \"[redacted]\", \"SessionToken\": \"[redacted]\"}");
    assertThat(NONE.apply("AWS_SESSION_TOKEN=abc123")).isEqualTo("AWS_SESSION_TOKEN=[redacted]");
  }

  @Test
  void stsSessionTokensAreRedacted() {
    assertThat(NONE.apply("token IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ end"))
        .isEqualTo("token [redacted] end");
  }

  @Test
  void secretNamedPlaintextVariablesAreRedactedLongestFirstAndOthersStay() {
    Redaction r =
        Redaction.of(
            Map.of(
                "NPM_TOKEN", "npm_abcd",
                "DEPLOY_PASSWORD", "npm_abcd-and-more",
                "PAGURE_BUILD_KEY", "3f9c2a7be41d5c6f",
                "PAGURE_PROJECT", "demo",
                "API_KEY", "abc"));
    assertThat(r.apply("login npm_abcd-and-more then npm_abcd"))
        .isEqualTo("login [redacted] then [redacted]");
    assertThat(r.apply("project demo key 3f9c2a7be41d5c6f abc"))
        .as("non-secret names, the build key, values under 4 characters stay")
        .isEqualTo("project demo key 3f9c2a7be41d5c6f abc");
  }

  @Test
  void aSecretValueWithRegexCharactersIsReplacedLiterally() {
    Redaction r = Redaction.of(Map.of("MY_SECRET", "a.b*c$1\\"));
    assertThat(r.apply("x a.b*c$1\\ y aXbbc")).isEqualTo("x [redacted] y aXbbc");
  }
}
