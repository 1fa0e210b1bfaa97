/**
 * `auth.protect(params, options)` in the middleware (Clerk's `createMiddlewareProtect` + `createProtect`).
 *
 * Why the split of work: the decision — pass, 401, "404" rewrite, or a 307 to the sign-in page,
 * `unauthenticatedUrl` or `unauthorizedUrl`, with Clerk's has() rules and the dev-browser parameter —
 * is the engine's (`Authenticator.protect`, src/decide/protect.rs). This module gathers the arguments
 * as Clerk reads them (the five authorization keys only; `unauthenticatedUrl`, `unauthorizedUrl` and
 * `token` from either argument), runs a predicate `(has) => boolean` itself when Clerk would (only for
 * a signed-in, non-pending session of an accepted type), and turns the engine's answer into what Clerk
 * does: return the auth object, or throw Next's control-flow error for the middleware to convert.
 * @module
 */

import { authObjectForAcceptedToken, isTokenTypeAccepted } from './auth.js';
import { PREPARED, notFoundError, redirectError, signInRedirectError, unauthorizedError } from './control-flow.js';

const AUTHORIZATION_KEYS = ['role', 'permission', 'feature', 'plan', 'reverification'];

/**
 * Clerk's `getAuthorizationParams`: a predicate as is; else the defined authorization keys, or
 * undefined when there are none ("signed in is enough").
 * @param {unknown} arg
 * @returns {((has: Function) => unknown) | Record<string, unknown> | undefined}
 */
function authorizationOf(arg) {
  if (!arg) return undefined;
  if (typeof arg === 'function') return /** @type {(has: Function) => unknown} */ (arg);
  /** @type {Record<string, unknown>} */
  const picked = {};
  let any = false;
  for (const key of AUTHORIZATION_KEYS) {
    const value = /** @type {Record<string, unknown>} */ (arg)[key];
    if (value !== undefined) {
      picked[key] = value;
      any = true;
    }
  }
  return any ? picked : undefined;
}

/** @param {string} url */
function isAbsolute(url) {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * The middleware's `auth.protect`.
 * @param {import('./auth.js').RequestContext} context
 */
export function createProtect(context) {
  /**
   * @param {any} [params] `{role, permission, feature, plan, reverification, unauthenticatedUrl, unauthorizedUrl, token}` or `(has) => boolean`
   * @param {any} [options] `{unauthenticatedUrl, unauthorizedUrl, token}`
   */
  return async (params, options) => {
    const { engine, state } = context;
    const requestedToken = params?.token || options?.token || 'session_token';
    const authObject = authObjectForAcceptedToken(context.rawAuth(), requestedToken, state);
    const unauthenticatedUrl = params?.unauthenticatedUrl || options?.unauthenticatedUrl;
    const unauthorizedUrl = params?.unauthorizedUrl || options?.unauthorizedUrl;
    const authorization = authorizationOf(params);

    /** @type {Record<string, unknown>} */
    const request = {};
    const sessionReached = isTokenTypeAccepted(authObject.tokenType, requestedToken) &&
      authObject.tokenType === 'session_token' && authObject.sessionStatus !== 'pending' && Boolean(authObject.userId);
    if (typeof authorization === 'function') {
      // Clerk calls the predicate only once the session checks passed; so do we (it may have effects).
      request.predicate = sessionReached ? Boolean(authorization(authObject.has)) : false;
    } else if (authorization !== undefined) {
      request.params = authorization;
    }
    if (unauthenticatedUrl) request.unauthenticatedUrl = String(unauthenticatedUrl);
    if (unauthorizedUrl) request.unauthorizedUrl = String(unauthorizedUrl);
    if (requestedToken !== 'session_token') request.token = requestedToken;

    // (The time of this call: a remembered decision was made for an earlier request.)
    const outcome = JSON.parse(engine.authenticator.protect(context.decision(), JSON.stringify(request), engine.now()));
    switch (outcome.kind) {
      case 'pass':
        return authObject;
      case 'unauthorized':
        throw unauthorizedError();
      case 'not-found':
        throw notFoundError();
      case 'redirect': {
        // Which redirect it is: Clerk throws a different error for each (and a relative URL given by
        // the caller fails at conversion, as NextResponse.redirect refuses it).
        const unauthenticated = authObject.tokenType === 'session_token' && isTokenTypeAccepted('session_token', requestedToken) &&
          !(authObject.sessionStatus !== 'pending' && authObject.userId);
        const given = unauthenticated ? unauthenticatedUrl : unauthorizedUrl;
        if (unauthenticated && !given) {
          throw signInRedirectError('sign-in', state.clerkUrl, undefined, { location: outcome.location });
        }
        const url = String(given);
        throw redirectError(url, isAbsolute(url) ? { redirectUrl: url, [PREPARED]: { location: outcome.location } } : { redirectUrl: url });
      }
      default:
        throw new Error(`portcullis: unexpected protect() outcome ${JSON.stringify(outcome.kind)}`);
    }
  };
}
