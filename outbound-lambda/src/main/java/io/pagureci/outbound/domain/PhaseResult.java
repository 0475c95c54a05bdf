package io.pagureci.outbound.domain;

/**
 * One CodeBuild phase as seen in an event or a {@code BatchGetBuilds} answer.
 *
 * @param phase phase type ({@code BUILD}, ...)
 * @param status phase status ({@code SUCCEEDED}, {@code CLIENT_ERROR}, ...), or {@code null} while
 *     it runs
 */
public record PhaseResult(String phase, String status) {}
