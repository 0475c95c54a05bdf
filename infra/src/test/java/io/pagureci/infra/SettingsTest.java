package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.infra.Settings.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Context parsing: defaults, validation, what a deploy still needs, and the documented keys. */
class SettingsTest {

  private static Settings of(Map<String, Object> context) {
    return Settings.fromContext(context::get);
  }

  @Test
  void noContextGivesTheDocumentedDefaultsAndNamesWhatADeployStillNeeds() {
    Settings s = Settings.defaults();

    assertThat(s.buildTarget()).isEqualTo(Settings.BuildTarget.CODEBUILD);
    assertThat(s.urlAuth()).isEqualTo(Settings.UrlAuth.IAM);
    assertThat(s.caller()).isEqualTo(Settings.Caller.USER);
    assertThat(s.sourcePrefix()).isEqualTo("source/");
    assertThat(s.snapStart()).isTrue();
    assertThat(s.inboundEphemeralMb()).isEqualTo(512);
    assertThat(s.inboundMemoryMb()).isEqualTo(2048);
    assertThat(s.inboundTimeoutSeconds()).isEqualTo(120);
    assertThat(s.effectivePagureUrl()).isEqualTo(Settings.PLACEHOLDER_PAGURE_URL);
    assertThat(s.missingForDeploy()).hasSize(2)
        .anySatisfy(m -> assertThat(m).startsWith("pagureUrl"))
        .anySatisfy(m -> assertThat(m).startsWith("allowedProjects"));
  }

  @Test
  void aDeployableContextNeedsNothingMore() {
    Settings s = of(Map.of("pagureUrl", "https://pagure.io", "allowedProjects", "pagure"));
    assertThat(s.missingForDeploy()).isEmpty();
  }

  @Test
  void valuesFromCdkJsonMayBeJsonTypes() {
    Settings s = of(Map.of("snapStart", false, "inboundMemoryMb", 3008, "autoDeleteObjects", true));
    assertThat(s.snapStart()).isFalse();
    assertThat(s.inboundEphemeralMb()).isEqualTo(2048);
    assertThat(s.inboundMemoryMb()).isEqualTo(3008);
    assertThat(s.autoDeleteObjects()).isTrue();
  }

  @Test
  void inboundJvmOptionsDefaultToC2AndABoundedHeapAndMayBeTurnedOffOrChanged() {
    assertThat(Settings.defaults().inboundJvmOptions()).contains(Settings.DEFAULT_INBOUND_JVM_OPTIONS);
    assertThat(Settings.DEFAULT_INBOUND_JVM_OPTIONS).contains("-XX:TieredStopAtLevel=4", "-Xmx128m");
    assertThat(of(Map.of("inboundJvmOptions", "none")).inboundJvmOptions()).isEmpty();
    assertThat(of(Map.of("inboundJvmOptions", " -XX:+UseSerialGC  -Xmx1g ")).inboundJvmOptions())
        .contains("-XX:+UseSerialGC  -Xmx1g");
  }

  @Test
  void theBenchmarksMeasureTheInboundJvmOptionsTheStackShips() throws IOException {
    // benchmarks/ is not part of the build; its copies of the default must not drift from it
    assertThat(Files.readString(Path.of("..", "benchmarks", "bin", "packaging.sh")))
        .contains("INBOUND_JVM_OPTIONS=\"" + Settings.DEFAULT_INBOUND_JVM_OPTIONS + "\"");
    assertThat(Files.readString(Path.of("..", "benchmarks", "src", "main", "java", "io", "pagureci", "bench",
        "ColdStartBench.java"))).contains("\"" + Settings.DEFAULT_INBOUND_JVM_OPTIONS + "\"");
  }

  @Test
  void inboundJvmOptionsRefuseAnythingButXOptionsAndAHeapAsLargeAsTheFunction() {
    for (String bad : List.of("-javaagent:/tmp/a.jar", "-Dtoken=abc", "-Xmx128m -jar x.jar",
        "-Xmx128m 'x'", "-Xmx128m;id", "--add-opens=java.base/java.lang=ALL-UNNAMED")) {
      assertThatThrownBy(() -> of(Map.of("inboundJvmOptions", bad))).as(bad)
          .isInstanceOf(SettingsException.class).hasMessageContaining("only -X... JVM options");
    }
    assertThatThrownBy(() -> of(Map.of("inboundJvmOptions", "-Xmx2g")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("not below inboundMemoryMb=2048");
    assertThatThrownBy(() -> of(Map.of("inboundJvmOptions", "-Xmx3008m", "inboundMemoryMb", "3008")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("not below inboundMemoryMb=3008");
    assertThat(of(Map.of("inboundJvmOptions", "-Xmx2g", "inboundMemoryMb", "3008")).inboundJvmOptions())
        .contains("-Xmx2g");
  }

  @Test
  void snapStartWithMoreThan512MbOfTmpIsRefused() {
    assertThatThrownBy(() -> of(Map.of("inboundEphemeralMb", "2048")))
        .isInstanceOf(SettingsException.class).hasMessageContaining("snapStart=false");
  }

  @Test
  void prefixGetsItsSlashAndMayNotEscapeOrBeEmpty() {
    assertThat(of(Map.of("sourcePrefix", "zips")).sourcePrefix()).isEqualTo("zips/");
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "../x"))).isInstanceOf(SettingsException.class);
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "/abs"))).isInstanceOf(SettingsException.class);
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "a*"))).isInstanceOf(SettingsException.class);
  }

  @Test
  void badValuesAreRefusedWithTheKeyInTheMessage() {
    Map<String, String> bad = Map.ofEntries(
        Map.entry("urlAuth", "open"),
        Map.entry("buildTarget", "jenkins"),
        Map.entry("pagureUrl", "ftp://pagure.io/"),
        Map.entry("logRetentionDays", "31"),
        Map.entry("inboundMemoryMb", "lots"),
        Map.entry("hookKeysSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokenwithoutsuffix"),
        Map.entry("callerPrincipalArn", "bob"),
        Map.entry("alarmEmail", "not-an-address"),
        Map.entry("retryMaxAttempts", "11"),
        Map.entry("existingProjectRoleArn", "arn:aws:iam::123456789012:role/r"),
        Map.entry("trustedBuildspecPath", "../buildspec.yml"));
    bad.forEach((key, value) ->
        assertThatThrownBy(() -> of(Map.of(key, value))).as(key)
            .isInstanceOf(SettingsException.class).hasMessageContaining(key));
  }

  @Test
  void anExistingPrincipalOverridesTheCallerKind() {
    Settings s = of(Map.of("caller", "user", "callerPrincipalArn", "arn:aws:iam::123456789012:role/relay"));
    assertThat(s.caller()).isEqualTo(Settings.Caller.EXISTING);
  }

  @Test
  void unknownKeysAreReportedButCdksOwnAreNot() {
    assertThat(Settings.unknownKeys(Map.of(
        "pagureURL", "x", "urlAuth", "iam",
        "@aws-cdk/core:newStyleStackSynthesis", true, "aws:cdk:enable-path-metadata", true)))
        .containsExactly("pagureURL");
  }

  @Test
  void docsConfigurationListsEveryKeyWithItsDefault() throws IOException {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(doc);
    for (Settings.Key key : Settings.KEYS) {
      String row = text.lines().filter(l -> l.startsWith("| `" + key.name() + "` |")).findFirst().orElse("");
      String dflt = key.defaultValue().startsWith("(") ? key.defaultValue() : "`" + key.defaultValue() + "`";
      assertThat(row).as(key.name()).contains("| " + dflt + " |");
    }
    List<String> documentedKeys = text.lines()
        .filter(l -> l.startsWith("| `") && l.indexOf("` |") > 0)
        .map(l -> l.substring(3, l.indexOf("` |")))
        .filter(k -> Character.isLowerCase(k.charAt(0)))
        .toList();
    assertThat(Settings.KEYS.stream().map(Settings.Key::name)).containsAll(documentedKeys);
  }
}
