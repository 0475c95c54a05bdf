package io.pagureci.inbound.config;

import io.pagureci.init.ConfigException;
import java.util.Locale;

/**
 * Whose rebuild comments start a build ({@code REBUILD_POLICY}, context key {@code rebuildPolicy}):
 * every comment id is a build key of its own, so an open policy lets anyone start builds without
 * limit.
 */
public enum RebuildPolicy {
  /** Anyone who can comment on the pull request. */
  ALL,
  /** Only commenters with commit access to the target project. */
  MEMBERS;

  public static final RebuildPolicy DEFAULT = MEMBERS;

  static RebuildPolicy parse(String name, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "all" -> ALL;
      case "members" -> MEMBERS;
      default -> throw new ConfigException(name, "must be 'all' or 'members', was '" + value + "'");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
