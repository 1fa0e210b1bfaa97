// portcullis/next: auth() (every field, has, getToken, redirectToSignIn/Up, acceptsToken,
// treatPendingAsSignedOut), every auth.protect() branch, and the control-flow errors and their
// conversion to responses (Clerk's handleControlFlowErrors).
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import {
  DEV, DOCUMENT, ENCRYPTION_KEY, JWT_KEY, PROD, TOKENS, backend, forwarded, request, run, setEnv,
} from './support/next-differential/unit.js';
import { clerkMiddleware } from '../../js/next/clerk-middleware.js';
import {
  isNotFoundError, isRedirectError, isUnauthorizedError, notFoundError, redirectError, unauthorizedError,
} from '../../js/next/control-flow.js';

const require = createRequire(import.meta.url);
const { notFound } = require('next/navigation');

const OPTIONS = { ...PROD, jwtKey: JWT_KEY };
const cookies = (token, uat = '1767225500') => ({ cookies: { __session: token, __client_uat: uat } });
const SIGN_IN = 'https://accounts.example.com/sign-in?redirect_url=';

beforeEach(() => {
  setEnv({ CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY });
  backend.calls.length = 0;
  backend.answers.clear();
});

/**
 * Runs `handler` in a middleware on a request; returns the response and what the handler recorded.
 * @param {(auth: any, req: Request, record: (v: unknown) => void) => unknown} handler
 */
async function withHandler(handler, req, options = OPTIONS) {
  const records = [];
  const response = await run(clerkMiddleware((auth, r) => handler(auth, r, (v) => { records.push(v); }), options), req);
  return { response, records };
}

/** Runs `auth.protect(...args)`; returns the response and what protect() returned (if it did). */
async function protect(req, args, options = OPTIONS) {
  const { response, records } = await withHandler(async (auth, r, record) => record(await auth.protect(...args)), req, options);
  return { response, returned: records[0] };
}

const isRewriteToNotFound = (response) =>
  response.status === 200 && /^https:\/\/example\.com\/clerk_\d+$/.test(response.headers.get('x-middleware-rewrite') ?? '') &&
  response.headers.get('x-clerk-auth-reason').startsWith('protect-rewrite');

describe('auth()', () => {
  test('signed in: every field of Clerk\'s signedInAuthObject', async () => {
    const { records } = await withHandler(async (auth, r, record) => record(await auth()), request('https://example.com/', cookies(TOKENS.orgAcme)));
    const a = records[0];
    assert.equal(a.tokenType, 'session_token');
    assert.equal(a.isAuthenticated, true);
    assert.equal(a.userId, 'user_1');
    assert.equal(a.sessionId, 'sess_1');
    assert.equal(a.sessionStatus, null);
    assert.equal(a.orgId, 'org_1');
    assert.equal(a.orgRole, 'org:admin');
    assert.equal(a.orgSlug, 'acme');
    assert.deepEqual(a.orgPermissions, ['org:docs:read']);
    assert.equal(a.actor, null);
    assert.equal(a.factorVerificationAge, null);
    assert.equal(a.sessionClaims.sub, 'user_1');
    assert.equal(a.has({ role: 'org:admin' }), true);
    assert.equal(a.has({ role: 'org:member' }), false);
    assert.equal(a.has({ permission: 'org:docs:read' }), true);
    assert.equal(a.has({}), false, 'fails closed');
    assert.equal(await a.getToken(), TOKENS.orgAcme);
    assert.equal(typeof a.redirectToSignIn, 'function');
    assert.equal(typeof a.redirectToSignUp, 'function');
    assert.equal(a.debug().status, 'signed-in');
  });

  test('getToken({template}) asks the Backend API with the secret key', async () => {
    backend.answers.set('/v1/sessions/sess_1/tokens/supabase', { status: 200, body: { object: 'token', jwt: 'template.jwt.value' } });
    const { records } = await withHandler(async (auth, r, record) => {
      const a = await auth();
      record(await a.getToken({ template: 'supabase' }));
    }, request('https://example.com/', cookies(TOKENS.valid)));
    assert.equal(records[0], 'template.jwt.value');
    const call = backend.calls.find((c) => c.url.includes('/sessions/'));
    assert.equal(call.url, 'https://api.clerk.com/v1/sessions/sess_1/tokens/supabase');
    assert.equal(call.method, 'POST');
    assert.equal(call.headers.authorization, `Bearer ${PROD.secretKey}`);
  });

  test('signed out: Clerk\'s signedOutAuthObject', async () => {
    const { records } = await withHandler(async (auth, r, record) => record(await auth()), request('https://example.com/'));
    const a = records[0];
    for (const field of ['userId', 'sessionId', 'sessionStatus', 'orgId', 'orgRole', 'orgSlug', 'orgPermissions', 'actor', 'sessionClaims', 'factorVerificationAge']) {
      assert.equal(a[field], null, field);
    }
    assert.equal(a.isAuthenticated, false);
    assert.equal(a.tokenType, 'session_token');
    assert.equal(a.has({ role: 'org:admin' }), false);
    assert.equal(await a.getToken(), null);
  });

  test('a pending session is signed out unless treatPendingAsSignedOut: false', async () => {
    const { records } = await withHandler(async (auth, r, record) => {
      record(await auth());
      record(await auth({ treatPendingAsSignedOut: false }));
    }, request('https://example.com/', cookies(TOKENS.pending)));
    assert.equal(records[0].userId, null);
    assert.equal(records[0].sessionStatus, 'pending');
    assert.equal(records[1].userId, 'user_1');
    assert.equal(records[1].sessionStatus, 'pending');
  });

  test('acceptsToken narrows the auth object like Clerk', async () => {
    const { records } = await withHandler(async (auth, r, record) => {
      record(await auth({ acceptsToken: 'm2m_token' }));
      record(await auth({ acceptsToken: ['api_key'] }));
      record(await auth({ acceptsToken: 'any' }));
      record(await auth({ acceptsToken: ['session_token', 'api_key'] }));
    }, request('https://example.com/', cookies(TOKENS.valid)));
    assert.equal(records[0].tokenType, 'm2m_token');
    assert.equal(records[0].isAuthenticated, false);
    assert.equal(records[0].machineId, null);
    assert.equal(records[0].redirectToSignIn, undefined);
    assert.equal(records[1].tokenType, null, 'a list that does not accept the token: InvalidTokenAuthObject');
    assert.equal(records[2].userId, 'user_1');
    assert.equal(typeof records[2].redirectToSignIn, 'function', '"any" accepts session tokens');
    assert.equal(records[3].userId, 'user_1');
  });

  test('redirectToSignIn() / redirectToSignUp() stop the handler with a 307', async () => {
    let after = false;
    const { response } = await withHandler(async (auth) => {
      (await auth()).redirectToSignIn();
      after = true;
    }, request('https://example.com/p?q=1'));
    assert.equal(after, false);
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), `${SIGN_IN}https%3A%2F%2Fexample.com%2Fp%3Fq%3D1`);
    assert.equal(response.headers.get('x-clerk-redirect-to'), 'true');
    const signUp = await withHandler(async (auth) => (await auth()).redirectToSignUp({ returnBackUrl: 'https://example.com/back' }),
      request('https://example.com/p'));
    assert.equal(signUp.response.headers.get('location'), 'https://accounts.example.com/sign-up?redirect_url=https%3A%2F%2Fexample.com%2Fback');
    const none = await withHandler(async (auth) => (await auth()).redirectToSignIn({ returnBackUrl: null }), request('https://example.com/p'));
    assert.equal(none.response.headers.get('location'), 'https://accounts.example.com/sign-in');
    const createFromSignIn = await withHandler(async (auth) => (await auth()).redirectToSignUp(), request('https://example.com/p'),
      { ...OPTIONS, signInUrl: '/hello' });
    assert.equal(createFromSignIn.response.headers.get('location'), 'https://example.com/hello/create?redirect_url=https%3A%2F%2Fexample.com%2Fp');
  });

  test('development: a cross-origin sign-in redirect carries the dev-browser token', async () => {
    const { response } = await withHandler(async (auth) => (await auth()).redirectToSignIn(),
      request('https://www.clerk.com/protected', { cookies: { __clerk_db_jwt: 'test_jwt' } }), { ...DEV, jwtKey: JWT_KEY });
    assert.equal(response.headers.get('location'),
      'https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=https%3A%2F%2Fwww.clerk.com%2Fprotected&__clerk_db_jwt=test_jwt');
  });
});

describe('auth.protect()', () => {
  test('signed in, no parameters: passes and returns the auth object', async () => {
    const { response, returned } = await protect(request('https://example.com/dashboard', cookies(TOKENS.valid)), []);
    assert.equal(returned.userId, 'user_1');
    assert.equal(forwarded(response)['x-clerk-auth-status'], 'signed-in');
  });

  test('signed out on a page request: 307 to sign-in with the current URL', async () => {
    const { response, returned } = await protect(request('https://example.com/dashboard?tab=1', { headers: DOCUMENT }), []);
    assert.equal(returned, undefined);
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), `${SIGN_IN}https%3A%2F%2Fexample.com%2Fdashboard%3Ftab%3D1`);
    assert.equal(response.headers.get('x-clerk-redirect-to'), 'true');
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing', 'decision headers appended');
  });

  test('page requests include Accept containing text/html, next-url navigations and x-nextjs-data, any method', async () => {
    for (const headers of [{ accept: 'application/json, text/html' }, { 'next-url': '/x' }, { 'x-nextjs-data': '1' }, { 'sec-fetch-dest': 'iframe' }]) {
      const { response } = await protect(request('https://example.com/d', { method: 'POST', headers }), []);
      assert.equal(response.status, 307, JSON.stringify(headers));
    }
  });

  test('signed out on a server action: 401', async () => {
    for (const headers of [{ 'next-url': '/d', 'next-action': 'abc' }, { 'next-url': '/d', accept: 'text/x-component' },
      { 'next-url': '/d', 'content-type': 'multipart/form-data; boundary=x' }]) {
      const { response } = await protect(request('https://example.com/d', { method: 'POST', headers }), []);
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers.get('www-authenticate'), null);
    }
  });

  test('signed out on anything else: "404" (rewrite to /clerk_<ms>, protect-rewrite)', async () => {
    const { response } = await protect(request('https://example.com/api/data?x=1', { headers: { accept: 'application/json' } }), []);
    assert.ok(isRewriteToNotFound(response), JSON.stringify([...response.headers]));
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'protect-rewrite, session-token-and-uat-missing', 'Clerk appends the decision reason');
    assert.equal(forwarded(response)['x-clerk-auth-status'], 'signed-out', 'the rewrite still carries the auth headers');
  });

  test('signed out with unauthenticatedUrl: 307 there (from either argument)', async () => {
    for (const args of [[{ unauthenticatedUrl: 'https://example.com/login' }], [{}, { unauthenticatedUrl: 'https://example.com/login' }]]) {
      const { response } = await protect(request('https://example.com/api/x'), args);
      assert.equal(response.status, 307);
      assert.equal(response.headers.get('location'), 'https://example.com/login');
      assert.equal(response.headers.get('x-clerk-redirect-to'), 'true');
    }
  });

  test('a relative unauthenticatedUrl fails as Clerk\'s does (NextResponse.redirect needs an absolute URL)', async () => {
    await assert.rejects(protect(request('https://example.com/api/x'), [{ unauthenticatedUrl: '/login' }]), /URL is malformed/);
  });

  test('a pending session goes to the sign-in tasks page', async () => {
    const { response } = await protect(request('https://example.com/d', { ...cookies(TOKENS.pending), headers: DOCUMENT }), []);
    assert.equal(response.status, 307);
    assert.ok(response.headers.get('location').startsWith('https://accounts.example.com/sign-in/tasks?redirect_url='));
  });

  test('role and permission checks: pass, "404", or unauthorizedUrl', async () => {
    const admin = request('https://example.com/admin', cookies(TOKENS.orgAcme));
    assert.equal((await protect(admin, [{ role: 'org:admin' }])).returned.orgRole, 'org:admin');
    assert.equal((await protect(request('https://example.com/admin', cookies(TOKENS.orgAcme)), [{ permission: 'org:docs:read' }])).returned.userId, 'user_1');
    const denied = await protect(request('https://example.com/admin', cookies(TOKENS.orgAcme)), [{ role: 'org:owner' }]);
    assert.ok(isRewriteToNotFound(denied.response));
    assert.equal(denied.response.headers.get('x-clerk-auth-reason'), 'protect-rewrite', 'signed in: no decision reason');
    const elsewhere = await protect(request('https://example.com/admin', cookies(TOKENS.orgAcme)),
      [{ permission: 'org:billing:manage', unauthorizedUrl: 'https://example.com/denied' }]);
    assert.equal(elsewhere.response.status, 307);
    assert.equal(elsewhere.response.headers.get('location'), 'https://example.com/denied');
  });

  test('only the authorization keys count: an options-only object means "signed in is enough"', async () => {
    const { returned } = await protect(request('https://example.com/a', cookies(TOKENS.valid)), [{ unauthorizedUrl: 'https://example.com/x', extra: 1 }]);
    assert.equal(returned.userId, 'user_1');
    const mixed = await protect(request('https://example.com/a', cookies(TOKENS.valid)), [{ role: 'org:admin', unauthorizedUrl: 'https://example.com/x' }]);
    assert.equal(mixed.response.headers.get('location'), 'https://example.com/x', 'mixing options in still authorizes (CVE-2026-42349)');
  });

  test('a predicate gets has() and decides; it is not called for a signed-out request', async () => {
    const calls = [];
    const predicate = (has) => {
      calls.push('called');
      return has({ role: 'org:admin' });
    };
    assert.equal((await protect(request('https://example.com/a', cookies(TOKENS.orgAcme)), [predicate])).returned.userId, 'user_1');
    assert.ok(isRewriteToNotFound((await protect(request('https://example.com/a', cookies(TOKENS.valid)), [predicate])).response));
    const signedOut = await protect(request('https://example.com/a'), [predicate]);
    assert.ok(isRewriteToNotFound(signedOut.response));
    assert.deepEqual(calls, ['called', 'called']);
  });

  test('the token option: a session token where only machine tokens are accepted is 401', async () => {
    const { response } = await protect(request('https://example.com/a', cookies(TOKENS.valid)), [{ token: 'm2m_token' }]);
    assert.equal(response.status, 401);
    const any = await protect(request('https://example.com/a', cookies(TOKENS.valid)), [{ token: 'any' }]);
    assert.equal(any.returned.userId, 'user_1');
    const list = await protect(request('https://example.com/a', cookies(TOKENS.valid)), [{}, { token: ['session_token', 'api_key'] }]);
    assert.equal(list.returned.userId, 'user_1');
  });

  test('machine tokens the Backend API does not know (404): signed out with token-invalid, 401 where accepted', async () => {
    const m2m = await protect(request('https://example.com/api', { token: 'mt_0123456789' }), [{ token: 'm2m_token' }]);
    assert.equal(m2m.response.status, 401);
    assert.equal(m2m.response.headers.get('x-clerk-auth-reason'), 'token-invalid');
    assert.equal(m2m.response.headers.get('x-clerk-auth-message'), 'Machine token not found (code=token-invalid, status=404)');
    const oauth = await protect(request('https://example.com/api', { token: 'oat_0123456789' }), [{ token: 'oauth_token' }]);
    assert.equal(oauth.response.status, 401);
    assert.equal(oauth.response.headers.get('www-authenticate'),
      'Bearer resource_metadata="https://clerk.example.com/.well-known/oauth-protected-resource"');
  });

  test('a verified M2M token: protect({ token: \'m2m_token\' }) passes with the machine auth object', async () => {
    const M2M = { object: 'machine_to_machine_token', id: 'mt_id', subject: 'mch_1', scopes: ['mch_2'], claims: { a: 1 }, revoked: false,
      revocation_reason: null, expired: false, expiration: null, created_at: 1, updated_at: 1 };
    backend.answers.set('/m2m_tokens/verify', { status: 200, body: M2M });
    const req = () => request('https://example.com/api', { token: 'mt_0123456789' });
    const { response, returned } = await protect(req(), [{ token: 'm2m_token' }]);
    assert.equal(response.status, 200);
    assert.equal(returned.isAuthenticated, true);
    assert.equal(returned.tokenType, 'm2m_token');
    assert.equal(returned.machineId, 'mch_1');
    assert.deepEqual(returned.scopes, ['mch_2']);
    assert.deepEqual(returned.claims, { a: 1 });
    assert.equal(returned.has({ role: 'org:admin' }), false);
    assert.equal(await returned.getToken(), 'mt_0123456789');
    const call = backend.calls.find((c) => c.url.endsWith('/m2m_tokens/verify'));
    assert.equal(call.method, 'POST');
    assert.deepEqual(JSON.parse(call.body), { token: 'mt_0123456789' });
    assert.equal(call.headers.authorization, `Bearer ${PROD.secretKey}`);
    assert.equal(forwarded(response)['x-clerk-auth-token'], 'mt_0123456789', 'the app sees the machine token');
    assert.equal(forwarded(response)['x-clerk-auth-status'], 'signed-in');
    const sessionOnly = await protect(req(), []);
    assert.ok(isRewriteToNotFound(sessionOnly.response), 'the default token option (session_token) does not accept it');
    const otherMachine = await protect(req(), [{ token: 'api_key' }]);
    assert.equal(otherMachine.response.status, 401);
  });

  test('the machine secret key authenticates the M2M verify call', async () => {
    backend.answers.set('/m2m_tokens/verify', { status: 401, body: { errors: [{ code: 'authentication_invalid', message: 'Bad machine key.' }] } });
    const { response } = await protect(request('https://example.com/api', { token: 'mt_0123456789' }), [{ token: 'm2m_token' }],
      { ...OPTIONS, machineSecretKey: 'ak_machine_secret' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'secret-key-invalid');
    assert.equal(response.headers.get('x-clerk-auth-message'), 'Bad machine key. (code=secret-key-invalid, status=401)');
    assert.equal(backend.calls.find((c) => c.url.endsWith('/m2m_tokens/verify')).headers.authorization, 'Bearer ak_machine_secret');
  });

  test('auth({ acceptsToken: \'api_key\' }) with a verified API key: Clerk\'s authenticated machine object', async () => {
    backend.answers.set('/api_keys/verify', { status: 200, body: { object: 'api_key', id: 'ak_id', type: 'api_key', name: 'CI', subject: 'user_9',
      scopes: ['read'], claims: { team: 'x' }, revoked: false, revocation_reason: null, expired: false, expiration: null, created_by: null,
      description: null, last_used_at: null, created_at: 1, updated_at: 1 } });
    const { records } = await withHandler(async (auth, r, record) => {
      record(await auth({ acceptsToken: 'api_key' }));
      record(await auth());
    }, request('https://example.com/api', { token: 'ak_0123456789' }));
    const [key, session] = records;
    assert.deepEqual({ ...key, getToken: undefined, has: undefined, debug: undefined }, {
      id: 'ak_id', subject: 'user_9', getToken: undefined, has: undefined, debug: undefined, isAuthenticated: true, tokenType: 'api_key',
      name: 'CI', claims: { team: 'x' }, scopes: ['read'], userId: 'user_9', orgId: null,
    });
    assert.equal(session.tokenType, 'session_token');
    assert.equal(session.isAuthenticated, false, 'the default acceptsToken (session_token) narrows it to signed out');
  });

  test('development: protect()\'s cross-origin redirects carry the dev-browser token', async () => {
    const { response } = await protect(request('http://localhost:3000/d', { headers: DOCUMENT, cookies: { __clerk_db_jwt: 'dvb_1' } }), [],
      { ...DEV, jwtKey: JWT_KEY });
    assert.equal(response.headers.get('location'),
      'https://accounts.included.katydid-92.lcl.dev/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fd&__clerk_db_jwt=dvb_1');
    const unauthorized = await protect(request('http://localhost:3000/d', { headers: DOCUMENT, cookies: { __clerk_db_jwt: 'dvb_1' } }),
      [{ unauthenticatedUrl: 'https://accounts.example.com/login?__clerk_db_jwt=mine' }], { ...DEV, jwtKey: JWT_KEY });
    assert.equal(unauthorized.response.headers.get('location'), 'https://accounts.example.com/login?__clerk_db_jwt=mine', 'an existing token wins');
  });

  test('protect() throws Next\'s control-flow errors (a handler may inspect them)', async () => {
    const { records } = await withHandler(async (auth, r, record) => {
      try {
        await auth.protect();
      } catch (error) {
        record({ digest: error.digest, redirect: isRedirectError(error), notFound: isNotFoundError(error) });
      }
    }, request('https://example.com/api'));
    assert.deepEqual(records, [{ digest: 'NEXT_HTTP_ERROR_FALLBACK;404', redirect: false, notFound: true }]);
    const page = await withHandler(async (auth, r, record) => {
      try {
        await auth.protect();
      } catch (error) {
        record({ digest: error.digest, clerk: error.clerk_digest, back: error.returnBackUrl });
        throw error;
      }
    }, request('https://example.com/p', { headers: DOCUMENT }));
    assert.deepEqual(page.records, [{ digest: 'NEXT_REDIRECT;replace;https://example.com/p;307;', clerk: 'CLERK_PROTECT_REDIRECT_TO_SIGN_IN', back: 'https://example.com/p' }]);
    assert.equal(page.response.status, 307);
  });
});

describe('control-flow errors thrown by the handler', () => {
  test('next/navigation notFound() becomes the protect rewrite', async () => {
    const { response } = await withHandler(() => notFound(), request('https://example.com/x', cookies(TOKENS.valid)));
    assert.ok(isRewriteToNotFound(response));
  });

  test('legacy NEXT_NOT_FOUND, unauthorized() and plain 307 redirects', async () => {
    const legacy = await withHandler(() => {
      throw Object.assign(new Error('NEXT_NOT_FOUND'), { digest: 'NEXT_NOT_FOUND' });
    }, request('https://example.com/x'));
    assert.ok(isRewriteToNotFound(legacy.response));
    const unauthorized = await withHandler(() => {
      throw unauthorizedError();
    }, request('https://example.com/x'));
    assert.equal(unauthorized.response.status, 401);
    const redirect = await withHandler(() => {
      throw redirectError('https://example.com/next', { redirectUrl: 'https://example.com/next' });
    }, request('https://example.com/x'));
    assert.equal(redirect.response.status, 307);
    assert.equal(redirect.response.headers.get('location'), 'https://example.com/next');
    assert.equal(redirect.response.headers.get('x-clerk-redirect-to'), 'true');
  });

  test('a 308 redirect error or a 403 fallback is not Clerk\'s to convert: rethrown', async () => {
    await assert.rejects(withHandler(() => {
      throw Object.assign(new Error('NEXT_REDIRECT'), { digest: 'NEXT_REDIRECT;replace;https://example.com/x;308;' });
    }, request('https://example.com/x')), /NEXT_REDIRECT/);
    await assert.rejects(withHandler(() => {
      throw Object.assign(new Error('forbidden'), { digest: 'NEXT_HTTP_ERROR_FALLBACK;403' });
    }, request('https://example.com/x')), /forbidden/);
  });

  test('the error helpers recognise what they create', () => {
    assert.ok(isUnauthorizedError(unauthorizedError()));
    assert.ok(isNotFoundError(notFoundError()));
    assert.ok(isRedirectError(redirectError('https://a.example/')));
    assert.ok(!isRedirectError(new Error('x')));
  });
});

describe('after the middleware has answered', () => {
  test('auth() still reads the decision; auth.protect() kept for later throws a clear error', async () => {
    let kept;
    await withHandler(async (auth) => { kept = auth; }, request('https://example.com/', cookies(TOKENS.orgAcme)));
    assert.equal((await kept()).userId, 'user_1');
    await assert.rejects(kept.protect(), /belongs to a request the middleware has already answered/);
  });
});
