/**
 * The built-in demo origin (`ORIGIN_URL=builtin:demo`, the default with the local issuer): a tiny
 * "application" that shows exactly what it received from portcullis, so a newcomer can see the
 * identity header, whether its signature verified, and the session being refreshed.
 *
 * It is an ordinary origin: it trusts nothing but a valid signature (verifyIdentityHeader with the
 * same key the Worker signs with), exactly as a real origin should.
 *
 * Pages: `/` (public), `/dashboard` (signed in), `/admin` (org:admin), `/api/whoami` (JSON).
 * @module
 */

import { esc, layout } from './html.js';
import { IDENTITY_PREFIX, verifyIdentityHeader } from './identity.js';
import { parseCookies } from './cookies.js';
import { ISSUER_PREFIX } from './issuer/index.js';

/**
 * Claims of the `__session` cookie, decoded WITHOUT verification — for display only.
 * @param {Request} request
 */
function sessionClaimsForDisplay(request) {
  const token = parseCookies(request.headers.get('cookie')).get('__session');
  if (!token) return null;
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
  } catch {
    return null;
  }
}

/**
 * What the origin received: the verification verdict, the identity, every x-portcullis-* header.
 * @param {Request} request
 * @param {string} secret
 */
async function received(request, secret) {
  const verdict = await verifyIdentityHeader(request, secret);
  /** @type {Record<string, string>} */
  const headers = {};
  for (const [name, value] of request.headers) if (name.startsWith(IDENTITY_PREFIX)) headers[name] = value;
  return { verdict, headers };
}

/**
 * @param {Awaited<ReturnType<typeof received>>} got
 */
function identityCard(got) {
  const { verdict, headers } = got;
  const id = verdict.ok ? verdict.identity : null;
  const signedIn = id?.status === 'signed-in';
  const row = (label, value) => `<tr><th>${esc(label)}</th><td>${value === null || value === '' ? '<span class="muted">—</span>' : `<code>${esc(value)}</code>`}</td></tr>`;
  const signature = verdict.ok
    ? `<tr><th>signature</th><td data-signature="ok">✔ verified (HMAC-SHA256, signed ${esc(new Date(verdict.signedAt * 1000).toISOString())})</td></tr>`
    : `<tr><th>signature</th><td data-signature="bad">✘ not trusted: ${esc(verdict.reason)}</td></tr>`;
  const headerRows = Object.entries(headers).map(([n, v]) => `<tr><th><code>${esc(n)}</code></th><td><code>${esc(v)}</code></td></tr>`).join('');
  return `<div class="card ${verdict.ok ? 'good' : 'bad'}"><h2>What this origin received</h2><table>
${signature}
${row('status', id?.status ?? null)}
${row('user', signedIn ? id.userId : null)}
${row('session', signedIn ? id.sessionId : null)}
${row('organization', signedIn ? id.orgId : null)}
${row('role', signedIn ? id.orgRole : null)}
${row('permissions', signedIn ? id.orgPermissions.join(', ') : null)}
</table>
<details><summary>portcullis headers as received (${Object.keys(headers).length})</summary><table>${headerRows}</table></details></div>`;
}

/**
 * @param {Request} request
 * @param {boolean} localIssuer
 */
function tokenCard(request, localIssuer) {
  const claims = sessionClaimsForDisplay(request);
  if (claims === null) return '';
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  return `<div class="card"><h2>Session token</h2>
<p class="muted">From the <code>__session</code> cookie, decoded here for display only (the origin trusts the signed identity header, not this).</p>
<table><tr><th>issued</th><td><span id="iat" data-iat="${iat}">${esc(new Date(iat * 1000).toISOString())}</span></td></tr>
<tr><th>expires</th><td><span id="exp" data-exp="${exp}">${esc(new Date(exp * 1000).toISOString())}</span> (<span id="left">?</span>)</td></tr>
<tr><th>refreshed by the page</th><td id="refreshed"><span class="muted">not yet</span></td></tr></table>
<p><button type="button" id="whoami">Call /api/whoami</button></p><pre id="whoami-out" class="muted"></pre>
<p class="muted">Tokens live 60 s. ${localIssuer ? 'This page runs a small script that refreshes the token 10 s before it expires; reload the page after it expired (or with JavaScript off) to see the handshake redirect refresh it instead.' : ''}</p></div>
<script>
(() => {
  const fmt = (s) => new Date(s * 1000).toISOString();
  const tick = () => {
    const exp = Number(document.getElementById('exp').dataset.exp);
    const left = Math.round(exp - Date.now() / 1000);
    document.getElementById('left').textContent = left > 0 ? 'in ' + left + ' s' : 'expired ' + (-left) + ' s ago';
  };
  setInterval(tick, 1000); tick();
  document.addEventListener('portcullis:token', (event) => {
    const d = event.detail || {};
    if (d.error) { document.getElementById('refreshed').textContent = d.error; return; }
    const c = d.claims;
    document.getElementById('iat').textContent = fmt(c.iat);
    document.getElementById('exp').textContent = fmt(c.exp);
    document.getElementById('exp').dataset.exp = c.exp;
    document.getElementById('refreshed').textContent = 'at ' + new Date(d.refreshedAt).toISOString() + ' (new token issued ' + fmt(c.iat) + ')';
    tick();
  });
  document.getElementById('whoami').addEventListener('click', async () => {
    const r = await fetch('/api/whoami', { credentials: 'same-origin' });
    document.getElementById('whoami-out').textContent = 'HTTP ' + r.status + '\\n' + JSON.stringify(await r.json(), null, 2);
  });
})();
</script>${localIssuer ? `<script src="${ISSUER_PREFIX}/refresh.js"></script>` : ''}`;
}

/**
 * @param {{signInUrl: string, localIssuer: boolean, signedIn: boolean}} options
 */
function nav({ signInUrl, localIssuer, signedIn }) {
  const links = ['<a href="/">home</a>', '<a href="/dashboard">/dashboard</a>', '<a href="/admin">/admin</a>', '<a href="/api/whoami">/api/whoami</a>'];
  if (signedIn && localIssuer) links.push(`<a href="${ISSUER_PREFIX}/sign-out">sign out</a>`);
  else if (!signedIn) links.push(`<a href="${esc(signInUrl)}">sign in</a>`);
  return links.join('');
}

/**
 * The demo origin's fetch handler.
 * @param {Request} request as forwarded by the Worker
 * @param {{signingSecret: string, signInUrl: string, localIssuer?: boolean}} options
 * @returns {Promise<Response>}
 */
export async function demoOrigin(request, { signingSecret, signInUrl, localIssuer = true }) {
  const url = new URL(request.url);
  const got = await received(request, signingSecret);
  const signedIn = got.verdict.ok && got.verdict.identity.status === 'signed-in';
  const html = (title, body, status = 200, cache = 'no-store') => new Response(
    layout({ title, body, nav: nav({ signInUrl, localIssuer, signedIn }) }),
    { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': cache } },
  );
  const who = signedIn ? esc(got.verdict.identity.userId) : 'nobody';

  switch (url.pathname) {
    case '/api/whoami':
      return Response.json({
        signature: got.verdict.ok ? { ok: true, signedAt: got.verdict.signedAt } : { ok: false, reason: got.verdict.reason },
        identity: got.verdict.ok ? got.verdict.identity : null,
        headers: got.headers,
      }, { headers: { 'cache-control': 'no-store' } });
    case '/':
      return html('Demo origin', `<h1>Demo origin</h1>
<p>This page is public. You are: <strong data-user>${who}</strong>.</p>
<p>Try <a href="/dashboard">/dashboard</a> (any signed-in user), <a href="/admin">/admin</a> (role org:admin: alice yes, bob no)
and <a href="/api/whoami">/api/whoami</a> (JSON; 401 when signed out).</p>
${identityCard(got)}`, 200, 'public, max-age=30');
    case '/dashboard':
      return html('Dashboard', `<h1>Dashboard</h1><p>Signed in as <strong data-user>${who}</strong>.</p>${identityCard(got)}${tokenCard(request, localIssuer)}`);
    case '/admin':
      return html('Admin', `<h1>Admin area</h1><p>Only <code>org:admin</code> gets here. Signed in as <strong data-user>${who}</strong>.</p>${identityCard(got)}`);
    default:
      return html('Not found', `<div class="card bad"><h1>Not found</h1><p>The demo origin has no <code>${esc(url.pathname)}</code>.</p></div>`, 404);
  }
}
