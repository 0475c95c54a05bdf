# Sourced by the benchmark scripts that need the DynamoDB stand-in: installs dynalite (the tree
# pinned in inbound-lambda/src/test/dynalite, as e2e-tests does) into benchmarks/target/dynalite
# once, with npm ci (from npm's cache when it has the packages). Sets dynalite_home.
case "${1:-}" in -h | --help) # usage: this script's opening comment; starts nothing
  sed -n '1,/^[^#]/p' "${BASH_SOURCE[0]}" | grep '^# ' | sed 's/^# //'; exit 0 ;; esac
dynalite_home="$PWD/benchmarks/target/dynalite"
if [ ! -f "$dynalite_home/node_modules/dynalite/cli.js" ]; then
  mkdir -p "$dynalite_home"
  cp inbound-lambda/src/test/dynalite/package.json inbound-lambda/src/test/dynalite/package-lock.json "$dynalite_home/"
  (cd "$dynalite_home" && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts >/dev/null)
fi
