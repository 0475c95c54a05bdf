package io.pagureci.pagure.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing table (issue 14; {@code ROUTES}, docs/configuration.md): ordered rules from project
 * globs to build targets. The first rule whose {@code match} matches a project decides; a project
 * no rule matches is not built. A look-up costs O(rules): nothing is kept per project, so a new
 * project that an existing glob matches builds without a redeploy.
 *
 * <p>Target names are unique in the table, and a resource (CodeBuild project, pipeline) belongs to
 * one target: outbound maps a build's project or pipeline back to the name its flag shows.
 */
public final class Routes {

  private final List<Rule> rules;
  private final Map<String, Target> byName = new HashMap<>();
  private final Map<String, Target> byResource = new HashMap<>();

  /**
   * @throws IllegalArgumentException when a target name or a resource appears twice
   */
  public Routes(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    if (this.rules.isEmpty()) {
      throw new IllegalArgumentException("the table has no rule");
    }
    for (Rule rule : this.rules) {
      for (Target t : rule.targets()) {
        if (byName.putIfAbsent(t.name(), t) != null) {
          throw new IllegalArgumentException("target name '" + t.name() + "' appears twice");
        }
        Target other = byResource.putIfAbsent(key(t.system(), t.resource()), t);
        if (other != null) {
          throw new IllegalArgumentException(
              t.system().id()
                  + " resource '"
                  + t.resource()
                  + "' is the target of both '"
                  + other.name()
                  + "' and '"
                  + t.name()
                  + "'");
        }
      }
    }
  }

  /** The one-rule table of a configuration without {@code ROUTES}. */
  public static Routes single(
      NameGlobs projects, boolean pullRequests, NameGlobs branches, Target t) {
    return new Routes(List.of(new Rule(projects, pullRequests, branches, List.of(t))));
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The first rule that matches {@code project}, or empty: the project is not built. */
  public Optional<Rule> ruleFor(String project) {
    for (Rule r : rules) {
      if (r.matches(project)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Every target, in table order. */
  public List<Target> targets() {
    List<Target> all = new ArrayList<>();
    rules.forEach(r -> all.addAll(r.targets()));
    return all;
  }

  /** The target named {@code name}, in any rule. */
  public Optional<Target> target(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The target a CodeBuild project or a pipeline belongs to. */
  public Optional<Target> byResource(Target.System system, String resource) {
    return Optional.ofNullable(byResource.get(key(system, resource)));
  }

  /** The resources of one system, in table order (outbound's accepted projects / pipelines). */
  public Set<String> resources(Target.System system) {
    Set<String> names = new LinkedHashSet<>();
    for (Target t : targets()) {
      if (t.system() == system) {
        names.add(t.resource());
      }
    }
    return names;
  }

  private static String key(Target.System system, String resource) {
    return system.id() + "\n" + resource;
  }

  @Override
  public String toString() {
    return "Routes" + rules;
  }
}
