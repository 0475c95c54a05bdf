package io.pagureci.outbound.domain;

/**
 * Everything a reporter needs to deliver one status: where (the pagure build context), what (the flag), and
 * about which build (for the ci-webhook document and logs).
 */
public record FlagUpdate(PagureBuild build, BuildRef ref, BuildState state, Flag flag) {
}
