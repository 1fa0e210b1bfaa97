/**
 * The host's answers to the decision engine's questions (src/decide/host.rs): verify this session,
 * handshake or machine token; call this Backend API endpoint.
 *
 * Why a module of its own: the engine does no IO, so these answers are where its questions meet
 * js/verify.js (session tokens and machine JWTs: jwtKey or JWKS, the verified-token cache) and the
 * Backend API (backend-api.js); a failed verification becomes the engine's `refused` answer with
 * Clerk's reason code, never an exception the engine cannot read.
 * @module
 */

import { backendApiAnswer, callBackendApi } from './backend-api.js';
import { ConfigurationError, TokenVerificationError } from './errors.js';
import { verifyToken } from './verify.js';

/** Verification reasons raised only after the signature checked out (src/token/verify.rs `check_claims`). */
const CLAIM_REASONS = new Set([
  'token-expired', 'token-not-active-yet', 'token-iat-in-the-future', 'token-verification-failed',
  'token-invalid-authorized-parties', 'token-invalid-issuer',
]);

/**
 * Where a host's answers come from when they are not the engine's own options: the Worker verifies
 * with its own key source (its key-set cache, or the local issuer's keys) and has no Backend API with
 * the local issuer or without a secret key.
 * @typedef {object} AnswerSources
 * @property {Record<string, unknown>} [verifyOptions] verifyToken options for session and handshake
 *   tokens (default: the engine's)
 * @property {boolean} [backendApi] false: handshake-payload and refresh calls are answered
 *   "unavailable" without a request (default: true)
 */

/**
 * Answers one host request (src/decide/host.rs): tokens with js/verify.js, Backend API calls with fetch.
 * @param {import('./engine.js').Engine} engine
 * @param {any} request
 * @param {AnswerSources} [sources]
 */
export async function answerHost(engine, request, sources = {}) {
  const verifyOptions = sources.verifyOptions ?? engine.verifyOptions;
  const backendApi = sources.backendApi ?? true;
  switch (request.kind) {
    case 'verify-session-token':
      return verifySessionToken(request.token, withClockSkew(verifyOptions, request.clockSkewInMs));
    case 'verify-handshake-token':
      return verifyHandshakeToken(request.token, verifyOptions);
    case 'get-handshake-payload':
      return backendApi ? backendApiAnswer(engine, request.call, 'directives') : { kind: 'unavailable' };
    case 'refresh-session':
      return backendApi ? backendApiAnswer(engine, request.call, 'cookies') : { kind: 'unavailable' };
    case 'verify-machine-token':
      return verifyMachineToken(engine, request);
    default:
      throw new Error(`portcullis: unknown host request ${JSON.stringify(request.kind)}`);
  }
}

/**
 * @param {unknown} error
 * @returns {any} the engine's answer for a verification that did not succeed
 */
function refusal(error) {
  if (error instanceof TokenVerificationError) {
    return { kind: 'refused', reason: error.reason, message: [error.message, error.action].filter((m) => m).join(' ') };
  }
  if (error instanceof ConfigurationError) throw error;
  return { kind: 'verify-failed', message: String(/** @type {any} */ (error)?.message ?? error) };
}

/** Verifier options with a clock skew the engine asked for, by base options object and skew. */
const skewed = new WeakMap();

/**
 * `base` with the clock skew the engine asked for (its 24 h development retry), made once per base
 * and skew (an options object's identity is the verifier's cache key).
 * @param {Record<string, unknown>} base
 * @param {number | null | undefined} clockSkewInMs
 */
function withClockSkew(base, clockSkewInMs) {
  if (clockSkewInMs === null || clockSkewInMs === undefined) return base;
  let bySkew = skewed.get(base);
  if (bySkew === undefined) skewed.set(base, (bySkew = new Map()));
  let options = bySkew.get(clockSkewInMs);
  if (options === undefined) bySkew.set(clockSkewInMs, (options = { ...base, clockSkewInMs }));
  return options;
}

/**
 * The engine's answer to `verify-session-token`.
 * @param {string} token
 * @param {Record<string, unknown>} options verifyToken options
 */
async function verifySessionToken(token, options) {
  try {
    return { kind: 'verified', claims: await verifyToken(token, /** @type {any} */ (options)) };
  } catch (error) {
    return refusal(error);
  }
}

/**
 * The legacy `__clerk_handshake` token: signature, `typ`, `alg` and category, no claim checks
 * (Clerk's `verifyHandshakeJwt`). The session verifier checks exactly those before the signature
 * and the claims only after it, so a refusal for a claim still proves the signature; the payload is
 * then read from the token itself.
 * @param {string} token
 * @param {Record<string, unknown>} options verifyToken options
 */
async function verifyHandshakeToken(token, options) {
  try {
    await verifyToken(token, /** @type {any} */ (options));
  } catch (error) {
    if (!(error instanceof TokenVerificationError) || !CLAIM_REASONS.has(error.reason)) return refusal(error);
  }
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return { kind: 'verified', claims: JSON.parse(new TextDecoder().decode(bytes)) };
  } catch (error) {
    return { kind: 'refused', reason: 'token-invalid', message: 'The handshake token payload is not JSON.' };
  }
}

/**
 * A machine token (src/decide/machine.rs): the Backend API `verify` call the engine described (its
 * body is the answer), or the JWT verifier with the machine token's `typ` and category rules.
 * @param {import('./engine.js').Engine} engine
 * @param {{token: string, tokenType: string, via: 'backend-api' | 'jwt', call: any}} request
 */
async function verifyMachineToken(engine, request) {
  if (request.via === 'jwt') {
    const options = engine.machineJwt[request.tokenType === 'oauth_token' ? 'oauth' : 'm2m'];
    try {
      return { kind: 'verified', claims: await verifyToken(request.token, options) };
    } catch (error) {
      return refusal(error);
    }
  }
  const bearer = request.tokenType === 'm2m_token' ? engine.machineSecretKey : engine.secretKey;
  const result = await callBackendApi(engine, request.call, bearer);
  if (!result.ok) {
    return result.network ? { kind: 'network-error', message: result.message }
      : { kind: 'api-error', status: result.status, code: result.code, message: result.errorMessage };
  }
  const body = result.body !== null && typeof result.body === 'object' && !Array.isArray(result.body) ? result.body : {};
  const audienceProblem = request.tokenType === 'oauth_token' ? oauthAudienceProblem(body.aud, engine.verifyOptions.audience) : null;
  if (audienceProblem !== null) return { kind: 'refused', reason: 'token-verification-failed', message: audienceProblem };
  return { kind: 'verified', claims: body };
}

/**
 * Clerk's `assertOAuthAudienceClaim`, applied to an opaque OAuth token the Backend API verified: with
 * `audience` configured, the token's `aud` must name one of them. The problem, or null.
 * @param {unknown} aud
 * @param {unknown} audience
 */
function oauthAudienceProblem(aud, audience) {
  const wanted = [audience].flat().filter((a) => !!a);
  if (wanted.length === 0) return null;
  const got = aud ? [aud].flat() : undefined;
  if (!Array.isArray(got) || got.some((a) => typeof a !== 'string' || a.length === 0)) {
    return `Invalid OAuth audience claim (aud) ${JSON.stringify(aud)}. Expected a non-empty string or a non-empty array of non-empty strings.`;
  }
  if (!got.some((a) => wanted.includes(a))) {
    return `OAuth audience mismatch. Verification expected audience ${JSON.stringify(wanted)}, but incoming token has aud ${JSON.stringify(aud)}.`;
  }
  return null;
}
