package io.pagureci.outbound.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * pagure's web routes (pagure/ui/repo.py, fork.py): {@code
 * [fork/<user>/][<ns>/]<repo>/pull-request/<id>}, {@code .../c/<sha>}.
 */
class PagureUrlsTest {
  private static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";

  private static PagureBuild build(String project, Long prId) {
    return new PagureBuild(
        "https://src.example.org/pagure/",
        project,
        null,
        null,
        null,
        SHA,
        prId,
        null,
        null,
        null,
        null);
  }

  @ParameterizedTest(name = "{0} PR {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {
        "demo, 7, https://src.example.org/pagure/demo/pull-request/7",
        "rpms/widget, 7, https://src.example.org/pagure/rpms/widget/pull-request/7",
        "forks/bob/demo, 3, https://src.example.org/pagure/fork/bob/demo/pull-request/3",
        "demo, NULL, https://src.example.org/pagure/demo/c/ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
        "forks/bob/rpms/widget, NULL, https://src.example.org/pagure/fork/bob/rpms/widget/c/ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
        "c++, NULL, https://src.example.org/pagure/c%2B%2B/c/ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e",
      })
  void linksThePullRequestOrForAPushTheCommit(String project, Long prId, String url) {
    assertThat(PagureUrls.page(build(project, prId))).isEqualTo(url);
  }
}
