package io.pagureci.inbound.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pagureci.pagure.routing.NameGlobs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The routing table's globs ({@link NameGlobs}, pagure-model) and {@code ALLOWED_PROJECTS}' ({@link
 * ProjectPatterns}) give the same answer for every list and name: one glob semantics, until the two
 * classes are one (ProjectPatterns may move into pagure-model).
 */
class NameGlobsEquivalenceTest {

  @Provide
  Arbitrary<String> lists() {
    return Arbitraries.of("*", "**", "a*", "*/b", "r?ms/*", "forks/**", "a/**", "[ab]*", "x")
        .list()
        .ofMinSize(0)
        .ofMaxSize(3)
        .map(l -> String.join(",", l));
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings()
        .withChars("abrmsx/_.-")
        .ofMinLength(0)
        .ofMaxLength(12)
        .filter(n -> !n.startsWith("/") && !n.contains("//") && !n.endsWith("/"));
  }

  @Property(tries = 3000)
  void bothMatchTheSameNames(@ForAll("lists") String list, @ForAll("names") String name) {
    assertThat(NameGlobs.parse(list).matches(name))
        .as("%s ~ %s", list, name)
        .isEqualTo(ProjectPatterns.parse("ALLOWED_PROJECTS", list).matches(name));
  }

  @Property(tries = 50)
  void bothRefuseTheSameBadGlob(@ForAll("names") String prefix) {
    String bad = prefix + "[";
    assertThatThrownBy(() -> ProjectPatterns.parse("ALLOWED_PROJECTS", bad))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> NameGlobs.parse(bad)).isInstanceOf(IllegalArgumentException.class);
  }
}
