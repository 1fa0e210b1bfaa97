/**
 * `npm run bench:worker`: HTTP load against the Worker in workerd, compared with a pass-through
 * Worker that has no authentication at all. Both run in Miniflare (workerd) on loopback and serve
 * the same built-in demo origin in-process, so the difference is what portcullis adds per request:
 * configuration lookup, the decision (cookie parsing, a verified-token cache hit), route matching,
 * header stripping, the identity headers' HMAC, cache headers.
 *
 * Traffic, each for DURATION seconds with CONNECTIONS connections (autocannon, after a warm-up):
 *   public     GET /            no credentials          (both: 200)
 *   signed-in  GET /dashboard   valid __session cookie, seen before (both: 200)
 *   redirect   GET /dashboard   browser without a session (ours: 307 to sign-in; pass-through: 200)
 * Prints requests/s, latency p50/p99, and ours/pass-through for signed-in (goal ≥ 0.9). Fails (exit 1)
 * on any error, timeout or unexpected status. Every process is stopped at the end.
 *
 *   node bench/worker-load.js [--duration 10] [--connections 16]
 */

import { generateKeyPairSync, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import autocannon from 'autocannon';
import { Miniflare } from 'miniflare';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const GOAL = 0.9;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RULES = [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }];
const SECRET = 'sk_test_bench_0123456789abcdef0123456789abcdef';

// A signing key and one long-lived session token (Clerk v2 claims), as the local issuer would mint.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Math.floor(Date.now() / 1000);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const input = `${b64({ alg: 'RS256', cat: 'cl_B7d4PD111AAA', kid: 'ins_bench', typ: 'JWT' })}.${b64({
  azp: 'http://127.0.0.1', exp: now + 3600, iat: now, iss: 'https://clerk.portcullis.localhost', nbf: now - 10, sid: 'sess_bench',
  sts: 'active', sub: 'user_alice', v: 2, fea: 'o:dashboard,o:reports',
  o: { id: 'org_acme', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3,3' },
})}`;
const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
const COOKIE = `__session=${token}; __client_uat=${now - 5}`;
const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };

const OPTIONS = {
  'pass-through': {
    scriptPath: fileURLToPath(new URL('../js/worker/passthrough.js', import.meta.url)),
    modules: true, modulesRoot: ROOT, modulesRules: RULES, compatibilityDate: '2026-04-01', cf: false,
    bindings: { PORTCULLIS_SIGNING_KEY: SECRET },
  },
  portcullis: {
    scriptPath: fileURLToPath(new URL('../js/worker/index.js', import.meta.url)),
    modules: true, modulesRoot: ROOT, modulesRules: RULES, compatibilityDate: '2026-04-01', cf: false,
    bindings: {
      CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk',
      CLERK_SECRET_KEY: SECRET,
      CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ORIGIN_URL: 'builtin:demo',
      CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in',
      PORTCULLIS_ROUTES: JSON.stringify({
        public: ['/', '/favicon.ico'],
        protected: [{ pattern: '/admin(.*)', role: 'org:admin' }, '/dashboard(.*)'],
        api: ['/api(.*)'],
      }),
    },
  },
};

/** The workerd processes this process started (Miniflare runs workerd as a child). */
function workerdChildren() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && stat.includes('(workerd)')) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** CPU time (user + system) of a process, in ms; null where /proc is unavailable. */
function cpuMs(pid) {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** @type {Record<string, Miniflare>} */
const workers = {};
/** @type {Record<string, number | null>} */
const pids = {};

/** [name, path, headers, expected status per worker] */
const TRAFFIC = [
  ['public', '/', {}, { 'pass-through': 200, portcullis: 200 }],
  ['signed-in', '/dashboard', { ...PAGE, cookie: COOKIE }, { 'pass-through': 200, portcullis: 200 }],
  ['redirect', '/dashboard', PAGE, { 'pass-through': 200, portcullis: 307 }],
];

/**
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} duration
 */
function load(url, headers, duration) {
  return autocannon({ url, headers, connections: CONNECTIONS, duration, pipelining: 1, timeout: 10 });
}

/**
 * @typedef {{rps: number, p50: number, p99: number, total: number, cpuUsPerRequest: number | null}} Run
 * @type {Record<string, Record<string, Run[]>>}
 */
const runs = {};
let failures = 0;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
try {
  /** @type {Record<string, string>} */
  const urls = {};
  for (const [name, options] of Object.entries(OPTIONS)) {
    const known = new Set(workerdChildren());
    workers[name] = new Miniflare(/** @type {any} */ (options));
    urls[name] = String(await workers[name].ready).replace(/\/$/, '');
    pids[name] = workerdChildren().find((pid) => !known.has(pid)) ?? null;
  }

  // Sanity: portcullis really authenticates the benchmark's signed-in request.
  const probe = await fetch(`${urls.portcullis}/dashboard`, { headers: { ...PAGE, cookie: COOKIE }, redirect: 'manual' });
  const page = await probe.text();
  if (probe.status !== 200 || !page.includes('data-signature="ok"') || !page.includes('user_alice')) {
    throw new Error(`the signed-in probe was not signed in (HTTP ${probe.status})`);
  }

  // The machine may be shared: each worker gets ROUNDS short runs, alternating A-B / B-A, so both
  // see the same background load; medians are reported, and the ratio is the median of paired rounds.
  const rounds = ROUNDS;
  const slice = Math.max(1, Math.round(DURATION / rounds));
  console.log(`worker load: ${rounds} × ${slice} s per worker and traffic (interleaved), ${CONNECTIONS} connections, ` +
    `${WARMUP} s warm-up, Miniflare/workerd on 127.0.0.1`);
  for (const [traffic, path, headers, expected] of TRAFFIC) {
    runs[traffic] = {};
    for (const name of Object.keys(workers)) {
      runs[traffic][name] = [];
      await load(urls[name] + path, headers, WARMUP);
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? Object.keys(workers) : Object.keys(workers).reverse();
      for (const name of order) {
        const cpuBefore = cpuMs(pids[name]);
        const r = await load(urls[name] + path, headers, slice);
        const cpuAfter = cpuMs(pids[name]);
        const want = String(expected[name]);
        const byStatus = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, st]) => [code, st.count]));
        const unexpected = Object.entries(byStatus).filter(([code]) => code !== want);
        if (r.errors > 0 || r.timeouts > 0 || unexpected.length > 0 || r.requests.total === 0) {
          failures++;
          console.error(`  ${traffic} ${name}: errors=${r.errors} timeouts=${r.timeouts} statuses=${JSON.stringify(byStatus)} (expected only ${want})`);
        }
        runs[traffic][name].push({
          rps: r.requests.total / slice, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total,
          cpuUsPerRequest: cpuBefore === null || cpuAfter === null || r.requests.total === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total,
        });
      }
    }
  }
} finally {
  await Promise.all(Object.values(workers).map((mf) => mf.dispose()));
}

/** @type {Record<string, Record<string, Run>>} */
const results = {};
for (const [traffic, byWorker] of Object.entries(runs)) {
  results[traffic] = {};
  for (const [name, list] of Object.entries(byWorker)) {
    const cpu = list.map((r) => r.cpuUsPerRequest).filter((x) => x !== null);
    results[traffic][name] = {
      rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)),
      total: list.reduce((a, r) => a + r.total, 0), cpuUsPerRequest: cpu.length ? median(cpu) : null,
    };
  }
}
/** Median of the per-round throughput ratios ours / pass-through. */
const pairedRatio = (traffic) => median(runs[traffic].portcullis.map((r, i) => r.rps / runs[traffic]['pass-through'][i].rps));

const pad = (s, n) => String(s).padEnd(n);
console.log(`\n${pad('traffic', 11)}${pad('worker', 14)}${pad('req/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('requests', 10)}workerd CPU µs/request`);
for (const [traffic, byWorker] of Object.entries(results)) {
  for (const [name, r] of Object.entries(byWorker)) {
    console.log(`${pad(traffic, 11)}${pad(name, 14)}${pad(r.rps.toFixed(0), 9)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(r.total, 10)}${r.cpuUsPerRequest === null ? 'n/a' : r.cpuUsPerRequest.toFixed(0)}`);
  }
}
console.log('');
for (const traffic of Object.keys(results)) {
  const r = results[traffic];
  if (!r.portcullis || !r['pass-through']) continue;
  const ratio = pairedRatio(traffic);
  const cpu = r.portcullis.cpuUsPerRequest !== null && r['pass-through'].cpuUsPerRequest !== null
    ? `; CPU per request ${(r.portcullis.cpuUsPerRequest / r['pass-through'].cpuUsPerRequest).toFixed(2)}×` : '';
  const goal = traffic === 'signed-in' ? ` (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'MET' : 'NOT MET'})` : '';
  console.log(`${pad(traffic, 10)} throughput portcullis / pass-through: ${ratio.toFixed(3)}${goal}${cpu}`);
}
if (failures > 0) {
  console.error(`\n${failures} run(s) had errors or unexpected statuses`);
  process.exitCode = 1;
} else {
  console.log('zero errors, zero timeouts, every status as expected');
}
