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
    assertThat(s.workerEphemeralMb()).isEqualTo(512);
    assertThat(s.inboundMemoryMb()).isEqualTo(2048);
    assertThat(s.inboundTimeoutSeconds()).isEqualTo(120);
    assertThat(s.effectivePagureUrl()).isEqualTo(Settings.PLACEHOLDER_PAGURE_URL);
    assertThat(s.missingForDeploy())
        .hasSize(2)
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
    assertThat(s.workerEphemeralMb()).isEqualTo(2048);
    assertThat(s.inboundMemoryMb()).isEqualTo(3008);
    assertThat(s.autoDeleteObjects()).isTrue();
  }

  @Test
  void workerJvmOptionsDefaultToC2AndABoundedHeapAndMayBeTurnedOffOrChanged() {
    assertThat(Settings.defaults().workerJvmOptions())
        .contains(Settings.DEFAULT_INBOUND_JVM_OPTIONS);
    assertThat(Settings.DEFAULT_INBOUND_JVM_OPTIONS)
        .contains("-XX:TieredStopAtLevel=4", "-Xmx128m");
    assertThat(of(Map.of("workerJvmOptions", "none")).workerJvmOptions()).isEmpty();
    assertThat(of(Map.of("workerJvmOptions", " -XX:+UseSerialGC  -Xmx1g ")).workerJvmOptions())
        .contains("-XX:+UseSerialGC  -Xmx1g");
  }

  @Test
  void theFormerInboundNamesStillSetTheWorkersJvmOptionsAndTmpButNotTogetherWithTheNewOnes() {
    assertThat(of(Map.of("inboundJvmOptions", "none")).workerJvmOptions()).isEmpty();
    assertThat(of(Map.of("inboundJvmOptions", "-Xmx256m")).workerJvmOptions()).contains("-Xmx256m");
    assertThat(of(Map.of("inboundEphemeralMb", "4096", "snapStart", "false")).workerEphemeralMb())
        .isEqualTo(4096);
    assertThatThrownBy(() -> of(Map.of("inboundJvmOptions", "none", "workerJvmOptions", "none")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("workerJvmOptions")
        .hasMessageContaining("inboundJvmOptions");
    assertThatThrownBy(() -> of(Map.of("inboundEphemeralMb", "512", "workerEphemeralMb", "512")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("workerEphemeralMb")
        .hasMessageContaining("inboundEphemeralMb");
    // a message names the key that was given
    assertThatThrownBy(() -> of(Map.of("inboundEphemeralMb", "2048")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("inboundEphemeralMb=2048");
    assertThatThrownBy(() -> of(Map.of("inboundJvmOptions", "-Dx=y")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("inboundJvmOptions");
  }

  @Test
  void theTargetNameDefaultsToBuildAndMustBeShortAndSafe() {
    assertThat(Settings.defaults().targetName()).isEqualTo("build");
    assertThat(of(Map.of("targetName", "rpm-build.x86_64")).targetName())
        .isEqualTo("rpm-build.x86_64");
    for (String bad : List.of("-build", "rpm build", "a/b", "x".repeat(33), "<b>")) {
      assertThatThrownBy(() -> of(Map.of("targetName", bad)))
          .as(bad)
          .isInstanceOf(SettingsException.class)
          .hasMessageContaining("targetName");
    }
  }

  @Test
  void theQueueAndWorkerKeysHaveTheDocumentedDefaults() {
    Settings s = Settings.defaults();
    assertThat(s.workerMemoryMb()).isEqualTo(2048);
    assertThat(s.workerTimeoutSeconds()).isEqualTo(120);
    assertThat(s.workerMaxConcurrency()).isEqualTo(5);
    assertThat(s.workerBatchSize()).isEqualTo(1);
    assertThat(s.workMaxAttempts()).isEqualTo(8);
    assertThat(s.retryBaseSeconds()).isEqualTo(30);
    assertThat(s.retryMaxSeconds()).isEqualTo(900);
    assertThat(s.queueAgeAlarmSeconds()).isEqualTo(1800);
    assertThat(s.maxSourceBytes()).isEqualTo(2_147_483_648L);
    assertThat(s.maxFileBytes()).isEqualTo(536_870_912L);
    assertThat(s.maxSourceFiles()).isEqualTo(200_000);
    assertThat(s.maxTreeDepth()).isEqualTo(64);
    // 30 + 60 + 120 + 240 + 480 + 900 + 900 between the 8 attempts
    assertThat(Settings.retrySpanSeconds(8, 30, 900)).isEqualTo(2730);
  }

  @Test
  void aRetryScheduleShorterThanFifteenMinutesIsRefusedNamingItsKeys() {
    // 30 + 60 + 120 + 240 = 450 s
    assertThatThrownBy(() -> of(Map.of("workMaxAttempts", "5")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("workMaxAttempts=5")
        .hasMessageContaining("retryBaseSeconds=30")
        .hasMessageContaining("retryMaxSeconds=900")
        .hasMessageContaining("450 s");
    // capped at 100 s: 30 + 60 + 5 x 100 = 590 s
    assertThatThrownBy(() -> of(Map.of("retryMaxSeconds", "100")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("590 s");
    // exactly 15 minutes is enough: 300 + 600
    assertThat(
            of(Map.of("workMaxAttempts", "3", "retryBaseSeconds", "300", "retryMaxSeconds", "600"))
                .workMaxAttempts())
        .isEqualTo(3);
    assertThatThrownBy(() -> of(Map.of("retryBaseSeconds", "1000")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("retryBaseSeconds=1000")
        .hasMessageContaining("retryMaxSeconds=900");
  }

  @Test
  void aRetryScheduleLongerThanTheQueueKeepsAnItemIsRefused() {
    // 99 x 43200 s of back-off alone is far past the 4 days the work queue keeps an item
    assertThatThrownBy(() -> of(Map.of("workMaxAttempts", "100", "retryMaxSeconds", "43200")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("workMaxAttempts=100")
        .hasMessageContaining("workerTimeoutSeconds=120")
        .hasMessageContaining(Integer.toString(WorkQueue.RETENTION_SECONDS));
    // many quick attempts are fine
    assertThat(of(Map.of("workMaxAttempts", "100")).workMaxAttempts()).isEqualTo(100);
  }

  @Test
  void buildConcurrencyLimitDefaultsToFiveIsAtLeastOneAndIsRefusedForAProjectTheStackDoesNotOwn() {
    assertThat(Settings.defaults().buildConcurrencyLimit()).isEqualTo(5);
    assertThat(of(Map.of("buildConcurrencyLimit", "1")).buildConcurrencyLimit()).isEqualTo(1);
    assertThatThrownBy(() -> of(Map.of("buildConcurrencyLimit", "0")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("buildConcurrencyLimit must be between 1 and 10000, was 0");
    assertThatThrownBy(
            () -> of(Map.of("existingProjectName", "theirs", "buildConcurrencyLimit", "3")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("existingProjectName");
    assertThat(of(Map.of("existingProjectName", "theirs")).buildConcurrencyLimit()).isEqualTo(5);
  }

  @Test
  void sourceLimitsAreWholeNumbersInRangeAndAFileIsNoLargerThanTheTree() {
    assertThat(of(Map.of("maxSourceBytes", "10737418240")).maxSourceBytes())
        .isEqualTo(10_737_418_240L);
    assertThatThrownBy(() -> of(Map.of("maxFileBytes", "4294967296")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("maxFileBytes=4294967296")
        .hasMessageContaining("maxSourceBytes=2147483648");
    assertThatThrownBy(() -> of(Map.of("maxSourceBytes", "1k")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("maxSourceBytes");
  }

  @Test
  void theBenchmarksMeasureTheJvmOptionsTheStackShips() throws IOException {
    // benchmarks/ is not part of the build; its copies of what the stack ships must not drift:
    // the packaging benchmark runs the worker with its default options, the cold-start benchmark
    // the accept function, which gets none
    assertThat(Files.readString(Path.of("..", "benchmarks", "bin", "packaging.sh")))
        .contains("INBOUND_JVM_OPTIONS=\"" + Settings.DEFAULT_INBOUND_JVM_OPTIONS + "\"");
    PagureCiStack stack = TestStacks.stack(Map.of());
    assertThat(stack.workerEnvironment())
        .containsEntry(PagureCiStack.JAVA_TOOL_OPTIONS, Settings.DEFAULT_INBOUND_JVM_OPTIONS);
    assertThat(stack.inboundEnvironment()).doesNotContainKey(PagureCiStack.JAVA_TOOL_OPTIONS);
    assertThat(
            Files.readString(
                Path.of(
                    "..",
                    "benchmarks",
                    "src",
                    "main",
                    "java",
                    "io",
                    "pagureci",
                    "bench",
                    "ColdStartBench.java")))
        .contains("static final String INBOUND_JVM_OPTIONS = \"\";");
  }

  @Test
  void workerJvmOptionsRefuseAnythingButXOptionsAndAHeapAsLargeAsTheFunction() {
    for (String bad :
        List.of(
            "-javaagent:/tmp/a.jar",
            "-Dtoken=abc",
            "-Xmx128m -jar x.jar",
            "-Xmx128m 'x'",
            "-Xmx128m;id",
            "--add-opens=java.base/java.lang=ALL-UNNAMED")) {
      assertThatThrownBy(() -> of(Map.of("workerJvmOptions", bad)))
          .as(bad)
          .isInstanceOf(SettingsException.class)
          .hasMessageContaining("only -X... JVM options");
    }
    assertThatThrownBy(() -> of(Map.of("workerJvmOptions", "-Xmx2g")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("not below workerMemoryMb=2048");
    assertThatThrownBy(() -> of(Map.of("workerJvmOptions", "-Xmx3008m", "workerMemoryMb", "3008")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("not below workerMemoryMb=3008");
    assertThat(
            of(Map.of("workerJvmOptions", "-Xmx2g", "workerMemoryMb", "3008")).workerJvmOptions())
        .contains("-Xmx2g");
    // the accept function no longer packages: its memory does not bound the worker's heap
    assertThat(
            of(Map.of("workerJvmOptions", "-Xmx1g", "inboundMemoryMb", "512")).workerJvmOptions())
        .contains("-Xmx1g");
  }

  @Test
  void snapStartWithMoreThan512MbOfTmpIsRefused() {
    assertThatThrownBy(() -> of(Map.of("workerEphemeralMb", "2048")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("snapStart=false");
  }

  @Test
  void prefixGetsItsSlashAndMayNotEscapeOrBeEmpty() {
    assertThat(of(Map.of("sourcePrefix", "zips")).sourcePrefix()).isEqualTo("zips/");
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "../x")))
        .isInstanceOf(SettingsException.class);
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "/abs")))
        .isInstanceOf(SettingsException.class);
    assertThatThrownBy(() -> of(Map.of("sourcePrefix", "a*")))
        .isInstanceOf(SettingsException.class);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "https://pagure example.org/|pagureUrl is not a URL: ",
        "ftp://pagure.io/|pagureUrl must be an http(s) URL, was 'ftp://pagure.io/'",
        "https://bot@pagure.io/|pagureUrl must be a plain base URL (no user, query or fragment),"
            + " was 'https://bot@pagure.io/'",
        "https://pagure.io/?x=1|pagureUrl must be a plain base URL",
        "https:///nohost|pagureUrl must be a plain base URL"
      })
  void aPagureUrlThatIsNotAPlainHttpBaseUrlIsRefusedSayingWhy(String url, String message) {
    assertThatThrownBy(() -> of(Map.of("pagureUrl", url)))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void yesNoKeysTakeTheWordsBothFunctionsTake() {
    for (String yes : List.of("true", "1", "YES", "On")) {
      assertThat(of(Map.of("autoDeleteObjects", yes)).autoDeleteObjects()).isTrue();
    }
    for (String no : List.of("false", "0", "no", "OFF")) {
      assertThat(of(Map.of("autoDeleteObjects", no)).autoDeleteObjects()).isFalse();
    }
    assertThatThrownBy(() -> of(Map.of("autoDeleteObjects", "maybe")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("autoDeleteObjects must be true or false, was 'maybe'");
  }

  @Test
  void badValuesAreRefusedWithTheKeyInTheMessage() {
    Map<String, String> bad =
        Map.ofEntries(
            Map.entry("urlAuth", "open"),
            Map.entry("buildTarget", "jenkins"),
            Map.entry("pagureUrl", "ftp://pagure.io/"),
            Map.entry("logRetentionDays", "31"),
            Map.entry("inboundMemoryMb", "lots"),
            Map.entry(
                "hookKeysSecretArn",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokenwithoutsuffix"),
            Map.entry("callerPrincipalArn", "bob"),
            Map.entry("alarmEmail", "not-an-address"),
            Map.entry("retryMaxAttempts", "11"),
            Map.entry("existingProjectRoleArn", "arn:aws:iam::123456789012:role/r"),
            Map.entry("trustedBuildspecPath", "../buildspec.yml"),
            Map.entry("workerMemoryMb", "256"),
            Map.entry("workerTimeoutSeconds", "901"),
            Map.entry("workerMaxConcurrency", "1"),
            Map.entry("workerBatchSize", "11"),
            Map.entry("workMaxAttempts", "eight"),
            Map.entry("retryBaseSeconds", "0"),
            Map.entry("retryMaxSeconds", "43201"),
            Map.entry("queueAgeAlarmSeconds", "30"),
            Map.entry("maxSourceBytes", "-1"),
            Map.entry("maxFileBytes", "0"),
            Map.entry("maxSourceFiles", "0"),
            Map.entry("maxTreeDepth", "1025"));
    bad.forEach(
        (key, value) ->
            assertThatThrownBy(() -> of(Map.of(key, value)))
                .as(key)
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining(key));
  }

  @Test
  void anExistingPrincipalOverridesTheCallerKind() {
    Settings s =
        of(Map.of("caller", "user", "callerPrincipalArn", "arn:aws:iam::123456789012:role/relay"));
    assertThat(s.caller()).isEqualTo(Settings.Caller.EXISTING);
  }

  @Test
  void unknownKeysAreReportedButCdksOwnAreNot() {
    assertThat(
            Settings.unknownKeys(
                Map.of(
                    "pagureURL",
                    "x",
                    "urlAuth",
                    "iam",
                    "@aws-cdk/core:newStyleStackSynthesis",
                    true,
                    "aws:cdk:enable-path-metadata",
                    true)))
        .containsExactly("pagureURL");
  }

  @Test
  void docsConfigurationListsEveryKeyWithItsDefault() throws IOException {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(doc);
    for (Settings.Key key : Settings.KEYS) {
      String row =
          text.lines().filter(l -> l.startsWith("| `" + key.name() + "` |")).findFirst().orElse("");
      String dflt =
          key.defaultValue().startsWith("(") ? key.defaultValue() : "`" + key.defaultValue() + "`";
      assertThat(row).as(key.name()).contains("| " + dflt + " |");
    }
    List<String> documentedKeys =
        text.lines()
            .filter(l -> l.startsWith("| `") && l.indexOf("` |") > 0)
            .map(l -> l.substring(3, l.indexOf("` |")))
            .filter(k -> Character.isLowerCase(k.charAt(0)))
            .toList();
    assertThat(Settings.KEYS.stream().map(Settings.Key::name)).containsAll(documentedKeys);
  }

  @Test
  void logLevelsAreLambdasAndValidated() {
    assertThat(of(Map.of()).logging()).isEqualTo(FunctionLogging.DEFAULT);
    assertThat(of(Map.of("logLevel", "DEBUG", "systemLogLevel", "warn")).logging())
        .isEqualTo(
            new FunctionLogging(
                software.amazon.awscdk.services.lambda.ApplicationLogLevel.DEBUG,
                software.amazon.awscdk.services.lambda.SystemLogLevel.WARN));
    assertThatThrownBy(() -> of(Map.of("logLevel", "verbose")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("logLevel");
    // the system log has no ERROR level
    assertThatThrownBy(() -> of(Map.of("systemLogLevel", "error")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("systemLogLevel");
  }
}
