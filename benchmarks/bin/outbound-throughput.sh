#!/usr/bin/env bash
# Benchmark 4 (docs/performance.md): 1,000 events of 50 builds through one warm outbound handler.
#   benchmarks/bin/outbound-throughput.sh [builds=50] [perBuild=20]
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
. benchmarks/bin/snapshot.sh
java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dbuilds="${1:-50}" -DperBuild="${2:-20}" -DrepoRoot="$PWD" \
  -Dorg.slf4j.simpleLogger.logFile=/dev/null -Dout=benchmarks/target/results/outbound-throughput.json \
  -cp "$cp" io.pagureci.bench.OutboundThroughputBench 2>&1 | grep --line-buffered -v '^WARNING' \
  | tee benchmarks/target/results/outbound-throughput.log
