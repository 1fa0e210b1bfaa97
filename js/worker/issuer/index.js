/**
 * The local issuer: a development stand-in for Clerk's Frontend API, served by the Worker itself
 * under ISSUER_PREFIX (`/__portcullis/issuer`), so that the whole sign-in → protected page → refresh
 * loop works offline with no Clerk account.
 *
 * Enabled only when `PORTCULLIS_LOCAL_ISSUER=1` AND the request's host is loopback (127.0.0.1,
 * localhost, [::1]); otherwise it refuses loudly (500 page, no route works). It never runs with a
 * `pk_live_`/`sk_live_` key (config.js refuses the combination).
 *
 * Routes (all under the prefix):
 *   GET  /sign-in?redirect_url=…         pick a demo user, organization and role (also /sign-up)
 *   POST /sign-in                        start a session: sets __session, __client_uat (Path=/) and the
 *                                        issuer's own long-lived cookie, then 303 to redirect_url
 *   GET|POST /sign-out                   confirmation page | end the session (clears the cookies)
 *   GET  /.well-known/jwks.json          the isolate's public key
 *   GET  /v1/client/handshake?redirect_url=…   the handshake (see below)
 *   POST /v1/client/sessions/:sid/tokens  refresh: a new 60 s __session (JSON {object:'token', jwt})
 *   GET  /refresh.js                     the tiny script the demo pages load to refresh before expiry
 *
 * How this maps to Clerk's handshake (CLERK-BEHAVIOUR.md §3.6): when a page request arrives with an
 * expired `__session` (or `__client_uat` without a session, …) the Worker's decision step answers
 * `handshake`: a 307 to `{frontend API}/v1/client/handshake?redirect_url=…&__clerk_hs_reason=…` with
 * the `__clerk_redirect_count` loop guard. Clerk's Frontend API would read its client cookie, then
 * send the browser back with a nonce that the middleware exchanges for Set-Cookie directives at the
 * Backend API. Here the issuer lives on the same origin as the app, so it skips the nonce: it reads
 * its own cookie, sets the fresh `__session` (and `__client_uat`) itself and redirects straight back;
 * with no valid issuer session it clears `__session`, sets `__client_uat=0` and redirects back, where
 * the Worker now sees a signed-out visitor and sends pages to sign-in. Either way it gives a browser
 * without one a `__clerk_db_jwt` dev browser (a development instance's page request without it is
 * handshaken, `dev-browser-missing`). The {frontend API} is the proxy URL `/__portcullis/issuer`
 * (CLERK_PROXY_URL, decide.js's default with the local issuer); tokens carry `iss` = the publishable
 * key's Frontend API, so the engine reads them as this instance's (un-suffixed cookies).
 * @module
 */

import { isLoopback } from '../hosts.js';
import { parseCookies, serializeCookie } from '../cookies.js';
import { esc, htmlResponse, layout } from '../html.js';
import { ORGS, ROLES, USERS, findOrg, findUser } from './directory.js';
import { jwks, mintSessionToken } from './keys.js';
import { ISSUER_COOKIE, clearIssuerCookie, issuerCookie, openSession, sealSession, ISSUER_SESSION_SECONDS } from './session.js';

export const ISSUER_PREFIX = '/__portcullis/issuer';
/** The in-process key source the Worker verifies local tokens with (never fetched over the network). */
export const LOCAL_JWKS_URL = 'http://local-issuer.portcullis.invalid/.well-known/jwks.json';

/**
 * `verifyToken`'s fetch when the local issuer is the key source: answers its JWKS from memory.
 * @param {RequestInfo | URL} input
 * @returns {Promise<Response>}
 */
export async function localIssuerFetch(input) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url !== LOCAL_JWKS_URL) throw new TypeError('the local issuer key source only serves its own key set');
  return Response.json(await jwks());
}

/**
 * @typedef {{signingSecret: string, localIssuer: boolean, signUpUrl?: string | null, frontendApi?: string}} IssuerConfig
 */

/**
 * The 500 page of a refused issuer.
 * @param {string} why HTML
 */
export function issuerRefused(why) {
  return htmlResponse(layout({
    title: 'Local issuer refused',
    body: `<div class="card bad"><h1>The local issuer is refused</h1>${why}
<p class="muted">The local issuer mints session tokens for anyone who asks. It exists for development on
this machine only, so it answers nothing unless <code>PORTCULLIS_LOCAL_ISSUER=1</code> and the request's host is
loopback (<code>127.0.0.1</code>, <code>localhost</code>, <code>[::1]</code>).</p></div>`,
  }), 500);
}

/** @param {URL} url */
function secureFor(url) {
  return url.protocol === 'https:';
}

/**
 * A same-origin redirect target from `redirect_url` (anything else becomes `/`): no open redirect.
 * @param {string | null} raw
 * @param {URL} url
 */
export function safeRedirect(raw, url) {
  if (!raw) return new URL('/', url).href;
  try {
    const target = new URL(raw, url);
    if (target.origin === url.origin && !target.pathname.startsWith(ISSUER_PREFIX + '/sign-')) return target.href;
  } catch {
    // fall through
  }
  return new URL('/', url).href;
}

/**
 * Whether a state-changing request comes from our own pages (login CSRF): a browser sends `Origin`
 * or `Sec-Fetch-Site` on every POST; a non-browser client without either cannot be a victim.
 * @param {Request} request
 * @param {URL} url
 */
function sameOrigin(request, url) {
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== url.origin) return false;
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
}

/**
 * The cookies of a signed-in browser: `__session` (not HttpOnly: page scripts read it, as ClerkJS's)
 * and `__client_uat` (the time the client last changed, in seconds).
 * @param {Headers} headers
 * @param {URL} url
 * @param {{sid: string, sub: string, org: string | null, role: string | null, uat: number}} session
 * @param {string} issuer the `iss` claim: the instance's Frontend API (`https://` + the publishable
 *   key's host), as Clerk's tokens carry even behind a proxy; the decision engine reads cookies whose
 *   token has another `iss` as another instance's (suffixed cookies)
 */
async function setSessionCookies(headers, url, session, issuer) {
  const { token } = await mintSessionToken({
    userId: session.sub, sessionId: session.sid, orgId: session.org, role: session.role,
    issuer, azp: url.origin,
  });
  const secure = secureFor(url);
  headers.append('set-cookie', serializeCookie('__session', token, { secure }));
  headers.append('set-cookie', serializeCookie('__client_uat', String(session.uat), { secure, maxAge: 365 * 24 * 3600 }));
  return token;
}

/**
 * @param {Headers} headers
 * @param {URL} url
 */
function clearSessionCookies(headers, url) {
  const secure = secureFor(url);
  headers.append('set-cookie', serializeCookie('__session', '', { secure, maxAge: 0 }));
  headers.append('set-cookie', serializeCookie('__client_uat', '0', { secure, maxAge: 365 * 24 * 3600 }));
  headers.append('set-cookie', clearIssuerCookie({ secure, prefix: ISSUER_PREFIX }));
}

/**
 * The development browser (`__clerk_db_jwt`): Clerk's Frontend API gives every browser of a
 * development instance one, and the decision engine hands a page request without it to the
 * handshake (`dev-browser-missing`). The issuer, standing in for the Frontend API, sets an opaque one
 * when the browser has none (kept across sign-out, as Clerk's).
 * @param {Headers} headers
 * @param {URL} url
 * @param {Map<string, string>} cookies the request's
 */
function ensureDevBrowser(headers, url, cookies) {
  if (cookies.get('__clerk_db_jwt')) return;
  const random = new Uint8Array(16);
  crypto.getRandomValues(random);
  const value = `dvb_${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  headers.append('set-cookie', serializeCookie('__clerk_db_jwt', value, { secure: secureFor(url), maxAge: 365 * 24 * 3600 }));
}

/** @param {ReturnType<typeof findUser>} user @param {string | null} org @param {string | null} role */
function describeMembership(user, org, role) {
  const o = org === null ? null : findOrg(org);
  return `${esc(user?.name ?? '?')}${o === null ? ' (no organization)' : ` (${esc(role)} of ${esc(o.name)})`}`;
}

const NAV = `<a href="/">home</a><a href="/dashboard">/dashboard</a><a href="/admin">/admin</a><a href="${ISSUER_PREFIX}/sign-out">sign out</a>`;

/**
 * @param {URL} url
 * @param {import('./session.js').IssuerSession | null} current
 * @param {string} [notice] HTML
 */
function signInPage(url, current, notice = '') {
  const redirect = safeRedirect(url.searchParams.get('redirect_url'), url);
  const hidden = `<input type="hidden" name="redirect_url" value="${esc(redirect)}">`;
  const presets = USERS.map((u) => `<form method="post" action="${ISSUER_PREFIX}/sign-in">${hidden}
<input type="hidden" name="user" value="${esc(u.id)}"><input type="hidden" name="org" value="${esc(u.org ?? '')}">
<input type="hidden" name="role" value="${esc(u.role ?? '')}">
<button class="primary" type="submit">Sign in as ${esc(u.name)}</button><div class="muted">${esc(u.about)}</div></form>`).join('\n');
  const continueCard = current === null ? '' : `<div class="card good"><p>This browser already has a local-issuer session:
<strong>${describeMembership(findUser(current.sub), current.org, current.role)}</strong>.</p>
<p><a href="${ISSUER_PREFIX}/v1/client/handshake?redirect_url=${encodeURIComponent(redirect)}">Continue as ${esc(findUser(current.sub)?.name ?? current.sub)}</a> or pick someone below.</p></div>`;
  const select = (name, options) => `<select name="${name}">${options.map(([v, label]) => `<option value="${esc(v)}">${esc(label)}</option>`).join('')}</select>`;
  const body = `${notice}<h1>Sign in</h1>
<p class="muted">Local development issuer (a stand-in for Clerk's sign-in page). After signing in you go back to
<code>${esc(new URL(redirect).pathname)}</code>.</p>
${continueCard}
<div class="card"><h2>Demo users</h2><div class="users">${presets}</div></div>
<div class="card"><h2>Any combination</h2><form method="post" action="${ISSUER_PREFIX}/sign-in">${hidden}
<label>user ${select('user', USERS.map((u) => [u.id, u.name]))}</label>
<label>organization ${select('org', [['', 'none'], ...ORGS.map((o) => [o.id, o.name])])}</label>
<label>role ${select('role', ROLES.map((r) => [r, r]))}</label>
<button type="submit">Sign in</button></form></div>
<p class="muted">Session tokens last 60 s and are RS256-signed with a key generated when the Worker started
(<a href="${ISSUER_PREFIX}/.well-known/jwks.json">JWKS</a>).</p>`;
  return htmlResponse(layout({ title: 'Sign in — local issuer', body, nav: NAV }));
}

/**
 * Handles a request under ISSUER_PREFIX. The caller has checked nothing: this function refuses
 * unless the issuer is enabled and the host is loopback.
 * @param {Request} request
 * @param {IssuerConfig} config
 * @returns {Promise<Response>}
 */
export async function handleIssuer(request, config) {
  const url = new URL(request.url);
  if (!config.localIssuer) {
    return issuerRefused('<p>It is <strong>disabled</strong>: <code>PORTCULLIS_LOCAL_ISSUER</code> is not <code>1</code> in this Worker\'s configuration.</p>');
  }
  if (!isLoopback(url.hostname)) {
    return issuerRefused(`<p>This request came to the host <code>${esc(url.hostname)}</code>, which is not loopback.</p>
<p>If this is a deployed Worker, remove <code>PORTCULLIS_LOCAL_ISSUER</code> from its configuration and use a real Clerk instance.</p>`);
  }
  const route = url.pathname.slice(ISSUER_PREFIX.length) || '/';
  const method = request.method.toUpperCase();
  const secure = secureFor(url);
  const cookies = parseCookies(request.headers.get('cookie'));
  const issuer = config.frontendApi ? `https://${config.frontendApi}` : url.origin + ISSUER_PREFIX;
  const current = await openSession(cookies.get(ISSUER_COOKIE), config.signingSecret);

  if (route === '/sign-in' || route === '/sign-up') {
    if (method === 'GET' || method === 'HEAD') return signInPage(url, current);
    if (method !== 'POST') return new Response('Method not allowed\n', { status: 405, headers: { allow: 'GET, POST' } });
    if (!sameOrigin(request, url)) return new Response('Cross-site sign-in refused\n', { status: 403, headers: { 'cache-control': 'no-store' } });
    const form = await request.formData();
    const user = findUser(String(form.get('user') ?? ''));
    const orgId = String(form.get('org') ?? '') || null;
    const role = orgId === null ? null : String(form.get('role') ?? '');
    if (user === null || (orgId !== null && findOrg(orgId) === null) || (role !== null && !ROLES.includes(role))) {
      return signInPage(url, current, '<div class="card bad">Unknown user, organization or role: pick again.</div>');
    }
    const random = new Uint8Array(12);
    crypto.getRandomValues(random);
    const now = Math.floor(Date.now() / 1000);
    const session = {
      sid: `sess_${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`,
      sub: user.id, org: orgId, role, uat: now, exp: now + ISSUER_SESSION_SECONDS,
    };
    const headers = new Headers({ 'cache-control': 'no-store', location: safeRedirect(String(form.get('redirect_url') ?? ''), url) });
    headers.append('set-cookie', issuerCookie(await sealSession(session, config.signingSecret), { secure, prefix: ISSUER_PREFIX }));
    await setSessionCookies(headers, url, session, issuer);
    ensureDevBrowser(headers, url, cookies);
    return new Response(null, { status: 303, headers });
  }

  if (route === '/sign-out') {
    if (method === 'POST') {
      if (!sameOrigin(request, url)) return new Response('Cross-site sign-out refused\n', { status: 403, headers: { 'cache-control': 'no-store' } });
      const form = await request.formData().catch(() => null);
      const headers = new Headers({ 'cache-control': 'no-store', location: safeRedirect(String(form?.get('redirect_url') ?? '') || null, url) });
      clearSessionCookies(headers, url);
      return new Response(null, { status: 303, headers });
    }
    const who = current === null ? 'nobody (no local-issuer session)' : describeMembership(findUser(current.sub), current.org, current.role);
    return htmlResponse(layout({
      title: 'Sign out — local issuer', nav: NAV,
      body: `<div class="card"><h1>Sign out</h1><p>Signed in: <strong>${who}</strong>.</p>
<form method="post" action="${ISSUER_PREFIX}/sign-out"><input type="hidden" name="redirect_url" value="/">
<button class="primary" type="submit">Sign out</button></form></div>`,
    }));
  }

  if (route === '/.well-known/jwks.json' && (method === 'GET' || method === 'HEAD')) {
    return Response.json(await jwks(), { headers: { 'cache-control': 'no-store' } });
  }

  if (route === '/v1/client/handshake' && (method === 'GET' || method === 'HEAD')) {
    const headers = new Headers({ 'cache-control': 'no-store', location: safeRedirect(url.searchParams.get('redirect_url'), url) });
    if (current !== null) await setSessionCookies(headers, url, current, issuer);
    else clearSessionCookies(headers, url);
    ensureDevBrowser(headers, url, cookies);
    return new Response(null, { status: 307, headers });
  }

  const tokens = /^\/v1\/client\/sessions\/([^/]+)\/tokens$/.exec(route);
  if (tokens !== null) {
    if (method !== 'POST') return new Response('Method not allowed\n', { status: 405, headers: { allow: 'POST' } });
    if (!sameOrigin(request, url)) return Response.json({ errors: [{ code: 'cross_site', message: 'cross-site refresh refused' }] }, { status: 403, headers: { 'cache-control': 'no-store' } });
    if (current === null || current.sid !== decodeURIComponent(tokens[1])) {
      return Response.json({ errors: [{ code: 'signed_out', message: 'no active session for this sid: sign in again' }] }, { status: 401, headers: { 'cache-control': 'no-store' } });
    }
    const headers = new Headers({ 'cache-control': 'no-store' });
    const jwt = await setSessionCookies(headers, url, current, issuer);
    return Response.json({ object: 'token', jwt }, { headers });
  }

  if (route === '/refresh.js' && (method === 'GET' || method === 'HEAD')) {
    return new Response(REFRESH_SCRIPT, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' } });
  }

  if (route === '/' && (method === 'GET' || method === 'HEAD')) {
    return htmlResponse(layout({
      title: 'Local issuer', nav: NAV,
      body: `<div class="card"><h1>Local issuer</h1><ul>
<li><a href="${ISSUER_PREFIX}/sign-in">sign in</a> · <a href="${ISSUER_PREFIX}/sign-out">sign out</a></li>
<li><a href="${ISSUER_PREFIX}/.well-known/jwks.json">JWKS</a></li>
<li><code>GET ${ISSUER_PREFIX}/v1/client/handshake?redirect_url=…</code>: refresh by redirect</li>
<li><code>POST ${ISSUER_PREFIX}/v1/client/sessions/:sid/tokens</code>: refresh by script</li></ul></div>`,
    }));
  }
  return htmlResponse(layout({ title: 'Not found', nav: NAV, body: `<div class="card bad"><h1>No such issuer route</h1><p><code>${esc(route)}</code></p></div>` }), 404);
}

/**
 * The refresh script (ClerkJS's job, in 30 lines): reads `__session`, POSTs to the tokens endpoint
 * 10 s before it expires, and announces each new token with a `portcullis:token` DOM event.
 */
const REFRESH_SCRIPT = `// portcullis local issuer: keeps __session fresh while the page is open.
(() => {
  const prefix = ${JSON.stringify(ISSUER_PREFIX)};
  const read = () => {
    const m = document.cookie.match(/(?:^|;\\s*)__session=([^;]+)/);
    if (!m) return null;
    try {
      const b64 = m[1].split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)));
    } catch { return null; }
  };
  let timer = null;
  const announce = (detail) => document.dispatchEvent(new CustomEvent('portcullis:token', { detail }));
  async function refresh() {
    const claims = read();
    if (!claims) { announce({ error: 'no __session cookie' }); return; }
    const response = await fetch(prefix + '/v1/client/sessions/' + encodeURIComponent(claims.sid) + '/tokens',
      { method: 'POST', credentials: 'same-origin' });
    if (!response.ok) { announce({ error: 'refresh failed: HTTP ' + response.status }); return; }
    announce({ claims: read(), refreshedAt: Date.now() });
    schedule();
  }
  function schedule() {
    const claims = read();
    if (!claims) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, Math.max(1000, claims.exp * 1000 - Date.now() - 10000));
  }
  window.portcullisRefresh = refresh;
  schedule();
})();
`;
