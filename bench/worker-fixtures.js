/**
 * What the Worker benchmarks share (`worker-load.js`, `worker-pieces.js`): the Workers compared, the
 * origin they forward to, the benchmark's session, and the process plumbing (finding, timing and
 * pinning the workerd processes Miniflare starts).
 *
 * Why one module: the two benchmarks answer two questions about the same Workers — how their
 * throughput compares under HTTP load, and which part of the forwarding costs what — so the Workers,
 * the session and the origin must be the very same in both.
 * @module
 */

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RULES = [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }];
export const COMPATIBILITY_DATE = '2026-04-01';
/** Never resolved: the Workers' fetches go to the origin Worker (outboundService). */
export const ORIGIN_URL = 'http://origin.bench.invalid';

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
export const DEV_BROWSER = '__clerk_db_jwt=dvb_bench';
export const COOKIE = `${DEV_BROWSER}; __session=${token}; __client_uat=${now - 5}`;
/** What a browser's navigation adds, at the least (what Clerk's rules read to tell a page request). */
const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };
/**
 * Everything a real browser's navigation sends (Chromium 131 on Linux, following a link on the same
 * site `origin`): fifteen headers besides the cookie. Forwarding costs per header, so this is the
 * heavier, realistic case. (The referer must be the Worker's own origin: a development instance's
 * rules send a page request with a cross-origin referer through the handshake.)
 * @param {string} origin e.g. http://127.0.0.1:8787
 */
const browserPage = (origin) => ({
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  'accept-encoding': 'gzip, deflate, br, zstd', 'accept-language': 'en-GB,en;q=0.9,de;q=0.8', 'cache-control': 'max-age=0',
  priority: 'u=0, i', referer: `${origin}/`, 'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Linux"', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin', 'sec-fetch-user': '?1', 'upgrade-insecure-requests': '1',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
});

/**
 * The page-request headers a benchmark sends: every header of a real browser's navigation
 * (`--browser`), or only the few Clerk's rules read; and how its report names them.
 * @param {boolean} browser
 * @returns {{headers: (origin: string) => Record<string, string>, label: string}}
 */
export function pageHeaders(browser) {
  return browser ? { headers: browserPage, label: "a real browser's headers" } : { headers: () => PAGE, label: 'the few headers Clerk reads' };
}

/**
 * The origin every Worker forwards to: the same fixed page (about the size of the demo dashboard)
 * for every request; it echoes the auth status it was told (`x-origin-saw`) so a probe can check
 * the sign-in.
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
 * The steps of forwarding under portcullis's contract, in the order `forwardingScript` adds them
 * (each needs the ones before it): the client's headers read once into an object without `host`
 * and the reserved names; the identity header; the origin's response re-wrapped (its headers are
 * immutable); `Cache-Control: private, no-store` and `Vary` set on it; `x-forwarded-host` and
 * `x-forwarded-proto` added to the request.
 */
export const FORWARDING_STEPS = ['strip', 'identity', 'rewrap', 'cache headers', 'forwarded headers'];

/**
 * A Worker that forwards to the origin doing the given steps of the contract and nothing else (no
 * authentication; the identity header is `env.IDENTITY`, a constant). No steps: the pass-through
 * Worker, what any minimal proxying Worker does — one `fetch`, the response returned as it came.
 * All steps: the contract's floor.
 * @param {string[]} steps a prefix of FORWARDING_STEPS
 */
export function forwardingScript(steps) {
  if (steps.length === 0) {
    return `
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method, headers: request.headers, body: request.body, redirect: 'manual',
    });
  },
};`;
  }
  const has = (/** @type {string} */ step) => steps.includes(step);
  return `
const RESERVED = /^x-(?:clerk|portcullis|middleware)-/i;
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    ${has('strip') ? `const headers = Object.create(null);
    for (const [name, value] of request.headers) if (name !== 'host' && !RESERVED.test(name)) headers[name] = value;` : 'const headers = request.headers;'}
    ${has('forwarded headers') ? `headers['x-forwarded-host'] = url.host;
    headers['x-forwarded-proto'] = url.protocol.slice(0, -1);` : ''}
    ${has('identity') ? "headers['x-portcullis-identity'] = env.IDENTITY;" : ''}
    const response = await fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method, headers, body: request.body, redirect: 'manual',
    });
    ${has('rewrap') ? 'const out = new Response(response.body, response);' : 'const out = response;'}
    ${has('cache headers') ? `out.headers.set('cache-control', 'private, no-store');
    out.headers.set('vary', 'Cookie, Authorization');` : ''}
    return out;
  },
};`;
}

/** What portcullis sends the origin for the benchmark's session, in form and length (t and v1 made up). */
const IDENTITY = 'status=signed-in;user=user_alice;session=sess_bench;org=org_acme;role=org%3Aadmin;' +
  `permissions=org%3Aread,org%3Amanage;t=${now};v1=${'0'.repeat(64)}`;

/**
 * A Worker doing the given forwarding steps, as [the Worker's code (Miniflare options), its vars].
 * @param {string[]} steps
 * @returns {[Record<string, unknown>, Record<string, string>]}
 */
export function forwardingWorker(steps) {
  return [{ script: forwardingScript(steps) }, { ORIGIN_URL, IDENTITY }];
}

/**
 * portcullis's Worker with the benchmark's configuration: the session's key, `/dashboard` protected.
 * @returns {[Record<string, unknown>, Record<string, string>]}
 */
export function portcullisWorker() {
  return [{
    scriptPath: fileURLToPath(new URL('../js/worker/index.js', import.meta.url)), modulesRoot: ROOT, modulesRules: RULES,
  }, {
    CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk',
    CLERK_SECRET_KEY: 'sk_test_bench_0123456789abcdef0123456789abcdef',
    CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ORIGIN_URL,
    CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in',
    PORTCULLIS_ROUTES: JSON.stringify({
      public: ['/', '/favicon.ico'],
      protected: [{ pattern: '/admin(.*)', role: 'org:admin' }, '/dashboard(.*)'],
      api: ['/api(.*)'],
    }),
  }];
}

/**
 * Miniflare's worker entries for a Worker under test (named `front`) and the origin Worker it
 * forwards to, with the same settings for every Worker.
 * @param {Record<string, unknown>} code
 * @param {Record<string, string>} bindings
 */
export function frontAndOrigin(code, bindings) {
  return [
    { name: 'front', ...code, modules: true, compatibilityDate: COMPATIBILITY_DATE, bindings, outboundService: 'origin' },
    { name: 'origin', modules: true, script: ORIGIN_SCRIPT, compatibilityDate: COMPATIBILITY_DATE },
  ];
}

/** The workerd processes this process started (Miniflare runs workerd as a child). */
export function workerdChildren() {
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

/**
 * CPU time of a process, all threads, in ms (the scheduler's nanosecond account; the coarser
 * user + system ticks where that is unavailable); null without /proc.
 * @param {number | null} pid
 */
export function cpuMs(pid) {
  if (pid === null) return null;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
    } catch {
      return null;
    }
  }
}

/** The CPU the workerd processes run on: the last one (the others are left to the load). */
export const SERVER_CPU = availableParallelism() - 1;

/**
 * Pins a process, all its threads, to the given CPUs (`taskset`); false where that is unavailable.
 * @param {number} pid
 * @param {string} cpus a CPU list, e.g. "1" or "0-2"
 */
function pin(pid, cpus) {
  try {
    execFileSync('taskset', ['-a', '-pc', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (the load generator) to every CPU but SERVER_CPU; false with one CPU or no `taskset`. */
export function pinLoadGenerator() {
  return SERVER_CPU >= 1 && pin(process.pid, SERVER_CPU === 1 ? '0' : `0-${SERVER_CPU - 1}`);
}

/**
 * Pins a workerd process to SERVER_CPU; false without `taskset`.
 * @param {number} pid
 */
export function pinServer(pid) {
  return pin(pid, String(SERVER_CPU));
}

/** @param {number[]} xs */
export function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}
