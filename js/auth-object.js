/**
 * Clerk's auth objects (`authObjects.ts` shapes): signed in from verified session claims (with
 * `has()` and `getToken()`), signed out, machine tokens authenticated or not, and the object of a
 * token type a route does not accept — and which of them a decision's state is (`toAuth()`).
 *
 * Why a module of its own: what the claims mean (v1 and v2 claim formats, organization permissions
 * from v2 bitmasks, Clerk's fail-closed `has()` across the role/permission, feature/plan and
 * reverification dimensions) is decided by the Rust core (`sessionAuth`, `hasAuthorization`); this
 * module only shapes the answers like Clerk's. `authObjectFromClaims` takes a payload that
 * `verifyToken` returned — it does not verify anything itself.
 * @module
 */

import { callBackendApi } from './backend-api.js';
import { wasm } from './bindings.js';
import { ConfigurationError, fromWasmError } from './errors.js';

/**
 * The auth fields the engine reads from verified session claims (`sessionAuth`).
 * @typedef {object} SessionAuthFields
 * @property {'session_token'} tokenType
 * @property {string} userId
 * @property {string | null} sessionId
 * @property {string | null} sessionStatus
 * @property {unknown} actor
 * @property {string | null} orgId
 * @property {string | null} orgRole
 * @property {string | null} orgSlug
 * @property {string[] | null} orgPermissions
 * @property {[number, number] | null} factorVerificationAge
 * @property {Record<string, unknown>} sessionClaims
 */

/**
 * @typedef {object} SessionAuthObject
 * @property {'session_token'} tokenType
 * @property {string} userId
 * @property {string | null} sessionId
 * @property {string | null} sessionStatus
 * @property {unknown} actor
 * @property {string | null} orgId
 * @property {string | null} orgRole
 * @property {string | null} orgSlug
 * @property {string[] | null} orgPermissions
 * @property {[number, number] | null} factorVerificationAge
 * @property {Record<string, unknown>} sessionClaims
 * @property {true} isAuthenticated
 * @property {(params: {role?: string, permission?: string, feature?: string, plan?: string,
 *   reverification?: string | {level: string, afterMinutes: number}}) => boolean} has
 */

/**
 * The auth object of verified session claims: `userId`, `sessionId`, `orgId`, `orgRole`,
 * `orgPermissions`, `factorVerificationAge`, … and `has(params)` (false unless at least one asked
 * dimension passes and none fails, like Clerk since CVE-2026-42349).
 * @param {Record<string, unknown>} claims a payload returned by `verifyToken`
 * @returns {SessionAuthObject}
 */
export function authObjectFromClaims(claims) {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new ConfigurationError(
      'authObjectFromClaims(claims): expected the payload object that verifyToken resolved to.',
      'claims',
    );
  }
  let auth;
  try {
    auth = /** @type {any} */ (wasm()).sessionAuth(claims);
  } catch (error) {
    throw fromWasmError(error);
  }
  return authObjectFromSessionAuth(auth);
}

/**
 * The signed-in auth object of session auth fields the engine produced.
 * @param {SessionAuthFields} auth
 * @returns {SessionAuthObject}
 */
export function authObjectFromSessionAuth(auth) {
  // Verified claims are a signed-in state (Clerk's signedInAuthObject also says isAuthenticated: true;
  // treating a `pending` session as signed out is the middleware's decision, not this function's).
  return { ...auth, isAuthenticated: true, has: hasOf(auth.sessionClaims) };
}

/**
 * `has(params)` over verified session claims: false unless at least one asked dimension passes and
 * none fails (decided by the engine), and false for anything that is not a parameter object.
 * @param {Record<string, unknown>} claims
 */
function hasOf(claims) {
  return (/** @type {unknown} */ params) => {
    // Fail closed on anything that is not a parameter object, as Clerk does.
    if (params === null || typeof params !== 'object' || Array.isArray(params)) return false;
    /** @type {Record<string, unknown>} */
    const asked = {};
    // A member set to `undefined` is "not asked" in Clerk (`params.role` is falsy), not a wrong type.
    for (const [name, value] of Object.entries(params)) if (value !== undefined) asked[name] = value;
    try {
      return /** @type {any} */ (wasm()).hasAuthorization(claims, asked) === true;
    } catch {
      return false;
    }
  };
}

/** Clerk's machine token types. */
export const MACHINE_TYPES = new Set(['m2m_token', 'oauth_token', 'api_key']);

/**
 * `debug()` of an auth object: the decision's status and reason, never a full token or key.
 * @param {import('./authenticate.js').EngineState} state
 */
function debugOf(state) {
  return () => ({
    status: state.status,
    reason: state.reason,
    message: state.message,
    tokenType: state.tokenType,
    sessionToken: (state.token ?? '').slice(0, 7),
    clerkUrl: state.clerkUrl,
  });
}

/**
 * Clerk's `signedOutAuthObject`.
 * @param {import('./authenticate.js').EngineState} state
 * @param {string | null} [sessionStatus]
 */
export function signedOutAuthObject(state, sessionStatus = null) {
  return {
    tokenType: 'session_token',
    sessionClaims: null,
    sessionId: null,
    sessionStatus,
    userId: null,
    actor: null,
    orgId: null,
    orgRole: null,
    orgSlug: null,
    orgPermissions: null,
    factorVerificationAge: null,
    getToken: () => Promise.resolve(null),
    has: () => false,
    debug: debugOf(state),
    isAuthenticated: false,
  };
}

/**
 * Clerk's `unauthenticatedMachineObject` for a machine token type.
 * @param {string} tokenType
 * @param {import('./authenticate.js').EngineState} state
 */
export function unauthenticatedMachineObject(tokenType, state) {
  const base = { id: null, subject: null, scopes: null, has: () => false, getToken: () => Promise.resolve(null),
    debug: debugOf(state), isAuthenticated: false };
  switch (tokenType) {
    case 'api_key':
      return { ...base, tokenType, name: null, claims: null, scopes: null, userId: null, orgId: null };
    case 'm2m_token':
      return { ...base, tokenType, claims: null, scopes: null, machineId: null };
    case 'oauth_token':
      return { ...base, tokenType, scopes: null, userId: null, clientId: null };
    default:
      throw new Error(`Invalid token type: ${tokenType}`);
  }
}

/**
 * Clerk's `authenticatedMachineObject`: a verified machine token. `machine` is the engine's copy of
 * Clerk's resource for it (`M2MToken`, `IdPOAuthAccessToken` or `APIKey`).
 * @param {string} tokenType
 * @param {string} token
 * @param {Record<string, any>} machine
 * @param {import('./authenticate.js').EngineState} state
 */
function authenticatedMachineObject(tokenType, token, machine, state) {
  const base = { id: machine.id, subject: machine.subject, getToken: () => Promise.resolve(token), has: () => false,
    debug: debugOf(state), isAuthenticated: true };
  const subject = typeof machine.subject === 'string' ? machine.subject : '';
  switch (tokenType) {
    case 'api_key':
      return { ...base, tokenType, name: machine.name, claims: machine.claims, scopes: machine.scopes,
        userId: subject.startsWith('user_') ? subject : null, orgId: subject.startsWith('org_') ? subject : null };
    case 'm2m_token':
      return { ...base, tokenType, claims: machine.claims, scopes: machine.scopes, machineId: machine.subject };
    case 'oauth_token':
      return { ...base, tokenType, scopes: machine.scopes, userId: machine.subject, clientId: machine.clientId };
    default:
      throw new Error(`Invalid token type: ${tokenType}`);
  }
}

/** Clerk's `invalidTokenAuthObject` (a token of a type the route does not accept). */
export function invalidTokenAuthObject() {
  return { isAuthenticated: false, tokenType: null, getToken: () => Promise.resolve(null), has: () => false, debug: () => ({}) };
}

/**
 * `getToken()` of a signed-in session: the session token itself, or a template / custom-lifetime
 * token from the Backend API (`POST /sessions/{id}/tokens[/{template}]`).
 * @param {import('./engine.js').Engine} engine
 * @param {string | null} sessionId
 * @param {string} token
 */
function getTokenOf(engine, sessionId, token) {
  return async (/** @type {{template?: string, expiresInSeconds?: number}} */ options = {}) => {
    if (!sessionId) return null;
    if (!options.template && options.expiresInSeconds === undefined) return token;
    const segments = ['sessions', sessionId, 'tokens', ...(options.template ? [options.template] : [])];
    const result = await callBackendApi(engine, {
      method: 'POST',
      path: `/${engine.apiVersion}/${segments.map(encodeURIComponent).join('/')}`,
      body: options.expiresInSeconds === undefined ? undefined : { expires_in_seconds: options.expiresInSeconds },
    });
    if (!result.ok) {
      throw Object.assign(new Error(`getToken(): ${result.message}${result.code ? ` (${result.code})` : ''}`),
        { status: result.status, errors: result.code ? [{ code: result.code }] : [] });
    }
    return result.body?.jwt ?? null;
  };
}

/**
 * Clerk's `requestState.toAuth({ treatPendingAsSignedOut })`: the auth object of a decision, or
 * null for a handshake.
 * @param {import('./engine.js').Engine} engine
 * @param {import('./authenticate.js').EngineState} state
 * @param {boolean} [treatPendingAsSignedOut]
 */
export function authObjectOfState(engine, state, treatPendingAsSignedOut = true) {
  if (state.status === 'handshake') return null;
  const tokenType = state.tokenType;
  if (tokenType === null) return invalidTokenAuthObject();
  if (state.status === 'signed-in' && state.sessionAuth !== null && tokenType === 'session_token') {
    const auth = state.sessionAuth;
    if (treatPendingAsSignedOut && auth.sessionStatus === 'pending') return signedOutAuthObject(state, 'pending');
    return {
      tokenType: 'session_token',
      actor: auth.actor,
      sessionClaims: auth.sessionClaims,
      sessionId: auth.sessionId,
      sessionStatus: auth.sessionStatus,
      userId: auth.userId,
      orgId: auth.orgId,
      orgRole: auth.orgRole,
      orgSlug: auth.orgSlug,
      orgPermissions: auth.orgPermissions,
      factorVerificationAge: auth.factorVerificationAge,
      getToken: getTokenOf(engine, auth.sessionId, /** @type {string} */ (state.token)),
      has: hasOf(auth.sessionClaims),
      debug: debugOf(state),
      isAuthenticated: true,
    };
  }
  if (MACHINE_TYPES.has(tokenType)) {
    if (state.status === 'signed-in' && state.machine) {
      return authenticatedMachineObject(tokenType, /** @type {string} */ (state.token), state.machine, state);
    }
    return unauthenticatedMachineObject(tokenType, state);
  }
  return signedOutAuthObject(state);
}
