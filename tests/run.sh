#!/usr/bin/env bash
# Ferry's whole test suite, as CI runs it, on a fresh machine.
#
# Installs what it needs (Chromium and chromedriver from Debian when running as root; the wasm
# target, wasm-bindgen, binaryen and terser through widget/build.sh; PostgreSQL through
# tests/postgres.sh), builds the widget, checks formatting and lints, and runs every test, browser
# tests included: the store conformance suite on SQLite and PostgreSQL, and the end-to-end suite
# once per store. PyJWT is installed with pip for the JWT interop test.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
# shellcheck source=tests/postgres.sh
source tests/postgres.sh

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    step "installing chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "Chromium is needed for the browser tests: sudo apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi

step "building the widget"
bash widget/build.sh

step "checking formatting"
cargo fmt --all -- --check

step "linting"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p ferry-widget --target wasm32-unknown-unknown -- -D warnings

step "installing PyJWT (the JWT interop test signs tokens with it)"
python3 -m pip install --quiet 'pyjwt[crypto]==2.*'

step "PostgreSQL for the tests"
use_test_postgres

# A missing browser, PyJWT or PostgreSQL fails the run instead of skipping tests.
export FERRY_REQUIRE_BROWSER=1 FERRY_REQUIRE_PYJWT=1 FERRY_REQUIRE_POSTGRES=1

step "running the tests (end-to-end on SQLite)"
FERRY_TEST_STORE=sqlite cargo test --workspace

step "running the end-to-end tests on PostgreSQL"
FERRY_TEST_STORE=postgres cargo test -p ferry-tests --test e2e
