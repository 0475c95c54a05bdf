#!/usr/bin/env bash
# Benchmarks 1+2 (docs/performance.md): the project's packager vs the git CLI, fresh process per run.
#   benchmarks/bin/packaging.sh [sizes=10m,100m,1g] [runs=5] [cpus=all|taskset list, e.g. 1]
# Repositories are generated once under ${BENCH_DIR:-/tmp/pagureci-bench}/repos (about 1.2 GB for all three).
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || benchmarks/bin/build.sh
sizes=${1:-10m,100m,1g}; runs=${2:-5}; cpus=${3:-all}; [ "$cpus" = all ] && cpus=""
. benchmarks/bin/snapshot.sh
tag=$(echo "$sizes" | tr , -)-cpu${cpus:-all}${JVM_FLAGS:+-flags}
# The packaging JVM's flags: Lambda's java21 defaults for a 2,048 MB function, then the stack's
# inbound JAVA_TOOL_OPTIONS (infra Settings.DEFAULT_INBOUND_JVM_OPTIONS; later flags win), i.e. as
# deployed. JVM_FLAGS="$LAMBDA_FLAGS" measures inboundJvmOptions=none. TOOLS=project: skip git.
LAMBDA_FLAGS="-XX:+TieredCompilation -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:MaxRAM=2048m"
INBOUND_JVM_OPTIONS="-XX:+TieredCompilation -XX:TieredStopAtLevel=4 -XX:+UseSerialGC -Xmx128m"
java -Dsizes="$sizes" -DjvmFlags="${JVM_FLAGS:-$LAMBDA_FLAGS $INBOUND_JVM_OPTIONS}" -Dtools="${TOOLS:-project,git}" -Druns="$runs" -Dcpus="$cpus" -Ddir="${BENCH_DIR:-/tmp/pagureci-bench}" \
  -Djar="$snap/inbound-function.jar" -Dclasses="$snap/classes" -Dout="benchmarks/target/results/packaging-$tag.json" \
  -cp "$cp" io.pagureci.bench.PackagingBench \
  2>&1 | tee "benchmarks/target/results/packaging-$tag.log"
