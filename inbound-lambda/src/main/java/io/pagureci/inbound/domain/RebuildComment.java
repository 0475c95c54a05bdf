package io.pagureci.inbound.domain;

import io.pagureci.pagure.routing.Target;
import java.util.Locale;
import java.util.Optional;

/**
 * A rebuild request in a pull-request comment (docs/protocol.md §1.A): the whole stripped comment
 * is the rebuild phrase (case-insensitive), which rebuilds every target of the pull request, or the
 * phrase, white space and one target name ({@code pretty please pagure-ci rebuild lint}; the name
 * as written in the routing table, case-sensitive), which rebuilds that target only. Anything else
 * is not a rebuild request.
 *
 * @param target the target named, or {@code null}: every target
 */
public record RebuildComment(String target) {

  /** The rebuild request a comment makes, or empty when it makes none. */
  public static Optional<RebuildComment> parse(String comment, String phrase) {
    if (comment == null) {
      return Optional.empty();
    }
    String text = comment.strip();
    if (text.length() < phrase.length()
        || !text.substring(0, phrase.length())
            .toLowerCase(Locale.ROOT)
            .equals(phrase.toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    String rest = text.substring(phrase.length());
    if (rest.isEmpty()) {
      return Optional.of(new RebuildComment(null));
    }
    if (!Character.isWhitespace(rest.charAt(0))) {
      return Optional.empty(); // "…rebuildx" is another word
    }
    String name = rest.strip();
    return Target.validName(name) ? Optional.of(new RebuildComment(name)) : Optional.empty();
  }
}
