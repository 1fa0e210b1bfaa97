/**
 * `createContentSecurityPolicy` on the shared vectors (tests/data/csp-vectors.json, whose expected
 * headers are Clerk's own output; tests/csp_vectors.rs runs them in Rust), with the nonce pinned by
 * replacing `crypto.getRandomValues`; plus the shim's own duties (nonce per request, only when
 * strict; argument checks; NODE_ENV default).
 */

import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { ConfigurationError, createContentSecurityPolicy } from '../../js/index.js';

const vectors = JSON.parse(readFileSync(new URL('../data/csp-vectors.json', import.meta.url), 'utf8'));
const realGetRandomValues = crypto.getRandomValues;

afterEach(() => {
  crypto.getRandomValues = realGetRandomValues;
});

/**
 * Replaces crypto.getRandomValues with one that fills `bytes` and counts calls.
 * @param {number[] | undefined} bytes
 */
function pinRandom(bytes) {
  const calls = { count: 0 };
  crypto.getRandomValues = /** @type {any} */ ((/** @type {Uint8Array} */ array) => {
    calls.count += 1;
    array.set(bytes ?? new Array(array.length).fill(1));
    return array;
  });
  return calls;
}

test('every vector', () => {
  assert.ok(vectors.cases.length >= 20);
  for (const c of vectors.cases) {
    const calls = pinRandom(c.nonceBytes);
    let got;
    try {
      const result = createContentSecurityPolicy(c.options, { frontendApi: c.frontendApi, production: c.production });
      got = { headers: result.headers, ...(result.nonce ? { nonce: result.nonce } : {}) };
      // The nonce is drawn only for strict policies, once.
      assert.equal(calls.count, c.options.strict === true ? 1 : 0, c.name);
    } catch (error) {
      assert.ok(error instanceof ConfigurationError, `${c.name}: ${error}`);
      assert.ok(error.message.length > 30);
      got = { error: { code: error.code, option: error.option } };
    }
    assert.deepEqual(got, c.expect, c.name);
  }
});

test('a fresh nonce per call, from crypto.getRandomValues', () => {
  const seen = new Set();
  for (let i = 0; i < 50; i += 1) {
    const { headers, nonce } = createContentSecurityPolicy({ strict: true }, { frontendApi: 'clerk.example.com', production: true });
    assert.match(String(nonce), /^[A-Za-z0-9+/]{22}==$/);
    assert.deepEqual(headers.at(-1), ['x-nonce', nonce]);
    assert.ok(headers[0][1].includes(`'nonce-${nonce}'`));
    seen.add(nonce);
  }
  assert.equal(seen.size, 50);
});

test('production defaults to NODE_ENV === "production"', () => {
  const saved = process.env.NODE_ENV;
  try {
    process.env.NODE_ENV = 'production';
    assert.ok(!createContentSecurityPolicy({}, { frontendApi: 'clerk.example.com' }).headers[0][1].includes('unsafe-eval'));
    process.env.NODE_ENV = 'development';
    assert.ok(createContentSecurityPolicy({}, { frontendApi: 'clerk.example.com' }).headers[0][1].includes("'unsafe-eval'"));
    delete process.env.NODE_ENV;
    assert.ok(createContentSecurityPolicy(undefined, { frontendApi: 'clerk.example.com' }).headers[0][1].includes("'unsafe-eval'"));
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
});

test('bad arguments name the option', () => {
  for (const [options, context, option] of /** @type {[any, any, string][]} */ ([
    [{}, {}, 'frontendApi'],
    [{}, undefined, 'frontendApi'],
    [{}, { frontendApi: 'a', production: 'yes' }, 'production'],
    ['strict', { frontendApi: 'a' }, 'contentSecurityPolicy'],
    [[], { frontendApi: 'a' }, 'contentSecurityPolicy'],
    [{ directives: { 'img-src': [Number.NaN] } }, { frontendApi: 'a' }, 'directives.img-src[0]'],
    [{ reportTo: undefined, strict: undefined, directives: { 'script-src-elem': 'x' }, reportOnly: 1 }, { frontendApi: 'a' }, 'reportOnly'],
  ])) {
    assert.throws(() => createContentSecurityPolicy(options, context), (/** @type {any} */ e) => {
      assert.ok(e instanceof ConfigurationError, String(e));
      assert.equal(e.code, 'invalid-option');
      assert.equal(e.option, option);
      return true;
    });
  }
  // undefined properties mean "not set", as in Clerk.
  const plain = createContentSecurityPolicy({}, { frontendApi: 'a', production: true });
  assert.deepEqual(createContentSecurityPolicy({ strict: undefined, reportTo: undefined }, { frontendApi: 'a', production: true }), plain);
});
