/**
 * `authObjectFromClaims(payload)` through the JS API: Clerk's signed-in auth-object fields and `has()`
 * (role, permission, feature, plan, reverification; fail-closed), for v1 and v2 session claims.
 *
 * Checked two ways: hand-written expectations from Clerk's docs and tests (CLERK-BEHAVIOUR.md §3.11),
 * and differentially against Clerk's own code — `__experimental_JWTPayloadToAuthObjectProperties`
 * and `createCheckAuthorization` from @clerk/shared, which `@clerk/backend`'s signedInAuthObject uses.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { __experimental_JWTPayloadToAuthObjectProperties as clerkAuthProps } from '@clerk/shared/jwtPayloadParser';
import { createCheckAuthorization } from '@clerk/shared/authorization';

import { authObjectFromClaims, verifyToken } from '../../js/index.js';
import { makeSigningKey, sessionClaims, signSessionToken } from './support/bapi-standin.js';

const key = makeSigningKey('ins_auth');
const T0 = Date.UTC(2026, 0, 1);

/** Verifies a token with these claims and returns its auth object. @param {Record<string, unknown>} extra */
async function authFor(extra) {
  const payload = await verifyToken(signSessionToken(key, sessionClaims(T0, extra)), { jwtKey: key.pem, now: () => T0 });
  return { payload, auth: authObjectFromClaims(payload) };
}

/** Clerk's `has` for the same claims, as signedInAuthObject builds it. @param {any} claims */
function clerkHas(claims) {
  const p = clerkAuthProps(claims);
  return createCheckAuthorization({
    orgId: p.orgId, orgRole: p.orgRole, orgPermissions: p.orgPermissions, userId: p.userId,
    factorVerificationAge: p.factorVerificationAge, features: claims.fea || '', plans: claims.pla || '',
  });
}

test('v1 claims: the auth object fields', async () => {
  const { payload, auth } = await authFor({
    org_id: 'org_1', org_role: 'org:admin', org_slug: 'acme', org_permissions: ['org:invoices:read'],
    act: { sub: 'user_support' }, sts: 'active', fva: [3, 7],
  });
  assert.equal(auth.tokenType, 'session_token');
  assert.equal(auth.userId, 'user_standin');
  assert.equal(auth.sessionId, 'sess_standin');
  assert.equal(auth.sessionStatus, 'active');
  assert.deepEqual(auth.actor, { sub: 'user_support' });
  assert.equal(auth.orgId, 'org_1');
  assert.equal(auth.orgRole, 'org:admin');
  assert.equal(auth.orgSlug, 'acme');
  assert.deepEqual(auth.orgPermissions, ['org:invoices:read']);
  assert.deepEqual(auth.factorVerificationAge, [3, 7]);
  assert.deepEqual(auth.sessionClaims, payload);
  assert.equal(auth.isAuthenticated, true);
});

test('has(): roles and permissions (org: prefix optional), fail closed without an org', async () => {
  const { auth } = await authFor({ org_id: 'org_1', org_role: 'org:admin', org_permissions: ['org:invoices:read'] });
  assert.equal(auth.has({ role: 'org:admin' }), true);
  assert.equal(auth.has({ role: 'admin' }), true);
  assert.equal(auth.has({ role: 'org:member' }), false);
  assert.equal(auth.has({ permission: 'org:invoices:read' }), true);
  assert.equal(auth.has({ permission: 'invoices:read' }), true);
  assert.equal(auth.has({ permission: 'org:invoices:write' }), false);
  assert.equal(auth.has({ role: 'org:admin', permission: 'org:invoices:write' }), false, 'both must pass');
  assert.equal(auth.has({ role: 'org:admin', permission: undefined }), true, 'undefined is not asked');
  assert.equal(auth.has({ role: 42 }), false);
  assert.equal(auth.has({}), false, 'nothing asked');
  assert.equal(auth.has(/** @type {any} */ (undefined)), false);
  assert.equal(auth.has(/** @type {any} */ ('org:admin')), false);

  const { auth: noOrg } = await authFor({});
  assert.equal(noOrg.orgId, null);
  assert.equal(noOrg.has({ role: 'org:admin' }), false);
  assert.equal(noOrg.has({ permission: 'org:invoices:read' }), false);
});

test('v2 claims: permissions from feature bitmasks (Clerk\'s jwtPayloadParser vectors)', async () => {
  const { auth } = await authFor({
    v: 2, o: { id: 'org_2', slg: 'beta', rol: 'admin', per: 'read,manage', fpm: '1,3' },
    fea: 'o:impersonation,o:memberships',
  });
  assert.equal(auth.orgId, 'org_2');
  assert.equal(auth.orgRole, 'org:admin');
  assert.equal(auth.orgSlug, 'beta');
  assert.deepEqual(auth.orgPermissions, ['org:impersonation:read', 'org:memberships:read', 'org:memberships:manage']);
  assert.equal(auth.has({ permission: 'org:memberships:manage' }), true);
  assert.equal(auth.has({ permission: 'org:impersonation:manage' }), false);
  assert.equal(auth.has({ feature: 'memberships' }), true);
  assert.equal(auth.has({ feature: 'org:memberships' }), true);
  assert.equal(auth.has({ feature: 'user:memberships' }), false);

  const { auth: mixed } = await authFor({
    v: 2, o: { id: 'org_3', rol: 'member', per: 'read,create,update,delete,revoke', fpm: '7,21,0' },
    fea: 'o:repositories,uo:projects,u:goldprofileborder',
  });
  assert.deepEqual(mixed.orgPermissions, [
    'org:repositories:read', 'org:repositories:create', 'org:repositories:update',
    'org:projects:read', 'org:projects:update', 'org:projects:revoke',
  ]);
  assert.equal(mixed.has({ feature: 'u:goldprofileborder' }), true);
  assert.equal(mixed.has({ feature: 'o:goldprofileborder' }), false);
});

test('has(): plans and features by scope', async () => {
  const { auth } = await authFor({ fea: 'u:premium,o:teams', pla: 'u:pro,o:business' });
  assert.equal(auth.has({ feature: 'premium' }), true);
  assert.equal(auth.has({ feature: 'user:premium' }), true);
  assert.equal(auth.has({ feature: 'org:premium' }), false);
  assert.equal(auth.has({ feature: 'teams' }), true);
  assert.equal(auth.has({ plan: 'pro' }), true);
  assert.equal(auth.has({ plan: 'org:business' }), true);
  assert.equal(auth.has({ plan: 'enterprise' }), false);
  assert.equal(auth.has({ plan: 'bogus:pro' }), false, 'unknown scope fails');
  const { auth: none } = await authFor({});
  assert.equal(none.has({ feature: 'premium' }), false);
});

test('has(): reverification levels against fva', async () => {
  const cases = [
    [[0, -1], 'strict', true], // second factor not enrolled: the first factor counts
    [[20, 20], 'strict', false],
    [[20, 20], 'moderate', true],
    [[5, -1], 'strict_mfa', true],
    [[5, 30], 'strict_mfa', false],
    [[-1, -1], 'lax', false],
    [[0, 0], { level: 'first_factor', afterMinutes: 1 }, true],
    [[2, 0], { level: 'first_factor', afterMinutes: 1 }, false],
    [[0, 0], 'sometimes', false],
  ];
  for (const [fva, reverification, want] of cases) {
    const { auth } = await authFor({ fva });
    assert.equal(auth.has({ reverification }), want, `${JSON.stringify(fva)} ${JSON.stringify(reverification)}`);
  }
  // Dimensions combine with AND: a passing role does not excuse a stale session.
  const { auth } = await authFor({ fva: [100, 100], org_id: 'org_1', org_role: 'org:admin' });
  assert.equal(auth.has({ role: 'org:admin' }), true);
  assert.equal(auth.has({ role: 'org:admin', reverification: 'strict' }), false);
});

test('differential: fields and has() agree with Clerk\'s own code', async () => {
  const claimSets = [
    {},
    { org_id: 'org_1', org_role: 'org:admin', org_slug: 'acme', org_permissions: ['org:a:read', 'org:b:write'] },
    { org_id: 'org_1', org_role: 'admin' },
    { org_id: 'org_1' },
    { v: 2, o: { id: 'org_2', rol: 'admin', per: 'read,manage', fpm: '1,3' }, fea: 'o:impersonation,o:memberships' },
    { v: 2, o: { id: 'org_3', rol: 'member', per: 'read,create', fpm: '9007199254740993' }, fea: 'o:big' },
    { v: 2, o: { id: 'org_4', rol: 'x', per: 'read', fpm: '1invalid' }, fea: 'o:f' },
    { fea: 'u:premium,o:teams', pla: 'u:pro,o:business', fva: [0, -1] },
    { fva: [12, 70], org_id: 'org_5', org_role: 'org:member', org_permissions: [] },
    { act: { sub: 'user_admin' }, sts: 'pending', fva: [-1, -1] },
  ];
  const params = [
    {}, { role: 'org:admin' }, { role: 'admin' }, { role: 'org:member' }, { permission: 'org:a:read' },
    { permission: 'a:read' }, { permission: 'org:memberships:manage' }, { permission: 'org:impersonation:read' },
    { role: 'org:admin', permission: 'org:a:read' }, { role: 'org:admin', permission: 'org:zzz' },
    { feature: 'premium' }, { feature: 'o:teams' }, { feature: 'u:teams' }, { plan: 'pro' }, { plan: 'org:business' },
    { reverification: 'strict' }, { reverification: 'moderate' }, { reverification: 'lax' },
    { reverification: 'strict_mfa' }, { reverification: { level: 'second_factor', afterMinutes: 15 } },
    { role: 'org:member', reverification: 'moderate' }, { feature: 'premium', reverification: 'lax' },
  ];
  let compared = 0;
  for (const extra of claimSets) {
    const { payload, auth } = await authFor(extra);
    const theirs = clerkAuthProps(/** @type {any} */ (payload));
    for (const field of ['userId', 'sessionId', 'sessionStatus', 'actor', 'orgId', 'orgRole', 'orgSlug',
      'orgPermissions', 'factorVerificationAge']) {
      assert.deepEqual(auth[field] ?? null, theirs[field] ?? null, `${field} for ${JSON.stringify(extra)}`);
    }
    const has = clerkHas(payload);
    for (const p of params) {
      assert.equal(auth.has(p), has(/** @type {any} */ (p)), `has(${JSON.stringify(p)}) for ${JSON.stringify(extra)}`);
      compared++;
    }
  }
  assert.ok(compared >= 200);
});
