#!/usr/bin/env bash
# Benchmark 3 (docs/performance.md): cold start of both function jars under the runtime interface client.
#   benchmarks/bin/coldstart.sh [runs=10] [cases=inbound-unsigned,inbound-badsig,outbound-flag] [variants=default,appcds,aot]
# case inbound-queued (not in the default list): a signed delivery accepted to its end (GetItem on
# dynalite, SendMessage to ElasticMQ, the QUEUED PutEvents), e.g. coldstart.sh 10 inbound-queued default
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
. benchmarks/bin/snapshot.sh
. benchmarks/bin/dynalite.sh
# COLDSTART_PROPS: extra -D properties, e.g. -DinboundFlags="-Xmx128m" (options after Lambda's flags for the
# inbound cases; none by default: the accept function, which they run, has no JAVA_TOOL_OPTIONS),
# -DlogFormat=TEXT (Lambda's default log format instead of the stack's JSON)
java ${COLDSTART_PROPS:-} -Druns="${1:-10}" -Dcases="${2:-inbound-unsigned,inbound-badsig,outbound-flag}" -Dvariants="${3:-default,appcds,aot}" \
  -Ddir="${BENCH_DIR:-/tmp/pagureci-bench}/coldstart" -Dout=benchmarks/target/results/coldstart.json \
  -DinboundJar="$snap/inbound-function.jar" -DoutboundJar="$snap/outbound-function.jar" -DrepoRoot="$PWD" \
  -Ddynalite.home="$dynalite_home" -cp "$cp" io.pagureci.bench.ColdStartBench \
  2>&1 | grep --line-buffered -v '^WARNING' | tee benchmarks/target/results/coldstart.log
