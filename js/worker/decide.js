/**
 * THE DECISION STEP: who is making this request? — the one function to swap for the Rust engine.
 *
 * `decide(request, config)` answers Clerk's `authenticateRequest` question and nothing else; the
 * Worker (handler.js) then applies the route rules, forwards, redirects or denies. Everything the
 * handler needs from a decision is in the returned {@link AuthState}, so replacing this module's
 * body is the whole migration:
 *
 *   TO SWAP IN THE RUST ENGINE (src/decide/, `begin`/`resume`): keep the signature
 *   `async decide(request, config) -> AuthState`. Build the engine's RequestSnapshot from `request`
 *   (method, url, headers), call `begin`; while it answers `Step::Host`, do what it asks
 *   (`VerifySessionToken` → `verifyToken(token, config.verifyOptions)`, Backend API calls for the
 *   handshake nonce / refresh → fetch) and `resume`; map the final RequestState to AuthState:
 *   status/reason/message as they are, `auth` = `authObjectFromClaims(claims)` when signed in,
 *   `headers` = the state's response headers (Location + Cache-Control for a handshake, Set-Cookie).
 *   Nothing else in js/worker/ changes.
 *
 * What this interim version does (Clerk's cookie path, §3.2–3.6 of CLERK-BEHAVIOUR.md, reduced):
 * - `Authorization: Bearer <token>` (or a bare token) → verified → signed-in, or signed-out with
 *   Clerk's reason; machine tokens (mt_/oat_/ak_, machine JWTs) → signed-out `token-type-mismatch`.
 * - Cookies `__session` / `__client_uat` (un-suffixed only): rows C6–C12 — no uat and no session →
 *   signed-out `session-token-and-uat-missing`; uat/session disagreeing, `iat` before the uat, an
 *   expired / not-yet-valid / future-`iat` token → handshake, else any other failure → signed-out.
 * - Handshake (§3.6): only for handshake-eligible requests (GET, `sec-fetch-dest` document/iframe,
 *   or no `sec-fetch-dest` and `accept` starting with text/html), with the `__clerk_redirect_count`
 *   loop guard (3), and only when the Frontend API can complete it without a Backend API nonce
 *   exchange — i.e. the local issuer. With a real Clerk instance the reason becomes signed-out
 *   (pages go to sign-in, whose ClerkJS refreshes and comes back) until the engine lands.
 * - Local issuer only: a token signed by a previous isolate's key (`jwk-kid-mismatch`: every
 *   `wrangler dev` reload rotates the issuer's key) also goes through the handshake.
 * - Not done here (the engine's job): suffixed cookies, dev-browser (`__clerk_db_jwt`), satellite
 *   and cross-origin sync, refresh tokens, organization sync. A `pending` session is signed out.
 * @module
 */

import { verifyToken } from '../verify.js';
import { authObjectFromClaims } from '../auth-object.js';
import { TokenVerificationError } from '../errors.js';
import { parseCookies } from './cookies.js';
import { ISSUER_PREFIX } from './issuer/index.js';

/**
 * @typedef {object} AuthState
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason Clerk's reason code (null when signed in)
 * @property {string | null} message
 * @property {import('../auth-object.js').SessionAuthObject | null} auth when signed in
 * @property {'session_token' | null} tokenType
 * @property {Headers | null} headers to add to the response: for a handshake Location + Cache-Control
 *   (the handler answers 307 with them), otherwise Set-Cookie directives if any (null: none)
 */

/** Clerk's API version sent on handshake redirects (§3.6). */
const CLERK_API_VERSION = '2026-05-12';
const MAX_REDIRECTS = 3;
const SESSION_CATEGORIES = new Set(['cl_B7d4PD111AAA', 'cl_I7d4PD111III']);

/**
 * What a verified token is, by its (frozen, cached) payload: a token seen before costs no decoding
 * and no call into the core. `auth` is null for a machine token that happens to verify.
 * @type {WeakMap<object, {auth: import('../auth-object.js').SessionAuthObject | null}>}
 */
const verdicts = new WeakMap();

/**
 * @param {string} token
 * @param {Record<string, unknown>} claims
 */
function authOf(token, claims) {
  let verdict = verdicts.get(claims);
  if (verdict === undefined) {
    verdict = { auth: isMachineToken(token) ? null : authObjectFromClaims(claims) };
    verdicts.set(claims, verdict);
  }
  return verdict.auth;
}

/**
 * @param {AuthState['status']} status
 * @param {Partial<AuthState>} rest
 * @returns {AuthState}
 */
function state(status, rest = {}) {
  return { status, reason: null, message: null, auth: null, tokenType: null, headers: null, ...rest };
}

/** @param {string} reason @param {string | null} [message] */
const signedOut = (reason, message = null) => state('signed-out', { reason, message });

/**
 * The token in `Authorization`, Clerk's way: `Bearer <t>` → t; a value without a space is the token
 * itself; any other scheme is not a token.
 * @param {string | null} value
 */
function headerToken(value) {
  if (value === null || value === '') return null;
  const space = value.indexOf(' ');
  if (space === -1) return value;
  if (value.slice(0, space) !== 'Bearer') return null;
  const token = value.slice(space + 1);
  return token === '' ? null : token;
}

/** @param {string} part */
function decodePart(part) {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/**
 * A JWT's header and payload, unverified (only to route the decision, as Clerk's `decodeJwt`).
 * @param {string} token
 */
function decodeUnverified(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return null;
  try {
    const header = decodePart(parts[0]);
    const payload = decodePart(parts[1]);
    if (header === null || typeof header !== 'object' || payload === null || typeof payload !== 'object') return null;
    return { header, payload };
  } catch {
    return null;
  }
}

/**
 * A machine token, or a JWT of a non-session category: never a session (§3.2, C10).
 * @param {string} token
 * @param {ReturnType<typeof decodeUnverified>} [decoded] the token decoded, when the caller has it
 */
function isMachineToken(token, decoded) {
  if (/^(?:mt_|oat_|ak_)/.test(token)) return true;
  if (decoded === undefined) decoded = decodeUnverified(token);
  if (decoded === null) return false;
  const { header, payload } = decoded;
  if (header.typ === 'at+jwt' || header.typ === 'application/at+jwt') return true;
  if (typeof payload.sub === 'string' && payload.sub.startsWith('mch_')) return true;
  return typeof header.cat === 'string' && !SESSION_CATEGORIES.has(header.cat);
}

/**
 * Verifies a session token; signed-in state or the error.
 * @param {string} token
 * @param {{verifyOptions: Record<string, unknown>}} config
 * @returns {Promise<AuthState | TokenVerificationError>}
 */
async function verifySession(token, config) {
  let claims;
  try {
    claims = await verifyToken(token, /** @type {any} */ (config.verifyOptions));
  } catch (error) {
    if (error instanceof TokenVerificationError) return error;
    console.error('portcullis: unexpected error while verifying a session token', error);
    return new TokenVerificationError({ reason: 'unexpected-error', message: 'Unexpected error while verifying the session token.' });
  }
  const auth = authOf(token, claims);
  if (auth === null) return state('signed-out', { reason: 'token-type-mismatch' });
  if (claims.sts === 'pending') return state('signed-out', { reason: 'session-pending', message: 'The session has pending tasks.' });
  return state('signed-in', { auth, tokenType: 'session_token' });
}

/**
 * Whether a request may be sent through a handshake redirect (§3.6.1).
 * @param {Request} request
 */
function handshakeEligible(request) {
  if (request.method !== 'GET') return false;
  const dest = request.headers.get('sec-fetch-dest');
  if (dest !== null) return dest === 'document' || dest === 'iframe';
  return (request.headers.get('accept') ?? '').startsWith('text/html');
}

/**
 * The Frontend API base that can complete a handshake, or null when none can yet (see module doc).
 * @param {URL} url
 * @param {{localIssuer: boolean}} config
 */
function handshakeBase(url, config) {
  return config.localIssuer ? url.origin + ISSUER_PREFIX : null;
}

/**
 * Clerk's `handleMaybeHandshakeStatus`.
 * @param {Request} request
 * @param {URL} url
 * @param {Map<string, string>} cookies
 * @param {{localIssuer: boolean}} config
 * @param {string} reason
 * @param {string | null} [message]
 * @returns {AuthState}
 */
function maybeHandshake(request, url, cookies, config, reason, message = null) {
  const base = handshakeBase(url, config);
  if (base === null || !handshakeEligible(request)) return signedOut(reason, message);
  const count = Number(cookies.get('__clerk_redirect_count') ?? '') || 0;
  if (count >= MAX_REDIRECTS) {
    console.log(`portcullis: refreshing the session token resulted in a redirect loop (${reason}); answering signed-out.`);
    return signedOut(reason, message);
  }
  const location = new URL(`${base}/v1/client/handshake`);
  location.searchParams.set('redirect_url', url.href);
  location.searchParams.set('__clerk_api_version', CLERK_API_VERSION);
  location.searchParams.set('suffixed_cookies', 'false');
  location.searchParams.set('__clerk_hs_reason', reason);
  location.searchParams.set('format', 'nonce');
  const headers = new Headers({ location: location.href, 'cache-control': 'no-store' });
  headers.append('set-cookie', `__clerk_redirect_count=${count + 1}; Path=/; SameSite=Lax; HttpOnly; Max-Age=2`);
  return state('handshake', { reason, message, headers });
}

/**
 * Who is making this request.
 * @param {Request} request
 * @param {import('./config.js').WorkerConfig} config
 * @param {URL} [url] `new URL(request.url)` when the caller has it
 * @returns {Promise<AuthState>}
 */
export async function decide(request, config, url = new URL(request.url)) {
  const bearer = headerToken(request.headers.get('authorization'));
  if (bearer !== null) {
    if (/^(?:mt_|oat_|ak_)/.test(bearer)) return signedOut('token-type-mismatch');
    const result = await verifySession(bearer, config);
    if (!(result instanceof TokenVerificationError)) return result;
    // (A machine JWT fails session verification; name it as Clerk does.)
    return isMachineToken(bearer) ? signedOut('token-type-mismatch') : signedOut(result.reason, result.message);
  }

  const cookies = parseCookies(request.headers.get('cookie'));
  const session = cookies.get('__session') || null;
  const clientUat = Number.parseInt(cookies.get('__client_uat') ?? '', 10) || 0;
  if (clientUat <= 0 && session === null) return signedOut('session-token-and-uat-missing');
  if (clientUat <= 0) return maybeHandshake(request, url, cookies, config, 'session-token-but-no-client-uat');
  if (session === null) return maybeHandshake(request, url, cookies, config, 'client-uat-but-no-session-token');

  // Clerk's order is decode (C9) → machine token (C10) → iat before uat (C11) → verify (C12). Those
  // rows depend on the token alone, so verifying first gives the same answers while a token seen
  // before (the common case) costs a cache lookup and no decoding.
  const result = await verifySession(session, config);
  if (!(result instanceof TokenVerificationError)) {
    const iat = result.auth?.sessionClaims?.iat;
    if (typeof iat === 'number' && iat < clientUat) return maybeHandshake(request, url, cookies, config, 'session-token-iat-before-client-uat');
    return result;
  }
  const decoded = decodeUnverified(session);
  if (decoded === null) return signedOut('token-invalid', 'The __session cookie is not a JWT.');
  if (isMachineToken(session, decoded)) return signedOut('token-type-mismatch');
  if (typeof decoded.payload.iat === 'number' && decoded.payload.iat < clientUat) {
    return maybeHandshake(request, url, cookies, config, 'session-token-iat-before-client-uat');
  }
  switch (result.reason) {
    case 'token-expired':
      return maybeHandshake(request, url, cookies, config, 'session-token-expired-refresh-non-eligible-no-refresh-cookie', result.message);
    case 'token-not-active-yet':
      return maybeHandshake(request, url, cookies, config, 'session-token-nbf', result.message);
    case 'token-iat-in-the-future':
      return maybeHandshake(request, url, cookies, config, 'session-token-iat-in-the-future', result.message);
    case 'jwk-kid-mismatch':
      // Ours, local issuer only: its key lives per isolate, so every `wrangler dev` reload rotates it
      // and leaves the browser with a token of the previous key. A real Frontend API would hand out
      // tokens of the new key at the next refresh; the handshake does exactly that (when the issuer
      // session is still valid). With a real Clerk instance this stays signed-out, as in Clerk.
      if (config.localIssuer) return maybeHandshake(request, url, cookies, config, 'local-issuer-key-rotated', result.message);
      return signedOut(result.reason, result.message);
    default:
      return signedOut(result.reason, result.message);
  }
}
