/**
 * The origin: what ORIGIN_URL may be, and how an allowed request reaches it.
 *
 * Why a module of its own: forwarding is where the Worker's verdict turns into what the origin
 * trusts, so everything that shapes the forwarded request is here and nowhere else — client-sent
 * `x-clerk-*`, `x-portcullis-*`, `x-middleware-*` headers stripped, then the signed identity header
 * (identity.js) and, for a verified webhook, the signed webhook headers (webhook.js) added — plus
 * the caching rules of the answer and what the client sees when the origin fails.
 *
 * It runs on every forwarded request, so it does no per-request parsing: the origin's prefix is
 * computed when the configuration is parsed, the target is that prefix plus the request's own
 * (already canonical) path and query, and the request and response bodies are streamed, never
 * copied (a webhook's body is the exact bytes whose signature was checked).
 *
 * Origin failures: unreachable or a dropped connection → 502; with PORTCULLIS_ORIGIN_TIMEOUT_MS, no
 * response headers within it → 504 (a long download or event stream is never cut once the origin
 * answered); plain text, no upstream detail (the cause goes to the Worker's log). Without it the
 * Worker waits as long as the platform lets a subrequest wait, as a Worker that only forwards does:
 * a timeout is a timer per request, about a twentieth of what forwarding costs in workerd.
 * @module
 */

import { demoOrigin } from './demo-origin.js';
import { IDENTITY_HEADER, identityHeader } from './identity.js';
import { badGateway, gatewayTimeout } from './pages.js';
import { webhookHeaderPairs } from './webhook.js';

/** The largest PORTCULLIS_ORIGIN_TIMEOUT_MS (ms): ten minutes. */
const MAX_ORIGIN_TIMEOUT_MS = 600_000;
/** What the origin-timeout race yields when the deadline wins. */
const TIMED_OUT = Symbol('timed out');
/** The built-in demo origin's (never resolved) base URL. */
const BUILTIN_ORIGIN = 'http://demo-origin.portcullis.invalid';

/**
 * Parses ORIGIN_URL and PORTCULLIS_ORIGIN_TIMEOUT_MS (null: not set). Problems go to `problems`.
 * @param {string | null} value
 * @param {string | null} timeout
 * @param {boolean} localIssuer the built-in demo origin is the default with the local issuer
 * @param {import('./config.js').ConfigProblem[]} problems
 * @returns {import('./config.js').WorkerConfig['origin'] | null}
 */
export function parseOrigin(value, timeout, localIssuer, problems) {
  let timeoutMs = null;
  if (timeout !== null) {
    timeoutMs = /^[1-9]\d{0,8}$/.test(timeout) ? Number(timeout) : NaN;
    if (!(timeoutMs <= MAX_ORIGIN_TIMEOUT_MS)) {
      problems.push({
        variable: 'PORTCULLIS_ORIGIN_TIMEOUT_MS',
        problem: `${JSON.stringify(timeout)} is not a whole number of milliseconds from 1 to ${MAX_ORIGIN_TIMEOUT_MS}.`,
        fix: 'Set it to e.g. 30000 (a 504 after 30 s without response headers), or remove it to wait as long as the platform allows.',
      });
      timeoutMs = null;
    }
  }
  if (value === 'builtin:demo' || (value === null && localIssuer)) return { kind: 'builtin' };
  if (value === null) {
    problems.push({
      variable: 'ORIGIN_URL',
      problem: 'is not set.',
      fix: 'Set ORIGIN_URL to the origin that serves your app, e.g. https://origin.example.com (or builtin:demo for the demo pages).',
    });
    return null;
  }
  let base = null;
  try {
    base = new URL(value);
  } catch {
    base = null;
  }
  if (base === null || (base.protocol !== 'http:' && base.protocol !== 'https:') || base.search !== '' || base.hash !== '' ||
    base.username !== '' || base.password !== '') {
    problems.push({
      variable: 'ORIGIN_URL',
      problem: `${JSON.stringify(value)} is not an http(s) URL without query, fragment or credentials.`,
      fix: 'Set ORIGIN_URL to e.g. https://origin.example.com or https://origin.example.com/base, or builtin:demo.',
    });
    return null;
  }
  const path = base.pathname.replace(/\/+$/, '');
  return { kind: 'url', base, host: base.host, prefix: base.origin + path, path, timeoutMs };
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
 * The response, or TIMED_OUT when its headers take longer than `ms`. A race, not an abort signal:
 * a signal would stay attached to the response body (a long download must not be cut), and the
 * fetch that lost the race is dropped with the request.
 * @param {Promise<Response>} sending
 * @param {number} ms
 * @returns {Promise<Response | typeof TIMED_OUT>}
 */
async function withinTimeout(sending, ms) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([sending, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends the request to the origin with the identity header (and a verified webhook's headers).
 * @param {Request} request
 * @param {URL} url the request's URL, parsed
 * @param {import('./config.js').WorkerConfig} config
 * @param {import('./decide.js').AuthState} state
 * @param {import('./client-headers.js').ClientHeaders} client the request's headers, as read once
 * @param {{id: string, body: Uint8Array} | null} [webhook] a verified webhook: its id and exact body
 * @returns {Promise<Response>}
 */
export async function forward(request, url, config, state, client, webhook = null) {
  const origin = config.origin;
  const builtin = origin.kind === 'builtin';
  const host = url.host;
  if (!builtin && origin.host === host) {
    console.error('portcullis: ORIGIN_URL points at this Worker\'s own host; refusing to loop.');
    return badGateway();
  }
  const pathAndQuery = url.pathname + url.search;
  // What the origin's HTTP server sees as the request target (the signatures are bound to it).
  const target = builtin ? pathAndQuery : origin.path + pathAndQuery;
  const method = request.method;
  const secret = config.signingSecret;
  // (A signature made earlier this second comes back as it is, not as a promise: no await then.)
  let identity = identityHeader({ secret, method, target, auth: state.status === 'signed-in' ? state.auth : null });
  if (identity instanceof Promise) identity = await identity;
  const verified = webhook === null ? null : await webhookHeaderPairs({ secret, method, target, id: webhook.id, body: webhook.body });

  // (A GET or HEAD request has no body: not asking for it saves a call into the runtime.)
  const body = webhook !== null ? webhook.body : method === 'GET' || method === 'HEAD' ? null : request.body;
  // What the origin is told: the client's headers without `host` and the reserved ones, then ours.
  const sent = client.forwardable();
  sent['x-forwarded-host'] = host;
  sent['x-forwarded-proto'] = url.protocol.slice(0, -1);
  sent[IDENTITY_HEADER] = identity;
  if (verified !== null) for (const [name, value] of verified) sent[name] = value;

  let response;
  if (builtin) {
    // In-process: the demo origin reads only url, method and headers (and a body it never has to
    // stream), so it gets them without the cost of building a second Request.
    const source = webhook === null ? request : new Response(webhook.body);
    const forwarded = /** @type {Request} */ (/** @type {unknown} */ ({
      url: BUILTIN_ORIGIN + target, method, headers: new Headers(sent), body,
      formData: () => source.formData(), json: () => source.json(), text: () => source.text(),
    }));
    response = await demoOrigin(forwarded, { signingSecret: secret, signInUrl: config.signInLink, localIssuer: config.localIssuer });
  } else {
    const sending = fetch(origin.prefix + pathAndQuery, { method, headers: sent, body, redirect: 'manual' });
    try {
      response = origin.timeoutMs === null ? await sending : await withinTimeout(sending, origin.timeoutMs);
    } catch (error) {
      console.error(`portcullis: origin fetch failed (${/** @type {Error} */ (error)?.name}): ${/** @type {Error} */ (error)?.message}`);
      return badGateway();
    }
    if (response === TIMED_OUT) {
      console.error(`portcullis: the origin sent no response headers within ${origin.timeoutMs} ms`);
      return gatewayTimeout();
    }
    // A fetched response's headers are immutable: re-wrap it (the body is streamed, not copied).
    response = new Response(response.body, response);
  }
  const headers = response.headers;
  if (state.status === 'signed-in') headers.set('cache-control', 'private, no-store');
  headers.set('vary', withVary(headers.get('vary')));
  return response;
}
