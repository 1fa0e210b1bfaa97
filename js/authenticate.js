/**
 * `authenticateRequest(request, options)`: Clerk's request authentication, driven through the Rust
 * decision engine, and the host loop every adapter (the Next middleware, Workers) shares.
 *
 * Why this module: the engine (`Authenticator` in the wasm build, src/decide/) decides everything but
 * does no IO. It answers a request with a `Step`: either the finished state, or a question for the
 * host (verify this token; call this Backend API endpoint) plus a paused decision to resume with the
 * answer. This module runs that loop ({@link decide}), with the answers from host-answers.js and
 * the engine for the options from engine.js, and turns the finished state into Clerk's
 * `RequestState` (`status`, `reason`, `message`, `headers`, `toAuth()` — the auth objects are
 * auth-object.js's).
 *
 * Client-sent `x-clerk-*` and `x-middleware-*` request headers are never part of what the engine sees
 * ({@link snapshotOf}): they are Clerk's and Next's internal channels (CVE-2025-29927 class).
 * @module
 */

import { authObjectOfState } from './auth-object.js';
import { engineFor } from './engine.js';
import { ConfigurationError } from './errors.js';
import { answerHost } from './host-answers.js';

/** A decision asks at most six questions (src/decide/mod.rs); more is a bug, not a loop to follow. */
const MAX_QUESTIONS = 8;

/**
 * A request as the engine reads it.
 * @typedef {object} Snapshot
 * @property {string} method
 * @property {string} url
 * @property {Record<string, string>} headers
 */

/**
 * The engine's decision (the serde form of `RequestState`, src/decide/state.rs).
 * @typedef {object} EngineState
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason
 * @property {string | null} message
 * @property {string | null} token
 * @property {string | null} tokenType
 * @property {[string, string][]} headers
 * @property {import('./auth-object.js').SessionAuthFields | null} sessionAuth the verified session claims' auth fields
 * @property {Record<string, any> | null} [machine] signed in with a machine token: Clerk's resource for it
 * @property {{headers: [string, string][]} | {error: {code: string, message: string}}} downstream the
 *   `x-clerk-*` request headers for the app (read them with {@link downstreamHeadersOf})
 * @property {string} clerkUrl
 * @property {{level: string, message: string}[]} logs
 */

/**
 * @typedef {object} Decision
 * @property {EngineState} state
 * @property {any} decision the wasm `Decision` the engine's other calls take (free it when done)
 * @property {number} asked how many host questions the engine asked (verifications, Backend API calls)
 */

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * Whether a request header is one of the internal channels clients must not speak on.
 * @param {string} name lower-case
 */
function isInternalHeader(name) {
  return name.startsWith('x-clerk-') || name.startsWith('x-middleware-');
}

/**
 * The engine's view of a request: method, URL and every header except client-sent `x-clerk-*` and
 * `x-middleware-*` (the refresh call forwards all headers to Clerk, as Clerk does).
 * @param {Request | {method?: string, url: string, headers?: Headers | Record<string, string>}} request
 * @returns {{snapshot: Snapshot, internal: string[] | null}} `internal`: the names left out
 */
export function snapshotOf(request) {
  /** @type {Record<string, string>} */
  const headers = {};
  /** @type {string[] | null} */
  let internal = null;
  const source = request.headers;
  const entries = source === undefined ? [] : typeof source.entries === 'function' && typeof source.get === 'function'
    ? /** @type {Headers} */ (source)
    : Object.entries(/** @type {Record<string, string>} */ (source)).map(([n, v]) => [n.toLowerCase(), String(v)]);
  for (const [name, value] of entries) {
    if (isInternalHeader(name)) {
      (internal ??= []).push(name);
      continue;
    }
    headers[name] = value;
  }
  return { snapshot: { method: request.method ?? 'GET', url: String(request.url), headers }, internal };
}

/**
 * Runs the engine to a decision, answering its questions. Throws the engine's errors (`code`:
 * `invalid-request-url`, `header-injection`, `handshake-token-invalid`, …) and ConfigurationError.
 * The caller owns the returned wasm `decision` (protect, redirects, downstream headers, the session's
 * auth fields) and releases it with `decision.free()` once the request is answered.
 * @param {import('./engine.js').Engine} engine
 * @param {string} snapshotJson
 * @param {number} now ms since the epoch
 * @param {(engine: Engine, request: any) => Promise<any>} [answer] answers a host request (tests script it)
 * @returns {Promise<Decision>}
 */
export async function decide(engine, snapshotJson, now, answer = answerHost) {
  const authenticator = engine.authenticator;
  const decision = authenticator.decide(snapshotJson, now);
  try {
    let asked = 0;
    for (; ; asked++) {
      const question = decision.question();
      if (question === undefined) break;
      if (asked >= MAX_QUESTIONS) throw new Error(`portcullis: the decision engine asked more than ${MAX_QUESTIONS} questions`);
      const reply = await answer(engine, JSON.parse(question));
      authenticator.answer(decision, replyText(reply));
    }
    /** @type {EngineState} */
    const state = JSON.parse(authenticator.state(decision));
    for (const entry of state.logs) log(entry);
    return { state, decision, asked };
  } catch (error) {
    decision.free();
    throw error;
  }
}

/**
 * The `x-clerk-*` request headers a pass-through hands to the app; throws the engine's
 * `header-injection` error when one would carry CR/LF (a host's message can).
 * @param {EngineState} state
 * @returns {[string, string][]}
 */
export function downstreamHeadersOf(state) {
  const downstream = /** @type {any} */ (state.downstream);
  if (downstream.error) throw Object.assign(new Error(downstream.error.message), { name: 'AuthenticationError', code: downstream.error.code });
  return [...downstream.headers];
}

/** The JSON text of "verified" answers whose claims are frozen (the verified-token cache's). */
const verifiedReplies = new WeakMap();

/**
 * A host answer as JSON text. A token seen before comes back from the verified-token cache as the
 * same deep-frozen payload, so its answer text is made once.
 * @param {any} reply
 */
function replyText(reply) {
  const claims = reply.kind === 'verified' ? reply.claims : null;
  if (claims === null || typeof claims !== 'object' || !Object.isFrozen(claims)) return JSON.stringify(reply);
  let text = verifiedReplies.get(claims);
  if (text === undefined) {
    text = JSON.stringify(reply);
    verifiedReplies.set(claims, text);
  }
  return text;
}

/**
 * Prints what Clerk would have printed while deciding (loop warnings, handshake errors).
 * @param {{level: string, message: string}} entry
 */
function log(entry) {
  // Clerk prints the missing-azp warning once per process (its logger's warnOnce); every request
  // would otherwise pay for a console write.
  if (entry.message.startsWith(AZP_WARNING)) {
    if (warnedMissingAzp) return;
    warnedMissingAzp = true;
  }
  const method = entry.level === 'error' ? console.error : entry.level === 'warn' ? console.warn : console.log;
  method(entry.message);
}

const AZP_WARNING = 'Clerk: Session token from cookie is missing the azp claim.';
let warnedMissingAzp = false;

// ---------------------------------------------------------------------------------------------
// The public function

/**
 * @typedef {object} RequestState Clerk's `RequestState`
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason Clerk's reason code (null when signed in)
 * @property {string | null} message
 * @property {string | null} token the verified token (signed in)
 * @property {string | null} tokenType
 * @property {boolean} isAuthenticated
 * @property {boolean} isSignedIn
 * @property {Headers} headers to append to the response (`location` ⇒ answer 307 with all of them)
 * @property {string} clerkUrl the URL Clerk considers current
 * @property {(options?: {treatPendingAsSignedOut?: boolean}) => object | null} toAuth
 */

/**
 * Authenticates a request like Clerk's `authenticateRequest` (`@clerk/backend`): the session token
 * from the `Authorization` header or the `__session` cookie, Clerk's cookie and handshake rules,
 * session refresh. Needs `publishableKey` and `secretKey`; verifies with `jwtKey` (networkless) or the
 * JWKS from the Backend API. Options are Clerk's (`signInUrl`, `isSatellite`, `domain`, `proxyUrl`,
 * `authorizedParties`, `audience`, `clockSkewInMs`, `organizationSyncOptions`, …) plus ours
 * (`trustForwardedHost`, `allowedRedirectOrigins`, `fetch`).
 * @param {Request} request
 * @param {Record<string, any>} options
 * @returns {Promise<RequestState>}
 */
export async function authenticateRequest(request, options) {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('authenticateRequest(request, options): pass an options object such as { publishableKey, secretKey }.', 'options');
  }
  const engine = engineFor(options);
  const { snapshot } = snapshotOf(request);
  const { state, decision } = await decide(engine, JSON.stringify(snapshot), engine.now());
  decision.free();
  const headers = new Headers();
  for (const [name, value] of state.headers) headers.append(name, value);
  const signedIn = state.status === 'signed-in';
  return {
    status: state.status,
    reason: state.reason,
    message: state.message,
    token: state.token,
    tokenType: state.tokenType,
    isAuthenticated: signedIn,
    isSignedIn: signedIn,
    headers,
    clerkUrl: state.clerkUrl,
    publishableKey: engine.publishableKey,
    signInUrl: options.signInUrl || '',
    signUpUrl: options.signUpUrl || '',
    isSatellite: Boolean(options.isSatellite),
    domain: options.domain || '',
    proxyUrl: options.proxyUrl || '',
    afterSignInUrl: options.afterSignInUrl || '',
    afterSignUpUrl: options.afterSignUpUrl || '',
    toAuth: ({ treatPendingAsSignedOut = true } = {}) => authObjectOfState(engine, state, treatPendingAsSignedOut),
  };
}
