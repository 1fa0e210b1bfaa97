/**
 * `clerkMiddleware` for Next.js: a drop-in for `@clerk/nextjs/server`'s, with the decisions made by
 * the Rust engine.
 *
 * Why this module: it is the pipeline and nothing else — Clerk's call shapes, then per request:
 * resolve the configuration (js/next/options.js) → authenticate (js/authenticate.js: the engine's
 * host loop; or a decision remembered for an equivalent request, js/decision-memo.js) → a redirect the decision requires (handshake, development cleanup) is answered at
 * once with the decision's headers → otherwise the handler runs with `auth` / `auth.protect`
 * (js/next/auth.js, js/next/protect.js) and its control-flow errors become responses
 * (js/next/control-flow.js) → the decision's headers are appended → a redirect gets the dev-browser
 * rule, a pass-through is handed to the app with the `x-clerk-*` request headers
 * (js/next/next-headers.js, js/next/request-data.js).
 *
 * Client-sent `x-clerk-*` and `x-middleware-*` request headers are removed before anything reads them
 * (the engine, the handler, the headers copied to the app).
 *
 * `contentSecurityPolicy` (js/next/csp-headers.js) and `debug` (js/next/debug.js) are applied where
 * Clerk applies them. Not here: Clerk's Frontend API proxy (`frontendApiProxy` is refused with a
 * ConfigurationError).
 * @module
 */

import { NextResponse } from 'next/server.js';

import { MACHINE_TYPES, authObjectOfState } from '../auth-object.js';
import { decide, downstreamHeadersOf, snapshotOf } from '../authenticate.js';
import { DecisionMemo, carriesCredentials, memoKey, reusableUntil } from '../decision-memo.js';
import { warnAtStartup } from '../doctor/config.js';
import { createAuth } from './auth.js';
import { finalRedirects, handleControlFlowErrors } from './control-flow.js';
import { decorateRequest, serverRedirectWithAuth, setRequestHeadersOnNextResponse } from './next-headers.js';
import { applyContentSecurityPolicy } from './csp-headers.js';
import { createDebugLogger, requestForLog, secretsOf } from './debug.js';
import { clerkEnv, createEngineResolver } from './options.js';
import { createProtect } from './protect.js';
import { encryptRequestData } from './request-data.js';


/**
 * The handler a user passes: `(auth, request, event) => Response | void`.
 * @typedef {(auth: any, request: Request, event: any) => unknown} ClerkMiddlewareHandler
 */

/**
 * Removes client-sent internal headers from the request the handler sees (when the runtime lets us;
 * the engine and the app never see them either way).
 * @param {Request} request
 * @param {string[]} names
 */
function stripInternalHeaders(request, names) {
  try {
    for (const name of names) request.headers.delete(name);
  } catch {
    // Immutable headers: nothing to do — what we read and forward was stripped already.
  }
}

/**
 * The decision's first `location` header, if any.
 * @param {[string, string][]} headers
 */
function locationOf(headers) {
  for (const [name, value] of headers) if (name === 'location') return value;
  return null;
}

/**
 * @param {ClerkMiddlewareHandler | undefined} handler
 * @param {unknown} params
 * @returns {(request: Request, event?: unknown) => Promise<Response>}
 */
function createMiddleware(handler, params) {
  const engineOf = createEngineResolver(params);
  return async (request, event) => {
    const logger = createDebugLogger('clerkMiddleware');
    try {
      return await runMiddleware(request, event, logger);
    } finally {
      logger.commit();
    }
  };

  /**
   * @param {Request} request
   * @param {unknown} event
   * @param {ReturnType<typeof createDebugLogger>} logger
   */
  async function runMiddleware(request, event, logger) {
    const resolvedParams = typeof params === 'function' ? ((await params(request)) ?? {}) : /** @type {Record<string, any>} */ (params);
    // `debug`: the doctor's environment and option checks, printed once per process (js/doctor/config.js).
    if (resolvedParams.debug) warnAtStartup(resolvedParams, request.url);
    const engine = engineOf(resolvedParams, request.url);

    const { snapshot, internal } = snapshotOf(request);
    if (internal !== null) stripInternalHeaders(request, internal);
    /** @type {Record<string, any>} */
    let debugOptions = {};
    if (resolvedParams.debug) {
      const env = clerkEnv();
      debugOptions = { publishableKey: resolvedParams.publishableKey || env.publishableKey, secretKey: resolvedParams.secretKey || env.secretKey,
        signInUrl: resolvedParams.signInUrl || env.signInUrl, signUpUrl: resolvedParams.signUpUrl || env.signUpUrl, ...resolvedParams };
      logger.enable();
      logger.addSecrets(secretsOf(snapshot, debugOptions));
      logger.debug('options', debugOptions);
    }
    // A decision made for an equivalent request is reused when neither the clock nor the keys can
    // have changed it (js/decision-memo.js); not while debugging, where each request's own decision
    // and logs are wanted.
    const now = engine.now();
    const memo = resolvedParams.debug ? null : memoOf(engine);
    const key = memo === null ? null : memoKey(snapshot.method, snapshot.url, (name) => snapshot.headers[name]);
    let decided = memo !== null && key !== null ? memo.get(key, now) : undefined;
    /** Whose the decision is: this request's alone, the memo's (made now), or the memo's (made earlier). */
    let owner = decided === undefined ? 'request' : 'remembered';
    if (decided === undefined) {
      try {
        decided = await decide(engine, JSON.stringify(snapshot), now);
      } catch (error) {
        if (/** @type {any} */ (error)?.code === 'invalid-request-url') return new NextResponse(null, { status: 400, statusText: 'Bad Request' });
        throw error;
      }
      const until = memo === null ? null : reusableUntil(decided, carriesCredentials((name) => snapshot.headers[name]), now);
      if (until !== null && memo !== null && key !== null && memo.worthRemembering(key)) {
        // The session part is kept as text before user code sees (and may change) this request's copy.
        rememberSessionAuth(decided.state);
        memo.set(key, decided, now, until);
        owner = 'memo';
      }
    }
    /** @type {import('./auth.js').RequestContext} */
    const context = createContext(engine, decided, owner);
    try {
      return await respond(request, event, resolvedParams, snapshot, context, logger);
    } finally {
      context.release();
    }
  }

  /**
   * Everything after the decision: an immediate redirect, or the handler and the hand-over to the app.
   * @param {Request} request
   * @param {unknown} event
   * @param {Record<string, any>} resolvedParams
   * @param {import('../authenticate.js').Snapshot} snapshot
   * @param {import('./auth.js').RequestContext} context
   * @param {ReturnType<typeof createDebugLogger>} logger
   */
  async function respond(request, event, resolvedParams, snapshot, context, logger) {
    const { engine, state } = context;
    logger.debug('url', () => requestForLog(snapshot, state.clerkUrl));
    if (snapshot.headers.authorization?.startsWith('Basic ')) logger.debug('Basic Auth detected');
    const requestCsp = snapshot.headers['content-security-policy'];
    if (requestCsp) logger.debug('Content-Security-Policy detected', () => ({ value: requestCsp }));
    logger.debug('requestState', () => ({
      status: state.status,
      headers: JSON.stringify(Object.fromEntries(new Headers(state.headers))),
      reason: state.reason,
    }));

    const location = locationOf(state.headers);
    if (location !== null) {
      const response = NextResponse.redirect(location);
      for (const [name, value] of state.headers) if (name !== 'location') response.headers.append(name, value);
      return response;
    }
    if (state.status === 'handshake') throw new Error('Clerk: handshake status without redirect');

    const auth = /** @type {any} */ (createAuth(context));
    auth.protect = createProtect(context);
    logger.debug('auth', () => {
      const authObject = context.rawAuth();
      return { auth: authObject, debug: typeof authObject.debug === 'function' ? authObject.debug() : undefined };
    });

    /** @type {any} */
    let result = NextResponse.next();
    try {
      const returned = handler === undefined ? undefined : await handler(auth, request, event);
      result = returned || result;
    } catch (error) {
      result = handleControlFlowErrors(error, {
        requestUrl: request.url,
        stateTokenType: state.tokenType,
        frontendApi: engine.frontendApi,
        signInLocation: (target, returnBackUrl) => JSON.parse(engine.authenticator.redirectTo(
          context.decision(), target, JSON.stringify(returnBackUrl ? { returnBackUrl } : { returnBackUrl: null }))).location,
      });
    }

    // Clerk's Content-Security-Policy headers: on the response (redirects too) and as request headers.
    if (resolvedParams.contentSecurityPolicy) {
      const headers = applyContentSecurityPolicy(result, resolvedParams.contentSecurityPolicy, {
        frontendApi: engine.frontendApi, requestHeaders: snapshot.headers });
      logger.debug('Clerk generated CSP', () => ({ headers }));
    }
    for (const [name, value] of state.headers) {
      if (name === 'content-security-policy') logger.debug('Content-Security-Policy detected', () => ({ value }));
      result.headers.append(name, value);
    }

    if (result.headers.get('location')) {
      logger.debug('handlerResult is redirect');
      if (finalRedirects.has(result)) return result;
      return serverRedirectWithAuth(result, { clerkUrl: state.clerkUrl, secretKey: engine.secretKey, cookieHeader: snapshot.headers.cookie });
    }

    if (resolvedParams.debug) setRequestHeadersOnNextResponse(result, snapshot.headers, [['x-clerk-debug', 'true']]);
    return decorateRequest(result, request.url, snapshot.headers, async () => {
      /** @type {[string, string][]} */
      const headers = downstreamHeadersOf(state);
      const machine = MACHINE_TYPES.has(/** @type {string} */ (state.tokenType)) ? serializable(context.rawAuth()) : null;
      const data = await encryptRequestData(resolvedParams, machine, clerkEnv());
      if (data !== undefined) headers.push(['x-clerk-request-data', data]);
      return headers;
    });
  }
}

/**
 * What the handler's `auth` and `auth.protect` work with for one request. The wasm decision is
 * released when the middleware has answered; using it later (a stored `auth.protect` called after the
 * response) throws a clear error instead of touching freed memory.
 * @param {import('../engine.js').Engine} engine
 * @param {import('../authenticate.js').Decision} decided
 * @param {'request' | 'memo' | 'remembered'} owner `request`: this request's alone (freed here);
 *   `memo`: just remembered (js/decision-memo.js) for later requests, which get their own session
 *   claims; `remembered`: made for an earlier request, so this one gets its own session claims
 * @returns {import('./auth.js').RequestContext}
 */
function createContext(engine, decided, owner) {
  const state = owner === 'remembered' ? withOwnSessionAuth(decided.state) : decided.state;
  /** @type {any} */
  let live = decided.decision;
  /** @type {any} */
  let rawAuth;
  const current = () => {
    if (live === null) throw new Error('portcullis: this auth object belongs to a request the middleware has already answered.');
    return live;
  };
  return {
    engine,
    state,
    decision: current,
    rawAuth: () => (rawAuth ??= authObjectOfState(engine, state, true)),
    release: () => {
      // A remembered decision belongs to the memo (wasm-bindgen's FinalizationRegistry frees it once
      // the memo has dropped it and no request holds it).
      if (live !== null && owner === 'request') live.free();
      live = null;
    },
  };
}

/** Remembered decisions per engine (one per set of options). @type {WeakMap<object, DecisionMemo<import('../authenticate.js').Decision>>} */
const memos = new WeakMap();

/** @param {import('../engine.js').Engine} engine */
function memoOf(engine) {
  let memo = memos.get(engine);
  if (memo === undefined) memos.set(engine, (memo = new DecisionMemo()));
  return memo;
}

/** The session part of remembered states, as JSON text (parsed afresh for each request's auth object). */
const sessionAuthText = new WeakMap();

/** @param {any} state a state about to be remembered */
function rememberSessionAuth(state) {
  if (state.sessionAuth !== null && state.sessionAuth !== undefined) sessionAuthText.set(state, JSON.stringify(state.sessionAuth));
}

/**
 * A remembered state with a session part of this request's own, parsed when first read: the auth
 * objects' `sessionClaims`, `actor` and `orgPermissions` are handed to user code, which may change
 * them, so requests never share them (as they never did when every request parsed its own state).
 * @param {any} state
 */
function withOwnSessionAuth(state) {
  const text = sessionAuthText.get(state);
  if (text === undefined) return state; // no session part
  /** @type {any} */
  let own;
  return { ...state, get sessionAuth() { return (own ??= JSON.parse(/** @type {string} */ (text))); } };
}

/**
 * Clerk's `makeAuthObjectSerializable`: the auth object without its functions.
 * @param {Record<string, unknown>} authObject
 */
function serializable(authObject) {
  const { debug, getToken, has, ...rest } = authObject;
  return rest;
}

/**
 * Clerk's `clerkMiddleware`, every call shape:
 * `clerkMiddleware()`, `clerkMiddleware(options)`, `clerkMiddleware(handler)`,
 * `clerkMiddleware(handler, options)`, `clerkMiddleware(handler, (request) => options)` (evaluated per
 * request), and `export default clerkMiddleware` (called by Next with `(request, event)`).
 *
 * Options are Clerk's (`publishableKey`, `secretKey`, `signInUrl`, `signUpUrl`, `jwtKey`,
 * `authorizedParties`, `audience`, `clockSkewInMs`, `isSatellite`, `domain`, `proxyUrl`,
 * `organizationSyncOptions`, …) over Clerk's environment variables, plus ours: `trustForwardedHost`
 * (build return URLs from `X-Forwarded-Host`, as Clerk always does; off by default) and
 * `allowedRedirectOrigins`.
 * @param {...any} args
 */
export function clerkMiddleware(...args) {
  const request = args[0] instanceof Request ? args[0] : undefined;
  const event = request === undefined ? undefined : args[1];
  const handler = typeof args[0] === 'function' ? args[0] : undefined;
  const params = (args.length === 2 ? args[1] : typeof args[0] === 'function' ? {} : args[0]) || {};
  const middleware = createMiddleware(handler, params);
  if (request !== undefined && event) return middleware(request, event);
  return middleware;
}
