package io.pagureci.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pagureci.infra.Settings.BuildTarget;
import io.pagureci.infra.Settings.Reader;
import io.pagureci.infra.Settings.SettingsException;
import io.pagureci.pagure.routing.NameGlobs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routing table (issue 14, docs/configuration.md "Routing table"): ordered rules from project
 * globs to build targets. The first rule whose {@code match} matches a project decides, and every
 * target of that rule builds. Read from the {@code routes} / {@code routesFile} context keys, or
 * made from today's keys ({@code allowedProjects}, {@code buildTarget}, ... , {@code targetName})
 * as one rule with one target.
 *
 * @param fromTable the table was given ({@code routes} / {@code routesFile}); false for the
 *     one-rule table made from today's keys
 */
public record Routes(List<Rule> rules, boolean fromTable) {

  /** Keys of a rule object. */
  static final Set<String> RULE_KEYS = Set.of("match", "targets", "branches", "pullRequests");

  /** Keys of a target object. */
  static final Set<String> TARGET_KEYS =
      Set.of("name", "codebuild", "codepipeline", "trustedBuildspec", "trustedBuildspecPath");

  /** Keys of a target's {@code codebuild} / {@code codepipeline} object. */
  static final Set<String> SYSTEM_KEYS =
      Set.of(
          "existingProjectName",
          "existingProjectRoleArn",
          "buildImage",
          "buildComputeType",
          "buildTimeoutMinutes",
          "buildConcurrencyLimit");

  /**
   * Today's context keys that describe the one build target; with {@code routes} each of them is a
   * key of a rule or a target instead, and giving one stops the synth.
   */
  static final List<String> PER_TARGET_CONTEXT_KEYS =
      List.of(
          "allowedProjects",
          "buildTarget",
          "existingProjectName",
          "existingProjectRoleArn",
          "buildImage",
          "buildComputeType",
          "buildTimeoutMinutes",
          "buildConcurrencyLimit",
          "trustedBuildspec",
          "trustedBuildspecPath",
          "buildBranches",
          "targetName");

  /**
   * One rule.
   *
   * @param index position in the table (0-based, as in {@code routes[0]})
   * @param match project globs ({@link NameGlobs}); empty only in the table made from an unset
   *     {@code allowedProjects} (nothing builds)
   * @param branches branch globs whose pushes build; empty = none
   */
  public record Rule(
      int index,
      List<String> match,
      boolean pullRequests,
      List<String> branches,
      List<Target> targets) {
    public Rule {
      match = List.copyOf(match);
      branches = List.copyOf(branches);
      targets = List.copyOf(targets);
    }

    /** How messages name the rule: {@code routes[1] (match [rpms/**])}. */
    String label() {
      return "routes[" + index + "] (match " + match + ")";
    }
  }

  /**
   * One build target: where its builds run and how the stack makes it.
   *
   * @param name the name on its flags ({@code pagure-ci/<name>}), unique in the table
   * @param existingProjectName use this CodeBuild project (directly, or as the pipeline's build
   *     action) instead of creating one
   * @param buildConcurrencyLimit the created project's limit (not applied to an existing project)
   * @param trustedBuildspecPath the buildspec taken from the target branch, when {@code
   *     trustedBuildspec}
   */
  public record Target(
      String name,
      BuildTarget system,
      Optional<String> existingProjectName,
      Optional<String> existingProjectRoleArn,
      String buildImage,
      String buildComputeType,
      int buildTimeoutMinutes,
      int buildConcurrencyLimit,
      boolean trustedBuildspec,
      String trustedBuildspecPath) {
    public Target {
      Objects.requireNonNull(name);
      Objects.requireNonNull(system);
      Objects.requireNonNull(existingProjectName);
      Objects.requireNonNull(existingProjectRoleArn);
    }
  }

  public Routes {
    rules = List.copyOf(rules);
  }

  /** Every target, in table order (the first is the one that keeps today's logical ids). */
  public List<Target> targets() {
    return rules.stream().flatMap(r -> r.targets().stream()).toList();
  }

  /** The rule a target belongs to. */
  Rule ruleOf(Target target) {
    return rules.stream()
        .filter(r -> r.targets().contains(target))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(target.name() + " is not in the table"));
  }

  // ---------------------------------------------------------------------------------------------
  // reading

  /** The table made from today's keys: one rule ({@code allowedProjects}) with one target. */
  static Routes legacy(
      Optional<String> allowedProjects, Optional<String> buildBranches, Target target) {
    return new Routes(
        List.of(
            new Rule(
                0,
                globs("allowedProjects", allowedProjects.orElse("")),
                true,
                globs("buildBranches", buildBranches.orElse("")),
                List.of(target))),
        false);
  }

  /**
   * The table of a {@code routes} value (a JSON array as a string, or the list CDK hands over from
   * cdk.json) or of a {@code routesFile}'s content; {@code source} names it in messages.
   */
  static Routes fromTable(Object value, String source) {
    Object table = value instanceof String s ? json(s, source) : value;
    if (!(table instanceof List<?> list)) {
      throw new SettingsException(
          source + " must be a JSON array of rules, was " + describe(table));
    }
    if (list.isEmpty()) {
      throw new SettingsException(source + " has no rule (nothing would build)");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      rules.add(rule(i, list.get(i)));
    }
    Routes routes = new Routes(rules, true);
    routes.check();
    return routes;
  }

  private static Rule rule(int index, Object value) {
    String at = "routes[" + index + "]";
    Map<String, Object> m = object(value, at);
    if (!m.containsKey("match")) {
      throw new SettingsException(at + ": match is required (project globs, e.g. \"rpms/*\")");
    }
    List<String> match = stringList(m.get("match"), at + ".match");
    String label = at + " (match " + match + ")";
    unknownKeys(m, RULE_KEYS, label + ": ");
    if (match.isEmpty()) {
      throw new SettingsException(label + ": match has no glob");
    }
    try {
      NameGlobs.of(match);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(label + ": match has an invalid glob: " + e.getMessage());
    }
    Reader r = new Reader(m::get, label + ": ");
    boolean pullRequests = r.bool("pullRequests", true);
    List<String> branches =
        m.get("branches") == null ? List.of() : stringList(m.get("branches"), label + ": branches");
    try {
      NameGlobs.of(branches);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(label + ": branches has an invalid glob: " + e.getMessage());
    }
    if (!pullRequests && branches.isEmpty()) {
      throw new SettingsException(
          label + ": builds nothing (pullRequests is false and branches is empty)");
    }
    Object targets = m.get("targets");
    if (!(targets instanceof List<?> list) || list.isEmpty()) {
      throw new SettingsException(label + ": targets must be a non-empty array of targets");
    }
    List<Target> out = new ArrayList<>();
    for (int j = 0; j < list.size(); j++) {
      out.add(target(label + ": targets[" + j + "]", list.get(j)));
    }
    return new Rule(index, match, pullRequests, branches, out);
  }

  private static Target target(String at, Object value) {
    Map<String, Object> m = object(value, at);
    unknownKeys(m, TARGET_KEYS, at + ".");
    Object name = m.get("name");
    if (!(name instanceof String n) || !Settings.TARGET_NAME.matcher(n).matches()) {
      throw new SettingsException(
          at
              + ".name must be 1-32 of A-Z a-z 0-9 . _ - starting with a letter or digit, was "
              + describe(name));
    }
    boolean codebuild = m.containsKey("codebuild");
    boolean codepipeline = m.containsKey("codepipeline");
    if (codebuild == codepipeline) {
      throw new SettingsException(
          at
              + " ('"
              + n
              + "'): give exactly one of codebuild or codepipeline (an object, may be {})");
    }
    String systemKey = codebuild ? "codebuild" : "codepipeline";
    Map<String, Object> system = object(m.get(systemKey), at + "." + systemKey);
    String where = at + "." + systemKey + ".";
    unknownKeys(system, SYSTEM_KEYS, where);
    return Settings.readTarget(
        n,
        codebuild ? BuildTarget.CODEBUILD : BuildTarget.CODEPIPELINE,
        new Reader(system::get, where),
        new Reader(m::get, at + "."));
  }

  // ---------------------------------------------------------------------------------------------
  // checks of a given table

  /** Names unique, one resource per name, every glob able to match a project, no glob shadowed. */
  private void check() {
    Map<String, Rule> names = new HashMap<>();
    Map<String, String> projects = new HashMap<>();
    for (Rule rule : rules) {
      for (int j = 0; j < rule.targets().size(); j++) {
        Target t = rule.targets().get(j);
        String at = rule.label() + ": targets[" + j + "]";
        Rule other = names.putIfAbsent(t.name(), rule);
        if (other != null) {
          throw new SettingsException(
              at
                  + ".name '"
                  + t.name()
                  + "' is already the name of a target of "
                  + other.label()
                  + " (a name is one flag on a commit: each must be unique)");
        }
        if (t.existingProjectName().isPresent()) {
          String project = t.existingProjectName().get();
          String owner = projects.putIfAbsent(project, t.name());
          if (owner != null) {
            throw new SettingsException(
                at
                    + "."
                    + t.system().value()
                    + ".existingProjectName '"
                    + project
                    + "' is already the project of target '"
                    + owner
                    + "': a project belongs to one target name (its build events name the target)");
          }
        }
      }
    }
    List<String> earlier = new ArrayList<>();
    for (Rule rule : rules) {
      for (String glob : rule.match()) {
        if (RouteGlobs.witness(glob, List.of()).provenEmpty()) {
          throw new SettingsException(
              rule.label()
                  + ": match '"
                  + glob
                  + "' can match no pagure project (a fullname is [forks/<user>/][<namespace>/]<name>,"
                  + " each part [A-Za-z0-9_][A-Za-z0-9_.+-]* not ending in .git, not under tickets/ or"
                  + " requests/)");
        }
        if (!earlier.isEmpty() && RouteGlobs.witness(glob, earlier).provenEmpty()) {
          throw new SettingsException(
              rule.label()
                  + ": match '"
                  + glob
                  + "' is shadowed: every project it matches is matched first by "
                  + shadowedBy(glob, rule.index())
                  + " (the first matching rule decides) - move it up or remove it");
        }
      }
      earlier.addAll(rule.match());
    }
  }

  /** The one earlier rule that covers {@code glob} alone, else all earlier rules together. */
  private String shadowedBy(String glob, int before) {
    for (Rule r : rules.subList(0, before)) {
      if (RouteGlobs.witness(glob, r.match()).provenEmpty()) {
        return r.label();
      }
    }
    return "the rules before it together ("
        + String.join(", ", rules.subList(0, before).stream().map(Rule::label).toList())
        + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // JSON

  private static final ObjectMapper JSON = new ObjectMapper();

  private static Object json(String text, String source) {
    try {
      return JSON.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new SettingsException(
          source + " is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String at) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new SettingsException(at + " must be a JSON object, was " + describe(value));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    ((Map<Object, Object>) m).forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static void unknownKeys(Map<String, Object> m, Set<String> known, String where) {
    Set<String> unknown = new TreeSet<>(m.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new SettingsException(
          where + "unknown key(s) " + unknown + " (known: " + new TreeSet<>(known) + ")");
    }
  }

  /** A glob list: a JSON array of strings, or one string (comma-separated, as allowedProjects). */
  private static List<String> stringList(Object value, String at) {
    if (value instanceof String s) {
      // checked as globs by the caller, which names the rule
      return java.util.Arrays.stream(s.split(","))
          .map(String::strip)
          .filter(g -> !g.isEmpty())
          .toList();
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s) || s.isBlank() || s.contains(",")) {
          throw new SettingsException(
              at + " must hold non-blank glob strings without commas, got " + describe(o));
        }
        out.add(s.strip());
      }
      return out;
    }
    throw new SettingsException(
        at + " must be a glob string or an array of them, was " + describe(value));
  }

  private static List<String> globs(String at, String commaSeparated) {
    try {
      return NameGlobs.parse(commaSeparated).globs();
    } catch (IllegalArgumentException e) {
      throw new SettingsException(at + " has an invalid glob: " + e.getMessage());
    }
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof String s) {
      return "'" + s + "'";
    }
    if (value instanceof List<?>) {
      return "an array";
    }
    if (value instanceof Map<?, ?>) {
      return "an object";
    }
    return String.valueOf(value);
  }

  // ---------------------------------------------------------------------------------------------
  // the ROUTES variable

  /**
   * The {@code ROUTES} value (docs/queue.md §2, the contract between stack and functions): compact
   * JSON, {@code resources} giving each target's CodeBuild project / pipeline name (a token for a
   * resource the stack creates).
   */
  String toJson(Map<String, String> resources) {
    StringBuilder b = new StringBuilder("{\"rules\":[");
    for (int i = 0; i < rules.size(); i++) {
      Rule r = rules.get(i);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"match\":");
      array(b, r.match());
      b.append(",\"pullRequests\":").append(r.pullRequests());
      if (!r.branches().isEmpty()) {
        b.append(",\"branches\":");
        array(b, r.branches());
      }
      b.append(",\"targets\":[");
      for (int j = 0; j < r.targets().size(); j++) {
        Target t = r.targets().get(j);
        if (j > 0) {
          b.append(',');
        }
        b.append("{\"name\":");
        string(b, t.name());
        b.append(",\"system\":");
        string(b, t.system().value());
        b.append(",\"resource\":");
        string(b, Objects.requireNonNull(resources.get(t.name()), t.name()));
        if (t.trustedBuildspec()) {
          b.append(",\"trustedBuildspecPath\":");
          string(b, t.trustedBuildspecPath());
        }
        b.append('}');
      }
      b.append("]}");
    }
    return b.append("]}").toString();
  }

  private static void array(StringBuilder b, List<String> values) {
    b.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      string(b, values.get(i));
    }
    b.append(']');
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /** The table as lines for stderr ({@code synth} prints it). */
  List<String> describeLines(Map<String, String> resources) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "pagure-ci-aws: routing table ("
            + (fromTable ? "routes" : "one rule from allowedProjects and today's keys")
            + "); the first matching rule decides:");
    for (Rule r : rules) {
      lines.add(
          "  "
              + r.label()
              + (r.pullRequests() ? " pull requests" : "")
              + (r.branches().isEmpty()
                  ? ""
                  : (r.pullRequests() ? " +" : "") + " pushes to " + r.branches())
              + ":");
      for (Target t : r.targets()) {
        lines.add(
            "    - "
                + t.name()
                + " ("
                + t.system().value()
                + " "
                + resources.getOrDefault(t.name(), "?")
                + (t.trustedBuildspec()
                    ? ", trusted buildspec " + t.trustedBuildspecPath()
                    : ", the commit's buildspec")
                + ")");
      }
    }
    lines.add("  any other project: refused (403 PROJECT_NOT_ALLOWED)");
    return lines;
  }
}
