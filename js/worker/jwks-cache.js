/**
 * A `fetch` for key sets that shares them across isolates through the Cache API.
 *
 * Why: each isolate already caches keys in memory (the Rust core's key-set cache: 5-minute TTL,
 * unknown-kid cooldown, stale-if-error). But a Worker runs in many isolates, each cold-starting
 * with an empty cache, and each would fetch the JWKS from the Backend API on its first request.
 * `caches.default` is shared by the isolates of a data centre, so one fetch serves them all.
 *
 * Rules:
 * - only GET requests for key sets go through here (the Worker passes this function as
 *   `verifyToken`'s `fetch` option, which uses it for nothing else);
 * - the cache key is a hash of the URL and the Authorization header, so two instances (two secret
 *   keys) behind the same URL never see each other's keys, and no secret appears in a cache key;
 * - only 200 answers are stored, for CACHE_TTL_SECONDS (short: a rotated key becomes visible
 *   quickly; staleness during an outage is the core's job, not this cache's);
 * - `redirect: 'error'` (used by js/jwks.js for requests that carry the secret key) does not exist
 *   in Workers, so it is emulated with `redirect: 'manual'` and a refusal of any 3xx;
 * - a cache failure is never fatal: the request simply goes to the network.
 * PORTCULLIS_JWKS (the key-set cache's tuning, whose `ttlMs` also bounds this cache's TTL) is parsed
 * here too (`parseJwksTuning`).
 * @module
 */

export const CACHE_TTL_SECONDS = 60;
const CACHE_HOST = 'https://portcullis-jwks-cache.invalid/v1/';
/** Same limit as js/jwks.js: a key set is a few KiB. */
const MAX_BYTES = 256 * 1024;

const JWKS_MEMBERS = ['ttlMs', 'unknownKidCooldownMs', 'retryAfterFailureMs', 'maxStaleMs', 'timeoutMs'];

/** Counters for tests and diagnostics. */
export const jwksCacheStats = { hits: 0, misses: 0, stored: 0, errors: 0 };

/**
 * @param {string} url
 * @param {string} authorization
 */
async function cacheKey(url, authorization) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${url}\n${authorization}`));
  let hex = '';
  for (const b of new Uint8Array(digest)) hex += (b < 16 ? '0' : '') + b.toString(16);
  return CACHE_HOST + hex;
}

/**
 * `fetch` with `redirect: 'error'` emulated (Workers only know follow and manual).
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 */
export async function workersFetch(input, init = {}) {
  if (init.redirect !== 'error') return fetch(input, init);
  const response = await fetch(input, { ...init, redirect: 'manual' });
  if (response.status >= 300 && response.status < 400) {
    response.body?.cancel().catch(() => {});
    throw new TypeError(`fetch failed: redirect refused (HTTP ${response.status} to ${response.headers.get('location') ?? '?'})`);
  }
  return response;
}

/**
 * Reads at most MAX_BYTES + 1 bytes of a body (more means js/jwks.js will refuse it anyway).
 * @param {Response} response
 */
async function readCapped(response) {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BYTES) {
      reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** @type {Map<number, typeof fetch>} */
const byTtl = new Map();

/**
 * The key-set fetch the Worker hands to verifyToken (one function per TTL, so verifyToken's options
 * keep the same identity and its verifier registry is reused).
 * @param {number | undefined} keySetTtlMs the in-isolate key-set TTL (PORTCULLIS_JWKS.ttlMs): the shared
 *   cache never outlives it, so once keys are due the core's refresh and stale-if-error rules see the
 *   network, not this cache
 * @returns {typeof fetch}
 */
export function cachingFetch(keySetTtlMs) {
  const ttl = keySetTtlMs === undefined
    ? CACHE_TTL_SECONDS
    : Math.max(1, Math.min(CACHE_TTL_SECONDS, Math.floor(keySetTtlMs / 1000)));
  let fn = byTtl.get(ttl);
  if (fn === undefined) {
    fn = /** @type {typeof fetch} */ ((input, init) => fetchThroughCache(input, init, ttl));
    byTtl.set(ttl, fn);
  }
  return fn;
}

/**
 * @param {RequestInfo | URL} input
 * @param {RequestInit | undefined} init
 * @param {number} ttl seconds
 * @returns {Promise<Response>}
 */
async function fetchThroughCache(input, init = {}, ttl) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = (init.method ?? 'GET').toUpperCase();
  /** @type {Cache | undefined} */
  const cache = /** @type {any} */ (globalThis).caches?.default;
  if (method !== 'GET' || cache === undefined) return workersFetch(input, init);
  const authorization = new Headers(init.headers).get('authorization') ?? '';
  let key = null;
  try {
    key = await cacheKey(url, authorization);
    const hit = await cache.match(key);
    if (hit !== undefined) {
      jwksCacheStats.hits++;
      return hit;
    }
  } catch {
    jwksCacheStats.errors++;
  }
  jwksCacheStats.misses++;
  const response = await workersFetch(input, init);
  if (response.status !== 200 || key === null) return response;
  const body = await readCapped(response);
  const headers = { 'content-type': response.headers.get('content-type') ?? 'application/json' };
  if (body.byteLength <= MAX_BYTES) {
    try {
      await cache.put(key, new Response(body, { status: 200, headers: { ...headers, 'cache-control': `public, max-age=${ttl}` } }));
      jwksCacheStats.stored++;
    } catch {
      jwksCacheStats.errors++;
    }
  }
  return new Response(body, { status: 200, headers });
}

/**
 * Parses PORTCULLIS_JWKS, the key-set cache's tuning (JSON, milliseconds). Problems go to `problems`.
 * @param {string} text
 * @param {import('./config.js').ConfigProblem[]} problems
 */
export function parseJwksTuning(text, problems) {
  const fix = 'Write it like {"ttlMs":300000,"unknownKidCooldownMs":30000,"maxStaleMs":3600000}, or leave it unset.';
  let spec;
  try {
    spec = JSON.parse(text);
  } catch {
    problems.push({ variable: 'PORTCULLIS_JWKS', problem: 'is not valid JSON.', fix });
    return null;
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    problems.push({ variable: 'PORTCULLIS_JWKS', problem: 'must be a JSON object.', fix });
    return null;
  }
  for (const [name, value] of Object.entries(spec)) {
    if (!JWKS_MEMBERS.includes(name)) {
      problems.push({ variable: 'PORTCULLIS_JWKS', problem: `has an unknown member "${name}"; the members are ${JWKS_MEMBERS.join(', ')}.`, fix });
      return null;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push({ variable: 'PORTCULLIS_JWKS', problem: `"${name}" must be a non-negative number of milliseconds.`, fix });
      return null;
    }
  }
  return spec;
}
