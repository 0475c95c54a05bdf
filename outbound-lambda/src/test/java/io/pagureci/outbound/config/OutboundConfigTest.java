package io.pagureci.outbound.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.init.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutboundConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", "https://pagure.example.org");
    env.put("PAGURE_TOKEN_SECRET_ID", "pagure-ci/token");
    return env;
  }

  @Test
  void appliesDefaultsWhenOnlyTheRequiredVariablesAreSet() {
    OutboundConfig c = OutboundConfig.fromEnv(minimal());

    assertThat(c.pagureUrl()).isEqualTo("https://pagure.example.org/");
    assertThat(c.tokenSecretId()).isEqualTo("pagure-ci/token");
    assertThat(c.reporter()).isEqualTo(OutboundConfig.Reporter.FLAG_API);
    assertThat(c.flagEndpoint()).isEqualTo(OutboundConfig.FlagEndpoint.COMMIT);
    assertThat(c.flagUsername()).isNull();
    assertThat(c.targetName()).isEqualTo("build");
    assertThat(c.buildUrlTemplate()).isNull();
    assertThat(c.codeBuildProjects()).isEmpty();
    assertThat(c.pipelineNames()).isEmpty();
    assertThat(c.tokenTtl()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.pagureTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.retryMaxAttempts()).isEqualTo(4);
    assertThat(c.retryBaseDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.buildRecordsConfigured()).isFalse();
    assertThat(c.buildRecordsTable()).isNull();
    assertThat(c.accountId()).isNull();
  }

  @Test
  void readsEveryVariable() {
    Map<String, String> env = minimal();
    env.put("PAGURE_URL", "https://src.example.org/pagure///");
    env.put("REPORTER", "ci-webhook");
    env.put("FLAG_ENDPOINT", "pull-request");
    env.put("FLAG_USERNAME", "Fedora CI on AWS");
    env.put("TARGET_NAME", "rpm-build.x86_64");
    env.put(
        "BUILD_URL_TEMPLATE", "https://ci.example.org/{system}/{project}/{buildNumber}?r={region}");
    env.put("CODEBUILD_PROJECTS", " demo-ci, widget-ci ,,");
    env.put("PIPELINE_NAMES", "release@pipe");
    env.put("TOKEN_TTL_SECONDS", "60");
    env.put("PAGURE_TIMEOUT_SECONDS", "3");
    env.put("RETRY_MAX_ATTEMPTS", "1");
    env.put("RETRY_BASE_DELAY_MILLIS", "5");
    env.put("BUILD_RECORDS_TABLE", " PagureCi-BuildRecordsTable-AbCdEf123456 ");
    env.put("ACCOUNT_ID", " 123456789012 ");

    OutboundConfig c = OutboundConfig.fromEnv(env);

    assertThat(c.pagureUrl()).isEqualTo("https://src.example.org/pagure/");
    assertThat(c.reporter()).isEqualTo(OutboundConfig.Reporter.CI_WEBHOOK);
    assertThat(c.flagEndpoint()).isEqualTo(OutboundConfig.FlagEndpoint.PULL_REQUEST);
    assertThat(c.flagUsername()).isEqualTo("Fedora CI on AWS");
    assertThat(c.targetName()).isEqualTo("rpm-build.x86_64");
    assertThat(c.buildUrlTemplate()).startsWith("https://ci.example.org/");
    assertThat(c.codeBuildProjects()).isEqualTo(Set.of("demo-ci", "widget-ci"));
    assertThat(c.pipelineNames()).isEqualTo(Set.of("release@pipe"));
    assertThat(c.tokenTtl()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.pagureTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.retryMaxAttempts()).isEqualTo(1);
    assertThat(c.retryBaseDelay()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.buildRecordsConfigured()).isTrue();
    assertThat(c.buildRecordsTable()).isEqualTo("PagureCi-BuildRecordsTable-AbCdEf123456");
    assertThat(c.accountId()).isEqualTo("123456789012");
  }

  @Test
  void treatsBlankOptionalVariablesAsUnset() {
    Map<String, String> env = minimal();
    env.put("REPORTER", "");
    env.put("FLAG_USERNAME", "  ");
    env.put("CODEBUILD_PROJECTS", "");

    OutboundConfig c = OutboundConfig.fromEnv(env);

    assertThat(c.reporter()).isEqualTo(OutboundConfig.Reporter.FLAG_API);
    assertThat(c.flagUsername()).isNull();
    assertThat(c.codeBuildProjects()).isEmpty();
  }

  @Test
  void listsEveryVariableItReads() {
    assertThat(OutboundConfig.VARIABLES)
        .containsExactly(
            "PAGURE_URL",
            "PAGURE_TOKEN_SECRET_ID",
            "REPORTER",
            "FLAG_ENDPOINT",
            "FLAG_USERNAME",
            "TARGET_NAME",
            "BUILD_URL_TEMPLATE",
            "CODEBUILD_PROJECTS",
            "PIPELINE_NAMES",
            "TOKEN_TTL_SECONDS",
            "PAGURE_TIMEOUT_SECONDS",
            "RETRY_MAX_ATTEMPTS",
            "RETRY_BASE_DELAY_MILLIS",
            "BUILD_RECORDS_TABLE",
            "ACCOUNT_ID",
            "ROUTES",
            "LOG_ACCESS",
            "LOG_TAIL_LINES");
  }

  @Test
  void readsNoVariableOutsideTheList() {
    Map<String, String> env =
        new HashMap<>(minimal()) {
          private static final long serialVersionUID = 1L;

          @Override
          public String get(Object key) {
            assertThat(OutboundConfig.VARIABLES).contains((String) key);
            return super.get(key);
          }
        };

    OutboundConfig.fromEnv(env);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "PAGURE_URL|NULL",
        "PAGURE_URL|''",
        "PAGURE_URL|pagure.example.org",
        "PAGURE_URL|ftp://pagure.example.org/",
        "PAGURE_URL|https://pagure.example.org/?x=1",
        "PAGURE_URL|https://user:pw@pagure.example.org/",
        "PAGURE_URL|https://pagure example.org/",
        "PAGURE_TOKEN_SECRET_ID|NULL",
        "PAGURE_TOKEN_SECRET_ID|'   '",
        "REPORTER|flag_api",
        "REPORTER|webhook",
        "FLAG_ENDPOINT|pr",
        "FLAG_USERNAME|a\tb",
        "TARGET_NAME|-build",
        "TARGET_NAME|rpm build",
        "TARGET_NAME|a/b",
        "TARGET_NAME|x123456789012345678901234567890123",
        "BUILD_URL_TEMPLATE|ci.example.org/{buildId}",
        "BUILD_URL_TEMPLATE|https://ci.example.org/{build_id}",
        "BUILD_URL_TEMPLATE|https://ci.example.org/{buildId",
        "BUILD_URL_TEMPLATE|https://ci.example.org/a b",
        "CODEBUILD_PROJECTS|demo ci",
        "CODEBUILD_PROJECTS|-demo",
        "PIPELINE_NAMES|pipe/line",
        "TOKEN_TTL_SECONDS|0",
        "TOKEN_TTL_SECONDS|ten",
        "TOKEN_TTL_SECONDS|86401",
        "PAGURE_TIMEOUT_SECONDS|0",
        "PAGURE_TIMEOUT_SECONDS|1.5",
        "RETRY_MAX_ATTEMPTS|0",
        "RETRY_MAX_ATTEMPTS|11",
        "RETRY_BASE_DELAY_MILLIS|-1",
        "RETRY_BASE_DELAY_MILLIS|99999999999",
        "BUILD_RECORDS_TABLE|ab",
        "BUILD_RECORDS_TABLE|build records",
        "BUILD_RECORDS_TABLE|records/build",
        "BUILD_RECORDS_TABLE|arn:aws:dynamodb:eu-west-1:123456789012:table",
        "BUILD_RECORDS_TABLE|arn:aws:dynamodb:eu-west-1:1234:table/records",
        "BUILD_RECORDS_TABLE|arn:aws:s3:::records",
        "ACCOUNT_ID|12345678901",
        "ACCOUNT_ID|arn:aws:iam::123456789012:root",
      })
  void rejectsABadVariableNamingIt(String variable, String value) {
    Map<String, String> env = minimal();
    env.put(variable, value);
    if (value == null) {
      env.remove(variable);
    }

    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(variable + ": ")
        .satisfies(e -> assertThat(((ConfigException) e).variable()).isEqualTo(variable));
  }

  @ParameterizedTest
  @CsvSource({
    "abc",
    "pagure-ci-build-records",
    "PagureCi-BuildRecordsTable-AbCdEf123456",
    "a.b_c-D9",
    "arn:aws:dynamodb:eu-west-1:123456789012:table/PagureCi-BuildRecordsTable-AbCdEf123456",
    "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/records",
  })
  void acceptsATableNameOrArn(String table) {
    Map<String, String> env = minimal();
    env.put("BUILD_RECORDS_TABLE", table);

    OutboundConfig c = OutboundConfig.fromEnv(env);

    assertThat(c.buildRecordsTable()).isEqualTo(table);
    assertThat(c.buildRecordsConfigured()).isTrue();
  }

  @Test
  void aBlankTableIsUnset() {
    Map<String, String> env = minimal();
    env.put("BUILD_RECORDS_TABLE", "  ");

    assertThat(OutboundConfig.fromEnv(env).buildRecordsConfigured()).isFalse();
  }

  @Test
  void theS3VariablesOfTheBuildRecordsAreNotReadAnyMore() {
    Map<String, String> env = minimal();
    env.put("BUILD_RECORDS_BUCKET", "pagure-ci-source");
    env.put("BUILD_RECORDS_PREFIX", "source/.builds/");

    assertThat(OutboundConfig.fromEnv(env).buildRecordsConfigured()).isFalse();
    assertThat(OutboundConfig.VARIABLES)
        .doesNotContain("BUILD_RECORDS_BUCKET", "BUILD_RECORDS_PREFIX");
  }

  @Test
  void logAccessDefaultsToTheConsoleLinkWithoutComments() {
    var logs = OutboundConfig.fromEnv(minimal()).logAccess();
    assertThat(logs).isEqualTo(io.pagureci.outbound.domain.LogAccess.DEFAULT);
    assertThat(logs.tailLines()).isEqualTo(50);
  }

  @Test
  void logAccessReadsTheLinkKindTheCommentAndTheTailLength() {
    Map<String, String> env = minimal();
    env.put("LOG_ACCESS", "public, comment");
    env.put("LOG_TAIL_LINES", "120");
    env.put("BUILD_RECORDS_TABLE", "PagureCi-BuildRecords");
    var logs = OutboundConfig.fromEnv(env).logAccess();
    assertThat(logs.wire()).isEqualTo("public,comment");
    assertThat(logs.tailLines()).isEqualTo(120);
    assertThat(OutboundConfig.VARIABLES).contains("LOG_ACCESS", "LOG_TAIL_LINES");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://pagure example.org/|PAGURE_URL: is not a valid URL",
        "pagure.example.org|PAGURE_URL: must be an http(s) URL with a host and no query, fragment or credentials",
        "https://user:pw@pagure.example.org/|PAGURE_URL: must be an http(s) URL with a host and no query, fragment or credentials",
        "https://pagure.example.org/#top|PAGURE_URL: must be an http(s) URL with a host and no query, fragment or credentials"
      })
  void refusesABadPagureUrlSayingWhatIsWrong(String value, String message) {
    Map<String, String> env = minimal();
    env.put("PAGURE_URL", value);
    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "console,public|LOG_ACCESS: names two link kinds (console, public); choose console or public",
        "comments|LOG_ACCESS: unknown item 'comments'; use console or public, optionally with comment (e.g. public,comment)",
        "comment|LOG_ACCESS: comment needs BUILD_RECORDS_TABLE (the table that records each comment, so it is posted once)"
      })
  void refusesABadLogAccessNamingTheVariable(String value, String message) {
    Map<String, String> env = minimal();
    env.put("LOG_ACCESS", value);
    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void refusesAPublicLinkBesideAUrlTemplateACommentWithTheCiWebhookAndABadTailLength() {
    Map<String, String> env = minimal();
    env.put("LOG_ACCESS", "public");
    env.put("BUILD_URL_TEMPLATE", "https://ci.example.org/{buildId}");
    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .hasMessageContaining("both name the flag's link");
    env.remove("BUILD_URL_TEMPLATE");
    env.put("LOG_ACCESS", "comment");
    env.put("BUILD_RECORDS_TABLE", "PagureCi-BuildRecords");
    env.put("REPORTER", "ci-webhook");
    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .hasMessageContaining("REPORTER=ci-webhook holds a CI callback token");
    env.remove("REPORTER");
    env.put("LOG_TAIL_LINES", "501");
    assertThatThrownBy(() -> OutboundConfig.fromEnv(env))
        .hasMessage("LOG_TAIL_LINES: must be between 1 and 500");
  }
}
