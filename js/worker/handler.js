/**
 * The Worker's request pipeline: configuration → local issuer → decision → route rules → origin.
 *
 * 1. Configuration (config.js), parsed once per set of values. Broken → 500 naming each bad
 *    variable, for every request (fail closed).
 * 2. With PORTCULLIS_LOCAL_ISSUER=1, a request to a non-loopback host is refused outright (500): that
 *    configuration is for development only, and its key source is the local issuer. Paths under
 *    /__portcullis/issuer go to the issuer (issuer/index.js), which refuses when disabled.
 * 3. Webhook routes (PORTCULLIS_ROUTES "webhook", webhook.js): no session; the Svix signature is
 *    verified on the raw body (400/405/413 otherwise) and the exact bytes are forwarded with a
 *    signed `x-portcullis-webhook-verified` header.
 * 4. The decision step (decide.js — Clerk's authenticateRequest, decided by the Rust engine): signed-in,
 *    signed-out or handshake. A handshake is answered at once (307).
 * 5. Route rules (PORTCULLIS_ROUTES, rules.js): public, protected (signed in, optional role/permission), api,
 *    default. Signed-out page requests (GET/HEAD with `sec-fetch-dest: document` or an `accept`
 *    naming text/html, on a non-api route) → 307 to sign-in with `redirect_url`; other requests →
 *    the configured `deny` status with `{error: {code, message}}`; signed in without the role or
 *    permission → `forbidden` (403/404).
 * 6. Forwarding (forward.js): client-sent `x-clerk-*`, `x-portcullis-*`, `x-middleware-*` headers are
 *    stripped, then the identity header and its HMAC are added (identity.js). Responses to
 *    signed-in requests become `Cache-Control: private, no-store`; every forwarded response gets
 *    `Vary: Cookie, Authorization`. Origin unreachable → 502, too slow → 504, plain text.
 * @module
 */

import { MalformedURLError } from '../errors.js';
import { normalizePath } from '../normalize.js';
import { ClientHeaders } from './client-headers.js';
import { loadConfig } from './config.js';
import { decide } from './decide.js';
import { forward } from './forward.js';
import { isLoopback } from './hosts.js';
import { esc } from './html.js';
import { ISSUER_PREFIX, handleIssuer, issuerRefused } from './issuer/index.js';
import { PRIVATE, configErrorResponse, deniedPage, internalError, jsonError, malformedPath } from './pages.js';
import { ruleFor } from './rules.js';
import { checkWebhook } from './webhook.js';

// (ruleFor is also imported from here by js/doctor/worker.js.)
export { ruleFor };

/**
 * A page request: what a browser sends when navigating (brief: `sec-fetch-dest: document` or an
 * `accept` containing text/html).
 * @param {{get(name: string): string | null}} headers the request's (`Headers`, or ClientHeaders)
 */
export function isPageRequest(headers) {
  const dest = headers.get('sec-fetch-dest');
  if (dest === 'document') return true;
  return (headers.get('accept') ?? '').includes('text/html');
}

/**
 * The sign-in page for this request, without `redirect_url`.
 * @param {import('./config.js').WorkerConfig} config
 * @param {URL} url
 */
export function signInBase(config, url) {
  return new URL(config.signInLink, url);
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

/** @param {Record<string, string>} needs */
function describeNeeds(needs) {
  return Object.entries(needs).map(([k, v]) => `${k} ${v}`).join(' and ');
}

/**
 * Adds the decision's response headers (Set-Cookie directives, Clerk's debug headers) to a response.
 * Every response this Worker answers with is its own (`new Response`, or forward.js's re-wrap of
 * the origin's), so its headers are mutable and are set in place: a copy of the response and its
 * headers per request costs CPU for nothing. A response with immutable headers would be re-wrapped.
 * @param {Response} response
 * @param {[string, string][] | null} extra
 */
function withStateHeaders(response, extra) {
  if (extra === null) return response;
  let out = response;
  try {
    addStateHeaders(out.headers, extra);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    out = new Response(response.body, response);
    addStateHeaders(out.headers, extra);
  }
  return out;
}

/**
 * @param {Headers} headers
 * @param {[string, string][]} extra
 */
function addStateHeaders(headers, extra) {
  // As a `Headers` of the pairs would give them: Set-Cookie lines each on their own, a name that
  // repeats combined into one value (replacing the response's own).
  /** @type {Set<string> | null} */
  let seen = null;
  for (const [name, value] of extra) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') headers.append(lower, value);
    else if (seen !== null && seen.has(lower)) headers.append(lower, value);
    else {
      headers.set(lower, value);
      (seen ??= new Set()).add(lower);
    }
  }
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
      return configErrorResponse(loaded.problems, isPageRequest(request.headers));
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
    const pathname = url.pathname;
    if (pathname === ISSUER_PREFIX || pathname.startsWith(ISSUER_PREFIX + '/')) return await handleIssuer(request, config);

    let path;
    try {
      path = normalizePath(pathname);
    } catch (error) {
      if (error instanceof MalformedURLError) return malformedPath(isPageRequest(request.headers));
      throw error;
    }

    const rule = ruleFor(config.routes, path);
    const client = new ClientHeaders(request.headers);
    if (rule.kind === 'webhook') {
      // Never a session here (webhook senders have none): the signature is the authentication.
      const checked = await checkWebhook(request, /** @type {string} */ (config.webhookSecret));
      return checked instanceof Response ? checked : await forward(request, url, config, SIGNED_OUT, client, checked);
    }

    let state = decide(request, config, client);
    if (state instanceof Promise) state = await state;
    if (state.status === 'handshake') {
      const headers = new Headers(state.headers ?? undefined);
      headers.set('x-portcullis-auth-status', 'handshake');
      if (state.reason) headers.set('x-portcullis-auth-reason', state.reason);
      return new Response(null, { status: 307, headers });
    }

    if (rule.kind === 'protected') {
      const asPage = !rule.api && isPageRequest(client);
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
      if (rule.needs !== null && !allowed(state.auth, rule.needs)) {
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
    return withStateHeaders(await forward(request, url, config, state, client), state.headers);
  } catch (error) {
    console.error('portcullis: internal error', error);
    return internalError();
  }
}

/** The state of a request that is not asked for a session (webhooks). */
const SIGNED_OUT = Object.freeze({ status: 'signed-out', reason: null, message: null, auth: null, tokenType: null, headers: null });

/**
 * `auth.has(needs)`, remembered per auth object and rule (both live as long as a token and a
 * configuration): a role or permission check is a call into the core.
 * @type {WeakMap<object, Map<object, boolean>>}
 */
const verdicts = new WeakMap();

/**
 * @param {import('../auth-object.js').SessionAuthObject} auth
 * @param {Record<string, string>} needs a rule's (frozen) requirements
 */
function allowed(auth, needs) {
  let byRule = verdicts.get(auth);
  if (byRule === undefined) verdicts.set(auth, (byRule = new Map()));
  let verdict = byRule.get(needs);
  if (verdict === undefined) byRule.set(needs, (verdict = auth.has(needs)));
  return verdict;
}

let logged = /** @type {unknown} */ (null);
/** Logs configuration problems once per set (they repeat on every request). */
function logOnce(problems) {
  if (logged === problems) return;
  logged = problems;
  for (const p of problems) console.error(`portcullis configuration error: ${p.variable} ${p.problem} Fix: ${p.fix}`);
}
