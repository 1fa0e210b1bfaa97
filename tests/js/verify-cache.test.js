/**
 * The verified-token cache (js/token-cache.js) through `verifyToken`: a hit makes no call into the
 * verifier; a hit is only served inside the token's validity window, otherwise the token is verified
 * again and gets Clerk's exact reason; the cache is per verifier (options, key source, secret), so a
 * token verified under lax options is never served to stricter ones; payloads are frozen; it is bounded.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { verifyToken } from '../../js/index.js';
import { verifierStats } from '../../js/verify.js';
import { makeSigningKey, sessionClaims, signSessionToken } from './support/bapi-standin.js';

const key = makeSigningKey('ins_cache');
const T0 = Date.UTC(2026, 0, 1);

/** Calls into the core since `before`. @param {typeof verifierStats} before */
const calls = (before) => ({ prepare: verifierStats.prepare - before.prepare, finish: verifierStats.finish - before.finish });

test('a token seen again is a cache hit: no call into the verifier, the same frozen payload', async () => {
  const options = { jwtKey: key.pem, now: () => T0 };
  const token = signSessionToken(key, sessionClaims(T0, { meta: { tags: ['a'] } }));
  const first = await verifyToken(token, options);
  const before = { ...verifierStats };
  const again = await verifyToken(token, options);
  assert.deepEqual(calls(before), { prepare: 0, finish: 0 });
  assert.equal(verifierStats.cacheHits, before.cacheHits + 1);
  assert.equal(again, first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.meta) && Object.isFrozen(first.meta.tags));
  // A new options object with the same values finds the same verifier and cache.
  const third = await verifyToken(token, { jwtKey: key.pem, now: () => T0 + 1000 });
  assert.equal(third, first);
  assert.equal(verifierStats.cacheHits, before.cacheHits + 2);
});

test('an expired cached token is verified again and fails with token-expired', async () => {
  let now = T0;
  const options = { jwtKey: key.pem, now: () => now };
  const token = signSessionToken(key, sessionClaims(T0, { sid: 'sess_expiring' }, 60));
  await verifyToken(token, options);
  now = T0 + 60_000 + 4_999; // exp + skew - 1 ms: still valid, from the cache
  let before = { ...verifierStats };
  await verifyToken(token, options);
  assert.deepEqual(calls(before), { prepare: 0, finish: 0 });
  now = T0 + 60_000 + 5_000; // exp + skew: expired
  before = { ...verifierStats };
  await assert.rejects(verifyToken(token, options), { name: 'TokenVerificationError', reason: 'token-expired' });
  assert.equal(calls(before).prepare, 1, 'verified again from scratch');
});

test('a cached token presented before its validity window (clock moved back) is verified again', async () => {
  let now = T0;
  const options = { jwtKey: key.pem, now: () => now, clockSkewInMs: 0 };
  const token = signSessionToken(key, sessionClaims(T0, { sid: 'sess_window' }));
  await verifyToken(token, options);
  now = T0 - 60_000;
  const before = { ...verifierStats };
  await assert.rejects(verifyToken(token, options), { reason: 'token-not-active-yet' });
  assert.equal(calls(before).prepare, 1);
});

test('the cache is per verifier: stricter options, another key or another secret never get a hit', async () => {
  const token = signSessionToken(key, sessionClaims(T0, { azp: 'https://evil.example.com', sid: 'sess_azp' }));
  await verifyToken(token, { jwtKey: key.pem, now: () => T0 });
  await assert.rejects(
    verifyToken(token, { jwtKey: key.pem, now: () => T0, authorizedParties: ['https://app.example.com'] }),
    { reason: 'token-invalid-authorized-parties' },
  );
  const other = makeSigningKey('ins_other');
  await assert.rejects(verifyToken(token, { jwtKey: other.pem, now: () => T0 }), { reason: 'token-invalid-signature' });
  // Another secret key is another verifier: its (failing) key source is consulted, not the cache.
  const fetch = async () => new Response('{"errors":[{"code":"clerk_key_invalid"}]}', { status: 401 });
  await assert.rejects(
    verifyToken(token, { secretKey: 'sk_test_other_instance', apiUrl: 'https://api.cache.test', fetch, now: () => T0 }),
    { reason: 'secret-key-invalid' },
  );
});

test('an options object changed after first use is resolved again', async () => {
  const token = signSessionToken(key, sessionClaims(T0, { azp: 'https://a.example.com', sid: 'sess_mutate' }));
  const options = { jwtKey: key.pem, now: () => T0, authorizedParties: ['https://a.example.com'] };
  await verifyToken(token, options);
  options.authorizedParties[0] = 'https://b.example.com';
  await assert.rejects(verifyToken(token, options), { reason: 'token-invalid-authorized-parties' });
  options.authorizedParties = ['https://a.example.com'];
  await verifyToken(token, options);
  options.clockSkewInMs = 'soon';
  await assert.rejects(verifyToken(token, options), { code: 'invalid-option', option: 'clockSkewInMs' });
});

test('invalid tokens are not cached (no negative cache): each attempt is verified', async () => {
  const token = signSessionToken(key, sessionClaims(T0, { sid: 'sess_bad' }));
  const bad = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const options = { jwtKey: key.pem, now: () => T0 };
  for (let i = 0; i < 3; i++) {
    const before = { ...verifierStats };
    await assert.rejects(verifyToken(bad, options), { reason: 'token-invalid-signature' });
    assert.equal(calls(before).prepare, 1);
  }
});

test('the cache is bounded (1,000 tokens per verifier, least recently used evicted)', async () => {
  const options = { jwtKey: key.pem, now: () => T0, audience: 'bounded' };
  const tokens = Array.from({ length: 1001 }, (_, i) =>
    signSessionToken(key, sessionClaims(T0, { sid: `sess_bound_${i}`, aud: 'bounded' })));
  for (const token of tokens) await verifyToken(token, options);
  let before = { ...verifierStats };
  await verifyToken(tokens[1000], options);
  await verifyToken(tokens[1], options);
  assert.equal(calls(before).prepare, 0, 'recent tokens are cached');
  before = { ...verifierStats };
  await verifyToken(tokens[0], options);
  assert.equal(calls(before).prepare, 1, 'the least recently used token was evicted');
});
