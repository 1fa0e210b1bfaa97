// authenticateRequest(request, options) from the `portcullis` entry: Clerk's RequestState shape
// (status, reason, message, token, headers as Headers, isAuthenticated, toAuth()), the Backend API
// calls of the host loop (handshake nonce, session refresh), and the legacy handshake token.
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, DOCUMENT, JWT_KEY, NOW, PROD, TOKENS, backend, request, setEnv } from './support/next-differential/unit.js';
import { cookieSuffix } from './support/next-differential/fixtures.js';
import { authenticateRequest, ConfigurationError } from '../../js/index.js';

const REFRESH = `__refresh_${cookieSuffix(PROD.publishableKey)}`;

const OPTIONS = { ...PROD, jwtKey: JWT_KEY };

beforeEach(() => {
  setEnv({});
  backend.calls.length = 0;
  backend.answers.clear();
});

describe('authenticateRequest', () => {
  test('signed in: the token, no debug headers, toAuth() with has()', async () => {
    const state = await authenticateRequest(new Request('https://example.com/', {
      headers: { cookie: `__session=${TOKENS.orgAcme}; __client_uat=1767225500` },
    }), OPTIONS);
    assert.equal(state.status, 'signed-in');
    assert.equal(state.reason, null);
    assert.equal(state.message, null);
    assert.equal(state.token, TOKENS.orgAcme);
    assert.equal(state.tokenType, 'session_token');
    assert.equal(state.isAuthenticated, true);
    assert.ok(state.headers instanceof Headers);
    assert.deepEqual([...state.headers], []);
    const auth = state.toAuth();
    assert.equal(auth.userId, 'user_1');
    assert.equal(auth.orgRole, 'org:admin');
    assert.equal(auth.has({ role: 'org:admin' }), true);
    assert.equal(await auth.getToken(), TOKENS.orgAcme);
  });

  test('signed out: reason, message and the x-clerk-auth-* headers', async () => {
    const state = await authenticateRequest(request('https://example.com/', { token: TOKENS.badSig }), OPTIONS);
    assert.equal(state.status, 'signed-out');
    assert.equal(state.reason, 'token-invalid-signature');
    assert.match(state.message, /\(reason=token-invalid-signature, token-carrier=header\)$/);
    assert.equal(state.isAuthenticated, false);
    assert.equal(state.headers.get('x-clerk-auth-status'), 'signed-out');
    assert.equal(state.headers.get('x-clerk-auth-reason'), 'token-invalid-signature');
    assert.equal(state.toAuth().userId, null);
  });

  test('handshake: a location and the redirect counter; toAuth() is null', async () => {
    const state = await authenticateRequest(request('https://example.com/p', { headers: DOCUMENT, cookies: { __client_uat: '1767225500' } }), OPTIONS);
    assert.equal(state.status, 'handshake');
    assert.equal(state.reason, 'client-uat-but-no-session-token');
    assert.ok(state.headers.get('location').startsWith('https://clerk.example.com/v1/client/handshake?'));
    assert.deepEqual(state.headers.getSetCookie(), ['__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2']);
    assert.equal(state.toAuth(), null);
  });

  test('pending sessions: toAuth() treats them as signed out unless asked not to', async () => {
    const state = await authenticateRequest(request('https://example.com/', { token: TOKENS.pending }), OPTIONS);
    assert.equal(state.status, 'signed-in');
    assert.equal(state.toAuth().userId, null);
    assert.equal(state.toAuth().sessionStatus, 'pending');
    assert.equal(state.toAuth({ treatPendingAsSignedOut: false }).userId, 'user_1');
  });

  test('bad configuration: ConfigurationError with the engine\'s code', async () => {
    await assert.rejects(authenticateRequest(request('https://example.com/'), { secretKey: 'sk_live_x' }),
      (error) => error instanceof ConfigurationError && error.code === 'missing-publishable-key');
    await assert.rejects(authenticateRequest(request('https://example.com/'), { ...OPTIONS, signInUrl: '//evil.example' }),
      (error) => error instanceof ConfigurationError && error.code === 'invalid-url-option');
    await assert.rejects(authenticateRequest(request('https://example.com/'), null), ConfigurationError);
  });

  test('a handshake nonce: the payload comes from the Backend API and its cookies are set', async () => {
    backend.answers.set('/v1/clients/handshake_payload', {
      status: 200, body: { object: 'handshake_payload', directives: [`__session=${TOKENS.valid}; Path=/`, '__client_uat=1767225595; Path=/'] },
    });
    const state = await authenticateRequest(request('https://example.com/p?__clerk_handshake_nonce=n1'), OPTIONS);
    assert.equal(state.status, 'signed-in');
    assert.equal(state.token, TOKENS.valid);
    assert.deepEqual(state.headers.getSetCookie(), [`__session=${TOKENS.valid}; Path=/`, '__client_uat=1767225595; Path=/']);
    const call = backend.calls.find((c) => c.url.includes('handshake_payload'));
    assert.equal(call.url, 'https://api.clerk.com/v1/clients/handshake_payload?nonce=n1');
    assert.equal(call.headers.authorization, `Bearer ${PROD.secretKey}`);
    assert.equal(call.headers['clerk-api-version'], '2026-05-12');
  });

  test('an expired cookie with a refresh cookie: refreshed through the Backend API', async () => {
    backend.answers.set('/v1/sessions/sess_1/refresh', {
      status: 200, body: { object: 'cookies', cookies: [`__session=${TOKENS.refreshed}; Path=/`] },
    });
    const state = await authenticateRequest(request('https://example.com/p', {
      cookies: { __session: TOKENS.expired, __client_uat: '1767222000', [REFRESH]: 'refresh_1' },
    }), OPTIONS);
    const call = backend.calls.find((c) => c.url.includes('/refresh'));
    assert.ok(call, 'the refresh was requested');
    assert.equal(call.method, 'POST');
    const body = JSON.parse(call.body);
    assert.equal(body.expired_token, TOKENS.expired);
    assert.equal(body.format, 'cookie');
    assert.equal(state.status, 'signed-in', `${state.status} ${state.reason}`);
    assert.equal(state.token, TOKENS.refreshed);
  });

  test('a Backend API error becomes Clerk\'s refresh reason', async () => {
    backend.answers.set('/v1/sessions/sess_1/refresh', { status: 400, body: { errors: [{ code: 'invalid_refresh_token' }] } });
    const state = await authenticateRequest(request('https://example.com/p', {
      cookies: { __session: TOKENS.expired, __client_uat: '1767222000', [REFRESH]: 'r' },
    }), OPTIONS);
    assert.equal(state.reason, 'session-token-expired-refresh-invalid_refresh_token');
  });

  test('the legacy handshake token is verified with the instance key (signature only, no claim checks)', async () => {
    const state = await authenticateRequest(request(`https://example.com/p?__clerk_handshake=${TOKENS.handshake}`), OPTIONS);
    assert.equal(state.status, 'signed-in');
    assert.equal(state.token, TOKENS.valid);
    const forged = TOKENS.handshake.slice(0, -4) + (TOKENS.handshake.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const refused = await authenticateRequest(request(`https://example.com/p?__clerk_handshake=${forged}`), OPTIONS);
    assert.equal(refused.status, 'signed-out', 'production: logged, then the cookie path (no cookies)');
  });

  test('client-sent x-clerk-* headers are not part of what is decided on', async () => {
    const forged = await authenticateRequest(request('https://example.com/', {
      headers: { 'x-clerk-auth-status': 'signed-in', 'x-clerk-auth-token': TOKENS.valid, 'x-middleware-subrequest': 'middleware' },
    }), { ...DEV, jwtKey: JWT_KEY });
    const plain = await authenticateRequest(request('https://example.com/'), { ...DEV, jwtKey: JWT_KEY });
    assert.equal(forged.status, 'signed-out');
    assert.equal(forged.reason, 'dev-browser-missing');
    assert.deepEqual([...forged.headers], [...plain.headers]);
    assert.equal(Date.now(), NOW);
  });
});
