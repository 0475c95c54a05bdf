package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;

/** What `npx aws-cdk synth` runs: the app, from bare or bad context. */
class PagureCiAppTest {

  @Test
  void aSynthWithNoContextWorksAndSaysWhatADeployStillNeeds(@TempDir Path out) throws Exception {
    App app = App.Builder.create().outdir(out.toString()).build();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      PagureCiApp.synth(app, TestStacks.root());
    } finally {
      System.setErr(err);
    }

    assertThat(out.resolve("PagureCi.template.json")).exists();
    assertThat(Files.readString(out.resolve("PagureCi.template.json")))
        .contains(Settings.PLACEHOLDER_PAGURE_URL);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("pagure-ci-aws: routing table (one rule from allowedProjects and today's keys)")
        .contains("  routes[0] (match []) pull requests:")
        .contains("    - build (codebuild created project Build45A36621, reads [source/*]")
        .contains("a real deploy still needs")
        .contains("-c pagureUrl=")
        .contains("-c allowedProjects=");
  }

  @Test
  void aMistypedKeyIsRefused() {
    App app = App.Builder.create().context(Map.of("pagureURL", "https://pagure.io/")).build();
    assertThatThrownBy(() -> PagureCiApp.build(app, TestStacks.root()))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("pagureURL");
  }

  @Test
  void aMissingFunctionJarNamesTheBuildCommand(@TempDir Path emptyRoot) {
    App app = App.Builder.create().build();
    assertThatThrownBy(() -> PagureCiApp.build(app, emptyRoot))
        .isInstanceOf(Settings.SettingsException.class)
        .hasMessageContaining("inbound-lambda/target/function.jar")
        .hasMessageContaining("./mvnw");
  }

  @Test
  void codePathsAndStackNameComeFromContext() {
    App app =
        App.Builder.create()
            .context(
                Map.of(
                    "stackName",
                    "PagureCiStaging",
                    "inboundCodePath",
                    PagureCiApp.DEFAULT_OUTBOUND_CODE))
            .build();
    PagureCiStack stack = PagureCiApp.build(app, TestStacks.root());
    assertThat(stack.getStackName()).isEqualTo("PagureCiStaging");
  }
}
