#!/usr/bin/env bash
# Benchmark conn against references measured in the same run; writes docs/benchmarks.md.
# Run by hand, never in CI. Installs what it needs (Debian/Ubuntu: hyperfine, GNU time, curl,
# openssl, Node.js and npm; Python's requests; Newman under bench/ from bench/package-lock.json),
# builds the release binary, then runs bench/run.py.
#
#   bench/run.sh [--quick] [--baseline PATH-TO-ANOTHER-conn]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v curl >/dev/null || need+=(curl)
command -v openssl >/dev/null || need+=(openssl)
command -v python3 >/dev/null || need+=(python3)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}"
fi
python3 -c 'import requests' 2>/dev/null || python3 -m pip install --quiet requests
[ -x bench/node_modules/.bin/newman ] || npm ci --prefix bench --no-audit --no-fund --silent

cargo build --release --locked
exec python3 bench/run.py "$@"
