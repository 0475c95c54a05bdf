package io.pagureci.inbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  /** The rules themselves are proven in pagure-model (ProjectNameTest, CommitIdTest). */
  @org.junit.jupiter.api.Test
  void projectNamesAndCommitsFollowTheSharedRule() {
    assertThat(Names.isProjectFullname("forks/bob/rpms/widget")).isTrue();
    assertThat(Names.isProjectFullname("c++")).isTrue();
    assertThat(Names.isProjectFullname("+x")).isFalse();
    assertThat(Names.isProjectFullname("a".repeat(255))).isTrue();
    assertThat(Names.isProjectFullname("tickets/demo")).isFalse();
    assertThat(Names.isSourceOf("forks/bob/demo", "demo")).isTrue();
    assertThat(Names.isSourceOf("forks/bob/other", "demo")).isFalse();
    assertThat(Names.isFork("forks/bob/demo")).isTrue();
    assertThat(Names.isCommit("ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e")).isTrue();
    assertThat(Names.isCommit("ee04891")).isFalse();
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
}
