package io.pagureci.inbound.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.init.ConfigException;
import io.pagureci.pagure.routing.NameGlobs;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InboundConfigTest {

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", "https://pagure.example.org");
    env.put("SOURCE_BUCKET", "bucket");
    env.put("CODEBUILD_PROJECT", "proj");
    return env;
  }

  @Test
  void minimalConfigurationHasSafeDefaults() {
    InboundConfig c = InboundConfig.fromEnv(minimal());

    assertThat(c.pagureUrl()).isEqualTo(URI.create("https://pagure.example.org/"));
    assertThat(c.routes().rules())
        .singleElement()
        .satisfies(r -> assertThat(r.match().isEmpty()).isTrue());
    assertThat(c.routes().ruleFor("demo")).as("deny all by default").isEmpty();
    io.pagureci.pagure.routing.Rule rule = c.routes().rules().get(0);
    assertThat(rule.buildsBranch("master")).as("no push builds by default").isFalse();
    assertThat(rule.targets())
        .containsExactly(
            new io.pagureci.pagure.routing.Target(
                "build",
                io.pagureci.pagure.routing.Target.System.CODEBUILD,
                "proj",
                "buildspec.yml"));
    assertThat(c.rebuildPhrase()).isEqualTo("pretty please pagure-ci rebuild");
    assertThat(c.sourcePrefix()).isEqualTo("source/");
    assertThat(c.refWait()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.secretsTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.hookKeysSecret()).isEmpty();
    assertThat(c.s3ForcePathStyle()).isFalse();
    assertThat(c.sourceLimits())
        .isEqualTo(new SourceLimits(2_147_483_648L, 536_870_912L, 200_000, 64))
        .isEqualTo(SourceLimits.DEFAULTS);
  }

  @Test
  void theContributorPolicyIsSecureByDefaultAndReadCaseInsensitively() {
    InboundConfig defaults = InboundConfig.fromEnv(minimal());
    assertThat(defaults.contributorPolicy()).isEqualTo(ContributorPolicy.APPROVE);
    assertThat(defaults.rebuildPolicy()).isEqualTo(RebuildPolicy.MEMBERS);
    assertThat(defaults.approvePhrase()).isEqualTo("pretty please pagure-ci approve");

    Map<String, String> env = minimal();
    env.put("CONTRIBUTOR_POLICY", " Members ");
    env.put("REBUILD_POLICY", "ALL");
    InboundConfig c = InboundConfig.fromEnv(env);
    assertThat(c.contributorPolicy()).isEqualTo(ContributorPolicy.MEMBERS);
    assertThat(c.rebuildPolicy()).isEqualTo(RebuildPolicy.ALL);
  }

  @Test
  void anUnknownPolicyOrARebuildPhraseThatIsTheApprovalPhraseFailsNamingTheVariable() {
    Map<String, String> contributor = minimal();
    contributor.put("CONTRIBUTOR_POLICY", "everyone");
    assertThatThrownBy(() -> InboundConfig.fromEnv(contributor))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("CONTRIBUTOR_POLICY: must be 'all', 'members' or 'approve'");
    Map<String, String> rebuild = minimal();
    rebuild.put("REBUILD_POLICY", "approve");
    assertThatThrownBy(() -> InboundConfig.fromEnv(rebuild))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REBUILD_POLICY: must be 'all' or 'members'");
    Map<String, String> phrase = minimal();
    phrase.put("REBUILD_PHRASE", "Pretty Please Pagure-CI Approve");
    assertThatThrownBy(() -> InboundConfig.fromEnv(phrase))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("REBUILD_PHRASE: must not be the approval phrase");
  }

  @Test
  void theSourceLimitsAreRead() {
    Map<String, String> env = minimal();
    env.put("MAX_SOURCE_BYTES", "10737418240");
    env.put("MAX_FILE_BYTES", " 1048576 ");
    env.put("MAX_SOURCE_FILES", "50");
    env.put("MAX_TREE_DEPTH", "8");

    assertThat(InboundConfig.fromEnv(env).sourceLimits())
        .isEqualTo(new SourceLimits(10_737_418_240L, 1_048_576L, 50, 8));
  }

  @Test
  void cloneUrlsAreBuiltFromTheConfiguredBase() {
    Map<String, String> env = minimal();
    env.put("PAGURE_URL", "https://example.org/pagure");

    InboundConfig c = InboundConfig.fromEnv(env);

    assertThat(c.cloneUrl("forks/bob/rpms/widget"))
        .isEqualTo(URI.create("https://example.org/pagure/forks/bob/rpms/widget.git"));
    assertThat(c.cloneUrl("demo")).isEqualTo(URI.create("https://example.org/pagure/demo.git"));
  }

  @Test
  void globsMatchWithinAndAcrossSegments() {
    NameGlobs p = NameGlobs.parse(" demo , rpms/* ,tests/**");

    assertThat(p.matches("demo")).isTrue();
    assertThat(p.matches("rpms/widget")).isTrue();
    assertThat(p.matches("rpms/a/b")).isFalse();
    assertThat(p.matches("tests/a/b")).isTrue();
    assertThat(p.matches("forks/bob/demo")).isFalse();
    assertThat(p.matches("demo2")).isFalse();
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PAGURE_URL|ftp://x.example|PAGURE_URL",
        "PAGURE_URL|not a url|PAGURE_URL",
        "PAGURE_URL|https://user:pw@x.example/|PAGURE_URL",
        "PAGURE_URL|https://x.example/?a=b|PAGURE_URL",
        "PAGURE_URL|/relative|PAGURE_URL",
        "BUILD_TARGET|jenkins|BUILD_TARGET",
        "TRUSTED_BUILDSPEC|maybe|TRUSTED_BUILDSPEC",
        "TRUSTED_BUILDSPEC_PATH|../buildspec.yml|TRUSTED_BUILDSPEC_PATH",
        "TRUSTED_BUILDSPEC_PATH|/etc/passwd|TRUSTED_BUILDSPEC_PATH",
        "REF_WAIT_SECONDS|ten|REF_WAIT_SECONDS",
        "REF_WAIT_SECONDS|-1|REF_WAIT_SECONDS",
        "GIT_TIMEOUT_SECONDS|0|GIT_TIMEOUT_SECONDS",
        "SECRETS_TTL_SECONDS|999999|SECRETS_TTL_SECONDS",
        "SOURCE_PREFIX|/abs/|SOURCE_PREFIX",
        "SOURCE_PREFIX|a/../b/|SOURCE_PREFIX",
        "ALLOWED_PROJECTS|rpms/[a|ALLOWED_PROJECTS",
        "PIPELINE_OVERRIDE_S3_KEY|2|PIPELINE_OVERRIDE_S3_KEY",
        "S3_FORCE_PATH_STYLE|sure|S3_FORCE_PATH_STYLE",
        "MAX_SOURCE_BYTES|2G|MAX_SOURCE_BYTES",
        "MAX_SOURCE_BYTES|0|MAX_SOURCE_BYTES",
        "MAX_SOURCE_BYTES|99999999999999999999|MAX_SOURCE_BYTES",
        "MAX_FILE_BYTES|-1|MAX_FILE_BYTES",
        "MAX_FILE_BYTES|1.5e9|MAX_FILE_BYTES",
        "MAX_SOURCE_FILES|0|MAX_SOURCE_FILES",
        "MAX_SOURCE_FILES|3000000000|MAX_SOURCE_FILES",
        "MAX_TREE_DEPTH|deep|MAX_TREE_DEPTH",
        "MAX_TREE_DEPTH|-64|MAX_TREE_DEPTH",
      })
  void aMalformedVariableFailsNamingIt(String name, String value, String named) {
    Map<String, String> env = minimal();
    env.put(name, value);

    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(named);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PAGURE_URL|https://x.example/a b|PAGURE_URL: is not a URL: Illegal character in path at index 19: https://x.example/a b",
        "PAGURE_URL|ftp://x.example|PAGURE_URL: must be an http(s) URL, was 'ftp://x.example'",
        "PAGURE_URL|https://user:pw@x.example/|PAGURE_URL: must be a plain base URL (host, optional port and path; no user, query or fragment)",
        "PAGURE_URL|https://x.example/#top|PAGURE_URL: must be a plain base URL (host, optional port and path; no user, query or fragment)",
        "S3_FORCE_PATH_STYLE|sure|S3_FORCE_PATH_STYLE: must be true or false, was 'sure'",
      })
  void aMalformedVariableSaysWhatIsWrong(String name, String value, String message) {
    Map<String, String> env = minimal();
    env.put(name, value);

    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({"yes,true", "ON,true", "1,true", "off,false", "No,false", "0,false"})
  void aYesNoVariableTakesTheUsualWords(String value, boolean expected) {
    Map<String, String> env = minimal();
    env.put("S3_FORCE_PATH_STYLE", value);

    assertThat(InboundConfig.fromEnv(env).s3ForcePathStyle()).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"PAGURE_URL", "SOURCE_BUCKET", "CODEBUILD_PROJECT"})
  void aMissingRequiredVariableFailsNamingIt(String name) {
    Map<String, String> env = minimal();
    env.remove(name);

    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .isInstanceOf(ConfigException.class)
        .hasMessage(name + ": is required");
    assertThatThrownBy(() -> InboundConfig.fromEnv(env))
        .satisfies(e -> assertThat(((ConfigException) e).variable()).isEqualTo(name));
  }

  @Test
  void thePipelineTargetNeedsAPipelineName() {
    Map<String, String> env = minimal();
    env.remove("CODEBUILD_PROJECT");
    env.put("BUILD_TARGET", "codepipeline");

    assertThatThrownBy(() -> InboundConfig.fromEnv(env)).hasMessage("PIPELINE_NAME: is required");
    env.put("PIPELINE_NAME", "pipe");
    InboundConfig c = InboundConfig.fromEnv(env);
    assertThat(c.routes().targets())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.system())
                  .isEqualTo(io.pagureci.pagure.routing.Target.System.CODEPIPELINE);
              assertThat(t.resource()).isEqualTo("pipe");
              assertThat(t.trustedBuildspec())
                  .as("a pipeline's stages name their buildspecs")
                  .isEmpty();
            });
    assertThat(c.pipelineSourceAction()).isEqualTo("Source");
    assertThat(c.pipelineOverrideS3Key()).isTrue();
  }

  @Test
  void everyVariableIsListed() {
    assertThat(InboundConfig.VARIABLES)
        .contains(
            "PAGURE_URL",
            "ALLOWED_PROJECTS",
            "HOOK_KEYS_SECRET_ID",
            "CI_BASIC_AUTH_SECRET_ID",
            "SOURCE_BUCKET",
            "CODEBUILD_PROJECT",
            "PIPELINE_NAME",
            "S3_FORCE_PATH_STYLE",
            "MAX_SOURCE_BYTES",
            "MAX_FILE_BYTES",
            "MAX_SOURCE_FILES",
            "MAX_TREE_DEPTH")
        .doesNotHaveDuplicates();
  }
}
