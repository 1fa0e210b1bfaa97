/**
 * Next.js control-flow errors as `clerkMiddleware` throws and catches them (Clerk's `nextErrors.ts`
 * and `handleControlFlowErrors`).
 *
 * Why errors: `auth.protect()` and `auth().redirectToSignIn()` never return when they deny — they
 * throw Next's own control-flow errors (`NEXT_REDIRECT;replace;<url>;307;`, `NEXT_HTTP_ERROR_FALLBACK;401`,
 * `…;404`), so a handler stops right there even if it forgets to `return`, and code that inspects
 * `error.digest` (or Next's `isRedirectError`) sees what it would see with Clerk. The middleware turns
 * them into responses here, in Clerk's order: malformed URL → 400, unauthorized → 401, not found →
 * rewrite to `/clerk_<ms>` (+ `x-clerk-auth-reason: protect-rewrite`), sign-in/up → 307, redirect →
 * 307 with `x-clerk-redirect-to: true`; anything else is rethrown.
 *
 * Errors thrown by our own `protect()` / `redirectToSignIn()` carry the engine's finished answer
 * (a private symbol), so the middleware does not decide twice.
 * @module
 */

import { NextResponse } from 'next/server.js';

const REDIRECT = 'NEXT_REDIRECT';
const HTTP_FALLBACK = 'NEXT_HTTP_ERROR_FALLBACK';
const LEGACY_NOT_FOUND = 'NEXT_NOT_FOUND';

/** Clerk's `clerk_digest` values. */
export const CLERK_DIGEST = {
  redirectToUrl: 'CLERK_PROTECT_REDIRECT_TO_URL',
  redirectToSignIn: 'CLERK_PROTECT_REDIRECT_TO_SIGN_IN',
  redirectToSignUp: 'CLERK_PROTECT_REDIRECT_TO_SIGN_UP',
};

/** The engine's prepared answer on an error we threw: `{location}` for a Clerk redirect. */
export const PREPARED = Symbol('portcullis.prepared');

/** Responses whose redirect is final (the engine already applied the dev-browser rule). */
export const finalRedirects = new WeakSet();

/**
 * An Error used for control flow (thrown through the handler, caught by the middleware): without a
 * stack trace, whose capture was the largest single cost of a redirect (measured), and which names
 * nothing useful — the error is Next's protocol, not a failure.
 * @param {string} message
 * @returns {Error}
 */
function controlFlowError(message) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Next's redirect error (`redirect()` from next/navigation, status 307, type `replace`).
 * @param {string} url
 * @param {Record<string | symbol, unknown>} [extra] merged into the error (Clerk: `redirectUrl`, `clerk_digest`, …)
 */
export function redirectError(url, extra = {}) {
  const error = /** @type {any} */ (controlFlowError(REDIRECT));
  error.digest = `${REDIRECT};replace;${url};307;`;
  error.clerk_digest = CLERK_DIGEST.redirectToUrl;
  Object.assign(error, extra);
  return error;
}

/**
 * The error `redirectToSignIn()` / `redirectToSignUp()` throw: the digest names the current URL,
 * `returnBackUrl` is the given URL, the current one when omitted, or `''` for `null`.
 * @param {'sign-in' | 'sign-up'} target
 * @param {string} currentUrl
 * @param {string | null | undefined} returnBackUrl
 * @param {{location: string} | undefined} prepared
 */
export function signInRedirectError(target, currentUrl, returnBackUrl, prepared) {
  const extra = {
    clerk_digest: target === 'sign-up' ? CLERK_DIGEST.redirectToSignUp : CLERK_DIGEST.redirectToSignIn,
    returnBackUrl: returnBackUrl === null ? '' : returnBackUrl || currentUrl,
  };
  return redirectError(currentUrl, prepared ? { ...extra, [PREPARED]: prepared } : extra);
}

/** Next's `unauthorized()` error. */
export function unauthorizedError() {
  const error = /** @type {any} */ (controlFlowError(HTTP_FALLBACK));
  error.digest = `${HTTP_FALLBACK};401`;
  return error;
}

/** Next's `notFound()` error. */
export function notFoundError() {
  const error = /** @type {any} */ (controlFlowError(HTTP_FALLBACK));
  error.digest = `${HTTP_FALLBACK};404`;
  return error;
}

/**
 * The status of an HTTP access fallback error (401, 403, 404), else undefined.
 * @param {any} error
 */
function httpFallbackStatus(error) {
  if (typeof error !== 'object' || error === null || typeof error.digest !== 'string') return undefined;
  const [prefix, status] = error.digest.split(';');
  const code = Number(status);
  return prefix === HTTP_FALLBACK && (code === 401 || code === 403 || code === 404) ? code : undefined;
}

/** @param {any} error */
export function isUnauthorizedError(error) {
  return httpFallbackStatus(error) === 401;
}

/** @param {any} error */
export function isNotFoundError(error) {
  return (typeof error === 'object' && error !== null && error.digest === LEGACY_NOT_FOUND) || httpFallbackStatus(error) === 404;
}

/**
 * Next's `isRedirectError` restricted to 307, as Clerk's middleware is.
 * @param {any} error
 */
export function isRedirectError(error) {
  if (typeof error !== 'object' || error === null || typeof error.digest !== 'string') return false;
  const parts = error.digest.split(';');
  const status = Number(parts.at(-2));
  return parts[0] === REDIRECT && (parts[1] === 'replace' || parts[1] === 'push') && !Number.isNaN(status) && status === 307;
}

/**
 * @param {any} error
 * @returns {'sign-in' | 'sign-up' | null}
 */
export function signInTargetOf(error) {
  if (!isRedirectError(error) || !('clerk_digest' in error)) return null;
  if (error.clerk_digest === CLERK_DIGEST.redirectToSignIn) return 'sign-in';
  if (error.clerk_digest === CLERK_DIGEST.redirectToSignUp) return 'sign-up';
  return null;
}

/**
 * Clerk's `redirectAdapter`: a 307 marked as Clerk's own redirect.
 * @param {string | URL} url
 */
export function clerkRedirect(url) {
  return NextResponse.redirect(url, { headers: { 'x-clerk-redirect-to': 'true' } });
}

/**
 * What the middleware needs to convert an error.
 * @typedef {object} ControlFlowContext
 * @property {string} requestUrl `request.url` (the not-found rewrite is built on it)
 * @property {string | null} stateTokenType the decision's token type (an OAuth token gets `WWW-Authenticate` on 401)
 * @property {string | null} frontendApi
 * @property {(target: 'sign-in' | 'sign-up', returnBackUrl: string | null) => string} signInLocation
 */

/**
 * Clerk's `handleControlFlowErrors`: the response for a control-flow error; rethrows anything else.
 * @param {unknown} error
 * @param {ControlFlowContext} context
 * @returns {Response}
 */
export function handleControlFlowErrors(error, context) {
  const e = /** @type {any} */ (error);
  if (e instanceof Error && e.name === 'MalformedURLError') {
    return new NextResponse(null, { status: 400, statusText: 'Bad Request' });
  }
  if (isUnauthorizedError(e)) {
    const response = new NextResponse(null, { status: 401 });
    if (context.stateTokenType === 'oauth_token') {
      response.headers.set('WWW-Authenticate',
        `Bearer resource_metadata="https://${context.frontendApi}/.well-known/oauth-protected-resource"`);
    }
    return response;
  }
  if (isNotFoundError(e)) {
    // An internal rewrite to a path that cannot exist, built on request.url so Next treats it as internal.
    const response = NextResponse.rewrite(new URL(`/clerk_${Date.now()}`, context.requestUrl));
    response.headers.set('x-clerk-auth-reason', 'protect-rewrite');
    return response;
  }
  const target = signInTargetOf(e);
  if (target !== null) {
    const location = e[PREPARED]?.location ?? context.signInLocation(target, e.returnBackUrl || null);
    const response = clerkRedirect(location);
    finalRedirects.add(response);
    return response;
  }
  if (isRedirectError(e)) {
    const prepared = e[PREPARED];
    const response = clerkRedirect(prepared ? prepared.location : e.redirectUrl);
    if (prepared) finalRedirects.add(response);
    return response;
  }
  throw error;
}
