/**
 * THE DECISION STEP: who is making this request? — Clerk's `authenticateRequest`, decided by the
 * Rust engine (src/decide/, the wasm `Authenticator`), the same one the Next.js middleware uses.
 *
 * `decide(request, config)` answers Clerk's `authenticateRequest` question and nothing else; the
 * Worker (handler.js) then applies the route rules, forwards, redirects or denies. Everything the
 * handler needs from a decision is in the returned {@link AuthState}.
 *
 * How: the request becomes the engine's snapshot (`snapshotOf`: method, URL, headers without
 * client-sent `x-clerk-*` / `x-middleware-*`), `decide` (js/authenticate.js) runs the engine and
 * answers its host requests — session and handshake tokens with js/verify.js and the Worker's own
 * key source (`config.verifyOptions`: CLERK_JWT_KEY, the local issuer's in-memory JWKS, or the
 * Backend API JWKS with the Worker's key-set cache), Backend API calls (handshake nonce payload,
 * session refresh) with `fetch` and CLERK_SECRET_KEY. The engine's state maps to AuthState:
 * status/reason/message as they are, `auth` = `authObjectFromClaims(claims)` when signed in,
 * `headers` = the state's response headers (Location + Cache-Control + the loop-guard cookie for a
 * handshake, Set-Cookie directives otherwise).
 *
 * So the Worker applies Clerk's full table: Bearer and machine tokens, suffixed cookies,
 * `__client_uat`, dev-browser rules (`__clerk_db_jwt`, development instances), satellites, refresh
 * cookies, organization sync, and the handshake with Clerk's exact Location, cookies and the
 * `__clerk_redirect_count` 3-strike guard.
 *
 * The local issuer stands in for the Frontend API: with PORTCULLIS_LOCAL_ISSUER=1 and no
 * CLERK_PROXY_URL the engine is given the proxy URL `/__portcullis/issuer` (a proxy URL is the
 * Frontend API, resolved against the request's origin), so its handshake redirect lands on the
 * issuer's `/v1/client/handshake`, which sets fresh cookies itself and redirects back. The issuer has
 * no Backend API, so the engine's Backend API questions are answered "unavailable" there.
 *
 * A `pending` session (sts=pending) is answered signed-out `session-pending`, as Clerk's
 * `toAuth({treatPendingAsSignedOut: true})`. An error the engine raises for a malformed request
 * (`invalid-request-url`, `header-injection`, an invalid handshake token, …) is signed-out with the
 * error's code.
 * @module
 */

import { decide as runEngine, snapshotOf } from '../authenticate.js';
import { engineFor } from '../engine.js';
import { answerHost } from '../host-answers.js';
import { authObjectFromSessionAuth } from '../auth-object.js';
import { DecisionMemo, carriesCredentials, memoKey, reusableUntil } from '../decision-memo.js';
import { ConfigurationError } from '../errors.js';
import { Lru } from '../lru.js';
import { DEFAULT_TOKEN_CACHE_SIZE } from '../token-cache.js';
import { ISSUER_PREFIX } from './issuer/index.js';

/**
 * @typedef {object} AuthState
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason Clerk's reason code (null when signed in)
 * @property {string | null} message
 * @property {import('../auth-object.js').SessionAuthObject | null} auth when signed in
 * @property {'session_token' | null} tokenType
 * @property {[string, string][] | null} headers [name, value] pairs to add to the response: for a
 *   handshake Location + Cache-Control (the handler answers 307 with them), otherwise Set-Cookie
 *   directives and Clerk's debug headers if any (null: none). Pairs, not a `Headers` object: most
 *   requests never need one built (the handler sets them on the response it answers with).
 */

/** A placeholder secret key (never sent: Backend API calls are answered "unavailable" without a real one). */
const NO_SECRET = { development: 'sk_test_portcullis_unset', production: 'sk_live_portcullis_unset' };

/**
 * What a Worker configuration decides with, made once per parsed configuration: the engine, the
 * answerer of its host requests, and the decisions remembered for it (js/decision-memo.js: what is
 * kept, on which key, for how long — a browser's repeated requests are answered from there without
 * crossing into wasm).
 * @typedef {{engine: import('../engine.js').Engine, answer: ReturnType<typeof answererFor>,
 *   memo: DecisionMemo<AuthState>}} Decider
 * @type {WeakMap<object, Decider>}
 */
const deciders = new WeakMap();

/**
 * @param {import('./config.js').WorkerConfig} config
 * @returns {Decider}
 */
function deciderOf(config) {
  let entry = deciders.get(config);
  if (entry === undefined) {
    const proxyUrl = config.proxyUrl ?? (config.localIssuer ? ISSUER_PREFIX : null);
    /** @type {Record<string, unknown>} */
    const options = {
      publishableKey: config.publishableKey,
      secretKey: config.secretKey ?? NO_SECRET[config.instanceType],
    };
    if (proxyUrl !== null) options.proxyUrl = proxyUrl;
    if (config.signInUrl !== null) options.signInUrl = config.signInUrl;
    if (config.signUpUrl !== null) options.signUpUrl = config.signUpUrl;
    if (config.apiUrl !== null) options.apiUrl = config.apiUrl;
    const backendApi = config.secretKey !== null && !config.localIssuer;
    entry = { engine: engineFor(options), answer: answererFor(config, backendApi), memo: new DecisionMemo() };
    deciders.set(config, entry);
  }
  return entry;
}

/**
 * Answers the engine's host requests with the Worker's key source and Backend API settings.
 * @param {import('./config.js').WorkerConfig} config
 * @param {boolean} backendApi
 */
function answererFor(config, backendApi) {
  const sources = { verifyOptions: config.verifyOptions, backendApi };
  return (/** @type {any} */ engine, /** @type {any} */ request) => answerHost(engine, request, sources);
}

/**
 * Auth objects by verified session token. A token's claims are fixed by its bytes, so a token seen
 * before (the engine verified it again, through the verified-token cache) reuses its auth object,
 * and identity.js caches its header values by that object.
 * @type {Lru<string, import('../auth-object.js').SessionAuthObject>}
 */
const authByToken = new Lru(DEFAULT_TOKEN_CACHE_SIZE);

/**
 * @param {AuthState['status']} status
 * @param {Partial<AuthState>} rest
 * @returns {AuthState}
 */
function state(status, rest = {}) {
  return { status, reason: null, message: null, auth: null, tokenType: null, headers: null, ...rest };
}

/**
 * Who is making this request.
 * @param {Request} request
 * @param {import('./config.js').WorkerConfig} config
 * @param {import('./client-headers.js').ClientHeaders} client the request's headers, as read once
 * @returns {AuthState | Promise<AuthState>} a remembered decision at once, a fresh one as a promise
 */
export function decide(request, config, client) {
  const { engine, answer, memo } = deciderOf(config);
  const now = Date.now();
  const key = memoKey(request.method, request.url, (name) => client.get(name));
  const known = memo.get(key, now);
  if (known !== undefined) return known;
  const { snapshot } = snapshotOf({ method: request.method, url: request.url, headers: client });
  const credentials = carriesCredentials((name) => client.get(name));
  return decideOnce(engine, JSON.stringify(snapshot), now, answer, credentials).then((decided) => {
    if (decided.remember !== null && memo.worthRemembering(key)) memo.set(key, decided.state, now, decided.remember);
    return decided.state;
  });
}

/**
 * Runs the engine on one request.
 * @param {import('../engine.js').Engine} engine
 * @param {string} snapshotJson
 * @param {number} now
 * @param {ReturnType<typeof answererFor>} answer
 * @param {boolean} credentials whether the request carries credentials (decision-memo.js)
 * @returns {Promise<{state: AuthState, remember: number | null}>} `remember`: until when (ms) the
 *   same snapshot may be answered with this state without asking the engine again (null: never)
 */
async function decideOnce(engine, snapshotJson, now, answer, credentials) {
  const plain = (/** @type {AuthState} */ s) => ({ state: s, remember: null });
  let decided;
  try {
    decided = await runEngine(engine, snapshotJson, now, answer);
    decided.decision.free();
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = /** @type {any} */ (error)?.code;
    if (typeof code !== 'string') throw error;
    return plain(state('signed-out', { reason: code, message: String(/** @type {any} */ (error)?.message ?? '') || null }));
  }
  const result = decided.state;
  const remember = reusableUntil(decided, credentials, now);
  /** @type {[string, string][] | null} */
  const headers = result.headers.length > 0 ? result.headers : null;
  if (result.status === 'signed-in') {
    if (result.tokenType !== 'session_token' || result.sessionAuth === null) {
      return plain(state('signed-out', { reason: 'token-type-mismatch', headers }));
    }
    const token = typeof result.token === 'string' ? result.token : null;
    let auth = token === null ? undefined : authByToken.get(token);
    if (auth === undefined) {
      auth = Object.freeze(authObjectFromSessionAuth(result.sessionAuth));
      if (token !== null) authByToken.set(token, auth);
    }
    if (auth.sessionStatus === 'pending') {
      return plain(state('signed-out', { reason: 'session-pending', message: 'The session has pending tasks.', headers }));
    }
    return { state: Object.freeze(state('signed-in', { auth, tokenType: 'session_token', headers })), remember };
  }
  return { state: Object.freeze(state(result.status, { reason: result.reason, message: result.message, headers })), remember };
}
