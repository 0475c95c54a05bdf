package io.pagureci.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.IRole;

/** What the synthesized IAM policies allow, for the stack tests: one way to ask it. */
final class Policies {

  private Policies() {}

  /** An {@code Allow} statement of {@code actions} on {@code resource}, any Sid. */
  static Map<String, Object> statement(Object actions, Object resource) {
    return Map.of(
        "Action", actions, "Effect", "Allow", "Resource", resource, "Sid", Match.anyValue());
  }

  /** Asserts that a policy attached to {@code role} holds {@code statements} (among others). */
  @SafeVarargs
  static void assertAllows(Template t, Stack stack, IRole role, Map<String, Object>... statements) {
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Match.objectLike(
            Map.of(
                "Roles",
                List.of(stack.resolve(role.getRoleName())),
                "PolicyDocument",
                Match.objectLike(
                    Map.of("Statement", Match.arrayWith(List.of((Object[]) statements)))))));
  }

  /** The policies attached to {@code role}, as text (for what they must not contain). */
  static String of(Template t, Stack stack, IRole role) {
    return t.findResources(
            "AWS::IAM::Policy",
            Match.objectLike(
                Map.of(
                    "Properties",
                    Match.objectLike(Map.of("Roles", List.of(stack.resolve(role.getRoleName())))))))
        .toString();
  }

  /** The resources of every statement named {@code sid}, in every policy of the template. */
  static List<Object> resourcesOf(Template t, String sid) {
    List<Object> out = new ArrayList<>();
    for (Object policy : t.findResources("AWS::IAM::Policy").values()) {
      Map<?, ?> properties = (Map<?, ?>) ((Map<?, ?>) policy).get("Properties");
      Map<?, ?> document = (Map<?, ?>) properties.get("PolicyDocument");
      for (Object statement : (List<?>) document.get("Statement")) {
        Map<?, ?> st = (Map<?, ?>) statement;
        if (sid.equals(st.get("Sid"))) {
          Object r = st.get("Resource");
          if (r instanceof List<?> l) {
            out.addAll(l);
          } else {
            out.add(r);
          }
        }
      }
    }
    return out;
  }
}
