/**
 * The Worker's identity header (js/worker/identity.js): the wire format, its check at the origin
 * (every field bound by the signature, a strict form, the clock), and the reuse of a signature made
 * earlier in the same second for the same key, method, target and identity (returned at once, not
 * as a promise); any difference — another second, path, method, user or key — signs afresh.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { IDENTITY_HEADER, identityHeader, verifyIdentityHeader } from '../../js/worker/identity.js';

const T = Date.UTC(2026, 5, 1, 12, 0, 0, 100);
const alice = { userId: 'user_alice', sessionId: 'sess_a', orgId: 'org_acme', orgRole: 'org:admin', orgPermissions: ['org:reports:read', 'org:a,b;c'] };
const base = { secret: 'sk_test_identity', method: 'GET', target: '/dashboard?tab=1', auth: alice, now: T };

/**
 * Checks a header value as the origin would, at `now`.
 * @param {string} value
 * @param {{method: string, target: string, secret: string, now: number}} input
 */
function check(value, input) {
  const request = new Request(`https://origin.example.com${input.target}`, { method: input.method, headers: { [IDENTITY_HEADER]: value } });
  return verifyIdentityHeader(request, input.secret, { now: input.now });
}

test('the wire format: one header, fields in order, values percent-encoded, then t and v1', async () => {
  const value = await identityHeader(base);
  assert.match(value, /^status=signed-in;user=user_alice;session=sess_a;org=org_acme;role=org:admin;permissions=org:reports:read,org:a%2Cb%3Bc;t=1780315200;v1=[0-9a-f]{64}$/);
  const verdict = await check(value, base);
  assert.deepEqual(verdict, {
    ok: true, signedAt: 1780315200,
    identity: { status: 'signed-in', userId: 'user_alice', sessionId: 'sess_a', orgId: 'org_acme', orgRole: 'org:admin', orgPermissions: ['org:reports:read', 'org:a,b;c'] },
  });
  const out = await identityHeader({ ...base, auth: null });
  assert.match(out, /^status=signed-out;user=;session=;org=;role=;permissions=;t=1780315200;v1=[0-9a-f]{64}$/);
  assert.deepEqual((await check(out, base)).identity, { status: 'signed-out', userId: null, sessionId: null, orgId: null, orgRole: null, orgPermissions: [] });
});

test('the origin refuses a missing, malformed, altered, stale or misdirected header, with a reason', async () => {
  const value = await identityHeader(base);
  const refused = async (v, input, reason) => {
    const verdict = await check(v, input);
    assert.equal(verdict.ok, false, v);
    assert.match(/** @type {{reason: string}} */ (verdict).reason, reason, v);
  };
  const request = new Request(`https://origin.example.com${base.target}`);
  assert.match(/** @type {any} */ (await verifyIdentityHeader(request, base.secret, { now: T })).reason, /^no x-portcullis-identity header/);
  for (const malformed of ['', value.replace('status=', 'state='), value.replace(';t=', ';x=;t='), `${value};extra=1`, value.toUpperCase(),
    value.replace('status=signed-in', 'status=admin'), value.slice(0, -1)]) {
    await refused(malformed, base, /^malformed x-portcullis-identity header$/);
  }
  await refused(value.replace('role=org:admin', 'role=org:owner'), base, /^signature mismatch/);
  await refused(value.replace('status=signed-in;user=user_alice', 'status=signed-in;user=user_bob'), base, /^signature mismatch/);
  await refused(value, { ...base, target: '/admin' }, /^signature mismatch/);
  await refused(value, { ...base, method: 'POST' }, /^signature mismatch/);
  await refused(value, { ...base, secret: 'sk_test_other' }, /^signature mismatch/);
  await refused(value, { ...base, now: T + 61_000 }, /^signature timestamp is 61 s away/);
  assert.equal((await check(value, { ...base, now: T + 59_000 })).ok, true);
});

test('the same identity within the same second is signed once', async () => {
  const first = identityHeader({ ...base, now: T + 5000 });
  assert.ok(first instanceof Promise);
  const value = await first;
  assert.equal(identityHeader({ ...base, now: T + 5800 }), value);
  assert.equal((await check(value, { ...base, now: T + 5000 })).ok, true);
});

test('another second, target, method, user or key is signed afresh, and checks', async () => {
  const reference = await identityHeader({ ...base, now: T + 9000 });
  for (const input of [
    { ...base, now: T + 10_000 }, { ...base, now: T + 10_000, target: '/dashboard?tab=2' }, { ...base, now: T + 10_000, method: 'POST' },
    { ...base, now: T + 10_000, auth: { ...alice, userId: 'user_bob' } }, { ...base, now: T + 10_000, secret: 'sk_test_other' },
    { ...base, now: T + 10_000, auth: null },
  ]) {
    const made = identityHeader(input);
    assert.ok(made instanceof Promise, JSON.stringify(input));
    const value = await made;
    assert.notEqual(value, reference);
    assert.equal((await check(value, input)).ok, true, JSON.stringify(input));
  }
});

test('a signature that finishes after its second has passed is not served in the next one', async () => {
  const late = identityHeader({ ...base, now: T + 20_000 });
  // The second turns (another request) while it is being made.
  const other = identityHeader({ ...base, now: T + 21_000, target: '/other' });
  const lateValue = await late;
  await other;
  const fresh = identityHeader({ ...base, now: T + 21_500 });
  assert.ok(fresh instanceof Promise, 'signed afresh, not the previous second\'s value');
  const value = await fresh;
  assert.notEqual(value, lateValue);
  assert.match(value, new RegExp(`;t=${Math.floor(T / 1000) + 21};`));
});
