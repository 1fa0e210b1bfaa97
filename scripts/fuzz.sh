#!/usr/bin/env bash
# Fuzzes the Rust core with cargo-fuzz (libFuzzer), one target at a time.
#
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]
#
# Defaults: 20 seconds per target, every target (token_parser, jwks_parser, route_matcher).
# Prints the executions of each run and whether it found a crash; exits 1 on a crash (or a timeout
# or out-of-memory finding), 2 when it cannot set itself up.
#
# What it needs and installs:
# * rustup + cargo (not installed here: the project's own prerequisite) and a C++ compiler
#   (libfuzzer-sys compiles libFuzzer from source);
# * cargo-fuzz (`cargo install cargo-fuzz`, about 90 s the first time);
# * a toolchain that takes cargo-fuzz's `-Z` flags: the installed `nightly` if there is one, else
#   the stable toolchain with RUSTC_BOOTSTRAP=1 (nothing to download).
#
# Environment:
#   FUZZ_TOOLCHAIN=auto|nightly|stable  which toolchain (default auto, as above)
#   FUZZ_SANITIZER=none|address         default none: the crate has no unsafe code, and without
#                                       ASan the targets run about 4x faster; debug assertions
#                                       (and so overflow checks) are always on
#   FUZZ_TIMEOUT=20                     seconds after which one input counts as a hang
#
# Layout: targets in fuzz/fuzz_targets/, seeds (committed) in fuzz/seeds/<target>/, the growing
# corpus in fuzz/corpus/<target>/, findings and logs in fuzz/artifacts/<target>/, builds in
# fuzz/target/ (all three git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_TARGETS=(token_parser jwks_parser route_matcher)
CARGO_FUZZ_VERSION="0.13.2"

die() {
  echo "fuzz.sh: error: $*" >&2
  exit 2
}
say() { echo "fuzz.sh: $*"; }

SECONDS_PER_TARGET="${1:-20}"
if [[ $# -gt 0 ]]; then shift; fi
[[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ && "$SECONDS_PER_TARGET" -gt 0 ]] ||
  die "the first argument is the number of seconds per target (a positive integer), not '$SECONDS_PER_TARGET'"
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then TARGETS=("${ALL_TARGETS[@]}"); fi
for target in "${TARGETS[@]}"; do
  [[ -f "fuzz/fuzz_targets/$target.rs" ]] ||
    die "no fuzz target '$target' (there are: ${ALL_TARGETS[*]})"
done
SANITIZER="${FUZZ_SANITIZER:-none}"
[[ "$SANITIZER" == none || "$SANITIZER" == address ]] || die "FUZZ_SANITIZER must be none or address"
TIMEOUT="${FUZZ_TIMEOUT:-20}"

# --- prerequisites ---------------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo is not on PATH; install Rust with rustup (https://rustup.rs)"
command -v rustup >/dev/null || die "rustup is not on PATH; cargo-fuzz needs rustup's toolchain selection (cargo +toolchain)"
if ! command -v c++ >/dev/null && ! command -v g++ >/dev/null && ! command -v clang++ >/dev/null; then
  die "no C++ compiler (c++, g++ or clang++): libfuzzer-sys builds libFuzzer from source; install one (Debian: apt-get install g++)"
fi

# --- cargo-fuzz --------------------------------------------------------------------------------
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install; about 90 s)…"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" ||
    die "cargo install cargo-fuzz failed (is the crates.io registry reachable?)"
  cargo fuzz --version >/dev/null 2>&1 || die "cargo-fuzz was installed but 'cargo fuzz' does not run; is ~/.cargo/bin on PATH?"
fi

# --- toolchain -------------------------------------------------------------------------------
TOOLCHAIN_CHOICE="${FUZZ_TOOLCHAIN:-auto}"
has_toolchain() { rustup run "$1" rustc --version >/dev/null 2>&1; }
case "$TOOLCHAIN_CHOICE" in
  auto)
    if has_toolchain nightly; then TOOLCHAIN=nightly; else TOOLCHAIN=stable; fi
    ;;
  nightly)
    has_toolchain nightly || die "FUZZ_TOOLCHAIN=nightly but no nightly toolchain is installed (rustup toolchain install nightly --profile minimal)"
    TOOLCHAIN=nightly
    ;;
  stable)
    TOOLCHAIN=stable
    ;;
  *) die "FUZZ_TOOLCHAIN must be auto, nightly or stable" ;;
esac
has_toolchain "$TOOLCHAIN" || die "the $TOOLCHAIN toolchain does not run (rustup run $TOOLCHAIN rustc --version failed)"
if [[ "$TOOLCHAIN" == stable ]]; then
  # cargo-fuzz passes unstable flags (-Z…) to rustc; RUSTC_BOOTSTRAP lets stable accept them.
  export RUSTC_BOOTSTRAP=1
fi
HOST="$(rustup run "$TOOLCHAIN" rustc -vV | sed -n 's/^host: //p')"
[[ -n "$HOST" ]] || die "could not read the host triple from rustc -vV"
say "toolchain: $(rustup run "$TOOLCHAIN" rustc --version)${RUSTC_BOOTSTRAP:+ with RUSTC_BOOTSTRAP=1}; cargo-fuzz: $(cargo fuzz --version); sanitizer: $SANITIZER"

# --- build -----------------------------------------------------------------------------------
# A target dir per toolchain/sanitizer pair, so switching does not rebuild everything each time.
TARGET_DIR="fuzz/target/$TOOLCHAIN-$SANITIZER"
BUILD_FLAGS=(--fuzz-dir fuzz --target-dir "$TARGET_DIR" --debug-assertions --sanitizer "$SANITIZER")
mkdir -p fuzz/artifacts
BUILD_LOG="fuzz/artifacts/build.log"
say "building ${TARGETS[*]} into $TARGET_DIR (the first build takes a few minutes; log: $BUILD_LOG)…"
: >"$BUILD_LOG"
for target in "${TARGETS[@]}"; do
  if ! cargo "+$TOOLCHAIN" fuzz build "${BUILD_FLAGS[@]}" "$target" >>"$BUILD_LOG" 2>&1; then
    grep -E -B 2 -A 12 '^error' "$BUILD_LOG" | head -n 60 >&2 || tail -n 40 "$BUILD_LOG" >&2
    die "cargo fuzz build $target failed with the $TOOLCHAIN toolchain${RUSTC_BOOTSTRAP:+ (RUSTC_BOOTSTRAP=1)}; full output in $BUILD_LOG"
  fi
done
BIN_DIR="$TARGET_DIR/$HOST/release"

# --- run -------------------------------------------------------------------------------------
max_len_for() {
  case "$1" in
    token_parser) echo 17000 ;; # past the 16 KiB token limit
    jwks_parser) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

declare -a SUMMARY=()
FOUND=0
for target in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  seeds="fuzz/seeds/$target"
  log="$artifacts/fuzz-$(date +%Y%m%d-%H%M%S).log"
  mkdir -p "$corpus" "$artifacts"
  args=(
    "-max_total_time=$SECONDS_PER_TARGET"
    "-timeout=$TIMEOUT"
    "-max_len=$(max_len_for "$target")"
    "-print_final_stats=1"
    "-artifact_prefix=$artifacts/"
  )
  [[ -f "fuzz/dicts/$target.dict" ]] && args+=("-dict=fuzz/dicts/$target.dict")
  corpora=("$corpus")
  [[ -d "$seeds" ]] && corpora+=("$seeds")
  before="$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)"
  say "running $target for ${SECONDS_PER_TARGET}s (log: $log)…"
  set +e
  "$BIN_DIR/$target" "${args[@]}" "${corpora[@]}" >"$log" 2>&1
  status=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)"
  if [[ -z "$execs" ]]; then
    # On a crash libFuzzer prints no final stats; take the last progress line.
    execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)"
  fi
  execs="${execs:-?}"
  after="$(find "$artifacts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)"
  new="$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d' || true)"
  if [[ $status -eq 0 && -z "$new" ]]; then
    result="no crash"
  else
    FOUND=1
    result="FOUND (exit $status)"
    echo "---- $target: finding ----"
    grep -E -A 12 "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|timeout after|out-of-memory" "$log" | head -n 40 || true
    if [[ -n "$new" ]]; then
      echo "input(s) written:"
      echo "$new" | sed 's/^/  /'
      echo "reproduce: $BIN_DIR/$target <input>   minimise: ${RUSTC_BOOTSTRAP:+RUSTC_BOOTSTRAP=1 }cargo +$TOOLCHAIN fuzz tmin ${BUILD_FLAGS[*]} $target <input>"
    else
      echo "(no input file written; see $log)"
    fi
    echo "--------------------------"
  fi
  SUMMARY+=("$(printf '%-14s %8s %12s  %s' "$target" "$SECONDS_PER_TARGET" "$execs" "$result")")
done

echo
printf '%-14s %8s %12s  %s\n' target seconds executions result
for line in "${SUMMARY[@]}"; do echo "$line"; done
if [[ $FOUND -ne 0 ]]; then
  echo "fuzz.sh: at least one target found a crash (inputs and logs under fuzz/artifacts/)" >&2
  exit 1
fi
