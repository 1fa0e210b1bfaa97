/**
 * Shared pieces of the Worker tests: Miniflare running the real Worker (workerd), real HTTP servers
 * on 127.0.0.1 standing in for the origin and for Clerk's Backend API (JWKS), and RS256 session
 * tokens in Clerk's v2 claim format signed with a test key.
 */

import { createHash, createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WORKER = fileURLToPath(new URL('../../js/worker/index.js', import.meta.url));
export const COMPATIBILITY_DATE = '2026-04-01';

/** A development publishable key (frontend API clerk.portcullis.localhost). */
export const PK_TEST = 'pk_test_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk';
/** pk_live for clerk.portcullis.localhost */
export const PK_LIVE = 'pk_live_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk';
export const SK_TEST = 'sk_test_worker_tests_0123456789abcdefghijklmnop';

export const ROUTES = JSON.stringify({
  public: ['/', '/public(.*)'],
  protected: [
    { pattern: '/admin(.*)', role: 'org:admin' },
    { pattern: '/api/admin(.*)', role: 'org:admin' },
    { pattern: '/reports(.*)', permission: 'org:reports:read' },
    '/dashboard(.*)',
  ],
  api: ['/api(.*)'],
  deny: 401,
  forbidden: 403,
});

/**
 * A test signing key: PEM (CLERK_JWT_KEY), JWK (for a JWKS) and a token minter.
 * @param {{kid?: string, bits?: number}} [options]
 */
export function testKey({ kid = `ins_test_${randomBytes(4).toString('hex')}`, bits = 2048 } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /**
   * @param {Record<string, unknown>} [overrides] claims to set (undefined deletes)
   * @param {{kid?: string, lifetime?: number, now?: number}} [options]
   */
  const mint = (overrides = {}, options = {}) => {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const claims = {
      azp: 'http://localhost', exp: now + (options.lifetime ?? 600), iat: now, iss: 'https://clerk.portcullis.localhost',
      nbf: now - 10, sid: 'sess_test', sts: 'active', sub: 'user_alice', v: 2,
      fea: 'o:dashboard,o:reports', o: { id: 'org_acme', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3,3' },
      ...overrides,
    };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    const input = `${b64({ alg: 'RS256', cat: 'cl_B7d4PD111AAA', kid: options.kid ?? kid, typ: 'JWT' })}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };
  return { pem, jwk, kid, mint };
}

/** Bob: a member of Acme (no org:admin, only org:dashboard:read). */
export const BOB = { sub: 'user_bob', sid: 'sess_bob', o: { id: 'org_acme', slg: 'acme', rol: 'member', per: 'read,manage', fpm: '1,0' } };
/** Carol: no organization. */
export const CAROL = { sub: 'user_carol', sid: 'sess_carol', o: undefined, fea: undefined };

/**
 * Starts an HTTP server on 127.0.0.1 (a free port).
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: Buffer) => void} handler
 */
export async function listen(handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve(undefined));
    }),
  };
}

/**
 * An origin that records every request and answers with JSON describing it.
 * @param {{cacheControl?: string}} [options]
 */
export async function recordingOrigin({ cacheControl = 'public, max-age=60' } = {}) {
  /** @type {{method: string, url: string, headers: Record<string, string | string[] | undefined>, body: string, raw: Buffer}[]} */
  const requests = [];
  const srv = await listen((req, res, body) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString(), raw: body });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl, vary: 'Accept-Encoding' });
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
  return { ...srv, requests };
}

/**
 * A recording origin shared by a whole test file: started before its first test, closed after its
 * last (the returned object is filled in by then).
 * @returns {Awaited<ReturnType<typeof recordingOrigin>>}
 */
export function originForFile() {
  const origin = /** @type {Awaited<ReturnType<typeof recordingOrigin>>} */ ({});
  before(async () => {
    Object.assign(origin, await recordingOrigin());
  });
  after(async () => {
    await origin.close();
  });
  return origin;
}

/**
 * A stand-in for Clerk's Backend API `GET /v1/jwks`, counting fetches; `mode` switches it to an outage.
 * @param {object[]} keys JWKs
 */
export async function jwksServer(keys) {
  const state = { fetches: 0, mode: /** @type {'ok' | 'fail'} */ ('ok'), keys, authorizations: /** @type {string[]} */ ([]) };
  const srv = await listen((req, res) => {
    if (req.url !== '/v1/jwks') {
      res.writeHead(404).end();
      return;
    }
    state.fetches++;
    state.authorizations.push(String(req.headers.authorization ?? ''));
    if (state.mode === 'fail') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  return { ...srv, state };
}

/**
 * Miniflare options running the Worker entry with `bindings` as its vars and secrets.
 * @param {Record<string, string>} bindings
 * @returns {import('miniflare').MiniflareOptions}
 */
export function workerOptions(bindings) {
  return {
    scriptPath: WORKER,
    modules: true,
    modulesRoot: ROOT,
    modulesRules: [
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
      { type: 'ESModule', include: ['**/*.js'] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    cf: false,
    // The Worker logs every configuration error and origin failure the tests provoke on purpose;
    // keep the test output readable (PORTCULLIS_TEST_VERBOSE=1 shows them).
    ...(process.env.PORTCULLIS_TEST_VERBOSE ? {} : {
      handleRuntimeStdio(/** @type {import('node:stream').Readable} */ stdout, /** @type {import('node:stream').Readable} */ stderr) {
        stdout.resume();
        stderr.resume();
      },
    }),
  };
}

/**
 * Runs `fn` with a Miniflare instance of the Worker; always disposes it.
 * @template T
 * @param {Record<string, string>} bindings
 * @param {(mf: Miniflare) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withWorker(bindings, fn) {
  const mf = new Miniflare(workerOptions(bindings));
  try {
    await mf.ready;
    return await fn(mf);
  } finally {
    await mf.dispose();
  }
}

/**
 * `mf.dispatchFetch` without following redirects.
 * @param {Miniflare} mf
 * @param {string} url
 * @param {RequestInit & {headers?: Record<string, string>}} [init]
 */
export function request(mf, url, init = {}) {
  return mf.dispatchFetch(url, { redirect: 'manual', ...init });
}

/** Headers of a browser navigation. */
export const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };

/**
 * A Request as an origin would rebuild it from a recorded Node request (for verifyIdentityHeader).
 * @param {{method: string, url: string, headers: Record<string, string | string[] | undefined>}} recorded
 * @param {string} base
 */
export function asRequest(recorded, base) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(recorded.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return new Request(base + recorded.url, { method: recorded.method, headers });
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How an origin on Node verifies the identity header with node:crypto — the README's snippet,
 * kept here verbatim so the tests prove the documented recipe works.
 * @param {{method?: string, url?: string, headers: Record<string, string | string[] | undefined>}} req a Node IncomingMessage
 * @param {string} secret CLERK_SECRET_KEY, or PORTCULLIS_SIGNING_KEY when set
 */
export function verifyPortcullis(req, secret, maxSkewSeconds = 60) {
  const m = /^(.*);v1=([0-9a-f]{64})$/.exec(String(req.headers['x-portcullis-identity'] ?? ''));
  if (!m) return null;
  const message = `portcullis-identity-v2\n${req.method}\n${req.url}\n${m[1]}`; // req.url: path + query
  if (!timingSafeEqual(createHmac('sha256', secret).update(message).digest(), Buffer.from(m[2], 'hex'))) return null;
  const f = Object.fromEntries(m[1].split(';').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]));
  if (Math.abs(Date.now() / 1000 - Number(f.t)) > maxSkewSeconds) return null;
  if (f.status !== 'signed-in') return { userId: null };
  const text = (v) => (v === '' ? null : decodeURIComponent(v));
  return { userId: text(f.user), sessionId: text(f.session), orgId: text(f.org), orgRole: text(f.role),
    orgPermissions: f.permissions === '' ? [] : f.permissions.split(',').map(decodeURIComponent) };
}

/**
 * How an origin on Node checks that portcullis verified a webhook — the README's snippet, kept here
 * verbatim so the tests prove the documented recipe works.
 * @param {{method?: string, url?: string, headers: Record<string, string | string[] | undefined>}} req a Node IncomingMessage
 * @param {Buffer} rawBody the body as received
 * @param {string} secret CLERK_SECRET_KEY, or PORTCULLIS_SIGNING_KEY when set
 */
export function verifyPortcullisWebhook(req, rawBody, secret, maxSkewSeconds = 60) {
  const id = req.headers['x-portcullis-webhook-verified'];
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-portcullis-webhook-signature'] ?? ''));
  if (typeof id !== 'string' || !m || Math.abs(Date.now() / 1000 - Number(m[1])) > maxSkewSeconds) return null;
  const digest = createHash('sha256').update(rawBody).digest('hex');
  const message = ['portcullis-webhook-v1', m[1], req.method, req.url, id, digest].join('\n'); // req.url: path + query
  const expected = createHmac('sha256', secret).update(message).digest();
  if (!timingSafeEqual(expected, Buffer.from(m[2], 'hex'))) return null;
  return { id: decodeURIComponent(id) }; // the svix-id: make the handler idempotent on it
}
