package io.pagureci.pagure.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * First-match routing over generated project names and globs, against the documented glob semantics
 * (docs/configuration.md, {@code allowedProjects}): {@code *} is any run of characters inside one
 * path segment, {@code **} any run across segments, {@code ?} one character but {@code /}. The
 * oracle below is written from that sentence, not from the matcher under test.
 */
class FirstMatchRoutingPropertyTest {

  /** The documented semantics as a regex: the oracle. */
  static boolean documented(String glob, String name) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(re.toString(), name);
  }

  @Provide
  Arbitrary<String> projects() {
    Arbitrary<String> part =
        Arbitraries.strings()
            .withChars("abcr_.+-0")
            .ofMinLength(1)
            .ofMaxLength(5)
            .filter(s -> !s.startsWith(".") && !s.startsWith("-") && !s.startsWith("+"));
    Arbitrary<String> user = Arbitraries.of("alice", "bob");
    return Combinators.combine(Arbitraries.integers().between(0, 2), part, part, user)
        .as(
            (shape, ns, name, u) ->
                switch (shape) {
                  case 0 -> name;
                  case 1 -> ns + "/" + name;
                  default -> "forks/" + u + "/" + ns + "/" + name;
                });
  }

  @Provide
  Arbitrary<String> globs() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of("*", "**", "a*", "*b", "r?", "?", "a", "b", "rpms", "forks", "alice"),
            Arbitraries.strings().withChars("abcr0").ofMinLength(1).ofMaxLength(3));
    return segment
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(s -> String.join("/", s))
        .filter(g -> !g.contains("***"));
  }

  @Provide
  Arbitrary<List<List<String>>> tables() {
    return globs().list().ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(5);
  }

  @Property(tries = 2000)
  void oneGlobMatchesExactlyAsDocumented(
      @ForAll("globs") String glob, @ForAll("projects") String project) {
    assertThat(NameGlobs.of(List.of(glob)).matches(project))
        .as("%s ~ %s", glob, project)
        .isEqualTo(documented(glob, project));
  }

  @Property(tries = 1000)
  void theFirstRuleWhoseGlobsMatchDecides(
      @ForAll("tables") List<List<String>> table, @ForAll("projects") String project) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < table.size(); i++) {
      rules.add(
          new Rule(
              NameGlobs.of(table.get(i)),
              true,
              NameGlobs.none(),
              List.of(new Target("t" + i, Target.System.CODEBUILD, "Project-" + i, null))));
    }
    Routes routes = new Routes(rules);

    Optional<String> expected = Optional.empty();
    for (int i = 0; i < table.size() && expected.isEmpty(); i++) {
      int rule = i;
      if (table.get(i).stream().anyMatch(g -> documented(g, project))) {
        expected = Optional.of("t" + rule);
      }
    }
    assertThat(routes.ruleFor(project).map(r -> r.targets().get(0).name()))
        .as("%s in %s", project, table)
        .isEqualTo(expected);
  }

  @Property(tries = 200)
  void aNewProjectUnderAnExistingGlobRoutesWithoutAnyChangeToTheTable(
      @ForAll("projects") String project) {
    Routes routes =
        Routes.single(
            NameGlobs.of(List.of("**")),
            true,
            NameGlobs.none(),
            new Target("build", Target.System.CODEBUILD, "Project-1", null));
    // nothing in the table names a project: every name the glob matches has the rule
    assertThat(routes.ruleFor(project)).isPresent();
  }
}
