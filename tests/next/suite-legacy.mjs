/**
 * HTTP tests of Clerk's legacy authMiddleware (legacy/middleware.ts, served as app15-legacy by
 * run.mjs): Clerk v5's default afterAuth over real requests — public routes pass, a signed-out page
 * is redirected to sign-in, a signed-out API route gets 401, a signed-in request reaches the page
 * (whose @clerk/nextjs auth() sees the user), and an ignored route is passed through untouched.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { randomUserId, sessionCookies, signSessionToken } from './support/tokens.mjs';

const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };
const API = { accept: '*/*' };

/** @param {string} origin @param {string} path @param {Record<string, string>} [headers] */
async function get(origin, path, headers = {}) {
  const response = await fetch(origin + path, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** @param {string} body */
const shownUserId = (body) => /data-testid="user-id">([^<]*)</.exec(body)?.[1] ?? null;

/**
 * Registers the tests for the legacy app; call inside its `describe` (same argument as suite.mjs).
 * @param {import('./suite.mjs').AppUnderTest} app
 */
export function registerLegacyTests(app) {
  const user = randomUserId();
  const session = () => signSessionToken(app.privateKey, { userId: user });

  test('legacy: public routes (publicRoutes and the sign-in URL) answer 200 signed out', async () => {
    const home = await get(app.origin(), '/', PAGE);
    assert.equal(home.status, 200);
    assert.match(home.body, /Public home/);
    assert.equal((await get(app.origin(), '/sign-in', PAGE)).status, 200);
  });

  test('legacy: signed-out page on a private route → 307 to sign-in with redirect_url', async () => {
    const origin = app.origin();
    const response = await get(origin, '/dashboard?tab=1', PAGE);
    assert.equal(response.status, 307);
    // Next makes a same-origin Location relative (as for clerkMiddleware's redirects in suite.mjs).
    const location = new URL(/** @type {string} */ (response.headers.get('location')), origin);
    assert.equal(location.origin + location.pathname, `${origin}/sign-in`);
    assert.deepEqual([...location.searchParams], [['redirect_url', `${origin}/dashboard?tab=1`]]);
    assert.equal(response.headers.get('x-clerk-redirect-to'), 'true');
    assert.equal(response.headers.get('x-clerk-auth-status'), 'signed-out');
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing');
  });

  test('legacy: signed-out private API route → 401', async () => {
    const response = await get(app.origin(), '/api/admin/users', API);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('location'), null);
    assert.ok(!response.body.includes('user_alice'), 'the route did not run');
  });

  test('legacy: signed in with a valid __session cookie → 200, auth() shows the user', async () => {
    const cookie = sessionCookies(session());
    const page = await get(app.origin(), '/dashboard', { ...PAGE, cookie });
    assert.equal(page.status, 200);
    assert.equal(shownUserId(page.body), user);
    const api = await get(app.origin(), '/api/admin/users', { ...API, cookie });
    assert.equal(api.status, 200);
    assert.equal(JSON.parse(api.body).requestedBy, user);
  });

  test('legacy: an ignored route passes untouched (the route answers, not the middleware)', async () => {
    const signedOut = await get(app.origin(), '/api/whoami', API);
    assert.equal(signedOut.status, 401);
    assert.deepEqual(JSON.parse(signedOut.body), { signedIn: false, reason: 'no-token' });
    assert.equal(signedOut.headers.get('x-clerk-auth-reason'), 'ignored-route');
    assert.equal(signedOut.headers.get('x-clerk-auth-status'), null);
    const signedIn = await get(app.origin(), '/api/whoami', { ...API, cookie: sessionCookies(session()) });
    assert.equal(signedIn.status, 200);
    assert.equal(JSON.parse(signedIn.body).userId, user);
  });
}
