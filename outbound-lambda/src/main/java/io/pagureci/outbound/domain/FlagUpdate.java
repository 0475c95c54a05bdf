package io.pagureci.outbound.domain;

/**
 * Everything a reporter needs to deliver one status: where (the pagure build context), what (the
 * flag), and about which build (for the ci-webhook document and logs). {@code ref} and {@code
 * state} are {@code null} for the flag of a request event, which has no build yet (flag API only;
 * see {@link RequestEventService}).
 */
public record FlagUpdate(PagureBuild build, BuildRef ref, BuildState state, Flag flag) {}
