// portcullis/next: remembered decisions (js/decision-memo.js) in clerkMiddleware. A repeated
// signed-in request is answered, from its key's second decision on, without deciding again — whatever per-request headers differ — and
// with exactly what a fresh decision gives: the same response and headers for the app, auth() and
// auth.protect() outcomes, a not-found rewrite stamped with the current time, its own copy of the
// session claims (user code that changes them does not change another request's), never past the
// token's exp, never with debug on, and a protect() kept past the response still refused. A visitor
// without credentials gets the same: a signed-out decision remembered.
import { describe, test, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';

import { DOCUMENT, ENCRYPTION_KEY, JWT_KEY, NOW, PROD, TOKENS, forwarded, request, run, setEnv } from './support/next-differential/unit.js';
import { clerkMiddleware } from '../../js/next/clerk-middleware.js';
import { DECISION_MEMO_MS } from '../../js/decision-memo.js';
import { verifierStats } from '../../js/verify.js';
import { wasm } from '../../js/bindings.js';

// A clock the tests move (unit.js fixes Date.now at NOW).
let clock = NOW;
const fixed = Date.now;
Date.now = () => clock;
after(() => {
  Date.now = fixed;
});

const OPTIONS = { ...PROD, jwtKey: JWT_KEY };
const EXP_MS = 1767225660 * 1000; // TOKENS.orgAcme's exp
const cookie = { __session: TOKENS.orgAcme, __client_uat: '1767225500' };
let path = 0;
/** A URL of its own per test, so that tests do not share remembered decisions. */
const freshUrl = () => `https://example.com/memo/${++path}`;

/** Calls to the token verifier since the call (a remembered decision makes none). */
async function verificationsDuring(fn) {
  const count = () => verifierStats.cacheHits + verifierStats.prepare;
  const before = count();
  const result = await fn();
  return { result, verifications: count() - before };
}

beforeEach(() => {
  clock = NOW;
  setEnv({ CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY });
});

describe('clerkMiddleware remembers signed-in decisions', () => {
  test('a repeated request is not decided again, whatever per-request headers differ, and answers the same', async () => {
    const url = freshUrl();
    const seen = [];
    const middleware = clerkMiddleware(async (auth) => {
      seen.push((await auth()).userId);
    }, OPTIONS);
    const once = await verificationsDuring(() => run(middleware, request(url, { headers: { ...DOCUMENT, 'x-vercel-id': 'a' }, cookies: cookie })));
    assert.equal(once.verifications, 1);
    // Remembered from its second decision on (a request that never repeats costs nothing extra).
    const first = await verificationsDuring(() => run(middleware, request(url, { headers: { ...DOCUMENT, 'x-vercel-id': 'b' }, cookies: cookie })));
    assert.equal(first.verifications, 1);
    clock += 1000;
    const again = await verificationsDuring(() => run(middleware, request(url, { headers: { ...DOCUMENT, 'x-vercel-id': 'c', 'x-forwarded-for': '203.0.113.7' }, cookies: cookie })));
    assert.equal(again.verifications, 0);
    assert.deepEqual(seen, ['user_1', 'user_1', 'user_1']);
    assert.equal(again.result.status, first.result.status);
    const [a, b] = [forwarded(first.result), forwarded(again.result)];
    for (const name of ['x-clerk-auth-status', 'x-clerk-auth-token', 'x-clerk-auth-signature', 'x-clerk-clerk-url']) assert.equal(b[name], a[name], name);
  });

  test('another URL, method, decision header or protect() header is decided afresh', async () => {
    const url = freshUrl();
    const middleware = clerkMiddleware(OPTIONS);
    for (let i = 0; i < 2; i++) await run(middleware, request(url, { headers: DOCUMENT, cookies: cookie }));
    for (const [label, req] of [
      ['query', request(`${url}?tab=2`, { headers: DOCUMENT, cookies: cookie })],
      ['method', request(url, { method: 'POST', headers: DOCUMENT, cookies: cookie })],
      ['accept', request(url, { headers: { ...DOCUMENT, accept: 'application/json' }, cookies: cookie })],
      ['next-action', request(url, { headers: { ...DOCUMENT, 'next-action': 'abc', 'next-url': '/memo' }, cookies: cookie })],
      ['x-nextjs-data', request(url, { headers: { ...DOCUMENT, 'x-nextjs-data': '1' }, cookies: cookie })],
      ['cookie', request(url, { headers: DOCUMENT, cookies: { ...cookie, __clerk_redirect_count: '1' } })],
    ]) {
      const { verifications } = await verificationsDuring(() => run(middleware, req));
      assert.equal(verifications, 1, label);
    }
  });

  test('the session claims handed to user code are each request\'s own', async () => {
    const url = freshUrl();
    const claims = [];
    const middleware = clerkMiddleware(async (auth) => {
      const a = await auth();
      claims.push(structuredClone(a.sessionClaims));
      a.sessionClaims.org_role = 'org:hacked';
      a.orgPermissions?.push?.('org:hacked');
      const protectedAuth = await auth.protect({ role: 'org:admin' });
      protectedAuth.sessionClaims.sub = 'user_hacked';
    }, OPTIONS);
    for (let i = 0; i < 3; i++) {
      const response = await run(middleware, request(url, { headers: DOCUMENT, cookies: cookie }));
      assert.equal(response.status, 200);
    }
    assert.equal(claims.length, 3);
    for (const c of claims) assert.deepEqual(c, claims[0]);
    assert.equal(claims[0].org_role, 'org:admin');
    assert.equal(claims[0].sub, 'user_1');
  });

  test('protect() on a remembered decision: the same outcomes, the not-found rewrite stamped with this request\'s time', async () => {
    const url = freshUrl().replace('/memo/', '/api/memo/');
    const middleware = clerkMiddleware(async (auth) => {
      await auth.protect({ role: 'org:owner' });
    }, OPTIONS);
    await run(middleware, request(url, { headers: { accept: 'application/json' }, cookies: cookie }));
    const first = await run(middleware, request(url, { headers: { accept: 'application/json' }, cookies: cookie }));
    assert.equal(first.headers.get('x-middleware-rewrite'), `https://example.com/clerk_${NOW}`);
    clock = NOW + 4321;
    const again = await verificationsDuring(() => run(middleware, request(url, { headers: { accept: 'application/json' }, cookies: cookie })));
    assert.equal(again.verifications, 0);
    assert.equal(again.result.headers.get('x-middleware-rewrite'), `https://example.com/clerk_${NOW + 4321}`);
    assert.equal(again.result.headers.get('x-clerk-auth-reason'), first.headers.get('x-clerk-auth-reason'));

    const page = freshUrl();
    const redirecting = clerkMiddleware(async (auth) => {
      await auth.protect({ role: 'org:owner' }, { unauthorizedUrl: 'https://example.com/no' });
    }, OPTIONS);
    const [r1, r2, r3] = [await run(redirecting, request(page, { headers: DOCUMENT, cookies: cookie })),
      await run(redirecting, request(page, { headers: DOCUMENT, cookies: cookie })), await run(redirecting, request(page, { headers: DOCUMENT, cookies: cookie }))];
    assert.equal(r1.status, 307);
    assert.equal(r2.headers.get('location'), r1.headers.get('location'));
    assert.equal(r3.headers.get('location'), r1.headers.get('location'));
  });

  test(`a remembered decision ends at the token's exp and after DECISION_MEMO_MS (${DECISION_MEMO_MS} ms)`, async () => {
    const url = freshUrl();
    const middleware = clerkMiddleware(OPTIONS);
    const decide = (at) => {
      clock = at;
      return verificationsDuring(() => run(middleware, request(url, { headers: DOCUMENT, cookies: cookie })));
    };
    assert.equal((await decide(NOW)).verifications, 1);
    assert.equal((await decide(NOW)).verifications, 1); // the second decision is remembered
    assert.equal((await decide(NOW + DECISION_MEMO_MS - 1)).verifications, 0);
    assert.equal((await decide(NOW + DECISION_MEMO_MS)).verifications, 1);
    assert.equal((await decide(EXP_MS - 1000)).verifications, 1); // remembered again (the key was decided before)
    assert.equal((await decide(EXP_MS - 1)).verifications, 0);
    assert.equal((await decide(EXP_MS)).verifications, 1); // decided by the engine again (with Clerk's clock-skew grace)
    const late = await decide(EXP_MS + 10_000);
    assert.equal(late.verifications, 1);
    assert.notEqual(forwarded(late.result)?.['x-clerk-auth-status'], 'signed-in');
    clock = NOW - 1000; // a clock that went back is never given a later decision
    assert.equal((await decide(NOW - 1000)).verifications, 1);
  });

  test('not with debug on, and not for a signed-out request that carries a token', async () => {
    const url = freshUrl();
    const debugging = clerkMiddleware({ ...OPTIONS, debug: true });
    const log = console.log;
    console.log = () => {};
    try {
      for (let i = 0; i < 2; i++) {
        const { verifications } = await verificationsDuring(() => run(debugging, request(url, { headers: DOCUMENT, cookies: cookie })));
        assert.equal(verifications, 1);
      }
    } finally {
      console.log = log;
    }
    const middleware = clerkMiddleware(OPTIONS);
    for (let i = 0; i < 2; i++) {
      const forged = `${TOKENS.orgAcme.slice(0, -6)}AAAAAA`;
      const { result, verifications } = await verificationsDuring(() => run(middleware, request(url, { headers: { accept: 'application/json' }, cookies: { ...cookie, __session: forged } })));
      assert.equal(verifications, 1);
      assert.equal(forwarded(result)['x-clerk-auth-status'], 'signed-out');
    }
  });

  test('a visitor without credentials: the signed-out decision is remembered too; with any credential it is not', async () => {
    const core = /** @type {any} */ (wasm());
    const original = core.Authenticator.prototype.decide;
    let decisions = 0;
    core.Authenticator.prototype.decide = function (...args) {
      decisions++;
      return original.apply(this, args);
    };
    try {
      const url = freshUrl();
      const middleware = clerkMiddleware(async (auth, req) => {
        if (req.url.endsWith('/never')) await auth.protect();
      }, OPTIONS);
      const visit = async (headers) => {
        const before = decisions;
        const response = await run(middleware, request(url, { headers }));
        return { response, decided: decisions - before };
      };
      assert.equal((await visit(DOCUMENT)).decided, 1);
      const first = await visit(DOCUMENT);
      assert.equal(first.decided, 1);
      const again = await visit({ ...DOCUMENT, 'x-vercel-id': 'other' });
      assert.equal(again.decided, 0);
      assert.equal(forwarded(again.response)['x-clerk-auth-status'], 'signed-out');
      assert.equal(forwarded(again.response)['x-clerk-auth-reason'], forwarded(first.response)['x-clerk-auth-reason']);
      for (const headers of [{ ...DOCUMENT, authorization: 'Bearer x' }, { ...DOCUMENT, cookie: '__session=x' }]) {
        for (let i = 0; i < 3; i++) assert.equal((await visit(headers)).decided, 1);
      }
      // A protected page for a remembered visitor: the same sign-in redirect as a fresh decision.
      const page = `${url}/never`;
      const [r1, r2, r3] = [await run(middleware, request(page, { headers: DOCUMENT })),
        await run(middleware, request(page, { headers: DOCUMENT })), await run(middleware, request(page, { headers: DOCUMENT }))];
      assert.equal(r1.status, 307);
      assert.equal(r2.headers.get('location'), r1.headers.get('location'));
      assert.equal(r3.headers.get('location'), r1.headers.get('location'));
    } finally {
      core.Authenticator.prototype.decide = original;
    }
  });

  test('auth.protect() kept past the response of a remembered request throws a clear error; the memo stays usable', async () => {
    const url = freshUrl();
    const kept = [];
    const middleware = clerkMiddleware(async (auth) => {
      kept.push(auth);
    }, OPTIONS);
    await run(middleware, request(url, { headers: DOCUMENT, cookies: cookie }));
    await run(middleware, request(url, { headers: DOCUMENT, cookies: cookie }));
    for (const auth of kept) await assert.rejects(auth.protect(), /belongs to a request the middleware has already answered/);
    const { result, verifications } = await verificationsDuring(() => run(middleware, request(url, { headers: DOCUMENT, cookies: cookie })));
    assert.equal(verifications, 0);
    assert.equal(forwarded(result)['x-clerk-auth-status'], 'signed-in');
  });
});
