/**
 * Handing the decision to the app through Next.js's middleware protocol (Clerk's `decorateRequest`,
 * `setRequestHeadersOnNextResponse` and `serverRedirectWithAuth`).
 *
 * Why this module: a middleware cannot change the request the app sees except through response
 * headers Next interprets — `x-middleware-override-headers` (the complete list of request header
 * names the app gets) and `x-middleware-request-<name>` (each value). Clerk's server helpers inside
 * the app (`auth()`, `currentUser()`) read `x-clerk-auth-*` from there, so a pass-through
 * (`NextResponse.next()`, `x-middleware-next: 1`) becomes a rewrite to the same URL that carries
 * them, exactly as Clerk does it, and they keep working unchanged.
 *
 * The header list copied to the app is the request's *after* client-sent `x-clerk-*` and
 * `x-middleware-*` headers were removed (js/authenticate.js `snapshotOf`): since the override list is
 * complete, leaving a name out removes that header from the app's request, so a client cannot
 * forge the auth headers the app trusts.
 * @module
 */

import { NextResponse } from 'next/server.js';

const OVERRIDE_HEADERS = 'x-middleware-override-headers';
const REQUEST_HEADER_PREFIX = 'x-middleware-request-';
const DEV_BROWSER = '__clerk_db_jwt';

/**
 * Adds request headers for the app to a middleware response (Next's override protocol). The first
 * call lists and copies every request header; later calls append.
 * @param {Response} response
 * @param {Record<string, string>} requestHeaders the request's headers (lower-case names, already stripped)
 * @param {Iterable<[string, string]>} added
 */
export function setRequestHeadersOnNextResponse(response, requestHeaders, added) {
  const headers = response.headers;
  let list = headers.get(OVERRIDE_HEADERS);
  if (!list) {
    const names = Object.keys(requestHeaders);
    list = names.join(',');
    for (const name of names) headers.set(REQUEST_HEADER_PREFIX + name, requestHeaders[name]);
  }
  for (const [name, value] of added) {
    list += `,${name}`;
    headers.set(REQUEST_HEADER_PREFIX + name, value);
  }
  headers.set(OVERRIDE_HEADERS, list);
}

/**
 * Clerk's `decorateRequest`: a pass-through becomes a same-URL rewrite, and a same-origin rewrite keeps
 * its target; both get the auth headers (computed only then). Redirects and cross-origin rewrites are
 * returned untouched.
 * @param {Response} response
 * @param {string} requestUrl
 * @param {Record<string, string>} requestHeaders
 * @param {() => Promise<Iterable<[string, string]>>} authHeaders
 * @returns {Promise<Response>}
 */
export async function decorateRequest(response, requestUrl, requestHeaders, authHeaders) {
  const headers = response.headers;
  if (headers.get('location')) return response;
  /** @type {string | undefined} the rewrite target (serialized by the URL parser) */
  let rewrite;
  if (headers.get('x-middleware-next') === '1') {
    headers.delete('x-middleware-next');
    // `request.url` is already a serialized URL (the Request constructor parsed it).
    rewrite = requestUrl;
  }
  const target = headers.get('x-middleware-rewrite');
  if (target) {
    const url = new URL(target);
    if (url.origin !== new URL(requestUrl).origin) return response;
    rewrite = url.href;
  }
  if (rewrite !== undefined) {
    setRequestHeadersOnNextResponse(response, requestHeaders, await authHeaders());
    headers.set('x-middleware-rewrite', rewrite);
  }
  return response;
}

/**
 * A cookie's value as the npm `cookie` 1.x parser reads it (first occurrence wins, trimmed,
 * percent-decoded when valid), or undefined.
 * @param {string | undefined} header
 * @param {string} name
 */
export function cookieValue(header, name) {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * Clerk's `serverRedirectWithAuth`: a Clerk redirect (`x-clerk-redirect-to: true`) to another origin,
 * with a development secret key, carries the dev-browser token (`__clerk_db_jwt`; one already in the
 * Location wins). Redirects built by the engine already did this and are not passed here.
 * @param {Response} response
 * @param {{clerkUrl: string, secretKey: string, cookieHeader: string | undefined}} context
 */
export function serverRedirectWithAuth(response, context) {
  const location = response.headers.get('location');
  const development = context.secretKey.startsWith('sk_test_') || context.secretKey.startsWith('test_');
  if (response.headers.get('x-clerk-redirect-to') !== 'true' || !location || !development) return response;
  if (new URL(context.clerkUrl).origin === new URL(location).origin) return response;
  const url = new URL(location);
  const existing = url.searchParams.get(DEV_BROWSER);
  url.searchParams.delete(DEV_BROWSER);
  const value = existing || cookieValue(context.cookieHeader, DEV_BROWSER) || '';
  if (value) url.searchParams.set(DEV_BROWSER, value);
  return NextResponse.redirect(url.href, response);
}
