/**
 * Verified session claims → Clerk's signed-in auth object, with `has()`.
 *
 * Why a module of its own: what the claims mean (v1 and v2 claim formats, organization permissions
 * from v2 bitmasks, Clerk's fail-closed `has()` across the role/permission, feature/plan and
 * reverification dimensions) is decided by the Rust core (`sessionAuth`, `hasAuthorization`); this
 * module only shapes the answer like Clerk's `signedInAuthObject`. Call it with a payload that
 * `verifyToken` returned — it does not verify anything itself.
 * @module
 */

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
export function hasOf(claims) {
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
