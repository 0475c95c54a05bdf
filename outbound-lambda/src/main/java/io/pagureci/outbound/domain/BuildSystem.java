package io.pagureci.outbound.domain;

/** The AWS service that ran a build. */
public enum BuildSystem {
    CODEBUILD("codebuild", "CodeBuild", "AWS CodeBuild"),
    CODEPIPELINE("codepipeline", "CodePipeline", "AWS CodePipeline");

    private final String id;
    private final String label;
    private final String defaultUsername;

    BuildSystem(String id, String label, String defaultUsername) {
        this.id = id;
        this.label = label;
        this.defaultUsername = defaultUsername;
    }

    /** Lower-case identifier used in documents and uids. */
    public String id() {
        return id;
    }

    /** Short name used in flag comments. */
    public String label() {
        return label;
    }

    /** Flag {@code username} when {@code FLAG_USERNAME} is not set. */
    public String defaultUsername() {
        return defaultUsername;
    }
}
