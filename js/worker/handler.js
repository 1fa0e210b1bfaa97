/**
 * The Worker's request pipeline: configuration → local issuer → decision → route rules → origin.
 *
 * 1. Configuration (config.js), parsed once per set of values. Broken → 500 naming each bad
 *    variable, for every request (fail closed).
 * 2. With PORTCULLIS_LOCAL_ISSUER=1, a request to a non-loopback host is refused outright (500): that
 *    configuration is for development only, and its key source is the local issuer. Paths under
 *    /__portcullis/issuer go to the issuer (issuer/index.js), which refuses when disabled.
 * 3. The decision step (decide.js — Clerk's authenticateRequest, decided by the Rust engine): signed-in,
 *    signed-out or handshake. A handshake is answered at once (307).
 * 4. Route rules (PORTCULLIS_ROUTES): public, protected (signed in, optional role/permission), api,
 *    default. Signed-out page requests (GET/HEAD with `sec-fetch-dest: document` or an `accept`
 *    naming text/html, on a non-api route) → 307 to sign-in with `redirect_url`; other requests →
 *    the configured `deny` status with `{error: {code, message}}`; signed in without the role or
 *    permission → `forbidden` (403/404).
 * 5. Forwarding: client-sent `x-clerk-*`, `x-portcullis-*`, `x-middleware-*` headers are stripped,
 *    then the identity headers and their HMAC are added (identity.js). Responses to signed-in
 *    requests become `Cache-Control: private, no-store`; every forwarded response gets
 *    `Vary: Cookie, Authorization`. Origin unreachable → 502, too slow → 504, plain text.
 * @module
 */

import { MalformedURLError } from '../errors.js';
import { normalizePath } from '../normalize.js';
import { loadConfig } from './config.js';
import { decide } from './decide.js';
import { demoOrigin } from './demo-origin.js';
import { isLoopback } from './hosts.js';
import { esc } from './html.js';
import { identityHeaderPairs, stripReservedHeaders } from './identity.js';
import { ISSUER_PREFIX, handleIssuer, issuerRefused } from './issuer/index.js';
import { PRIVATE, badGateway, configErrorResponse, deniedPage, gatewayTimeout, internalError, jsonError, malformedPath } from './pages.js';

/** How long the origin may take to start answering (response headers) before a 504. */
export const ORIGIN_TIMEOUT_MS = 30_000;
/** The built-in demo origin's (never resolved) base URL. */
const BUILTIN_ORIGIN = 'http://demo-origin.portcullis.invalid';

/**
 * A page request: what a browser sends when navigating (brief: `sec-fetch-dest: document` or an
 * `accept` containing text/html).
 * @param {Request} request
 */
export function isPageRequest(request) {
  const dest = request.headers.get('sec-fetch-dest');
  if (dest === 'document') return true;
  return (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * Clerk's Account Portal host for a Frontend API host (CLERK-BEHAVIOUR.md §2.4).
 * @param {string} frontendApi
 */
function accountsHost(frontendApi) {
  const host = frontendApi.replace('clerk.accountsstage.', 'accountsstage.');
  if (host.includes('clerk.accounts.')) return host.replace('clerk.accounts.', 'accounts.');
  return host.replace('clerk.', 'accounts.');
}

/**
 * The sign-in page for this request, without `redirect_url`.
 * @param {import('./config.js').WorkerConfig} config
 * @param {URL} url
 */
export function signInBase(config, url) {
  if (config.signInUrl !== null) return new URL(config.signInUrl, url);
  if (config.localIssuer) return new URL(`${ISSUER_PREFIX}/sign-in`, url);
  return new URL(`https://${accountsHost(config.frontendApi)}/sign-in`);
}

/**
 * The sign-in page as a link (relative when configured so): no URL parsing per request.
 * @param {import('./config.js').WorkerConfig} config
 */
function signInLink(config) {
  if (config.signInUrl !== null) return config.signInUrl;
  if (config.localIssuer) return `${ISSUER_PREFIX}/sign-in`;
  return `https://${accountsHost(config.frontendApi)}/sign-in`;
}

/**
 * 307 to sign-in with `redirect_url` = the full current URL (Clerk's redirectToSignIn).
 * @param {import('./config.js').WorkerConfig} config
 * @param {URL} url
 * @param {import('./decide.js').AuthState} state
 */
function redirectToSignIn(config, url, state) {
  const location = signInBase(config, url);
  location.searchParams.set('redirect_url', url.href);
  const headers = new Headers(PRIVATE);
  headers.set('location', location.href);
  headers.set('x-portcullis-auth-status', state.status);
  if (state.reason) headers.set('x-portcullis-auth-reason', state.reason);
  return new Response(null, { status: 307, headers });
}

/**
 * The rule that applies to a (normalised) path.
 * @param {import('./config.js').WorkerConfig['routes']} routes
 * @param {string} path
 * @returns {{kind: 'public'} | {kind: 'protected', needs: Record<string, string> | null, pattern: string | null, api: boolean}}
 *   `api`: the path is also an api route (answered with `deny`, never redirected)
 */
export function ruleFor(routes, path) {
  if (routes.public(path)) return PUBLIC;
  const rule = routes.protected.find((r) => r.matches(path));
  const api = routes.api(path);
  if (rule !== undefined) return { kind: 'protected', needs: rule.needs, pattern: rule.pattern, api };
  if (api) return { kind: 'protected', needs: null, pattern: null, api };
  return routes.defaultProtected ? { kind: 'protected', needs: null, pattern: null, api } : PUBLIC;
}
const PUBLIC = Object.freeze({ kind: /** @type {const} */ ('public') });

/** @param {Record<string, string>} needs */
function describeNeeds(needs) {
  return Object.entries(needs).map(([k, v]) => `${k} ${v}`).join(' and ');
}

/**
 * Adds `Cookie, Authorization` to a Vary header value, keeping what is there.
 * @param {string | null} vary
 */
function withVary(vary) {
  if (vary === null || vary.trim() === '') return 'Cookie, Authorization';
  if (vary.trim() === '*') return '*';
  const have = new Set(vary.split(',').map((v) => v.trim().toLowerCase()));
  let out = vary;
  for (const name of ['Cookie', 'Authorization']) if (!have.has(name.toLowerCase())) out += `, ${name}`;
  return out;
}

/**
 * Sends the request to the origin with the identity headers.
 * @param {Request} request
 * @param {URL} url
 * @param {import('./config.js').WorkerConfig} config
 * @param {import('./decide.js').AuthState} state
 */
async function forward(request, url, config, state) {
  let target;
  if (config.origin.kind === 'builtin') {
    target = { href: BUILTIN_ORIGIN + url.pathname + url.search, pathname: url.pathname, search: url.search, host: '' };
  } else {
    const base = config.origin.base;
    target = new URL(base.href);
    target.pathname = base.pathname.replace(/\/+$/, '') + url.pathname;
    target.search = url.search;
  }
  const identity = await identityHeaderPairs({
    secret: config.signingSecret,
    method: request.method,
    target: target.pathname + target.search,
    auth: state.status === 'signed-in' ? state.auth : null,
  });
  const headers = new Headers(request.headers);
  stripReservedHeaders(headers);
  headers.delete('host');
  headers.set('x-forwarded-host', url.host);
  headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
  for (const [name, value] of identity) headers.set(name, value);
  const init = { method: request.method, headers, body: request.body, redirect: /** @type {const} */ ('manual') };

  let response;
  if (config.origin.kind === 'builtin') {
    // In-process: the demo origin reads only url, method and headers (and a body it never has to
    // stream), so it gets them without the cost of building a second Request.
    const forwarded = /** @type {Request} */ (/** @type {unknown} */ ({
      url: target.href, method: request.method, headers, body: request.body,
      formData: () => request.formData(), json: () => request.json(), text: () => request.text(),
    }));
    response = await demoOrigin(forwarded, {
      signingSecret: config.signingSecret, signInUrl: signInLink(config), localIssuer: config.localIssuer,
    });
  } else {
    if (target.host === url.host) {
      console.error('portcullis: ORIGIN_URL points at this Worker\'s own host; refusing to loop.');
      return badGateway();
    }
    // The timeout covers the wait for the response headers only: a long download or an event
    // stream must not be cut once the origin has answered.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ORIGIN_TIMEOUT_MS);
    try {
      response = await fetch(target.href, { ...init, signal: controller.signal });
    } catch (error) {
      console.error(`portcullis: origin fetch failed (${/** @type {Error} */ (error)?.name}): ${/** @type {Error} */ (error)?.message}`);
      return timedOut ? gatewayTimeout() : badGateway();
    } finally {
      clearTimeout(timer);
    }
  }
  // A fetched response's headers are immutable; the built-in origin's own Response is not.
  const out = config.origin.kind === 'builtin' ? response : new Response(response.body, response);
  if (state.status === 'signed-in') out.headers.set('cache-control', 'private, no-store');
  out.headers.set('vary', withVary(out.headers.get('vary')));
  return out;
}

/**
 * Adds the decision's response headers (Set-Cookie directives) to a response.
 * @param {Response} response
 * @param {Headers | null} extra
 */
function withStateHeaders(response, extra) {
  if (extra === null) return response;
  const out = new Response(response.body, response);
  for (const [name, value] of extra) {
    if (name === 'set-cookie') out.headers.append(name, value);
    else out.headers.set(name, value);
  }
  return out;
}

/**
 * The Worker's fetch handler.
 * @param {Request} request
 * @param {Record<string, unknown>} env
 * @param {unknown} [_ctx]
 * @returns {Promise<Response>}
 */
export async function handle(request, env, _ctx) {
  try {
    const loaded = loadConfig(env);
    if (!loaded.ok) {
      logOnce(loaded.problems);
      return configErrorResponse(loaded.problems, isPageRequest(request));
    }
    const config = loaded.config;
    const url = new URL(request.url);
    if (config.localIssuer && !isLoopback(url.hostname)) {
      return issuerRefused(`<p>This request came to the host <code>${esc(url.hostname)}</code>, which is not loopback,
while <code>PORTCULLIS_LOCAL_ISSUER=1</code>. With the local issuer enabled the whole Worker is a development
server and refuses every other host (fail closed).</p>
<p>If this is a deployed Worker, remove <code>PORTCULLIS_LOCAL_ISSUER</code> from its configuration and set up a real
Clerk instance (<code>CLERK_PUBLISHABLE_KEY</code>, <code>CLERK_SECRET_KEY</code>).</p>`);
    }
    if (url.pathname === ISSUER_PREFIX || url.pathname.startsWith(ISSUER_PREFIX + '/')) return await handleIssuer(request, config);

    let path;
    try {
      path = normalizePath(url.pathname);
    } catch (error) {
      if (error instanceof MalformedURLError) return malformedPath(isPageRequest(request));
      throw error;
    }

    const state = await decide(request, config, url);
    if (state.status === 'handshake') {
      const headers = new Headers(state.headers ?? undefined);
      headers.set('x-portcullis-auth-status', 'handshake');
      if (state.reason) headers.set('x-portcullis-auth-reason', state.reason);
      return new Response(null, { status: 307, headers });
    }

    const rule = ruleFor(config.routes, path);
    if (rule.kind === 'protected') {
      const asPage = !rule.api && isPageRequest(request);
      if (state.status !== 'signed-in' || state.auth === null) {
        const method = request.method.toUpperCase();
        if (asPage && (method === 'GET' || method === 'HEAD')) return withStateHeaders(redirectToSignIn(config, url, state), state.headers);
        const status = config.routes.deny;
        const debug = { 'x-portcullis-auth-status': state.status, 'x-portcullis-auth-reason': state.reason ?? '' };
        if (asPage) {
          return withStateHeaders(deniedPage(status, {
            title: status === 404 ? 'Not found' : 'Sign in required',
            text: status === 404 ? '' : '<p>This page needs a signed-in session.</p>',
            signInUrl: signInBase(config, url).href, signedIn: false,
          }), state.headers);
        }
        const response = status === 404
          ? jsonError(404, 'not_found', 'Not found.', debug)
          : status === 403
            ? jsonError(403, 'forbidden', `A signed-in session is required (${state.reason}).`, debug)
            : jsonError(401, 'unauthenticated', `A signed-in session is required (${state.reason}). Send a session token as a __session cookie or an Authorization: Bearer header.`,
              { ...debug, 'www-authenticate': 'Bearer realm="portcullis"' });
        return withStateHeaders(response, state.headers);
      }
      if (rule.needs !== null && !state.auth.has(rule.needs)) {
        const status = config.routes.forbidden;
        if (asPage) {
          return withStateHeaders(deniedPage(status, status === 404
            ? { title: 'Not found', text: '', signInUrl: null, signedIn: true }
            : {
              title: 'Not allowed',
              text: `<p>You are signed in as <code>${esc(state.auth.userId)}</code>${state.auth.orgRole ? ` with the role <code>${esc(state.auth.orgRole)}</code>` : ' without an active organization'},
but <code>${esc(url.pathname)}</code> requires ${esc(describeNeeds(rule.needs))}.</p>`,
              signInUrl: signInBase(config, url).href, signedIn: true,
            }), state.headers);
        }
        return withStateHeaders(status === 404
          ? jsonError(404, 'not_found', 'Not found.')
          : jsonError(403, 'forbidden', `This endpoint requires ${describeNeeds(rule.needs)}.`), state.headers);
      }
    }
    return withStateHeaders(await forward(request, url, config, state), state.headers);
  } catch (error) {
    console.error('portcullis: internal error', error);
    return internalError();
  }
}

let logged = /** @type {unknown} */ (null);
/** Logs configuration problems once per set (they repeat on every request). */
function logOnce(problems) {
  if (logged === problems) return;
  logged = problems;
  for (const p of problems) console.error(`portcullis configuration error: ${p.variable} ${p.problem} Fix: ${p.fix}`);
}
