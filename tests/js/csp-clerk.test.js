/**
 * Differential test against Clerk's own Content-Security-Policy builder
 * (`createContentSecurityPolicyHeaders` in @clerk/nextjs 7.8.0,
 * dist/esm/server/content-security-policy.js), imported twice: once with NODE_ENV=production and
 * once with NODE_ENV=development, because Clerk reads NODE_ENV when the module loads. The nonce is
 * pinned by replacing `crypto.getRandomValues`, which both implementations call.
 *
 * 1. Every vector of tests/data/csp-vectors.json: Clerk's output equals the expected headers; where
 *    we refuse, Clerk throws exactly when the vector says so.
 * 2. 6,000 generated option sets (fixed seed): every header, byte for byte, equal.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { createContentSecurityPolicy } from '../../js/index.js';

const CLERK = new URL('../../node_modules/@clerk/nextjs/dist/esm/server/content-security-policy.js', import.meta.url).href;
const savedEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const clerkProduction = await import(`${CLERK}?production`);
process.env.NODE_ENV = 'development';
const clerkDevelopment = await import(`${CLERK}?development`);
if (savedEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = savedEnv;

const vectors = JSON.parse(readFileSync(new URL('../data/csp-vectors.json', import.meta.url), 'utf8'));
const realGetRandomValues = crypto.getRandomValues;

after(() => {
  crypto.getRandomValues = realGetRandomValues;
});

/**
 * Runs `fn` with crypto.getRandomValues filling `bytes` (16 bytes of 7 when not given).
 * @template T
 * @param {number[] | Uint8Array | undefined} bytes
 * @param {() => T} fn
 * @returns {T}
 */
function withNonce(bytes, fn) {
  crypto.getRandomValues = /** @type {any} */ ((/** @type {Uint8Array} */ array) => {
    array.set(bytes ?? new Array(array.length).fill(7));
    return array;
  });
  try {
    return fn();
  } finally {
    crypto.getRandomValues = realGetRandomValues;
  }
}

/**
 * Clerk's answer: `{headers}` or `{throws}`.
 * @param {any} options @param {string} frontendApi @param {boolean} production @param {any} [bytes]
 */
function clerk(options, frontendApi, production, bytes) {
  const builder = production ? clerkProduction : clerkDevelopment;
  try {
    return withNonce(bytes, () => ({ headers: builder.createContentSecurityPolicyHeaders(frontendApi, options).headers }));
  } catch (error) {
    return { throws: /** @type {Error} */ (error).message };
  }
}

/** @param {any} options @param {string} frontendApi @param {boolean} production @param {any} [bytes] */
function ours(options, frontendApi, production, bytes) {
  return withNonce(bytes, () => createContentSecurityPolicy(options, { frontendApi, production }));
}

test('every vector agrees with Clerk', () => {
  let equal = 0;
  for (const c of vectors.cases) {
    const theirs = clerk(c.options, c.frontendApi, c.production, c.nonceBytes);
    if (c.expect.headers) {
      assert.deepEqual(theirs, { headers: c.expect.headers }, c.name);
      assert.deepEqual(ours(c.options, c.frontendApi, c.production, c.nonceBytes).headers, theirs.headers, c.name);
      equal += 1;
    } else {
      assert.equal('throws' in theirs ? 'throws' : 'accepts', c.clerk, c.name);
      assert.ok(c.clerk === 'throws' || c.why, `${c.name}: Clerk accepts it; the vector must say why we refuse`);
      assert.throws(() => ours(c.options, c.frontendApi, c.production, c.nonceBytes), { code: 'invalid-option' }, c.name);
    }
  }
  assert.ok(equal >= 20, `${equal} cases with headers`);
});

/** Clerk's `ContentSecurityPolicyDirective` names plus the two CSP3 names we also accept. */
const NAMES = [
  'connect-src', 'default-src', 'font-src', 'img-src', 'media-src', 'object-src', 'script-src', 'style-src',
  'base-uri', 'child-src', 'form-action', 'frame-ancestors', 'frame-src', 'manifest-src', 'navigate-to',
  'prefetch-src', 'worker-src', 'plugin-types', 'require-sri-for', 'sandbox', 'block-all-mixed-content',
  'require-trusted-types-for', 'trusted-types', 'upgrade-insecure-requests', 'report-to', 'report-uri',
  'script-src-attr', 'script-src-elem', 'style-src-attr', 'style-src-elem', 'fenced-frame-src', 'webrtc',
];

const SOURCES = [
  'self', "'self'", "'self", "self'", "''self''", 'SELF', 'none', "'none'", "'none", 'unsafe-inline', "'unsafe-inline'",
  'unsafe-eval', "'unsafe-eval'", 'strict-dynamic', "'strict-dynamic'", 'unsafe-hashes', "'nonce-abc'",
  "'sha256-B2yPHKaXnvFWtRChIbabYmUBFZdVfKKXHbWtWidDVF8='", 'https:', 'http:', 'blob:', 'data:', 'wss:',
  'https://cdn.example.com', 'https://*.example.com', 'https://img.clerk.com', 'https://js.stripe.com',
  'clerk.example.com', "'", '', 'a b', "'wasm-unsafe-eval'", 'allow-scripts', "'script'", 'default',
];

const HOSTS = ['clerk.example.com', 'wise-owl-12.clerk.accounts.dev', 'clerk.example.com:8443', '', 'self', 'https://img.clerk.com'];

test('localeCompare orders directive names as code units do', () => {
  assert.deepEqual([...NAMES].sort((a, b) => a.localeCompare(b)), [...NAMES].sort());
});

test('6,000 generated option sets: every header equal to Clerk\'s', () => {
  // xorshift32 with a fixed seed: a failure names its case number and reproduces.
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const int = (/** @type {number} */ n) => Math.floor(random() * n);
  /** @template T @param {T[]} list @returns {T} */
  const pick = (list) => list[int(list.length)];

  let strictCount = 0;
  let noneCount = 0;
  for (let i = 0; i < 6000; i += 1) {
    /** @type {Record<string, unknown>} */
    const options = {};
    const flag = () => pick([undefined, true, false]);
    for (const [name, value] of /** @type {[string, unknown][]} */ ([
      ['strict', flag()],
      ['reportOnly', flag()],
      ['reportTo', pick([undefined, undefined, '', 'https://r.example.com/csp', '/api/csp-report?x=1'])],
    ])) {
      if (value !== undefined) options[name] = value;
    }
    if (random() < 0.8) {
      /** @type {Record<string, string | string[]>} */
      const directives = {};
      for (let d = int(6); d > 0; d -= 1) {
        const list = Array.from({ length: int(5) }, () => (random() < 0.05 ? pick(['none', "'none'"]) : pick(SOURCES)));
        directives[pick(NAMES)] = random() < 0.15 && list.length > 0 ? list[0] : list;
      }
      options.directives = directives;
    }
    const production = random() < 0.5;
    const host = pick(HOSTS);
    const bytes = Array.from({ length: 16 }, () => int(256));
    const theirs = clerk(options, host, production, bytes);
    assert.ok('headers' in theirs, `case ${i}: Clerk throws ${JSON.stringify(theirs)} for ${JSON.stringify(options)}`);
    const mine = ours(options, host, production, bytes);
    assert.deepEqual(mine.headers, theirs.headers, `case ${i}: ${JSON.stringify({ options, host, production })}`);
    assert.equal(mine.nonce, theirs.headers.find(([name]) => name === 'x-nonce')?.[1], `case ${i}`);
    if (options.strict === true) strictCount += 1;
    if (JSON.stringify(options).includes('none')) noneCount += 1;
  }
  assert.ok(strictCount > 1500 && noneCount > 500, `${strictCount} strict, ${noneCount} with none`);
});
