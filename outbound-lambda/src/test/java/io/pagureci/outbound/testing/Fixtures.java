package io.pagureci.outbound.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pagureci.outbound.domain.BuildProvenance;
import io.pagureci.outbound.domain.BuildRecord;
import io.pagureci.outbound.domain.BuildRecordLookup;
import io.pagureci.outbound.domain.BuildSystem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Test fixtures: EventBridge events (test resources) and the real pagure captures ({@code
 * pagure.fixtures}).
 */
public final class Fixtures {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** The pagure instance the event fixtures name in PAGURE_INSTANCE. */
  public static final String FIXTURE_INSTANCE = "https://pagure.example.org/";

  public static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";
  public static final String BUILD_ARN =
      "arn:aws:codebuild:eu-west-1:123456789012:build/pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";

  /**
   * The CodeBuild id of the fixtures' build ({@code project:uuid}, the tail of {@link #BUILD_ARN}).
   */
  public static final String BUILD_ID = "pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";

  /** The PAGURE_BUILD_KEY the CodeBuild fixtures carry: its record names {@link #BUILD_ID}. */
  public static final String BUILD_KEY =
      "3f9c2a7be41d5c6f8a0b9e7d2c4f6a8b1e3d5c7f9a2b4d6e8f0a1c3e5b7d9f2a";

  /** The pipeline execution of the pipeline fixtures. */
  public static final String EXECUTION_ID = "4f5a8d2e-3b1c-4e6f-9a0d-7c2b1e8f3a55";

  /**
   * The PAGURE_BUILD_KEY of the pipeline fixtures' execution: its record names {@link
   * #EXECUTION_ID}.
   */
  public static final String PIPELINE_BUILD_KEY =
      "7d1e4b9a2c6f8e0d3a5b7c9e1f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a";

  /**
   * The build records of the fixtures' builds, as the worker leaves them: {@link #BUILD_KEY}
   * STARTED with the CodeBuild build, {@link #PIPELINE_BUILD_KEY} STARTED with the pipeline
   * execution; any other key has none.
   */
  public static BuildRecordLookup records() {
    Map<String, BuildRecord> records =
        Map.of(
            BUILD_KEY,
                new BuildRecord(BuildRecord.State.STARTED, BuildSystem.CODEBUILD, BUILD_ID, null),
            PIPELINE_BUILD_KEY,
                new BuildRecord(
                    BuildRecord.State.STARTED, BuildSystem.CODEPIPELINE, EXECUTION_ID, null));
    return key -> Optional.ofNullable(records.get(key));
  }

  /** Provenance checked against {@link #records()}, account not pinned. */
  public static BuildProvenance provenance() {
    return BuildProvenance.checked(records(), null);
  }

  private Fixtures() {}

  /** An event fixture under {@code events/eventbridge/}, as text. */
  public static String event(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/events/eventbridge/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An event fixture whose PAGURE_INSTANCE is replaced by {@code instance}. */
  public static String event(String name, String instance) {
    return event(name).replace(FIXTURE_INSTANCE, instance);
  }

  /** Root of the real pagure captures. */
  public static Path pagure() {
    String dir = System.getProperty("pagure.fixtures");
    if (dir == null) {
      throw new IllegalStateException(
          "system property pagure.fixtures is not set (run through Maven)");
    }
    return Path.of(dir);
  }

  /** A captured flag exchange: {@code flags/<case>/request.json} or {@code response.json}. */
  public static JsonNode flag(String dir, String file) {
    try {
      return JSON.readTree(Files.readString(pagure().resolve(dir).resolve(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path schema(String name) {
    return pagure().resolve("../../docs/protocol").resolve(name).normalize();
  }
}
