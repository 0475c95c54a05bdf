#!/usr/bin/env bash
# "Accept, queue, work: faults and latency" (docs/performance.md): the accept function and the worker
# in-process on the local stand-ins, 30 % transient faults on git / S3 / CodeBuild / Secrets Manager
# and one git outage; the retry path's durations divided by timeScale (30).
#   benchmarks/bin/faults.sh [deliveries=1000] [faultRate=0.3] [timeScale=30]
# FAULT_PROPS: extra -D properties (workers, acceptInstances, paceMs, outageAtSec, quiet, seed).
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
. benchmarks/bin/snapshot.sh
. benchmarks/bin/dynalite.sh
java -XX:+UseParallelGC -Xmx2g ${FAULT_PROPS:-} -Ddeliveries="${1:-1000}" -DfaultRate="${2:-0.3}" -DtimeScale="${3:-30}" \
  -Ddynalite.home="$dynalite_home" -DrepoRoot="$PWD" -Ddir="${BENCH_DIR:-/tmp/pagureci-bench}/faults" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dout=benchmarks/target/results/faults.json \
  -cp "$cp" io.pagureci.bench.FaultBench > benchmarks/target/results/faults-full.log 2>&1 &
pid=$!
# the functions' own log lines stay in faults-full.log; the benchmark's lines start with [hh:mm:ss]
tail -F --pid=$pid benchmarks/target/results/faults-full.log 2>/dev/null | grep --line-buffered '^\[[0-9:]*\]' \
  | tee benchmarks/target/results/faults.log
wait $pid
