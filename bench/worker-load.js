/**
 * `npm run bench:worker`: HTTP load against the Worker in workerd, compared with a pass-through
 * Worker that has no authentication at all.
 *
 * Why this shape: the figure that matters is what portcullis costs on top of a Worker that only
 * forwards, so everything else is made equal. Each Worker runs in its own Miniflare instance (one
 * workerd process each, same compatibility date and options) next to the same origin Worker, which
 * both reach with a real `fetch` (Miniflare's `outboundService`: a subrequest, no network) and which
 * answers every request with the same fixed page — so the origin's work does not depend on what
 * the Worker sent it. Rounds are short and A/B alternate (the machine may be shared); after a
 * warm-up, each Worker and traffic gets ROUNDS runs, and the ratio reported is the median of the
 * per-round ratios with their range. The workerd process's CPU time per request is reported too
 * (same origin Worker in both processes, so the difference is the front Worker's).
 *
 * Traffic (autocannon, CONNECTIONS connections, a development instance's browser):
 *   public     GET /            no credentials                         (both: 200)
 *   signed-in  GET /dashboard   valid __session cookie, seen before    (both: 200)
 *   redirect   GET /dashboard   browser without a session              (ours: 307 to sign-in; pass-through: 200)
 * Fails (exit 1) on any error, timeout or status other than the expected one (the status counts are
 * printed). Every workerd process is stopped at the end. Not a test: `npm test` never runs it.
 *
 *   node bench/worker-load.js [--rounds 7] [--duration 2] [--warmup 2] [--connections 16]
 */

import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Miniflare } from 'miniflare';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' }, connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' }, rounds: { type: 'string', default: '7' },
  },
});
const SLICE = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const GOAL = 0.9;

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RULES = [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }];
const COMPATIBILITY_DATE = '2026-04-01';
const SECRET = 'sk_test_bench_0123456789abcdef0123456789abcdef';
/** Never resolved: the Workers' fetches go to the origin Worker (outboundService). */
const ORIGIN_URL = 'http://origin.bench.invalid';

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
// A development instance (pk_test_): a browser has ClerkJS's dev-browser cookie, else Clerk's rules
// send page requests through the handshake first (dev-browser-missing).
const DEV_BROWSER = '__clerk_db_jwt=dvb_bench';
const COOKIE = `${DEV_BROWSER}; __session=${token}; __client_uat=${now - 5}`;
const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };

/**
 * The origin both Workers forward to: the same fixed page (about the size of the demo dashboard)
 * for every request; it echoes the auth status it was told so the probe can check the sign-in.
 */
const ORIGIN_SCRIPT = `
const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>Dashboard</title></head><body>' +
  '<p>' + 'The same page for every request, whoever asks. '.repeat(80) + '</p></body></html>';
export default {
  fetch(request) {
    return new Response(PAGE, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store',
      'x-origin-saw': /^status=([a-z-]+);/.exec(request.headers.get('x-portcullis-identity') ?? '')?.[1] ?? 'nothing' } });
  },
};`;

/**
 * The baseline: what any minimal proxying Worker does — one `fetch` to the origin, the response
 * returned as it came — so the difference measured is what portcullis adds.
 */
const PASS_THROUGH_SCRIPT = `
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method, headers: request.headers, body: request.body, redirect: 'manual',
    });
  },
};`;

/** [name, the Worker's code (Miniflare options), its vars and secrets] */
const WORKERS = [
  ['pass-through', { script: PASS_THROUGH_SCRIPT }, { ORIGIN_URL }],
  ['portcullis', {
    scriptPath: fileURLToPath(new URL('../js/worker/index.js', import.meta.url)), modulesRoot: ROOT, modulesRules: RULES,
  }, {
    CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk',
    CLERK_SECRET_KEY: SECRET,
    CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ORIGIN_URL,
    CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in',
    PORTCULLIS_ROUTES: JSON.stringify({
      public: ['/', '/favicon.ico'],
      protected: [{ pattern: '/admin(.*)', role: 'org:admin' }, '/dashboard(.*)'],
      api: ['/api(.*)'],
    }),
  }],
];

/**
 * Miniflare options: the Worker (the entry) and the origin Worker, same settings for every Worker.
 * @param {Record<string, unknown>} code
 * @param {Record<string, string>} bindings
 */
function options(code, bindings) {
  return {
    cf: false,
    workers: [
      { name: 'front', ...code, modules: true, compatibilityDate: COMPATIBILITY_DATE, bindings, outboundService: 'origin' },
      { name: 'origin', modules: true, script: ORIGIN_SCRIPT, compatibilityDate: COMPATIBILITY_DATE },
    ],
  };
}

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

/** [name, path, headers, expected status per worker] */
const TRAFFIC = [
  ['public', '/', {}, { 'pass-through': 200, portcullis: 200 }],
  ['signed-in', '/dashboard', { ...PAGE, cookie: COOKIE }, { 'pass-through': 200, portcullis: 200 }],
  ['redirect', '/dashboard', { ...PAGE, cookie: DEV_BROWSER }, { 'pass-through': 200, portcullis: 307 }],
];

/**
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} duration
 */
function load(url, headers, duration) {
  return autocannon({ url, headers, connections: CONNECTIONS, duration, pipelining: 1, timeout: 10 });
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};
const range = (xs, digits = 2) => `[${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;

/**
 * @typedef {{rps: number, p50: number, p99: number, total: number, cpuUsPerRequest: number | null}} Run
 * @typedef {Record<string, Record<string, Run[]>>} Runs runs per traffic and worker
 */
/** @type {Record<string, Record<string, Record<string, number>>>} status → count, per traffic and worker */
const statuses = {};
let failures = 0;
/** @type {Record<string, Miniflare>} */
const workers = {};
/** @type {Record<string, number | null>} */
const pids = {};
/** @type {Record<string, string>} */
const urls = {};

/**
 * Warm-up, then ROUNDS alternating runs per Worker for each traffic; checks every status.
 * @returns {Promise<Runs>}
 */
async function measure() {
  /** @type {Runs} */
  const runs = {};
  for (const [traffic, path, headers, expected] of TRAFFIC) {
    runs[traffic] = {};
    statuses[traffic] ??= {};
    for (const name of Object.keys(workers)) {
      runs[traffic][name] = [];
      statuses[traffic][name] ??= {};
      await load(urls[name] + path, headers, WARMUP);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? Object.keys(workers) : Object.keys(workers).reverse();
      for (const name of order) {
        const cpuBefore = cpuMs(pids[name]);
        const r = await load(urls[name] + path, headers, SLICE);
        const cpuAfter = cpuMs(pids[name]);
        const want = String(expected[name]);
        const byStatus = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, st]) => [code, st.count]));
        for (const [code, count] of Object.entries(byStatus)) statuses[traffic][name][code] = (statuses[traffic][name][code] ?? 0) + count;
        const unexpected = Object.entries(byStatus).filter(([code]) => code !== want);
        if (r.errors > 0 || r.timeouts > 0 || unexpected.length > 0 || r.requests.total === 0) {
          failures++;
          console.error(`  ${traffic} ${name}: errors=${r.errors} timeouts=${r.timeouts} statuses=${JSON.stringify(byStatus)} (expected only ${want})`);
        }
        runs[traffic][name].push({
          rps: r.requests.total / SLICE, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total,
          cpuUsPerRequest: cpuBefore === null || cpuAfter === null || r.requests.total === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total,
        });
      }
    }
  }
  return runs;
}

/** @type {Runs} */
let throughput = {};
try {
  for (const [name, script, bindings] of WORKERS) {
    const known = new Set(workerdChildren());
    workers[name] = new Miniflare(/** @type {any} */ (options(script, bindings)));
    urls[name] = String(await workers[name].ready).replace(/\/$/, '');
    pids[name] = workerdChildren().find((pid) => !known.has(pid)) ?? null;
  }

  // Sanity: portcullis really authenticates the benchmark's signed-in request, and both Workers
  // really reach the origin.
  for (const name of Object.keys(workers)) {
    const probe = await fetch(`${urls[name]}/dashboard`, { headers: { ...PAGE, cookie: COOKIE }, redirect: 'manual' });
    await probe.arrayBuffer();
    const want = name === 'portcullis' ? 'signed-in' : 'nothing';
    if (probe.status !== 200 || probe.headers.get('x-origin-saw') !== want) {
      throw new Error(`${name}: the signed-in probe got HTTP ${probe.status}, origin saw ${probe.headers.get('x-origin-saw')} (expected ${want})`);
    }
  }

  console.log(`worker load: ${ROUNDS} rounds × ${SLICE} s per Worker and traffic (A/B alternating) after ${WARMUP} s of warm-up, ` +
    `${CONNECTIONS} connections; Miniflare ${COMPATIBILITY_DATE} on 127.0.0.1, one workerd process per Worker, the same origin Worker`);
  throughput = await measure();
} finally {
  await Promise.all(Object.values(workers).map((mf) => mf.dispose()));
}

const pad = (s, n) => String(s).padEnd(n);
/** @param {Run[]} list */
const cpuOf = (list) => list.map((r) => r.cpuUsPerRequest).filter((x) => x !== null);
console.log(`\n${pad('traffic', 11)}${pad('worker', 14)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}` +
  `${pad('CPU µs/req', 12)}statuses (all rounds)`);
for (const [traffic, byWorker] of Object.entries(throughput)) {
  for (const [name, list] of Object.entries(byWorker)) {
    const cpu = cpuOf(list);
    const codes = Object.entries(statuses[traffic][name]).map(([code, count]) => `${code} × ${count}`).join(', ');
    console.log(`${pad(traffic, 11)}${pad(name, 14)}${pad(median(list.map((r) => r.rps)).toFixed(0), 8)}` +
      `${pad(median(list.map((r) => r.p50)), 8)}${pad(median(list.map((r) => r.p99)), 8)}` +
      `${pad(cpu.length ? median(cpu).toFixed(0) : 'n/a', 12)}${codes}`);
  }
}
console.log('\nportcullis / pass-through, median of the per-round ratios [min–max]:');
for (const [traffic, byWorker] of Object.entries(throughput)) {
  const ours = byWorker.portcullis;
  const base = byWorker['pass-through'];
  const ratios = ours.map((r, i) => r.rps / base[i].rps);
  const ratio = median(ratios);
  const goal = traffic === 'signed-in' ? ` (goal ≥ ${GOAL}: ${ratio >= GOAL ? 'met' : 'NOT MET'})` : '';
  let extra = '';
  if (ours.every((r, i) => r.cpuUsPerRequest !== null && base[i].cpuUsPerRequest !== null)) {
    const cpu = ours.map((r, i) => /** @type {number} */ (r.cpuUsPerRequest) / /** @type {number} */ (base[i].cpuUsPerRequest));
    const added = ours.map((r, i) => /** @type {number} */ (r.cpuUsPerRequest) - /** @type {number} */ (base[i].cpuUsPerRequest));
    extra = `; CPU per request ${median(cpu).toFixed(2)}× ${range(cpu)}, ${median(added) >= 0 ? '+' : ''}${median(added).toFixed(0)} µs ${range(added, 0)}`;
  }
  console.log(`  ${pad(traffic, 10)} throughput ${ratio.toFixed(2)} ${range(ratios)}${goal}${extra}`);
}
if (failures > 0) {
  console.error(`\n${failures} run(s) had errors, timeouts or unexpected statuses`);
  process.exitCode = 1;
} else {
  console.log('zero errors, zero timeouts, every status as expected (redirect traffic: 307 from portcullis by design)');
}
