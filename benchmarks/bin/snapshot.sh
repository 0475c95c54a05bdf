# Sourced by the benchmark scripts: copies what a run uses (function jars, benchmark classes, the
# reactor jars on the orchestrator's classpath) into $snap, so a rebuild during a long run cannot
# change what is measured. Sets snap and cp.
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
snap=$(mktemp -d "${TMPDIR:-/tmp}/pagureci-bench-snap.XXXXXX"); trap 'rm -rf "$snap"' EXIT
mkdir -p "$snap/lib"
cp inbound-lambda/target/function.jar "$snap/inbound-function.jar"
cp outbound-lambda/target/function.jar "$snap/outbound-function.jar"
cp -r benchmarks/target/classes "$snap/classes"
cp=""
IFS=: read -r -a entries < benchmarks/target/classpath.txt || true
for e in "${entries[@]}"; do
  case "$e" in
    "$PWD"/*) cp "$e" "$snap/lib/"; e="$snap/lib/$(basename "$e")" ;;
  esac
  cp="$cp:$e"
done
cp="$snap/classes$cp"
mkdir -p benchmarks/target/results
