/**
 * Every response the Worker makes itself (as opposed to forwarding the origin's): configuration
 * errors, sign-in redirects, denials, bad requests, origin failures. All are `no-store`; none
 * carries a stack trace, an upstream detail or a secret.
 * @module
 */

import { esc, htmlResponse, layout } from './html.js';

/** Headers for any answer that depends on who asked. */
export const PRIVATE = Object.freeze({ 'cache-control': 'private, no-store', vary: 'Cookie, Authorization' });

/**
 * A JSON error body `{error: {code, message}}`.
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {HeadersInit} [headers]
 */
export function jsonError(status, code, message, headers = {}) {
  const out = new Headers(headers);
  for (const [name, value] of Object.entries(PRIVATE)) if (!out.has(name)) out.set(name, value);
  out.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: out });
}

/**
 * The 500 answer to every request while the configuration is broken.
 * @param {import('./config.js').ConfigProblem[]} problems
 * @param {boolean} page whether the client wants HTML
 */
export function configErrorResponse(problems, page) {
  const summary = problems.map((p) => `${p.variable} ${p.problem}`).join(' ');
  if (!page) {
    return new Response(JSON.stringify({
      error: { code: 'configuration_error', message: `portcullis is not configured correctly: ${summary}`, problems },
    }, null, 2), { status: 500, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
  }
  const rows = problems.map((p) => `<tr><th><code>${esc(p.variable)}</code></th><td>${esc(p.problem)}<br><strong>Fix:</strong> ${esc(p.fix)}</td></tr>`).join('\n');
  return htmlResponse(layout({
    title: 'portcullis: configuration error',
    body: `<div class="card bad"><h1>portcullis is not configured correctly</h1>
<p>This Worker refuses every request until its configuration is fixed; it never lets traffic through with a broken configuration.</p>
<table>${rows}</table>
<p class="muted">Variables come from <code>wrangler.toml</code> <code>[vars]</code> and secrets (<code>wrangler secret put NAME</code>;
locally <code>.dev.vars</code>). See README.md, "Cloudflare Worker".</p></div>`,
  }), 500);
}

/**
 * The answer when the Worker's own code failed (a bug): no details leave the Worker.
 */
export function internalError() {
  return new Response('Internal error in the authentication layer. The details are in the Worker\'s logs.\n', {
    status: 500, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** 502: the origin could not be reached. Plain, no upstream detail. */
export function badGateway() {
  return new Response('Bad gateway: the origin server could not be reached.\n', {
    status: 502, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** 504: the origin did not answer in time. */
export function gatewayTimeout() {
  return new Response('Gateway timeout: the origin server did not answer in time.\n', {
    status: 504, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** 400 for a path with a malformed percent-escape (Clerk answers it the same way). */
export function malformedPath(page) {
  return page
    ? htmlResponse(layout({ title: 'Bad request', body: '<div class="card bad"><h1>Bad request</h1><p>The address contains a malformed percent-escape.</p></div>' }), 400)
    : jsonError(400, 'malformed_url', 'The request path contains a malformed percent-escape.');
}

/**
 * A denial for a page request that cannot be redirected (not GET/HEAD) or a signed-in user without
 * the role/permission.
 * @param {number} status
 * @param {{title: string, text: string, signInUrl: string | null, signedIn: boolean}} details text is HTML
 */
export function deniedPage(status, { title, text, signInUrl, signedIn }) {
  const links = [];
  if (signInUrl !== null) links.push(`<a href="${esc(signInUrl)}">${signedIn ? 'Sign in as someone else' : 'Sign in'}</a>`);
  links.push('<a href="/">Home</a>');
  return htmlResponse(layout({
    title,
    body: `<div class="card bad"><h1>${esc(title)}</h1>${text}<p>${links.join(' · ')}</p></div>`,
  }), status, PRIVATE);
}
