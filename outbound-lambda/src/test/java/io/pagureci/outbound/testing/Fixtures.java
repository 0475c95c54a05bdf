package io.pagureci.outbound.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test fixtures: EventBridge events (test resources) and the real pagure captures ({@code pagure.fixtures}). */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The pagure instance the event fixtures name in PAGURE_INSTANCE. */
    public static final String FIXTURE_INSTANCE = "https://pagure.example.org/";
    public static final String SHA = "ee04891f7f4b55bf38feb7c0cbb454c8d9083f2e";
    public static final String BUILD_ARN =
            "arn:aws:codebuild:eu-west-1:123456789012:build/pagure-ci-demo:6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44";

    private Fixtures() {
    }

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
            throw new IllegalStateException("system property pagure.fixtures is not set (run through Maven)");
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
