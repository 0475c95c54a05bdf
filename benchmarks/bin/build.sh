#!/usr/bin/env bash
# Builds both function jars and the benchmark classes (no tests): ./benchmarks/bin/build.sh
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -ntp -q -Pbenchmarks -pl benchmarks -am -DskipTests package
