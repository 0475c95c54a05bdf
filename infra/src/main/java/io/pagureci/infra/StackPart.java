package io.pagureci.infra;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * A construct of {@link PagureCiStack} whose own id is left out of the logical ids of the resources
 * under it. The stack was flat before it was split into constructs; leaving the construct's id out
 * keeps every logical id (and so every deployed resource) as it was, so an existing deployment
 * updates in place instead of replacing its bucket, table or functions.
 *
 * <p>The ids of a part's children therefore share one namespace with the stack's other resources:
 * name them after what they are ({@code InboundLogs}, not {@code Logs}). A clash fails the synth
 * ({@link PagureCiStack#applyFlatLogicalIds}, which sets the ids). Constructs written after the
 * split ({@link WorkQueue}, {@link BuildWorker}, {@link BuildRecords}) are ordinary constructs:
 * their id is part of their resources' logical ids.
 */
abstract class StackPart extends Construct {

  private static final String HIDDEN_ID = "Default";
  private static final String HIDDEN_FROM_HUMAN_ID = "Resource";
  private static final int HASH_LEN = 8;
  private static final int MAX_HUMAN_LEN = 240;
  private static final int MAX_ID_LEN = 255;

  StackPart(Construct scope, String id) {
    super(scope, id);
  }

  /**
   * The logical id of {@code element} in {@code stack} with the ids of every {@link StackPart} on
   * its path left out; {@code null} when no part is on the path (then the stack's own rule
   * applies).
   */
  static String logicalId(Stack stack, CfnElement element) {
    List<IConstruct> scopes = element.getNode().getScopes();
    int start = -1;
    for (int i = 0; i < scopes.size(); i++) {
      if (scopes.get(i) == stack) {
        start = i + 1;
      }
    }
    if (start < 0) {
      return null;
    }
    List<String> components = new ArrayList<>();
    boolean hidden = false;
    for (IConstruct c : scopes.subList(start, scopes.size())) {
      if (c instanceof StackPart) {
        hidden = true;
      } else {
        components.add(c.getNode().getId());
      }
    }
    return hidden ? uniqueId(components) : null;
  }

  /** CDK's own makeUniqueId (aws-cdk-lib core/lib/private/uniqueid.ts), for a list of ids. */
  static String uniqueId(List<String> path) {
    List<String> components = path.stream().filter(c -> !c.equals(HIDDEN_ID)).toList();
    if (components.isEmpty()) {
      throw new IllegalArgumentException("no components for a logical id");
    }
    if (components.size() == 1) {
      String candidate = removeNonAlphanumeric(components.get(0));
      if (candidate.length() <= MAX_ID_LEN) {
        return candidate;
      }
    }
    List<String> human = new ArrayList<>();
    for (String c : components) {
      if (human.isEmpty() || !human.get(human.size() - 1).endsWith(c)) {
        human.add(c);
      }
    }
    String readable =
        String.join(
            "",
            human.stream()
                .filter(c -> !c.equals(HIDDEN_FROM_HUMAN_ID))
                .map(StackPart::removeNonAlphanumeric)
                .toList());
    return readable.substring(0, Math.min(readable.length(), MAX_HUMAN_LEN))
        + md5(String.join("/", components)).substring(0, HASH_LEN).toUpperCase(Locale.ROOT);
  }

  private static String removeNonAlphanumeric(String s) {
    return s.replaceAll("[^A-Za-z0-9]", "");
  }

  private static String md5(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return String.format("%032x", new BigInteger(1, digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
