/**
 * Clerk's legacy `authMiddleware` (v4/v5, removed in @clerk/nextjs 6), on the same engine and
 * pipeline as `clerkMiddleware`.
 *
 * Why this module: apps still on the v5 API can move to portcullis without rewriting their
 * middleware. The route decisions are v5's: ignored routes (default `DEFAULT_IGNORED_ROUTES`) are
 * passed through untouched before anything else; `beforeAuth` may skip authentication (`false`) or
 * redirect; then the request is authenticated by `clerkMiddleware` and `afterAuth` (default: signed
 * out on a private route ⇒ 401 for an API route, else a redirect to sign-in) decides. Public routes
 * always include `NEXT_PUBLIC_CLERK_SIGN_IN_URL` / `_SIGN_UP_URL` and everything under them, unless
 * `publicRoutes` is a function. Without `apiRoutes`, an API route is `/api/…`, `/trpc/…`, any method
 * other than GET/HEAD/OPTIONS, or `content-type: application/json`.
 *
 * Where it differs from v5: the decision's `x-clerk-auth-*` headers are also on a redirect that
 * `afterAuth` returns (clerkMiddleware appends them to every response), and handshake redirects are
 * `NextResponse.redirect`s rather than bare `Response`s (same status 307 and headers).
 * @module
 */

import { NextResponse } from 'next/server.js';

import { createRouteMatcher } from '../routes.js';
import { clerkMiddleware } from './clerk-middleware.js';

/** Next.js `config.matcher` v5 recommended: everything but files with an extension and `_next`. */
export const DEFAULT_CONFIG_MATCHER = Object.freeze(['/((?!.+\\.[\\w]+$|_next).*)', '/', '/(api|trpc)(.*)']);
/** Routes the middleware passes through untouched: `_next…` and files with an extension, outside api/trpc. */
export const DEFAULT_IGNORED_ROUTES = Object.freeze(['/((?!api|trpc))(_next.*|.+\\.[\\w]+$)']);
/** API routes by path (the method / content-type heuristic applies too unless `apiRoutes` is given). */
export const DEFAULT_API_ROUTES = Object.freeze(['/api/(.*)', '/trpc/(.*)']);

/** @returns {Record<string, string | undefined>} */
function env() {
  return /** @type {any} */ (globalThis).process?.env ?? {};
}

/** @param {string} path */
function matchRoutesStartingWith(path) {
  const base = path.replace(/\/$/, '');
  return new RegExp(`^${base}(/.*)?$`);
}

/** v5 `withDefaultPublicRoutes`: the sign-in and sign-up URLs (from the environment) are public. */
function withDefaultPublicRoutes(publicRoutes) {
  if (typeof publicRoutes === 'function') return publicRoutes;
  /** @type {(string | RegExp)[]} */
  const routes = [publicRoutes || ''].flat().filter(Boolean);
  const signInUrl = env().NEXT_PUBLIC_CLERK_SIGN_IN_URL || '';
  if (signInUrl) routes.push(matchRoutesStartingWith(signInUrl));
  const signUpUrl = env().NEXT_PUBLIC_CLERK_SIGN_UP_URL || '';
  if (signUpUrl) routes.push(matchRoutesStartingWith(signUpUrl));
  return routes;
}

/** v5 `createApiRoutes`. */
function createApiRoutes(apiRoutes) {
  if (apiRoutes) return createRouteMatcher(apiRoutes);
  const isDefaultApiRoute = createRouteMatcher([...DEFAULT_API_ROUTES]);
  return (/** @type {Request} */ req) => isDefaultApiRoute(req)
    || !['get', 'head', 'options'].includes(req.method.toLowerCase())
    || req.headers.get('content-type') === 'application/json';
}

/** @param {Response | null | undefined | void | false} res */
function isRedirect(res) {
  return Boolean(res && res.headers.get('location'));
}

/** @param {Response} res @param {string} name @param {string} value */
function setHeader(res, name, value) {
  res.headers.set(name, value);
  return res;
}

/**
 * v5 `mergeResponses`: the last response's body and status, with every response's headers and cookies.
 * @param {...(Response | null | undefined | void | false)} responses
 */
export function mergeResponses(...responses) {
  const normalised = /** @type {Response[]} */ (responses.filter(Boolean))
    .map((res) => (res instanceof NextResponse ? res : new NextResponse(res.body, res)));
  if (normalised.length === 0) return undefined;
  const last = normalised[normalised.length - 1];
  const finalResponse = new NextResponse(last.body, last);
  for (const response of normalised) {
    response.headers.forEach((value, name) => { finalResponse.headers.set(name, value); });
    for (const cookie of /** @type {any} */ (response).cookies.getAll()) {
      const { name, value, ...cookieOptions } = cookie;
      finalResponse.cookies.set(name, value, cookieOptions);
    }
  }
  return finalResponse;
}

/**
 * `req.experimental_clerkUrl`: the request URL (with the forwarded host and protocol when
 * `trustForwardedHost` is set, as clerkMiddleware builds its URLs).
 * @param {Request} req
 * @param {boolean} trustForwardedHost
 */
function clerkUrlOf(req, trustForwardedHost) {
  const url = new URL(/** @type {any} */ (req).nextUrl?.href ?? req.url);
  if (trustForwardedHost) {
    const host = req.headers.get('x-forwarded-host')?.split(',')[0].trim();
    const proto = req.headers.get('x-forwarded-proto')?.split(',')[0].trim();
    try {
      if (host) url.host = host;
      if (proto) url.protocol = proto;
    } catch {
      // An invalid forwarded header: keep the request URL.
    }
  }
  return url;
}

/** @param {Request} req @param {string} name @param {unknown} value */
function attach(req, name, value) {
  try {
    Object.defineProperty(req, name, { value, configurable: true, enumerable: false, writable: true });
  } catch {
    // A frozen request: the property is not available.
  }
}

/**
 * Clerk's legacy `authMiddleware(params?)`.
 * @param {Record<string, any>} [params] `publicRoutes`, `ignoredRoutes`, `apiRoutes` (string | RegExp
 *   | array | `fn(req)`), `beforeAuth(req, evt)`, `afterAuth(auth, req, evt)`, `debug`, and every
 *   clerkMiddleware option
 * @returns {(request: Request, event?: unknown) => Promise<Response>}
 */
export function authMiddleware(params = {}) {
  const { beforeAuth, afterAuth, publicRoutes, ignoredRoutes, apiRoutes, ...options } = params ?? {};
  const isIgnoredRoute = createRouteMatcher(ignoredRoutes || [...DEFAULT_IGNORED_ROUTES]);
  const isPublicRoute = createRouteMatcher(withDefaultPublicRoutes(publicRoutes));
  const isApiRoute = createApiRoutes(apiRoutes);
  const trustForwardedHost = options.trustForwardedHost === true;

  /** v5 `createDefaultAfterAuth`. */
  const defaultAfterAuth = async (/** @type {any} */ auth, /** @type {Request} */ req) => {
    if (!auth.userId && !isPublicRoute(req)) {
      if (isApiRoute(req)) return NextResponse.json(null, { status: 401, statusText: 'Unauthorized' });
      if (options.debug || isDevelopment()) {
        console.log(`Clerk: The request to ${/** @type {any} */ (req).experimental_clerkUrl.pathname} is being redirected because there is no signed-in user, and the path is not included in \`ignoredRoutes\` or \`publicRoutes\`. To prevent this behavior, choose one of:\n\n1. To make the route accessible to both signed in and signed out users, add "${/** @type {any} */ (req).experimental_clerkUrl.pathname}" to the \`publicRoutes\` array passed to authMiddleware\n2. To prevent Clerk authentication from running at all, pass \`ignoredRoutes: ["/((?!api|trpc))(_next.*|.+\\.[\\w]+$)", "${/** @type {any} */ (req).experimental_clerkUrl.pathname}"]\` to authMiddleware\n3. Pass a custom \`afterAuth\` to authMiddleware, and replace Clerk's default behavior of redirecting unless a route is included in publicRoutes`);
      }
      // Throws Clerk's redirect error: clerkMiddleware answers it with the 307 to sign-in.
      return auth.redirectToSignIn({ returnBackUrl: /** @type {any} */ (req).experimental_clerkUrl.href });
    }
    return NextResponse.next();
  };

  const isDevelopment = () => {
    const secretKey = options.secretKey || env().CLERK_SECRET_KEY || '';
    return secretKey.startsWith('sk_test_') || secretKey.startsWith('test_');
  };

  return async (request, event) => {
    const req = /** @type {any} */ (request);
    attach(req, 'experimental_clerkUrl', clerkUrlOf(request, trustForwardedHost));

    let ignored;
    try {
      ignored = isIgnoredRoute(request);
    } catch (error) {
      if (/** @type {any} */ (error)?.statusCode === 400) return new NextResponse(null, { status: 400, statusText: 'Bad Request' });
      throw error;
    }
    if (ignored) {
      if (isDevelopment() && !ignoredRoutes) {
        console.warn(`Clerk: The request to ${req.experimental_clerkUrl.href} is being ignored by authMiddleware because it matches DEFAULT_IGNORED_ROUTES; Next.js config.matcher ${JSON.stringify(DEFAULT_CONFIG_MATCHER)} would skip it before the middleware runs.`);
      }
      return setHeader(NextResponse.next(), 'x-clerk-auth-reason', 'ignored-route');
    }

    const isPublic = isPublicRoute(request);
    const isApi = isApiRoute(request);
    const beforeAuthRes = await (beforeAuth && beforeAuth(request, event));
    if (beforeAuthRes === false) return setHeader(NextResponse.next(), 'x-clerk-auth-reason', 'skip');
    if (beforeAuthRes && isRedirect(beforeAuthRes)) return setHeader(beforeAuthRes, 'x-clerk-auth-reason', 'before-auth-redirect');

    const inner = clerkMiddleware(async (auth, innerRequest, innerEvent) => {
      const authObject = Object.assign(await auth(), { isPublicRoute: isPublic, isApiRoute: isApi });
      const afterAuthRes = await (afterAuth || defaultAfterAuth)(authObject, innerRequest, innerEvent);
      return mergeResponses(beforeAuthRes || undefined, afterAuthRes) || NextResponse.next();
    }, options);
    // clerkMiddleware gives redirects the dev browser (v5 `serverRedirectWithAuth`) and hands a
    // pass-through to the app with the x-clerk-* request headers (v5 `decorateRequest`).
    return inner(request, event);
  };
}
