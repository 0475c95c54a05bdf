package io.pagureci.pagure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one project-name rule: pagure's default {@code PROJECT_NAME_REGEX} per part, at most 255
 * characters a part, the fullname shapes pagure builds, and every project name in the real pagure
 * 5.14.1 captures.
 */
class ProjectNameTest {

  private static final String FIRST =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
  private static final String REST = FIRST + ".+-";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "demo",
        "rpms/widget",
        "forks/bob/demo",
        "forks/bob/rpms/widget",
        "a_b.c+d-e",
        "python-foo.bar",
        "python-3.12",
        "c++",
        "_x",
        "x.",
        "a..b",
        "forks/bob/forks",
        "tickets-x/demo"
      })
  void acceptsPagureFullnames(String name) {
    assertThat(ProjectName.isValid(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "..",
        ".",
        "../x",
        "x/..",
        "a/b/c",
        "forks/bob",
        "forks/demo",
        "forks/bob/a/b/c",
        "-x",
        ".x",
        "+x",
        "forks/+bob/demo",
        "x.git",
        "rpms/x.git",
        "http://x",
        "https://x/y",
        "x:y",
        "x y",
        "x%2e",
        "x;y",
        "x$y",
        "x`y`",
        "x?y",
        "[x",
        "^x",
        "\\x",
        "`x",
        "x\u00e9",
        "/x",
        "x/",
        "x//y",
        "forks//x",
        "tickets/demo",
        "requests/demo",
        "tickets/rpms/widget"
      })
  void rejectsEverythingElse(String name) {
    assertThat(ProjectName.isValid(name)).isFalse();
  }

  @Test
  void rejectsNull() {
    assertThat(ProjectName.isValid(null)).isFalse();
    assertThat(ProjectName.isPart(null)).isFalse();
  }

  @Test
  void aPartHoldsAtMost255Characters() {
    String longest = "a".repeat(255);

    assertThat(ProjectName.isValid(longest)).isTrue();
    assertThat(ProjectName.isValid("forks/" + longest + "/" + longest + "/" + longest)).isTrue();
    assertThat(ProjectName.isValid("a".repeat(256))).isFalse();
    assertThat(ProjectName.isValid("ns/" + "a".repeat(256))).isFalse();
    assertThat(ProjectName.isValid("forks/" + "u".repeat(256) + "/demo")).isFalse();
  }

  @Property
  void everyNameOfPagureRuleIsAcceptedInEveryShape(
      @ForAll("parts") String user, @ForAll("parts") String ns, @ForAll("parts") String name) {
    String first = notReserved(name);
    String namespace = notReserved(ns);

    assertThat(ProjectName.isValid(first)).isTrue();
    assertThat(ProjectName.isValid(namespace + "/" + name)).isTrue();
    assertThat(ProjectName.isValid("forks/" + user + "/" + name)).isTrue();
    assertThat(ProjectName.isValid("forks/" + user + "/" + ns + "/" + name)).isTrue();
  }

  /** A first part that is not {@code forks} (a fork's prefix) nor a metadata area. */
  private static String notReserved(String part) {
    return Set.of("forks", "tickets", "requests").contains(part) ? part + "x" : part;
  }

  @Property
  void aCharacterOutsidePagureRuleIsRefusedAnywhereInAPart(
      @ForAll("parts") String name, @ForAll("foreign") char c, @ForAll int at) {
    int i = Math.floorMod(at, name.length() + 1);
    String bad = name.substring(0, i) + c + name.substring(i);

    assertThat(ProjectName.isValid(bad)).as(bad).isFalse();
    assertThat(ProjectName.isValid("rpms/" + bad)).as(bad).isFalse();
    assertThat(ProjectName.isValid("forks/" + bad + "/demo")).as(bad).isFalse();
  }

  @Property
  void aPartStartingWithDotDashOrPlusIsRefused(
      @ForAll("parts") String name, @ForAll("leading") char c) {
    assertThat(ProjectName.isValid(c + name)).isFalse();
    assertThat(ProjectName.isValid("forks/" + c + name + "/demo")).isFalse();
  }

  @Property
  void aPartEndingInDotGitIsRefused(@ForAll("parts") String name) {
    assertThat(ProjectName.isValid(name + ".git")).isFalse();
    assertThat(ProjectName.isValid("ns/" + name + ".git")).isFalse();
  }

  @Property
  void aForkIsASourceOfItsParentOnly(
      @ForAll("parts") String user, @ForAll("parts") String name, @ForAll("parts") String other) {
    String fork = "forks/" + user + "/" + name;

    assertThat(ProjectName.isSourceOf(fork, name)).isTrue();
    assertThat(ProjectName.isSourceOf(name, name)).isTrue();
    assertThat(ProjectName.isSourceOf(fork, fork)).isTrue();
    if (!other.equals(name)) {
      assertThat(ProjectName.isSourceOf(fork, other)).isFalse();
      assertThat(ProjectName.isSourceOf(other, name)).isFalse();
    }
    assertThat(ProjectName.isSourceOf("forks/" + user + "/" + fork, fork)).isFalse();
  }

  @Test
  void aPullRequestSourceIsTheTargetOrOneOfItsForks() {
    assertThat(ProjectName.isSourceOf("demo", "demo")).isTrue();
    assertThat(ProjectName.isSourceOf("forks/bob/demo", "demo")).isTrue();
    assertThat(ProjectName.isSourceOf("forks/bob/rpms/widget", "rpms/widget")).isTrue();
    assertThat(ProjectName.isSourceOf("other", "demo")).isFalse();
    assertThat(ProjectName.isSourceOf("forks/bob/other", "demo")).isFalse();
    assertThat(ProjectName.isSourceOf("forks/bob/rpms/widget", "widget")).isFalse();
    assertThat(ProjectName.isSourceOf("forks/bob/demo", "forks/bob/demo")).isTrue();
    assertThat(ProjectName.isSourceOf("forks/alice/forks/bob/demo", "forks/bob/demo")).isFalse();
    assertThat(ProjectName.isSourceOf("forks/demo", "demo")).isFalse();
  }

  @Test
  void everyProjectOfTheRealCapturesIsAcceptedAndOnlyForksAreForks() throws IOException {
    Set<String> fullnames = new TreeSet<>();
    Path fixtures = Path.of(System.getProperty("pagure.fixtures"));
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.walk(fixtures)) {
      for (Path body : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        collectProjects(json.readTree(body.toFile()), fullnames);
      }
    }

    assertThat(fullnames).contains("demo", "rpms/widget", "forks/bob/demo");
    assertThat(fullnames).allSatisfy(n -> assertThat(ProjectName.isValid(n)).as(n).isTrue());
    assertThat(fullnames.stream().filter(ProjectName::isFork))
        .allSatisfy(n -> assertThat(n).startsWith("forks/"))
        .contains("forks/bob/demo");
  }

  /** Project objects: {@code fullname} next to {@code namespace} and {@code parent}. */
  private static void collectProjects(JsonNode node, Set<String> into) {
    if (node.isObject()) {
      if (node.path("fullname").isTextual() && node.has("namespace") && node.has("parent")) {
        into.add(node.get("fullname").asText());
      }
      node.forEach(child -> collectProjects(child, into));
    } else if (node.isArray()) {
      node.forEach(child -> collectProjects(child, into));
    }
  }

  @Provide
  Arbitrary<String> parts() {
    Arbitrary<Character> first = Arbitraries.of(chars(FIRST));
    Arbitrary<String> rest = Arbitraries.strings().withChars(REST).ofMaxLength(40);
    return Combinators.combine(first, rest).as((f, r) -> f + r).filter(p -> !p.endsWith(".git"));
  }

  @Provide
  Arbitrary<Character> foreign() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(
            1, Arbitraries.of('[', ']', '\\', '^', '`', ' ', '%', ':', '?', '#', '\n', '\u00e9')),
        net.jqwik.api.Tuple.of(
            3, Arbitraries.chars().filter(c -> REST.indexOf(c) < 0 && c != '/')));
  }

  @Provide
  Arbitrary<Character> leading() {
    return Arbitraries.of('.', '-', '+');
  }

  private static Character[] chars(String s) {
    return s.chars().mapToObj(c -> (char) c).toArray(Character[]::new);
  }
}
