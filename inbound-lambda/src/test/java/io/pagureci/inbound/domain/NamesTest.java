package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "demo",
        "rpms/widget",
        "forks/bob/demo",
        "forks/bob/rpms/widget",
        "a_b.c+d-e",
        "python-foo.bar",
        "_x"
      })
  void acceptsPagureFullnames(String name) {
    assertThat(Names.isProjectFullname(name)).isTrue();
  }

  @org.junit.jupiter.api.Test
  void aPullRequestSourceIsTheTargetOrOneOfItsForks() {
    assertThat(Names.isSourceOf("demo", "demo")).isTrue();
    assertThat(Names.isSourceOf("forks/bob/demo", "demo")).isTrue();
    assertThat(Names.isSourceOf("forks/bob/rpms/widget", "rpms/widget")).isTrue();
    assertThat(Names.isSourceOf("other", "demo")).isFalse();
    assertThat(Names.isSourceOf("forks/bob/other", "demo")).isFalse();
    assertThat(Names.isSourceOf("forks/bob/rpms/widget", "widget")).isFalse();
    assertThat(Names.isSourceOf("forks/bob/demo", "forks/bob/demo")).isTrue();
    assertThat(Names.isSourceOf("forks/alice/forks/bob/demo", "forks/bob/demo")).isFalse();
    assertThat(Names.isSourceOf("forks/demo", "demo")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "..",
        "../x",
        "x/..",
        "a/b/c",
        "forks/bob",
        "forks/bob/a/b/c",
        "-x",
        ".x",
        "x.git",
        "x.",
        "http://x",
        "x:y",
        "x y",
        "x%2e",
        "x;y",
        "x$y",
        "x`y`",
        "/x",
        "x/",
        "x//y",
        "forks//x",
        "tickets/demo",
        "requests/demo",
        "tickets/rpms/widget"
      })
  void rejectsEverythingElse(String name) {
    assertThat(Names.isProjectFullname(name)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"master", "feature/x", "release-1.0", "a_b", "rawhide", "f41"})
  void acceptsBranches(String branch) {
    assertThat(Names.isBranch(branch)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-x",
        "--upload-pack=x",
        "a..b",
        "../x",
        "x/",
        "x.lock",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "refs/heads/x",
        "@",
        "a@{b",
        "x\u00e9"
      })
  void rejectsInvalidBranches(String branch) {
    assertThat(Names.isBranch(branch)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2eee04891f7f4b55bf38feb7c0"
      })
  void acceptsFullShas(String sha) {
    assertThat(Names.isCommit(sha)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ee04891",
        "EE04891F7F4B55BF38FEB7C0CBB454C8D9083F2E",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2",
        "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e0",
        "xe04891f7f4b55bf38feb7c0cbb454c8d9083f2e"
      })
  void rejectsOtherShas(String sha) {
    assertThat(Names.isCommit(sha)).isFalse();
  }
}
