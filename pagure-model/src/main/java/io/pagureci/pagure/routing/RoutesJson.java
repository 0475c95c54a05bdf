package io.pagureci.pagure.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one parser of the {@code ROUTES} variable (docs/configuration.md, the contract of the stack
 * and the functions), used by the inbound and the outbound configuration alike. jackson-core only
 * (the outbound jar has no databind, for its cold start). Strict: unknown keys, duplicate keys,
 * wrong types, an invalid glob, a bad target name or resource, a name or resource twice, all fail
 * with a {@link RoutesException} whose message names the place ({@code rules[1].targets[0].name}).
 *
 * <pre>{@code
 * {"rules":[{"match":["rpms/**"],"pullRequests":true,"branches":["main"],
 *   "targets":[{"name":"rpmbuild","system":"codebuild","resource":"PagureCi-Rpmbuild-XYZ",
 *               "trustedBuildspecPath":"buildspec.yml"}]}]}
 * }</pre>
 */
public final class RoutesJson {

  /** Far above what fits in Lambda's 4 KB of environment; a bound on the parser's work. */
  static final int MAX_CHARS = 64 * 1024;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
          .build();

  private static final Set<String> TOP_KEYS = Set.of("rules");
  private static final Set<String> RULE_KEYS =
      Set.of("match", "pullRequests", "branches", "targets");
  private static final Set<String> TARGET_KEYS =
      Set.of("name", "system", "resource", "trustedBuildspecPath");

  private RoutesJson() {}

  /** A value of {@code ROUTES} that is not a usable table; the message names where and why. */
  public static final class RoutesException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    RoutesException(String message) {
      super(message);
    }
  }

  /**
   * Parses a table.
   *
   * @throws RoutesException naming the place of the first problem
   */
  public static Routes parse(String json) {
    if (json == null || json.isBlank()) {
      throw new RoutesException("is empty");
    }
    if (json.length() > MAX_CHARS) {
      throw new RoutesException("is longer than " + MAX_CHARS + " characters");
    }
    Object root;
    try (JsonParser p = FACTORY.createParser(json)) {
      JsonToken first = p.nextToken();
      root = value(p, first);
      if (p.nextToken() != null) {
        throw new RoutesException("has data after the table's object");
      }
    } catch (IOException e) {
      throw new RoutesException(
          "is not well-formed JSON (" + e.getClass().getSimpleName() + firstLine(e) + ")");
    }
    Map<String, Object> top = object(root, "the table");
    keys(top, TOP_KEYS, "the table");
    List<Object> rules = array(top.get("rules"), "rules", true);
    if (rules.isEmpty()) {
      throw new RoutesException("rules is empty: no project would build");
    }
    List<Rule> parsed = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      parsed.add(rule(rules.get(i), "rules[" + i + "]"));
    }
    try {
      return new Routes(parsed);
    } catch (IllegalArgumentException e) {
      throw new RoutesException(e.getMessage());
    }
  }

  private static Rule rule(Object value, String where) {
    Map<String, Object> rule = object(value, where);
    keys(rule, RULE_KEYS, where);
    // An empty match is the table of a stack synthesized without allowedProjects: it refuses
    // every project (403 PROJECT_NOT_ALLOWED), as an empty ALLOWED_PROJECTS always has.
    NameGlobs match = globs(rule.get("match"), where + ".match", true);
    Object prs = rule.get("pullRequests");
    if (prs != null && !(prs instanceof Boolean)) {
      throw new RoutesException(where + ".pullRequests is not true or false");
    }
    NameGlobs branches =
        rule.containsKey("branches")
            ? globs(rule.get("branches"), where + ".branches", false)
            : NameGlobs.none();
    List<Object> targets = array(rule.get("targets"), where + ".targets", true);
    if (targets.isEmpty()) {
      throw new RoutesException(where + ".targets is empty: a rule builds with at least one");
    }
    List<Target> parsed = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      parsed.add(target(targets.get(i), where + ".targets[" + i + "]"));
    }
    return new Rule(match, prs == null || (Boolean) prs, branches, parsed);
  }

  private static Target target(Object value, String where) {
    Map<String, Object> t = object(value, where);
    keys(t, TARGET_KEYS, where);
    String name = string(t.get("name"), where + ".name", true);
    if (!Target.validName(name)) {
      throw new RoutesException(
          where
              + ".name '"
              + shorten(name)
              + "' is not a target name (1-32 of A-Z a-z 0-9 . _ -, starting with a letter or"
              + " digit)");
    }
    String systemId = string(t.get("system"), where + ".system", true);
    Target.System system = Target.System.ofId(systemId);
    if (system == null) {
      throw new RoutesException(
          where + ".system '" + shorten(systemId) + "' is not codebuild or codepipeline");
    }
    String resource = string(t.get("resource"), where + ".resource", true);
    if (!system.validResource(resource)) {
      throw new RoutesException(
          where
              + ".resource '"
              + shorten(resource)
              + "' is not a "
              + (system == Target.System.CODEBUILD ? "CodeBuild project" : "pipeline")
              + " name");
    }
    String path = string(t.get("trustedBuildspecPath"), where + ".trustedBuildspecPath", false);
    if (path != null && !Target.validBuildspecPath(path)) {
      throw new RoutesException(
          where
              + ".trustedBuildspecPath '"
              + shorten(path)
              + "' is not a file path inside the repository (relative, no '..')");
    }
    return new Target(name, system, resource, path);
  }

  private static NameGlobs globs(Object value, String where, boolean required) {
    List<Object> items = array(value, where, required);
    List<String> globs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String g = string(items.get(i), where + "[" + i + "]", true);
      if (g.isBlank() || !g.equals(g.strip())) {
        throw new RoutesException(where + "[" + i + "] is blank or has surrounding white space");
      }
      globs.add(g);
    }
    try {
      return NameGlobs.of(globs);
    } catch (IllegalArgumentException e) {
      throw new RoutesException(where + ": " + e.getMessage());
    }
  }

  private static void keys(Map<String, Object> object, Set<String> known, String where) {
    for (String k : object.keySet()) {
      if (!known.contains(k)) {
        throw new RoutesException(
            where + " has an unknown key '" + shorten(k) + "' (known: " + sorted(known) + ")");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String where) {
    if (!(value instanceof Map<?, ?>)) {
      throw new RoutesException(where + " is not a JSON object");
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> array(Object value, String where, boolean required) {
    if (value == null) {
      if (required) {
        throw new RoutesException(where + " is missing");
      }
      return List.of();
    }
    if (!(value instanceof List<?>)) {
      throw new RoutesException(where + " is not a JSON array");
    }
    return (List<Object>) value;
  }

  private static String string(Object value, String where, boolean required) {
    if (value == null) {
      if (required) {
        throw new RoutesException(where + " is missing");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw new RoutesException(where + " is not a string");
    }
    return s;
  }

  /** JSON null reads as absent (Java null): "absent = default" for every optional key. */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      throw new RoutesException("has no JSON value");
    }
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          map.put(name, value(p, p.nextToken()));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(p, next));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return p.getNumberValue();
      }
      default -> throw new RoutesException("has an unexpected JSON token " + t);
    }
  }

  private static String sorted(Set<String> keys) {
    return String.join(", ", keys.stream().sorted().toList());
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  private static String firstLine(IOException e) {
    String m =
        e instanceof com.fasterxml.jackson.core.JsonProcessingException j
            ? j.getOriginalMessage()
            : e.getMessage();
    if (m == null) {
      return "";
    }
    int nl = m.indexOf('\n');
    return ": " + (nl >= 0 ? m.substring(0, nl) : m);
  }
}
