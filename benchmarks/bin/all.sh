#!/usr/bin/env bash
# Every benchmark of docs/performance.md in sequence (about 20 minutes on 2 cores): logs and JSON under
# benchmarks/target/results/.
#   benchmarks/bin/all.sh   (RUNS=5: runs per packaging size; SKIP_BUILD=1: use the jars already built)
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
export SKIP_BUILD=1
LAMBDA="-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MaxRAM=2048m"
benchmarks/bin/packaging.sh 10m,100m,1g "${RUNS:-5}"                       # as deployed (Lambda flags + inboundJvmOptions), 2 cores
benchmarks/bin/packaging.sh 10m,100m "${RUNS:-5}" 1                         # one core
JVM_FLAGS="$LAMBDA" TOOLS=project benchmarks/bin/packaging.sh 10m,100m,1g 3 # inboundJvmOptions=none (C1 only, heap 1/4 of 2 GB)
JVM_FLAGS="$LAMBDA -XX:TieredStopAtLevel=4 -Xmx128m -Dpagureci.bench.prime=true" TOOLS=project \
  benchmarks/bin/packaging.sh 10m,100m 3                                    # after SnapStart-style priming (packMs)
benchmarks/bin/coldstart.sh 10
benchmarks/bin/outbound-throughput.sh
