#!/usr/bin/env bash
# Run every test of conn on a fresh machine: installs what the tests need (Node.js and npm for
# the test identity providers, curl for the `conn show --curl` tests, util-linux's `script` and
# `unshare` for terminal and network-namespace tests, nginx, tinyproxy and the openssl command
# for the tests against real servers and the certificate, key and PKCS#12 fixtures of the
# assertion tests, made at test time) when missing, installs the identity providers
# (oidc-provider and oauth2-mock-server, from npm), and runs the whole suite against the real
# binary.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v curl >/dev/null || missing+=(curl)
command -v script >/dev/null || missing+=(bsdutils)
command -v unshare >/dev/null || missing+=(util-linux)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v tinyproxy >/dev/null || [ -x /usr/bin/tinyproxy ] || missing+=(tinyproxy)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "scripts/test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: the tests need ${missing[*]}; install them and run again" >&2
    exit 1
  fi
fi

npm ci --prefix tests/idp --no-audit --no-fund --loglevel=error
cargo test --locked --all-targets "$@"
