#!/usr/bin/env bash
# Every benchmark of docs/performance.md in sequence (about 25 minutes on 2 cores): logs and JSON under
# benchmarks/target/results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
export SKIP_BUILD=1
C2="-XX:+UseSerialGC -Xmx192m"
benchmarks/bin/packaging.sh 10m,100m,1g "${RUNS:-5}"                       # Lambda's default flags, 2 cores
benchmarks/bin/packaging.sh 10m,100m "${RUNS:-5}" 1                         # one core
JVM_FLAGS="$C2" TOOLS=project benchmarks/bin/packaging.sh 10m,100m,1g 3     # C2 + bounded heap, project only
JVM_FLAGS="-XX:+UseSerialGC -Xmx128m" TOOLS=project benchmarks/bin/packaging.sh 100m,1g 2
benchmarks/bin/coldstart.sh 10
benchmarks/bin/outbound-throughput.sh
