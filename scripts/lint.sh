#!/usr/bin/env bash
# The Rust code's style gates, run first by `npm test` (so CI enforces them): formatting as
# `cargo fmt` leaves it, no clippy warnings in the crate or its tests, and API docs whose links all
# resolve. Each failure names the command that shows the problem locally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo fmt --check || { echo 'lint: run `cargo fmt` to format the Rust code' >&2; exit 1; }
cargo clippy --quiet --all-targets -- -D warnings || { echo 'lint: fix the clippy warnings above (`cargo clippy --all-targets`)' >&2; exit 1; }
RUSTDOCFLAGS='-D warnings' cargo doc --quiet --no-deps ||
  { echo 'lint: fix the rustdoc warnings above (`cargo doc --no-deps`); links to private items must be plain code' >&2; exit 1; }
