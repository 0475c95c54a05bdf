package io.pagureci.outbound.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The flag uid: stable per (build target, commit), 32 characters ({@code pci-} + 28 hex digits of a SHA-256).
 * Every build of the same CodeBuild project / pipeline for the same commit updates the same flag; another
 * target, or another commit, gets its own flag.
 */
public final class FlagUid {
    public static final int MAX_LENGTH = 32;
    private static final String PREFIX = "pci-";

    private FlagUid() {
    }

    public static String of(BuildRef ref, String commit) {
        String key = String.join("\n", ref.system().id(), ref.region(), ref.account(), ref.target(), commit);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest).substring(0, MAX_LENGTH - PREFIX.length());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
