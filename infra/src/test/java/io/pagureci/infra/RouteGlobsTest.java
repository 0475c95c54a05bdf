package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.pagureci.pagure.ProjectName;
import io.pagureci.pagure.routing.NameGlobs;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The glob analysis against its definition, over generated globs and project names: the real
 * matcher ({@link NameGlobs}) and the real name rule ({@link ProjectName#isValid}) are the oracle.
 * Names and globs are built from the pieces that matter to the rule (separators, the characters a
 * part may not start with, {@code forks}, {@code tickets}, {@code .git}).
 */
class RouteGlobsTest {

  private static final List<String> NAME_PIECES =
      List.of("a", "b", "Z", "0", "_", ".", "-", "+", "/", "forks", "tickets", ".git", "git");
  private static final List<String> GLOB_PIECES =
      List.of(
          "a", "b", "0", "_", ".", "-", "/", "*", "**", "?", "forks", "tickets", ".git", "rpms/");

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of(NAME_PIECES)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> globs() {
    return Arbitraries.of(GLOB_PIECES)
        .list()
        .ofMinSize(1)
        .ofMaxSize(6)
        .map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<List<String>> earlier() {
    return globs().list().ofMinSize(1).ofMaxSize(3);
  }

  private static boolean matches(String glob, String name) {
    return NameGlobs.of(List.of(glob)).matches(name);
  }

  @Property(tries = 2000)
  void aGlobIsCalledUnmatchableOnlyWhenNoValidNameMatchesIt(
      @ForAll("globs") String glob, @ForAll("names") String name) {
    if (ProjectName.isValid(name) && matches(glob, name)) {
      assertThat(RouteGlobs.witness(glob, List.of()).provenEmpty()).as(name).isFalse();
    }
  }

  @Property(tries = 2000)
  void aGlobIsCalledShadowedOnlyWhenEveryValidNameItMatchesAnEarlierGlobMatches(
      @ForAll("globs") String glob,
      @ForAll("earlier") List<String> earlier,
      @ForAll("names") String name) {
    if (ProjectName.isValid(name) && matches(glob, name) && !NameGlobs.of(earlier).matches(name)) {
      assertThat(RouteGlobs.witness(glob, earlier).provenEmpty()).as(name).isFalse();
    }
  }

  @Property(tries = 1000)
  void aWitnessIsAValidNameTheGlobMatchesAndNoEarlierGlobDoes(
      @ForAll("globs") String glob, @ForAll("earlier") List<String> earlier) {
    RouteGlobs.witness(glob, earlier)
        .witness()
        .ifPresent(
            w -> {
              assertThat(ProjectName.isValid(w)).as(w).isTrue();
              assertThat(matches(glob, w)).as(w).isTrue();
              assertThat(NameGlobs.of(earlier).matches(w)).as(w).isFalse();
            });
  }

  @Property(tries = 2000)
  void forALiteralTheAnalysisAgreesWithTheNameRule(@ForAll("names") String name) {
    RouteGlobs.Result r = RouteGlobs.witness(name, List.of());
    assertThat(r.proven()).as(name).isTrue();
    assertThat(r.witness().isPresent()).as(name).isEqualTo(ProjectName.isValid(name));
  }

  @Property(tries = 2000)
  void theS3PatternOfAGlobCoversEveryZipOfEveryProjectItMatches(
      @ForAll("globs") String glob, @ForAll("names") String name) {
    if (ProjectName.isValid(name) && matches(glob, name)) {
      String key = "source/" + name + "/pr/12/0123456789abcdef0123456789abcdef01234567.zip";
      assertThat(s3Matches("source/" + RouteGlobs.s3KeyPattern(glob), key))
          .as(RouteGlobs.s3KeyPattern(glob) + " vs " + key)
          .isTrue();
    }
  }

  /** IAM's resource wildcards: {@code *} any run of characters, {@code ?} any one. */
  private static boolean s3Matches(String pattern, String key) {
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      regex.append(
          switch (c) {
            case '*' -> ".*";
            case '?' -> ".";
            default -> Pattern.quote(String.valueOf(c));
          });
    }
    return key.matches(regex.toString());
  }

  @Example
  void theS3PatternsOfTheDocumentedGlobs() {
    assertThat(RouteGlobs.s3KeyPattern("rpms/**")).isEqualTo("rpms/*/*");
    assertThat(RouteGlobs.s3KeyPattern("rpms/*")).isEqualTo("rpms/*/*");
    assertThat(RouteGlobs.s3KeyPattern("widget")).isEqualTo("widget/*");
    assertThat(RouteGlobs.s3KeyPattern("*")).isEqualTo("*/*");
    assertThat(RouteGlobs.s3KeyPattern("rpms/py?")).isEqualTo("rpms/py?/*");
    assertThat(RouteGlobs.s3KeyPattern("rpms/[a-m]*")).isEqualTo("rpms/*");
    assertThat(RouteGlobs.s3KeyPattern("{a,b}")).isEqualTo("*");
  }

  @Example
  void globsWithBracketsOrBracesAreNotAnalysed() {
    assertThat(RouteGlobs.witness("[x]/y/z", List.of())).isEqualTo(RouteGlobs.Result.unknown());
    assertThat(RouteGlobs.witness("rpms/k*", List.of("rpms/[a-z]*")))
        .isEqualTo(RouteGlobs.Result.unknown());
    // an unread earlier glob is not needed when the others already cover everything
    assertThat(RouteGlobs.witness("rpms/k*", List.of("rpms/[a-z]*", "**")).provenEmpty()).isTrue();
  }

  @Example
  void aPartLongerThanPagureAllowsIsLeftUnknownNotCalledMatchable() {
    String glob = "rpms/" + "a".repeat(256);
    assertThat(RouteGlobs.witness(glob, List.of())).isEqualTo(RouteGlobs.Result.unknown());
    assertThat(RouteGlobs.witness("rpms/" + "a".repeat(255), List.of()).witness()).isPresent();
  }

  @Example
  void forksOnlyMatchWithAUserAndOneOrTwoProjectParts() {
    assertThat(RouteGlobs.witness("forks/*", List.of()).provenEmpty()).isTrue();
    assertThat(RouteGlobs.witness("forks/*/*", List.of()).witness()).contains("forks/a/a");
    assertThat(RouteGlobs.witness("forks/*/*/*", List.of()).witness()).contains("forks/a/a/a");
    assertThat(RouteGlobs.witness("forks/*/*/*/*", List.of()).provenEmpty()).isTrue();
    assertThat(RouteGlobs.witness("fork?/a/b", List.of()).witness()).contains("forks/a/b");
  }
}
