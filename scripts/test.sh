#!/usr/bin/env bash
# Run every test of conn on a fresh machine: installs the test identity provider
# (oidc-provider, from npm) and runs the whole suite against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "scripts/test.sh: Node.js 20 and npm are needed for the test identity provider" >&2
  exit 1
fi
if ! command -v curl >/dev/null; then
  echo "scripts/test.sh: curl is needed (the conn show --curl tests run the printed commands)" >&2
  exit 1
fi
npm ci --prefix tests/idp --no-audit --no-fund --loglevel=error
cargo test --locked --all-targets "$@"
