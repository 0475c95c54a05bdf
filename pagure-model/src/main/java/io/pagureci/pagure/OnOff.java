package io.pagureci.pagure;

import java.util.Locale;
import java.util.Optional;

/**
 * The words a yes/no setting is written with, in a function's environment and in the stack's
 * context alike: {@code true 1 yes on} and {@code false 0 no off}, in any case. The caller strips
 * the value and says, in its own words, that anything else is refused.
 */
public final class OnOff {
  private OnOff() {}

  /** The setting {@code value} spells, or empty when it is none of the words. */
  public static Optional<Boolean> parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> Optional.of(true);
      case "false", "0", "no", "off" -> Optional.of(false);
      default -> Optional.empty();
    };
  }
}
