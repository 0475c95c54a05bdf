#!/usr/bin/env bash
# Builds both function jars and the benchmark classes (no tests): ./benchmarks/bin/build.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -ntp -q -Pbenchmarks -pl benchmarks -am -DskipTests package
