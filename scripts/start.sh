#!/usr/bin/env bash
# The main job (`npm start`, after scripts/setup.sh and scripts/build.sh): runs portcullis as a
# Cloudflare Worker locally with `wrangler dev` on http://127.0.0.1:8787, configured by wrangler.toml
# [vars] for development: the local issuer (sign-in page, JWKS, token refresh) and the built-in demo
# origin. No Clerk account and no network are needed.
#
# Why this way (shared/TOOLCHAIN.md): wrangler 4.86.0 is the last that runs on Node 20; it runs
# offline with metrics and the cf-object fetch turned off; killing only its Node process leaves
# workerd running, so it gets its own process group and Ctrl-C stops the whole group.
#
#   PORT=8788 npm start      another port (the authorized parties follow it)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${PORT:-8787}"
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
say() { printf 'start: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ -f node_modules/wrangler/bin/wrangler.js ] || die "wrangler is not installed; run: bash scripts/setup.sh"
[ -f pkg/portcullis_bg.wasm ] || die "the wasm build is missing; run: bash scripts/build.sh"
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
  die "$HOST:$PORT is already in use (another wrangler dev?); stop it or run with PORT=<other port>"
fi

# The dev secret: CLERK_SECRET_KEY signs the identity headers (and the local issuer's own cookie).
# A random development key, kept in .dev.vars (git-ignored) so sessions survive restarts.
if ! grep -qs '^CLERK_SECRET_KEY=' .dev.vars; then
  key="sk_test_local_$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')"
  printf '# written by scripts/start.sh: a random development secret for the local issuer\nCLERK_SECRET_KEY=%s\n' "$key" >> .dev.vars
  say "wrote a random development CLERK_SECRET_KEY to .dev.vars"
fi

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

# `set -m`: the background job gets its own process group (pgid = its pid), so one signal to the
# group stops wrangler, esbuild and workerd together.
set -m
node node_modules/wrangler/bin/wrangler.js dev --ip "$HOST" --port "$PORT" \
  --show-interactive-dev-session=false \
  --var "CLERK_AUTHORIZED_PARTIES:$BASE,http://localhost:$PORT" </dev/null &
WRANGLER_PID=$!
set +m

stop() {
  trap - INT TERM EXIT
  if kill -0 "$WRANGLER_PID" 2>/dev/null; then
    say "stopping wrangler dev (process group $WRANGLER_PID)"
    kill -TERM -- "-$WRANGLER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$WRANGLER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$WRANGLER_PID" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

for _ in $(seq 300); do
  if ! kill -0 "$WRANGLER_PID" 2>/dev/null; then
    wait "$WRANGLER_PID" || true
    die "wrangler dev exited before it was ready (see its output above)"
  fi
  if curl -fsS -o /dev/null "$BASE/__portcullis/issuer/.well-known/jwks.json" 2>/dev/null; then break; fi
  sleep 0.2
done

cat <<MSG

  portcullis is running as a Cloudflare Worker (wrangler dev, local issuer, demo origin).

  Open  $BASE/dashboard
    1. you are redirected to the local sign-in page: choose alice (admin of Acme);
    2. back on /dashboard the demo origin shows what it received: user, organization, role,
       permissions, and whether the identity headers' signature verified;
    3. session tokens last 60 s: leave the page open to watch the page script refresh it, or reload
       after a minute to go through the handshake redirect instead;
    4. sign out (top bar), sign in as bob (member of Acme) and open $BASE/admin: refused (403).
  Also: $BASE/api/whoami (JSON), $BASE/__portcullis/issuer/ (the issuer's endpoints).

  Ctrl-C stops everything.

MSG

set +e
wait "$WRANGLER_PID"
status=$?
exit "$status"
