package io.pagureci.inbound.domain;

import io.pagureci.inbound.config.InboundConfig;
import java.util.HashMap;
import java.util.Map;

/** Configurations matching the real captures (instance http://127.0.0.1:5000/). */
public final class TestConfigs {

  public static final String HOOK_KEYS = "hook-keys";
  public static final String BASIC = "ci-basic";

  /** The key of {@code other}, a project with a key that is off the allow-list. */
  public static final String OTHER_KEY = "OTHERKEYNOTONTHEALLOWLIST00000000000000";

  public static final String KEYS_JSON =
      "{\"demo\": \"YU3OTT246X2TZRSF6JW4HUZHRVYU20Z18T6QHSH6\","
          + " \"forks/bob/demo\": \"DCZVNBOI3J4F5JLFIDSR4O7I7VXZ4J40OM1U37VH\","
          + " \"rpms/widget\": \"5JO1ALY1396HJ31EF6QJWR927QNJ6A2QDAETSL0G\","
          + " \"other\": \"OTHERKEYNOTONTHEALLOWLIST00000000000000\"}";

  private TestConfigs() {}

  public static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("PAGURE_URL", "http://127.0.0.1:5000");
    env.put("ALLOWED_PROJECTS", "demo,rpms/*");
    env.put("HOOK_KEYS_SECRET_ID", HOOK_KEYS);
    env.put("CI_BASIC_AUTH_SECRET_ID", BASIC);
    env.put("SOURCE_BUCKET", "src-bucket");
    env.put("CODEBUILD_PROJECT", "proj");
    // the captures are from 2026-11-27 ~12:20Z; the age check has its own tests with a fixed clock
    env.put("MAX_DELIVERY_AGE_SECONDS", "0");
    // the behaviour before the contributor policy; ContributorPolicyTest sets its own
    env.put("CONTRIBUTOR_POLICY", "all");
    env.put("REBUILD_POLICY", "all");
    return env;
  }

  public static InboundConfig config() {
    return InboundConfig.fromEnv(env());
  }

  public static InboundConfig config(String name, String value) {
    Map<String, String> env = env();
    env.put(name, value);
    return InboundConfig.fromEnv(env);
  }

  /** The queue settings of docs/queue.md §2 at their defaults. */
  public static io.pagureci.inbound.config.QueueConfig queueConfig() {
    return io.pagureci.inbound.config.QueueConfig.fromEnv(
        Map.of("WORK_QUEUE_URL", "http://127.0.0.1/q", "BUILD_RECORDS_TABLE", "build-records"));
  }

  public static Fakes.MapSecrets secrets() {
    Fakes.MapSecrets s = new Fakes.MapSecrets();
    s.values.put(HOOK_KEYS, KEYS_JSON);
    s.values.put(BASIC, "{\"username\": \"pagure\", \"password\": \"s3cr3t-basic-pw\"}");
    return s;
  }
}
