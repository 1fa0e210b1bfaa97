/**
 * Key-set fetching over real HTTP (tests/js/support/bapi-standin.js on 127.0.0.1): TTL, unknown-kid
 * floods, shared in-flight fetches, outages with stale keys, key rotation, timeouts, size limits,
 * dropped connections, wrong secrets — and that no secret ever appears in an error message.
 *
 * Time is injected (`now` option), so TTLs and cooldowns are crossed without waiting. Each test uses
 * its own JWKS path or secret, hence its own verifier (the registry is keyed by source and secret).
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';

import { TokenVerificationError, verifyToken } from '../../js/index.js';
import { verifierStats } from '../../js/verify.js';
import { makeSigningKey, sessionClaims, signSessionToken, startBapiStandin } from './support/bapi-standin.js';

const SECRET = 'sk_test_S3cr3t_jwks_tests_0123456789abcdef';
const WRONG_SECRET = 'sk_test_Wr0ng_jwks_tests_fedcba9876543210';
const T0 = Date.UTC(2026, 0, 1);

/** @type {Awaited<ReturnType<typeof startBapiStandin>>} */
let server;
const keyA = makeSigningKey('ins_key_a');
const keyB = makeSigningKey('ins_key_b');
const keyC = makeSigningKey('ins_key_c');
/** Every error text seen by the tests (checked for secrets at the end). */
const seen = [];

before(async () => {
  server = await startBapiStandin({ secretKey: SECRET, jwks: { keys: [keyA.jwk, keyB.jwk] } });
});
after(async () => {
  await server.close();
});

/** A port nothing listens on (a server's, just closed). */
async function closedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
  await new Promise((resolve) => probe.close(() => resolve(undefined)));
  return port;
}

/** A mutable clock for the `now` option. */
function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

/**
 * Expects a TokenVerificationError with `reason` (and a message matching `pattern`); records its text.
 * @param {Promise<unknown>} promise
 * @param {string} reason
 * @param {RegExp} [pattern]
 */
async function rejectsWith(promise, reason, pattern) {
  await assert.rejects(promise, (error) => {
    seen.push(String(error), error.message, error.stack ?? '', error.getFullMessage?.() ?? '', String(error.cause ?? ''));
    assert.ok(error instanceof TokenVerificationError, `not a TokenVerificationError: ${error}`);
    assert.equal(error.reason, reason, error.message);
    assert.equal(error.code, reason);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

test('keys are fetched once, reused within the TTL, and refetched after it', async () => {
  const url = server.setJwks('/ttl/jwks.json', { keys: [keyA.jwk] });
  const path = '/ttl/jwks.json';
  const c = clock();
  const options = { jwksUrl: url, now: c.now, jwks: { ttlMs: 60_000 } };
  await verifyToken(signSessionToken(keyA, sessionClaims(c.t)), options);
  assert.equal(server.requestsFor(path), 1);
  c.t += 59_999;
  await verifyToken(signSessionToken(keyA, sessionClaims(c.t, { sid: 'sess_2' })), options);
  assert.equal(server.requestsFor(path), 1, 'fresh keys are reused');
  c.t += 1;
  await verifyToken(signSessionToken(keyA, sessionClaims(c.t, { sid: 'sess_3' })), options);
  assert.equal(server.requestsFor(path), 2, 'refetched once the TTL is over');
});

test('concurrent first requests share one fetch', async () => {
  const path = '/concurrent/jwks.json';
  const url = server.setJwks(path, { keys: [keyA.jwk, keyB.jwk] });
  server.state.delayMs = 100;
  try {
    const c = clock();
    const tokens = Array.from({ length: 50 }, (_, i) =>
      signSessionToken(i % 2 ? keyA : keyB, sessionClaims(c.t, { sid: `sess_${i}` })));
    const payloads = await Promise.all(tokens.map((t) => verifyToken(t, { jwksUrl: url, now: c.now })));
    assert.equal(payloads.length, 50);
    assert.equal(server.requestsFor(path), 1);
  } finally {
    server.heal();
  }
});

test('a flood of tokens with unknown kids causes at most one fetch per cooldown', async () => {
  const path = '/flood/jwks.json';
  const url = server.setJwks(path, { keys: [keyA.jwk] });
  const c = clock();
  const options = { jwksUrl: url, now: c.now, jwks: { unknownKidCooldownMs: 30_000 } };
  await verifyToken(signSessionToken(keyA, sessionClaims(c.t)), options);
  assert.equal(server.requestsFor(path), 1);
  const flood = () => Array.from({ length: 200 }, (_, i) =>
    signSessionToken({ ...keyB, kid: `kid_${Math.random().toString(36).slice(2)}_${i}` }, sessionClaims(c.t)));

  c.t += 1_000; // within the cooldown: no fetch at all
  await Promise.all(flood().map((t) => rejectsWith(verifyToken(t, options), 'jwk-kid-mismatch')));
  assert.equal(server.requestsFor(path), 1);

  server.state.delayMs = 50;
  try {
    c.t += 30_000; // cooldown over: the whole flood shares one fetch
    await Promise.all(flood().map((t) => rejectsWith(verifyToken(t, options), 'jwk-kid-mismatch')));
    assert.equal(server.requestsFor(path), 2);
  } finally {
    server.heal();
  }
  // A valid token still verifies (and needs no fetch).
  await verifyToken(signSessionToken(keyA, sessionClaims(c.t, { sid: 'after_flood' })), options);
  assert.equal(server.requestsFor(path), 2);
});

test('an outage: stale keys keep verifying within maxStale, then jwk-remote-failed-to-load', async () => {
  const path = '/outage/jwks.json';
  const url = server.setJwks(path, { keys: [keyA.jwk] });
  const c = clock();
  const options = {
    jwksUrl: url, now: c.now, jwks: { ttlMs: 10_000, retryAfterFailureMs: 1_000, maxStaleMs: 60_000 },
  };
  const token = (sid) => signSessionToken(keyA, sessionClaims(T0, { sid }, 3600));
  await verifyToken(token('s0'), options);
  assert.equal(server.requestsFor(path), 1);
  server.state.status = 500;
  try {
    c.t = T0 + 10_000; // TTL over: the refresh fails, the stale keys are used
    await verifyToken(token('s1'), options);
    assert.equal(server.requestsFor(path), 2);
    c.t += 500; // within retryAfterFailure: no new attempt
    await verifyToken(token('s2'), options);
    assert.equal(server.requestsFor(path), 2);
    c.t = T0 + 10_000 + 59_000; // still within maxStale
    await verifyToken(token('s3'), options);
    assert.equal(server.requestsFor(path), 3);
    c.t = T0 + 10_000 + 60_000; // past maxStale: refused, saying why
    await rejectsWith(verifyToken(token('s4'), options), 'jwk-remote-failed-to-load', /HTTP 500/);
    // A token verified earlier is not served from the cache either once the keys are too old.
    await rejectsWith(verifyToken(token('s3'), options), 'jwk-remote-failed-to-load');
  } finally {
    server.heal();
  }
  c.t += 1_000; // the endpoint is back
  await verifyToken(token('s5'), options);
});

test('a rotated-away kid stops verifying at once, and its cached tokens are dropped', async () => {
  const path = '/rotation/jwks.json';
  const url = server.setJwks(path, { keys: [keyA.jwk, keyB.jwk] });
  const c = clock();
  const options = { jwksUrl: url, now: c.now };
  const tokenA = signSessionToken(keyA, sessionClaims(T0, {}, 3600));
  const tokenB = signSessionToken(keyB, sessionClaims(T0, {}, 3600));
  await verifyToken(tokenA, options);
  await verifyToken(tokenB, options);
  const hits = verifierStats.cacheHits;
  await verifyToken(tokenA, options);
  assert.equal(verifierStats.cacheHits, hits + 1, 'tokenA is cached');

  // The issuer rotates: A is withdrawn, C is new. The first token signed by C causes the refresh.
  server.setJwks(path, { keys: [keyB.jwk, keyC.jwk] });
  c.t += 31_000;
  await verifyToken(signSessionToken(keyC, sessionClaims(T0, {}, 3600)), options);
  assert.equal(server.requestsFor(path), 2);
  await rejectsWith(verifyToken(tokenA, options), 'jwk-kid-mismatch');
  assert.equal(verifierStats.cacheHits, hits + 1, 'the cached tokenA was not used');
  // Tokens of keys still published stay cached.
  await verifyToken(tokenB, options);
  assert.equal(verifierStats.cacheHits, hits + 2);
});

test('skipJwksCache fetches the key set on every call (like Clerk) and sees a rotation at once', async () => {
  const path = '/skip/v1/jwks';
  server.setJwks(path, { keys: [keyA.jwk] });
  const c = clock();
  const options = { secretKey: SECRET, apiUrl: `${server.url}/skip`, skipJwksCache: true, now: c.now };
  const token = signSessionToken(keyA, sessionClaims(T0));
  await verifyToken(token, options);
  await verifyToken(token, options);
  assert.equal(server.requestsFor(path), 2);
  await rejectsWith(verifyToken('not-a-jwt', options), 'token-invalid');
  assert.equal(server.requestsFor(path), 2, 'a malformed token causes no fetch');
  server.setJwks(path, { keys: [keyB.jwk] });
  await rejectsWith(verifyToken(token, options), 'jwk-kid-mismatch');
  server.state.status = 503;
  try {
    await rejectsWith(verifyToken(signSessionToken(keyB, sessionClaims(T0)), options), 'jwk-remote-failed-to-load', /HTTP 503/);
  } finally {
    server.heal();
  }
});

test('the Backend API: the bearer secret is checked; a wrong one gives secret-key-invalid', async () => {
  const token = signSessionToken(keyA, sessionClaims(Date.now()));
  const payload = await verifyToken(token, { secretKey: SECRET, apiUrl: server.url });
  assert.equal(payload.sub, 'user_standin');
  assert.equal(server.state.authorizations.at(-1), `Bearer ${SECRET}`);
  await rejectsWith(
    verifyToken(token, { secretKey: WRONG_SECRET, apiUrl: server.url }),
    'secret-key-invalid',
    /refused the secret key with HTTP 401/,
  );
});

test('a jwksUrl never receives the secret key', async () => {
  const url = server.setJwks('/public/jwks.json', { keys: [keyA.jwk] });
  const before = server.state.authorizations.length;
  await verifyToken(signSessionToken(keyA, sessionClaims(Date.now())), { jwksUrl: url, secretKey: SECRET });
  const sent = server.state.authorizations.slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0], undefined);
});

test('redirects: followed for a public jwksUrl, refused for the Backend API (the secret goes nowhere else)', async () => {
  const token = signSessionToken(keyA, sessionClaims(Date.now()));
  const target = server.setJwks('/redirected/jwks.json', { keys: [keyA.jwk] });
  server.state.redirectTo = target;
  try {
    await verifyToken(token, { jwksUrl: `${server.url}/moved/jwks.json` });
    assert.equal(server.requestsFor('/redirected/jwks.json'), 1);
    await rejectsWith(verifyToken(token, { secretKey: SECRET, apiUrl: `${server.url}/moved` }), 'jwk-remote-failed-to-load',
      /redirect/);
    assert.equal(server.requestsFor('/redirected/jwks.json'), 1, 'the redirect was not followed with the secret');
  } finally {
    server.heal();
  }
});

test('failures: timeout, oversized body, dropped connection, 500, 404, unreachable — clear messages', async () => {
  const token = signSessionToken(keyA, sessionClaims(Date.now()));
  const base = { keys: [keyA.jwk] };
  let n = 0;
  const fresh = () => server.setJwks(`/fail/${n++}/jwks.json`, base);
  try {
    server.state.delayMs = 2_000;
    const started = Date.now();
    await rejectsWith(verifyToken(token, { jwksUrl: fresh(), jwks: { timeoutMs: 200 } }), 'jwk-remote-failed-to-load',
      /timed out after 200 ms/);
    assert.ok(Date.now() - started < 1_500, 'the timeout cut the request short');
    server.heal();

    server.state.hang = true;
    await rejectsWith(verifyToken(token, { jwksUrl: fresh(), jwks: { timeoutMs: 200 } }), 'jwk-remote-failed-to-load',
      /timed out/);
    server.heal();

    server.state.oversizedBytes = 1024 * 1024;
    await rejectsWith(verifyToken(token, { jwksUrl: fresh() }), 'jwk-remote-failed-to-load', /larger than 262144 bytes/);
    server.heal();

    server.state.oversizedBytes = 8 * 1024; // under a custom limit it is fine (valid JSON with padding)
    await verifyToken(token, { jwksUrl: fresh(), jwks: { maxBytes: 64 * 1024 } });
    await rejectsWith(verifyToken(token, { jwksUrl: fresh(), jwks: { maxBytes: 4 * 1024 } }), 'jwk-remote-failed-to-load',
      /larger than 4096 bytes/);
    server.heal();

    server.state.drop = true;
    await rejectsWith(verifyToken(token, { jwksUrl: fresh() }), 'jwk-remote-failed-to-load');
    server.heal();

    server.state.status = 500;
    await rejectsWith(verifyToken(token, { jwksUrl: fresh() }), 'jwk-remote-failed-to-load', /HTTP 500/);
    await rejectsWith(verifyToken(token, { secretKey: SECRET, apiUrl: `${server.url}/down` }), 'jwk-remote-failed-to-load',
      /HTTP 500/);
    server.heal();

    await rejectsWith(verifyToken(token, { jwksUrl: `${server.url}/nothing/here.json` }), 'jwk-remote-failed-to-load',
      /HTTP 404/);
    const closed = await closedPort();
    await rejectsWith(verifyToken(token, { jwksUrl: `http://127.0.0.1:${closed}/jwks.json` }), 'jwk-remote-failed-to-load',
      new RegExp(`Could not fetch the signing keys from http://127\\.0\\.0\\.1:${closed}/jwks\\.json: ECONNREFUSED`));
  } finally {
    server.heal();
  }
});

test('a failed fetch is not retried within retryAfterFailureMs', async () => {
  const path = '/backoff/jwks.json';
  const url = server.setJwks(path, { keys: [keyA.jwk] });
  const c = clock();
  const options = { jwksUrl: url, now: c.now, jwks: { retryAfterFailureMs: 5_000 } };
  const token = signSessionToken(keyA, sessionClaims(T0));
  server.state.status = 500;
  try {
    await rejectsWith(verifyToken(token, options), 'jwk-remote-failed-to-load');
    c.t += 4_999;
    await rejectsWith(verifyToken(token, options), 'jwk-remote-failed-to-load', /HTTP 500/);
    assert.equal(server.requestsFor(path), 1);
  } finally {
    server.heal();
  }
  c.t += 1;
  await verifyToken(token, options);
  assert.equal(server.requestsFor(path), 2);
});

test('an injected fetch is used, and an unusable key set gives the core\'s reason', async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), authorization: init?.headers?.Authorization });
    return new Response(JSON.stringify({ keys: [] }), { status: 200 });
  };
  const token = signSessionToken(keyA, sessionClaims(Date.now()));
  await rejectsWith(verifyToken(token, { secretKey: SECRET, apiUrl: 'https://api.injected.test', fetch }),
    'jwk-remote-failed-to-load');
  assert.deepEqual(calls, [{ url: 'https://api.injected.test/v1/jwks', authorization: `Bearer ${SECRET}` }]);
});

test('no secret key appears in any error message', () => {
  assert.ok(seen.length > 40, `${seen.length} texts checked`);
  for (const text of seen) {
    assert.ok(!text.includes(SECRET), `secret in: ${text}`);
    assert.ok(!text.includes(WRONG_SECRET), `wrong secret in: ${text}`);
  }
});
