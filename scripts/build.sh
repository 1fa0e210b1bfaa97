#!/usr/bin/env bash
# Builds the wasm package the JS shim loads: pkg/portcullis.js + pkg/portcullis_bg.wasm.
#
# `--target web` output works in every host we support via `initSync({ module })` with a precompiled
# WebAssembly.Module. wasm-pack is told not to install anything (`--mode no-install`): it must use
# the wasm-bindgen CLI that scripts/setup.sh put on PATH instead of downloading one from GitHub,
# which fails here. wasm-opt is off (`--no-opt`, and Cargo.toml says so too): wasm-pack would
# otherwise download binaryen, and Debian's binaryen breaks wasm-bindgen 0.2.130 output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

command -v wasm-pack >/dev/null || { echo "build: wasm-pack not found; run: bash scripts/setup.sh" >&2; exit 1; }

exec wasm-pack --quiet build --release --mode no-install --no-opt \
  --target web --out-dir pkg --out-name portcullis "$@"
