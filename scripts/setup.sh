#!/usr/bin/env bash
# Installs everything portcullis needs to build and test, on a machine that has only rustup, cargo,
# node and npm. Idempotent: each step checks first and stays quiet when there is nothing to do, so
# `npm start` / `npm test` can run it every time.
#
# Why each step is done this way (see shared/TOOLCHAIN.md):
# * wasm-bindgen-cli must be exactly the version the crate pins (=0.2.130), and is installed WITHOUT
#   --locked: its lockfile pins a webpki-roots release the registry mirror does not have.
# * wasm-pack is installed from crates.io with --locked; its own download of binaries from GitHub
#   fails here, so we give it wasm-bindgen on PATH and build with wasm-opt disabled.
# * `npm install`, not `npm ci`: the registry may lack next's non-Linux SWC packages, and `npm ci`
#   refuses a lockfile without them.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
WASM_TARGET=wasm32-unknown-unknown

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Make cargo-installed binaries visible to this script even when the caller's PATH lacks them.
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

command -v cargo >/dev/null || die "cargo not found; install Rust with rustup (https://rustup.rs) first"
command -v rustup >/dev/null || die "rustup not found; the wasm32 target is added with rustup"
command -v npm >/dev/null || die "npm not found; install Node.js 20 or newer first"

timed() { # timed LABEL CMD...: runs CMD, then reports how long it took
  local label="$1" start=$SECONDS
  shift
  "$@"
  say "$label done in $((SECONDS - start)) s"
}

# 1. The wasm32 target for rustc.
if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
  say "adding Rust target $WASM_TARGET"
  timed "rustup target add" rustup target add "$WASM_TARGET"
fi

# 1b. rustfmt and clippy, for the lint step of `npm test` (scripts/lint.sh).
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding Rust component $component"
    timed "rustup component add $component" rustup component add "$component"
  fi
done

# 2. wasm-bindgen CLI (also provides wasm-bindgen-test-runner for `wasm-pack test --node`).
have_bindgen="$(wasm-bindgen --version 2>/dev/null || true)"
if [ "$have_bindgen" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (found: ${have_bindgen:-none}; takes about 3 minutes)"
  timed "cargo install wasm-bindgen-cli" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. wasm-pack.
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (takes about 2-3 minutes)"
  timed "cargo install wasm-pack" cargo install --locked wasm-pack
fi

# 4. npm dependencies, when missing or when package-lock.json changed since the last install.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  timed "npm install" npm install --no-audit --no-fund
  # npm may rewrite package-lock.json after its hidden lockfile; mark the install as the newer one
  # so the next run does not reinstall.
  touch node_modules/.package-lock.json
fi

# --- Next.js test apps (tests/next/app15, tests/next/app16; used by `npm run test:next`) -----------
# 5. Each app's own dependencies (next 15 / 16, @clerk/nextjs, react, typescript), from its own
#    package-lock.json, when missing or when its package.json / lockfile changed since the last install.
#    `npm install`, not `npm ci`, for the same reason as step 4. portcullis itself is a link
#    (`file:../../..`) to this repository, so the apps always see the current js/ and pkg/.
for app in tests/next/app15 tests/next/app16; do
  [ -f "$app/package.json" ] || continue
  stamp="$app/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ ! -e "$app/node_modules/portcullis" ] ||
    [ "$app/package-lock.json" -nt "$stamp" ] || [ "$app/package.json" -nt "$stamp" ]; then
    say "installing npm dependencies of $app"
    timed "npm install ($app)" npm install --prefix "$app" --no-audit --no-fund
    touch "$stamp"
  fi
done

# --- Cloudflare Worker browser test (tests/worker/browser.test.js; `npm run test:worker`) ----------
# 6. Debian's Chromium, driven by playwright-core (which cannot download browsers here). Installed
#    only when asked — PORTCULLIS_BROWSER_TESTS=1, or in CI (CI set) — because it is ~200 MB and
#    only that one test needs it; elsewhere the test skips with a message saying how to get it.
#    Never fatal: if apt-get is missing or fails, the browser test skips and says why.
if { [ "${PORTCULLIS_BROWSER_TESTS:-}" = 1 ] || [ -n "${CI:-}" ]; } && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing chromium for the Worker browser test (apt-get; about a minute)"
    if ! timed "apt-get install chromium" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'; then
      say "warning: could not install chromium; tests/worker/browser.test.js will be skipped"
    fi
  else
    say "warning: chromium is missing and cannot be installed here (needs apt-get as root); tests/worker/browser.test.js will be skipped"
  fi
fi
