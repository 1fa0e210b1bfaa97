/**
 * The Worker's identity headers (js/worker/identity.js): a signature made earlier in the same second
 * for the same key, method, target and identity is reused (returned at once, not as a promise); any
 * difference — another second, path, method, user or key — signs afresh, and every signature checks.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { identityHeaderPairs, verifyIdentityHeaders } from '../../js/worker/identity.js';

const T = Date.UTC(2026, 5, 1, 12, 0, 0, 100);
const alice = { userId: 'user_alice', sessionId: 'sess_a', orgId: 'org_acme', orgRole: 'org:admin', orgPermissions: ['org:reports:read'] };
const base = { secret: 'sk_test_identity', method: 'GET', target: '/dashboard?tab=1', auth: alice, now: T };

/** Checks the pairs as the origin would, at `now`. */
async function check(pairs, input) {
  const request = new Request(`https://origin.example.com${input.target}`, { method: input.method, headers: pairs });
  return verifyIdentityHeaders(request, input.secret, { now: input.now });
}

test('the same headers within the same second are signed once', async () => {
  const first = identityHeaderPairs(base);
  assert.ok(first instanceof Promise);
  const pairs = await first;
  const again = identityHeaderPairs({ ...base, now: T + 800 });
  assert.equal(again, pairs);
  assert.ok(Object.isFrozen(pairs));
  assert.equal((await check(pairs, base)).ok, true);
});

test('another second, target, method, user or key is signed afresh, and checks', async () => {
  const reference = await identityHeaderPairs(base);
  for (const input of [
    { ...base, now: T + 1000 }, { ...base, target: '/dashboard?tab=2' }, { ...base, method: 'POST' },
    { ...base, auth: { ...alice, userId: 'user_bob' } }, { ...base, secret: 'sk_test_other' }, { ...base, auth: null },
  ]) {
    const made = identityHeaderPairs(input);
    assert.ok(made instanceof Promise, JSON.stringify(input));
    const pairs = await made;
    assert.notDeepEqual(pairs, reference);
    assert.equal((await check(pairs, input)).ok, true, JSON.stringify(input));
  }
});
