/**
 * The HTTP tests every Next.js test app must pass (registered once per app by run.mjs): real
 * requests to `next start` on localhost (loopback), redirects not followed.
 *
 * The apps run portcullis/next's clerkMiddleware with the handler of shared/lib/protect-routes.ts
 * (/admin: auth.protect({ role: 'org:admin' }); /dashboard, /api/admin: auth.protect()), and the
 * pages read the user with @clerk/nextjs's auth(). The assertions are Clerk's answers, headers
 * included:
 * - signed out, page request → 307 to /sign-in?redirect_url=<the request URL>;
 * - expired session token, page request → the handshake: 307 to the Frontend API's
 *   /v1/client/handshake (production instance, so no dev-browser parameters);
 * - signed out, any other request → protect()'s "404" rewrite, `x-clerk-auth-reason:
 *   protect-rewrite, <why signed out>` (clerkMiddleware appends the request state's headers);
 * - signed in without the role → the same "404", `x-clerk-auth-reason: protect-rewrite`.
 * Page requests carry `Accept: text/html` and `Sec-Fetch-Dest: document` like a browser's. Signed-in
 * requests carry `__client_uat` next to `__session`, as a browser signed in to Clerk does (without
 * it Clerk reads the cookie session as signed out).
 *
 * Also visible over HTTP: Clerk webhooks (app/api/webhooks/clerk, public, verifyWebhook against
 * deliveries signed by the svix package), the `contentSecurityPolicy: {}` option (both apps),
 * `organizationSyncOptions` (both apps: `/orgs/:slug`, `/orgs/:slug/(.*)` and the personal account's
 * `/me`, `/me/(.*)`: the activation handshake, its `organization_id` and loop guard) and
 * `debug: true` (app16 only: its block in next start's output, secrets cut).
 */

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'svix';

import { randomUserId, sessionCookies, signSessionToken } from './support/tokens.mjs';

const PAGE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };
const API = { accept: '*/*' };

/**
 * @typedef {object} AppUnderTest
 * @property {() => string} origin the server's origin, once started
 * @property {import('node:crypto').KeyObject} privateKey signs valid tokens
 * @property {import('node:crypto').KeyObject} otherKey a key the app does not trust
 * @property {string} secretKey the app's CLERK_SECRET_KEY (to forge x-clerk-auth-signature)
 * @property {string} webhookSecret the app's CLERK_WEBHOOK_SIGNING_SECRET (whsec_…)
 * @property {boolean} debug whether the app's middleware has `debug: true`
 * @property {boolean} webhooks whether the app serves app/api/webhooks/clerk (see run.mjs)
 * @property {() => string} output what `next start` printed so far (stdout and stderr)
 */

/** The Frontend API of the apps' publishable key (never contacted). */
const FRONTEND_API = 'https://clerk.example.com';
/** Clerk's reason for an expired cookie token on a page request without a refresh cookie. */
const EXPIRED_REASON = 'session-token-expired-refresh-non-eligible-no-refresh-cookie';
/** Clerk's reason for organizationSyncOptions' activation handshake. */
const ORG_MISMATCH_REASON = 'active-organization-mismatch';

/**
 * @param {string} origin
 * @param {string} path sent as is (`//api/…`, `%61` stay as written)
 * @param {Record<string, string>} [headers]
 */
async function get(origin, path, headers = {}) {
  const response = await fetch(origin + path, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  return { status: response.status, headers: response.headers, body };
}

/**
 * POSTs a webhook delivery: `body` as is, with the given svix-* headers.
 * @param {string} origin
 * @param {string} body
 * @param {Record<string, string>} headers
 */
async function postWebhook(origin, body, headers) {
  const response = await fetch(`${origin}/api/webhooks/clerk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/**
 * The svix-* headers of a delivery signed as Clerk (Svix) signs it.
 * @param {string} secret whsec_…
 * @param {string} body
 * @param {Date} [at]
 */
function signedHeaders(secret, body, at = new Date()) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, at, body),
  };
}

/**
 * Clerk's default contentSecurityPolicy for a production instance of clerk.example.com
 * (CLERK-BEHAVIOUR.md §2.7: the bare host, no 'unsafe-eval' under NODE_ENV=production).
 */
const DEFAULT_CSP =
  "connect-src 'self' https://clerk-telemetry.com https://*.clerk-telemetry.com https://api.stripe.com https://maps.googleapis.com https://img.clerk.com https://images.clerkstage.dev https://*.protect.clerk.com:* clerk.example.com; " +
  "default-src 'self'; form-action 'self'; " +
  "frame-src 'self' https://challenges.cloudflare.com https://*.js.stripe.com https://js.stripe.com https://hooks.stripe.com https://*.protect.clerk.com; " +
  "img-src 'self' https://img.clerk.com; " +
  "script-src 'self' 'unsafe-inline' https: http: https://*.js.stripe.com https://js.stripe.com https://maps.googleapis.com https://*.protect.clerk.com; " +
  "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:";

/** @param {string} body */
function shownUserId(body) {
  return /data-testid="user-id">([^<]*)</.exec(body)?.[1] ?? null;
}

/** @param {string} body the active organization's slug as auth() reads it (org pages) */
function shownOrgSlug(body) {
  return /data-testid="org-slug">([^<]*)</.exec(body)?.[1] ?? null;
}

/**
 * Asserts protect()'s redirect of a signed-out page request to the sign-in page (this app's
 * /sign-in), coming back to exactly `origin + path`.
 * @param {{ status: number, headers: Headers }} response
 * @param {string} origin
 * @param {string} path as sent (`/%64ashboard` comes back as is)
 * @param {string} reason why the request is signed out (`x-clerk-auth-reason`)
 */
function assertSignInRedirect(response, origin, path, reason) {
  assert.equal(response.status, 307);
  const location = response.headers.get('location');
  assert.ok(location, 'a Location header');
  const target = new URL(location, origin);
  assert.equal(target.origin, origin);
  assert.equal(target.pathname, '/sign-in');
  assert.deepEqual([...target.searchParams.keys()], ['redirect_url']);
  assert.equal(target.searchParams.get('redirect_url'), origin + path);
  assert.equal(response.headers.get('x-clerk-auth-status'), 'signed-out');
  assert.equal(response.headers.get('x-clerk-auth-reason'), reason);
  assert.equal(response.headers.get('x-clerk-redirect-to'), 'true');
}

/**
 * Asserts Clerk's handshake for an expired cookie token on a page request: a 307 to the Frontend
 * API's /v1/client/handshake that comes back to `origin + path` and carries the token, not cached,
 * with the loop guard's cookie.
 * @param {{ status: number, headers: Headers }} response
 * @param {string} origin
 * @param {string} path
 * @param {string} token the expired session token sent
 */
function assertHandshake(response, origin, path, token) {
  assert.equal(response.status, 307);
  const location = response.headers.get('location');
  assert.ok(location, 'a Location header');
  const target = new URL(location);
  assert.equal(target.origin, FRONTEND_API);
  assert.equal(target.pathname, '/v1/client/handshake');
  assert.deepEqual(
    [...target.searchParams.keys()],
    ['redirect_url', '__clerk_api_version', 'suffixed_cookies', '__clerk_hs_reason', 'format', '__session'],
  );
  assert.equal(target.searchParams.get('redirect_url'), origin + path);
  assert.match(/** @type {string} */ (target.searchParams.get('__clerk_api_version')), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(target.searchParams.get('suffixed_cookies'), 'false');
  assert.equal(target.searchParams.get('__clerk_hs_reason'), EXPIRED_REASON);
  assert.equal(target.searchParams.get('format'), 'nonce');
  assert.equal(target.searchParams.get('__session'), token);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('set-cookie'), '__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2');
  assert.equal(response.headers.get('x-clerk-auth-status'), 'handshake');
  assert.equal(response.headers.get('x-clerk-auth-reason'), EXPIRED_REASON);
  assert.match(/** @type {string} */ (response.headers.get('x-clerk-auth-message')), /\(reason=token-expired, token-carrier=cookie\)$/);
}

/**
 * Asserts organizationSyncOptions' activation handshake (CLERK-BEHAVIOUR.md §2.8): a signed-in page
 * request whose URL asks for another organization (or the personal account) is sent to the
 * Frontend API's /v1/client/handshake with reason `active-organization-mismatch`, the session token,
 * and `organization_id` last (the slug or ID from the URL, as written; empty for the personal
 * account), exactly as the engine's vectors show for a production instance.
 * @param {{ status: number, headers: Headers }} response
 * @param {string} origin
 * @param {string} path
 * @param {string} token the session token sent
 * @param {string} organizationId the expected `organization_id` ('' for the personal account)
 * @param {number} [redirectCount] the `__clerk_redirect_count` the request carried
 */
function assertOrgHandshake(response, origin, path, token, organizationId, redirectCount = 0) {
  assert.equal(response.status, 307);
  const location = /** @type {string} */ (response.headers.get('location'));
  assert.ok(location, 'a Location header');
  const target = new URL(location);
  const apiVersion = /** @type {string} */ (target.searchParams.get('__clerk_api_version'));
  assert.match(apiVersion, /^\d{4}-\d{2}-\d{2}$/);
  const expected = new URL(`${FRONTEND_API}/v1/client/handshake`);
  expected.search = new URLSearchParams({
    redirect_url: origin + path,
    __clerk_api_version: apiVersion,
    suffixed_cookies: 'false',
    __clerk_hs_reason: ORG_MISMATCH_REASON,
    format: 'nonce',
    __session: token,
    organization_id: organizationId,
  }).toString();
  assert.equal(location, expected.href);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(
    response.headers.get('set-cookie'),
    `__clerk_redirect_count=${redirectCount + 1}; SameSite=Lax; HttpOnly; Max-Age=2`,
  );
  assert.equal(response.headers.get('x-clerk-auth-status'), 'handshake');
  assert.equal(response.headers.get('x-clerk-auth-reason'), ORG_MISMATCH_REASON);
}

/**
 * Asserts Clerk's protect() "404" (a rewrite to a page that does not exist). Signed out, the
 * request state's headers follow protect's own reason; signed in (wrong role) there are none.
 * @param {{ status: number, headers: Headers }} response
 * @param {string} [signedOutReason] why the request is signed out, if it is
 */
function assertProtectNotFound(response, signedOutReason) {
  assert.equal(response.status, 404);
  if (signedOutReason === undefined) {
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'protect-rewrite');
    assert.equal(response.headers.get('x-clerk-auth-status'), null);
  } else {
    assert.equal(response.headers.get('x-clerk-auth-reason'), `protect-rewrite, ${signedOutReason}`);
    assert.equal(response.headers.get('x-clerk-auth-status'), 'signed-out');
  }
}

/**
 * The request headers clerkMiddleware hands to the app, as a client might forge them.
 * @param {string} token a valid session token of someone else
 * @param {string} secretKey
 */
function forgedClerkHeaders(token, secretKey) {
  return {
    'x-clerk-auth-status': 'signed-in',
    'x-clerk-auth-reason': '',
    'x-clerk-auth-message': '',
    'x-clerk-auth-token': token,
    // @clerk/nextjs checks this HMAC-SHA1 of the token under the secret key: a correct one.
    'x-clerk-auth-signature': createHmac('sha1', secretKey).update(token).digest('hex'),
  };
}

/**
 * Registers the tests for one app; call inside its `describe`, after the `before` that starts it.
 * @param {AppUnderTest} app
 */
export function registerAppTests(app) {
  const member = randomUserId();
  const admin = randomUserId();
  const memberSession = () => signSessionToken(app.privateKey, { userId: member, orgRole: 'member' });
  const adminSession = () => signSessionToken(app.privateKey, { userId: admin, orgRole: 'admin' });

  test('public page: 200 without a session', async () => {
    const response = await get(app.origin(), '/', PAGE);
    assert.equal(response.status, 200);
    assert.match(response.body, /Public home/);
  });

  test('protected page without a session: 307 to sign-in, back to the page', async () => {
    assertSignInRedirect(await get(app.origin(), '/dashboard', PAGE), app.origin(), '/dashboard', 'session-token-and-uat-missing');
  });

  test('protected page with a valid __session cookie: 200 and the user id', async () => {
    const response = await get(app.origin(), '/dashboard', { ...PAGE, cookie: sessionCookies(memberSession()) });
    assert.equal(response.status, 200);
    assert.equal(shownUserId(response.body), member);
  });

  test('protected page with an expired token: 307 handshake to the Frontend API', async () => {
    const expired = signSessionToken(app.privateKey, { userId: member, expiresInS: -120, issuedAgoS: 300 });
    const response = await get(app.origin(), '/dashboard', { ...PAGE, cookie: sessionCookies(expired) });
    assertHandshake(response, app.origin(), '/dashboard', expired.token);
    assert.notEqual(shownUserId(response.body), member);
  });

  test('protected page with a token signed by another key: signed out, 307 to sign-in', async () => {
    const forged = signSessionToken(app.otherKey, { userId: member });
    const response = await get(app.origin(), '/dashboard', { ...PAGE, cookie: sessionCookies(forged) });
    assertSignInRedirect(response, app.origin(), '/dashboard', 'token-invalid-signature');
    assert.match(/** @type {string} */ (response.headers.get('x-clerk-auth-message')), /\(reason=token-invalid-signature, token-carrier=cookie\)$/);
  });

  test("a client cannot forge clerkMiddleware's x-clerk-auth-* request headers", async () => {
    const forged = forgedClerkHeaders(adminSession().token, app.secretKey);
    // Signed out: auth() must not see the forged admin.
    const signedOut = await get(app.origin(), '/clerk-auth', { ...PAGE, ...forged });
    assert.equal(signedOut.status, 200);
    assert.equal(shownUserId(signedOut.body), 'none');
    // Signed in as a member: auth() sees the member, not the forged admin; /admin stays closed.
    const asMember = await get(app.origin(), '/dashboard', { ...PAGE, ...forged, cookie: sessionCookies(memberSession()) });
    assert.equal(asMember.status, 200);
    assert.equal(shownUserId(asMember.body), member);
    assertProtectNotFound(await get(app.origin(), '/admin', { ...PAGE, ...forged, cookie: sessionCookies(memberSession()) }));
  });

  test('protected API without a session: 404 (protect rewrite)', async () => {
    assertProtectNotFound(await get(app.origin(), '/api/admin/users', API), 'session-token-and-uat-missing');
  });

  test('protected API with an expired token: 404 (protect rewrite), no handshake', async () => {
    const expired = signSessionToken(app.privateKey, { userId: member, expiresInS: -120, issuedAgoS: 300 });
    const response = await get(app.origin(), '/api/admin/users', { ...API, cookie: sessionCookies(expired) });
    assertProtectNotFound(response, EXPIRED_REASON);
    assert.equal(response.headers.get('location'), null);
  });

  test('protected API with an admin session (cookie): 200 JSON', async () => {
    const response = await get(app.origin(), '/api/admin/users', { ...API, cookie: sessionCookies(adminSession()) });
    assert.equal(response.status, 200);
    const json = JSON.parse(response.body);
    assert.equal(json.requestedBy, admin);
    assert.equal(json.orgRole, 'org:admin');
  });

  test('protected API with an admin session (Authorization: Bearer): 200 JSON', async () => {
    const { token } = adminSession();
    const response = await get(app.origin(), '/api/admin/users', { ...API, authorization: `Bearer ${token}` });
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).requestedBy, admin);
  });

  test('protected API with a member session: 200 (signed in is enough; the role check is /admin\'s)', async () => {
    const response = await get(app.origin(), '/api/admin/users', { ...API, cookie: sessionCookies(memberSession()) });
    assert.equal(response.status, 200);
    const json = JSON.parse(response.body);
    assert.equal(json.requestedBy, member);
    assert.equal(json.orgRole, 'org:member');
  });

  test('role-checked page: 200 for org:admin, 404 for org:member', async () => {
    const asAdmin = await get(app.origin(), '/admin', { ...PAGE, cookie: sessionCookies(adminSession()) });
    assert.equal(asAdmin.status, 200);
    assert.equal(shownUserId(asAdmin.body), admin);
    assert.match(asAdmin.body, /data-testid="org-role">org:admin</);
    const asMember = await get(app.origin(), '/admin', { ...PAGE, cookie: sessionCookies(memberSession()) });
    assertProtectNotFound(asMember);
    assert.notEqual(shownUserId(asMember.body), member);
  });

  test('encoded path /api/%61dmin/users is protected too', async () => {
    assertProtectNotFound(await get(app.origin(), '/api/%61dmin/users', API), 'session-token-and-uat-missing');
  });

  test('encoded page path /%64ashboard is protected too', async () => {
    assertSignInRedirect(await get(app.origin(), '/%64ashboard', PAGE), app.origin(), '/%64ashboard', 'session-token-and-uat-missing');
  });

  test('double-slash path //api/admin/users is protected too', async () => {
    const response = await get(app.origin(), '//api/admin/users', API);
    assert.notEqual(response.status, 200);
    if (response.status === 308) {
      // Next normalises repeated slashes with a redirect before middleware runs: follow it once.
      const target = new URL(/** @type {string} */ (response.headers.get('location')), app.origin());
      assert.equal(target.pathname, '/api/admin/users');
      assertProtectNotFound(await get(app.origin(), target.pathname, API), 'session-token-and-uat-missing');
    } else {
      assertProtectNotFound(response, 'session-token-and-uat-missing');
    }
  });

  test('malformed percent-escape in a protected path: 400', async () => {
    const response = await get(app.origin(), '/dashboard/%zz', PAGE);
    assert.equal(response.status, 400);
  });

  test('route handler (Node.js runtime) verifies the session itself with portcullis/next', async () => {
    const ok = await get(app.origin(), '/api/whoami', { ...API, cookie: sessionCookies(memberSession()) });
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { signedIn: true, userId: member, orgRole: 'org:member', runtime: 'nodejs' });
    const expired = signSessionToken(app.privateKey, { userId: member, expiresInS: -120, issuedAgoS: 300 });
    const refused = await get(app.origin(), '/api/whoami', { ...API, cookie: sessionCookies(expired) });
    assert.equal(refused.status, 401);
    assert.equal(JSON.parse(refused.body).reason, 'token-expired');
  });

  test("Clerk's auth() in a Server Component sees the user (unprotected page)", async () => {
    const response = await get(app.origin(), '/clerk-auth', { ...PAGE, cookie: sessionCookies(memberSession()) });
    assert.equal(response.status, 200);
    assert.equal(shownUserId(response.body), member);
    const signedOut = await get(app.origin(), '/clerk-auth', PAGE);
    assert.equal(signedOut.status, 200);
    assert.equal(shownUserId(signedOut.body), 'none');
  });

  // organizationSyncOptions (both apps): the session tokens' active organization is `portcullis`
  // (org_portcullis, support/tokens.mjs); /orgs/:slug and /me are public pages showing auth()'s view.
  test('organizationSyncOptions: /orgs/<the active organization> is served, no handshake', async () => {
    const response = await get(app.origin(), '/orgs/portcullis', { ...PAGE, cookie: sessionCookies(memberSession()) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('location'), null);
    assert.equal(response.headers.get('x-clerk-auth-status'), null);
    assert.equal(shownUserId(response.body), member);
    assert.equal(shownOrgSlug(response.body), 'portcullis');
    assert.match(response.body, /data-testid="url-slug">portcullis</);
  });

  test('organizationSyncOptions: /orgs/<another organization> → 307 activation handshake with organization_id=<slug>', async () => {
    const session = memberSession();
    for (const path of ['/orgs/acme', '/orgs/acme/settings']) {
      const response = await get(app.origin(), path, { ...PAGE, cookie: sessionCookies(session) });
      assertOrgHandshake(response, app.origin(), path, session.token, 'acme');
      assert.notEqual(shownUserId(response.body), member);
    }
  });

  test('organizationSyncOptions: the slug is matched raw and sent undecoded (/orgs/My%20Org)', async () => {
    const session = memberSession();
    const response = await get(app.origin(), '/orgs/My%20Org', { ...PAGE, cookie: sessionCookies(session) });
    assertOrgHandshake(response, app.origin(), '/orgs/My%20Org', session.token, 'My%20Org');
  });

  test('organizationSyncOptions: /me with an organization active → handshake with organization_id= (personal account)', async () => {
    const session = memberSession();
    const response = await get(app.origin(), '/me', { ...PAGE, cookie: sessionCookies(session) });
    assertOrgHandshake(response, app.origin(), '/me', session.token, '');
    assert.ok(new URL(/** @type {string} */ (response.headers.get('location'))).search.endsWith('&organization_id='));
  });

  test('organizationSyncOptions: /me without an active organization is served, no handshake', async () => {
    const personal = signSessionToken(app.privateKey, { userId: member });
    const response = await get(app.origin(), '/me', { ...PAGE, cookie: sessionCookies(personal) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('location'), null);
    assert.equal(shownUserId(response.body), member);
    assert.equal(shownOrgSlug(response.body), 'none');
  });

  test('organizationSyncOptions: no activation for requests that are not page navigations or carry a Bearer token', async () => {
    const session = memberSession();
    const fetched = await get(app.origin(), '/orgs/acme', { ...API, cookie: sessionCookies(session) });
    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.get('location'), null);
    assert.equal(shownOrgSlug(fetched.body), 'portcullis');
    const bearer = await get(app.origin(), '/orgs/acme', { ...PAGE, authorization: `Bearer ${session.token}` });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.headers.get('location'), null);
    assert.equal(shownUserId(bearer.body), member);
  });

  test('organizationSyncOptions: the loop guard — __clerk_redirect_count=2 still hands off, 3 stays signed in with the old organization', async () => {
    const session = memberSession();
    const second = await get(app.origin(), '/orgs/acme', { ...PAGE, cookie: `${sessionCookies(session)}; __clerk_redirect_count=2` });
    assertOrgHandshake(second, app.origin(), '/orgs/acme', session.token, 'acme', 2);
    const before = app.output().length;
    const stopped = await get(app.origin(), '/orgs/acme', { ...PAGE, cookie: `${sessionCookies(session)}; __clerk_redirect_count=3` });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.headers.get('location'), null);
    assert.equal(stopped.headers.get('set-cookie'), null);
    assert.equal(shownUserId(stopped.body), member);
    // FAPI could not activate `acme`: the session's organization is unchanged, and the page can tell.
    assert.equal(shownOrgSlug(stopped.body), 'portcullis');
    assert.match(stopped.body, /data-testid="url-slug">acme</);
    let logged = '';
    for (let waited = 0; waited < 3000 && !logged.includes('Organization activation handshake loop detected'); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      logged = app.output().slice(before);
    }
    assert.match(logged, /Clerk: Organization activation handshake loop detected/);
  });

  // Webhooks: the route is public (no session) and checks the Svix signature with verifyWebhook.
  const event = JSON.stringify({ data: { id: 'user_webhook_test' }, object: 'event', type: 'user.created' });
  const webhooks = { skip: app.webhooks ? false : "verifyWebhook is not bundlable by this app's webpack (see run.mjs)" };

  test('webhook signed with svix: 200 with the event type and id', webhooks, async () => {
    const response = await postWebhook(app.origin(), event, signedHeaders(app.webhookSecret, event));
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { type: 'user.created', id: 'user_webhook_test' });
  });

  test('webhook with a tampered body: 400', webhooks, async () => {
    const headers = signedHeaders(app.webhookSecret, event);
    const response = await postWebhook(app.origin(), event.replace('user.created', 'user.deleted'), headers);
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'no-matching-signature');
  });

  test('webhook signed with another secret, or without signature headers: 400', webhooks, async () => {
    const other = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const wrong = await postWebhook(app.origin(), event, signedHeaders(other, event));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.code, 'no-matching-signature');
    const missing = await postWebhook(app.origin(), event, {});
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 'missing-headers');
  });

  test('webhook with a stale timestamp (10 minutes old, correctly signed): 400', webhooks, async () => {
    const stale = new Date(Date.now() - 10 * 60_000);
    const response = await postWebhook(app.origin(), event, signedHeaders(app.webhookSecret, event, stale));
    assert.equal(response.status, 400);
    assert.equal(response.json.code, 'timestamp-too-old');
  });

  // contentSecurityPolicy: {} (both apps' middleware): Clerk's default policy, on pages and redirects.
  test("contentSecurityPolicy: Clerk's default policy on a public page and on a redirect", async () => {
    const page = await get(app.origin(), '/', PAGE);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-security-policy'), DEFAULT_CSP);
    const redirect = await get(app.origin(), '/dashboard', PAGE);
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers.get('content-security-policy'), DEFAULT_CSP);
  });

  // debug: true (app16 only): one grouped block per request in next start's output, secrets cut.
  // Only clerkMiddleware's block is checked: the x-clerk-debug request header it forwards (as Clerk's
  // does) also turns on @clerk/nextjs's own `[clerk debug start: auth()]` block, which prints the
  // session token whole; that block is Clerk's code, not portcullis's.
  test('debug: a [clerk debug] block per request when enabled, without the secret key or the token', async () => {
    const before = app.output().length;
    const session = memberSession();
    const { token } = session;
    const response = await get(app.origin(), '/dashboard', { ...PAGE, cookie: sessionCookies(session), authorization: `Bearer ${token}` });
    assert.equal(response.status, 200);
    const start = '[clerk debug start: clerkMiddleware]';
    if (!app.debug) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(!app.output().slice(before).includes(start), 'no debug output without debug: true');
      return;
    }
    let logged = '';
    for (let waited = 0; waited < 5000 && !logged.includes('[clerk debug end: clerkMiddleware]'); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      logged = app.output().slice(before);
    }
    assert.ok(logged.includes(start), `a debug block in the output:\n${logged.slice(0, 2000)}`);
    assert.ok(logged.includes('[clerk debug end: clerkMiddleware]'));
    const from = logged.indexOf(start);
    logged = logged.slice(from, logged.indexOf('[clerk debug end: clerkMiddleware]', from));
    assert.match(logged, /"status": "signed-in"/);
    assert.ok(!logged.includes(app.secretKey) && !logged.includes('portcullis_next_tests'), 'no secret key');
    assert.ok(!logged.includes(token) && !logged.includes(token.split('.')[2]), 'no session token');
    assert.ok(!logged.includes(app.webhookSecret), 'no webhook secret');
  });
}
