#!/usr/bin/env bash
# Time `conn validate` on a profiles file with many problems: problem collection and
# rendering must stay linear in their number. Run by hand, never in CI.
#
#   bench/validate_many.sh [N...]      default: 10000 40000
#   CONN=path/to/conn bench/validate_many.sh 10000
#
# Each of the N profiles has one unknown key, so validate reports N problems (and no
# other problem), then exits 2.
set -euo pipefail
cd "$(dirname "$0")/.."
conn=${CONN:-target/release/conn}
if [ -z "${CONN:-}" ]; then cargo build --release --locked --quiet; fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ $# -gt 0 ] || set -- 10000 40000
for n in "$@"; do
  file="$dir/profiles-$n.toml"
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "[profiles.p%d]\ntype = \"rest\"\nbase_url = \"https://x%d.example\"\nbogus_key = 1\n\n", i, i }' >"$file"
  start=$(date +%s.%N)
  set +e
  "$conn" --config "$file" validate --no-secrets >/dev/null 2>"$dir/err"
  code=$?
  set -e
  end=$(date +%s.%N)
  lines=$(grep -c '^error:' "$dir/err" || true)
  printf '%6d profiles: exit %d, %d problems listed, %.2f s\n' "$n" "$code" "$lines" "$(echo "$end - $start" | bc)"
done
