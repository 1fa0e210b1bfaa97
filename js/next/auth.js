/**
 * The `auth` function a `clerkMiddleware` handler receives (Clerk's `createMiddlewareAuthHandler`).
 *
 * Why a module: `auth(options)` is where the request's decision meets the route's expectations —
 * which token types it accepts (`acceptsToken`, default `session_token`) and whether a pending
 * session counts as signed in (`treatPendingAsSignedOut`, default true). The narrowing rules
 * (Clerk's `getAuthObjectForAcceptedToken`) are shared with `auth.protect()`. A session auth object
 * also carries `redirectToSignIn()` / `redirectToSignUp()`, which throw Next's redirect error so the
 * handler stops there even without `return`.
 * @module
 */

import {
  MACHINE_TYPES, authObjectOfState, invalidTokenAuthObject, signedOutAuthObject, unauthenticatedMachineObject,
} from '../auth-object.js';
import { signInRedirectError } from './control-flow.js';


/**
 * What the middleware knows about one request while its handler runs.
 * @typedef {object} RequestContext
 * @property {import('../engine.js').Engine} engine
 * @property {import('../authenticate.js').EngineState} state
 * @property {() => any} decision the wasm Decision (throws once the middleware has answered)
 * @property {() => any} rawAuth the decision's auth object (`toAuth()`), built once on first use
 * @property {() => void} release frees the wasm Decision
 */

/**
 * Clerk's `isTokenTypeAccepted`.
 * @param {string | null | undefined} tokenType
 * @param {unknown} accepts `'any'`, a type, or a list of types
 */
export function isTokenTypeAccepted(tokenType, accepts) {
  if (!tokenType) return false;
  if (accepts === 'any') return true;
  return (Array.isArray(accepts) ? accepts : [accepts]).includes(tokenType);
}

/**
 * Clerk's `getAuthObjectForAcceptedToken`: the auth object as a route that accepts `accepts` sees it.
 * @param {any} authObject
 * @param {unknown} accepts
 * @param {import('../authenticate.js').EngineState} state
 */
export function authObjectForAcceptedToken(authObject, accepts, state) {
  if (accepts === 'any') return authObject;
  if (Array.isArray(accepts)) return isTokenTypeAccepted(authObject.tokenType, accepts) ? authObject : invalidTokenAuthObject();
  if (isTokenTypeAccepted(authObject.tokenType, accepts)) return authObject;
  if (MACHINE_TYPES.has(/** @type {string} */ (accepts))) return unauthenticatedMachineObject(/** @type {string} */ (accepts), state);
  return signedOutAuthObject(state);
}

/**
 * The handler's `auth` function (without `protect`, which the middleware attaches).
 * @param {RequestContext} context
 */
export function createAuth(context) {
  const { state } = context;
  const redirectToSignIn = (/** @type {{returnBackUrl?: string | null}} */ options = {}) => {
    throw signInRedirectError('sign-in', state.clerkUrl, options.returnBackUrl, undefined);
  };
  const redirectToSignUp = (/** @type {{returnBackUrl?: string | null}} */ options = {}) => {
    throw signInRedirectError('sign-up', state.clerkUrl, options.returnBackUrl, undefined);
  };
  /**
   * @param {{acceptsToken?: unknown, treatPendingAsSignedOut?: boolean}} [options]
   */
  const auth = async (options) => {
    const treat = options?.treatPendingAsSignedOut;
    const raw = authObjectOfState(context.engine, state, treat === undefined ? true : Boolean(treat));
    const accepts = options?.acceptsToken ?? 'session_token';
    const authObject = authObjectForAcceptedToken(raw, accepts, state);
    if (authObject.tokenType === 'session_token' && isTokenTypeAccepted('session_token', accepts)) {
      return Object.assign(authObject, { redirectToSignIn, redirectToSignUp });
    }
    return authObject;
  };
  return auth;
}
