/**
 * `authenticateRequest(request, options)`: Clerk's request authentication, driven through the Rust
 * decision engine, and the host loop every adapter (the Next middleware, Workers) shares.
 *
 * Why this module: the engine (`Authenticator` in the wasm build, src/decide/) decides everything but
 * does no IO. It answers a request with a `Step`: either the finished state, or a question for the
 * host (verify this token; call this Backend API endpoint) plus a paused decision to resume with the
 * answer. This module is the one place that answers those questions — with js/verify.js for tokens
 * (session tokens and machine JWTs: jwtKey or JWKS, the verified-token cache) and `fetch` for the
 * Backend API (handshake, refresh, machine-token `verify` calls) — and the one place that
 * turns the engine's state into Clerk's shapes: `RequestState` (`status`, `reason`, `message`,
 * `headers`, `toAuth()`) and the auth objects (`has`, `getToken`, `debug`).
 *
 * Engines (one validated configuration each) are kept in a small bounded registry keyed by the option
 * values, so a middleware whose options never change builds its configuration once.
 *
 * Client-sent `x-clerk-*` and `x-middleware-*` request headers are never part of what the engine sees
 * ({@link snapshotOf}): they are Clerk's and Next's internal channels (CVE-2025-29927 class).
 * @module
 */

import { hasOf } from './auth-object.js';
import { wasm } from './bindings.js';
import { ConfigurationError, TokenVerificationError } from './errors.js';
import { Lru } from './lru.js';
import { verifyToken } from './verify.js';

const USER_AGENT = 'portcullis/0.1.0';
const BAPI_TIMEOUT_MS = 5000;
const MAX_ENGINES = 32;
/** A decision asks at most six questions (src/decide/mod.rs); more is a bug, not a loop to follow. */
const MAX_QUESTIONS = 8;

/** Options that shape an engine, in a fixed order (the registry key lists their values). */
const ENGINE_OPTIONS = [
  'publishableKey', 'secretKey', 'signInUrl', 'signUpUrl', 'isSatellite', 'domain', 'proxyUrl',
  'satelliteAutoSync', 'organizationSyncOptions', 'trustForwardedHost', 'allowedRedirectOrigins',
  'apiUrl', 'apiVersion', 'jwtKey', 'authorizedParties', 'audience', 'clockSkewInMs', 'skipJwksCache',
  'issuer', 'jwks', 'machineSecretKey',
];
/** What the Rust `AuthConfig` reads (src/decide/config.rs). */
const DECISION_OPTIONS = [
  'publishableKey', 'secretKey', 'signInUrl', 'signUpUrl', 'isSatellite', 'domain', 'proxyUrl',
  'satelliteAutoSync', 'organizationSyncOptions', 'trustForwardedHost', 'allowedRedirectOrigins', 'apiVersion',
];
/** What js/verify.js reads. */
const VERIFY_OPTIONS = [
  'jwtKey', 'secretKey', 'apiUrl', 'apiVersion', 'authorizedParties', 'audience', 'clockSkewInMs',
  'skipJwksCache', 'issuer', 'jwks', 'fetch',
];
/** What a machine JWT's verification reads (Clerk's `resolveKeyAndVerifyJwt`: no `azp`, no issuer). */
const MACHINE_JWT_OPTIONS = ['jwtKey', 'secretKey', 'apiUrl', 'apiVersion', 'audience', 'clockSkewInMs', 'skipJwksCache', 'jwks', 'fetch'];
/** Function-valued options: part of an engine's identity by reference. */
const FUNCTION_OPTIONS = ['fetch', 'now'];
/** Verification reasons raised only after the signature checked out (src/token/verify.rs `check_claims`). */
const CLAIM_REASONS = new Set([
  'token-expired', 'token-not-active-yet', 'token-iat-in-the-future', 'token-verification-failed',
  'token-invalid-authorized-parties', 'token-invalid-issuer',
]);
/** Clerk's machine token types. */
export const MACHINE_TYPES = new Set(['m2m_token', 'oauth_token', 'api_key']);

/**
 * A request as the engine reads it.
 * @typedef {object} Snapshot
 * @property {string} method
 * @property {string} url
 * @property {Record<string, string>} headers
 */

/**
 * The engine's decision (the serde form of `RequestState`, src/decide/state.rs).
 * @typedef {object} EngineState
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason
 * @property {string | null} message
 * @property {string | null} token
 * @property {string | null} tokenType
 * @property {[string, string][]} headers
 * @property {import('./auth-object.js').SessionAuthFields | null} sessionAuth the verified session claims' auth fields
 * @property {Record<string, any> | null} [machine] signed in with a machine token: Clerk's resource for it
 * @property {{headers: [string, string][]} | {error: {code: string, message: string}}} downstream the
 *   `x-clerk-*` request headers for the app (read them with {@link downstreamHeadersOf})
 * @property {string} clerkUrl
 * @property {{level: string, message: string}[]} logs
 */

/**
 * @typedef {object} Decision
 * @property {EngineState} state
 * @property {any} decision the wasm `Decision` the engine's other calls take (free it when done)
 * @property {number} asked how many host questions the engine asked (verifications, Backend API calls)
 */

// ---------------------------------------------------------------------------------------------
// Engines

/** Stable ids for function-valued options (functions cannot be part of a JSON key). */
const functionIds = new WeakMap();
let nextFunctionId = 1;

/** @type {Lru<string, Engine>} */
const engines = new Lru(MAX_ENGINES);

/**
 * The publishable key's Frontend API host (`clerk.example.com`), or null when it does not parse.
 * @param {string} key
 */
export function frontendApiOf(key) {
  const encoded = typeof key === 'string' ? key.split('_')[2] : undefined;
  if (!encoded) return null;
  try {
    const decoded = atob(encoded);
    return decoded.endsWith('$') ? decoded.slice(0, -1) : null;
  } catch {
    return null;
  }
}

/**
 * Clerk's `apiUrlFromPublishableKey`: the Backend API that serves this instance.
 * @param {string} publishableKey
 */
function defaultApiUrl(publishableKey) {
  const host = frontendApiOf(publishableKey) ?? '';
  const endsWith = (/** @type {string[]} */ suffixes) => suffixes.some((s) => host.endsWith(s));
  if (host.startsWith('clerk.') && endsWith(['.lcl.dev', '.lclstage.dev', '.lclclerk.com'])) return 'https://api.clerk.com';
  if (endsWith(['.lcl.dev', 'lclstage.dev', '.lclclerk.com', '.accounts.lclclerk.com'])) return 'https://api.lclclerk.com';
  if (endsWith(['.accountsstage.dev'])) return 'https://api.clerkstage.dev';
  return 'https://api.clerk.com';
}

/** The option each of the core's configuration codes is about (src/decide/config.rs `ConfigError`). */
const OPTION_OF_CODE = {
  'missing-publishable-key': 'publishableKey',
  'invalid-publishable-key': 'publishableKey',
  'missing-secret-key': 'secretKey',
  'invalid-domain': 'domain',
  'satellite-missing-domain-or-proxy-url': 'domain',
  'satellite-missing-sign-in-url': 'signInUrl',
  'invalid-organization-pattern': 'organizationSyncOptions',
  'invalid-redirect-origin': 'allowedRedirectOrigins',
  'invalid-api-version': 'apiVersion',
};

/**
 * A configuration error from the core, as our class, keeping the core's stable code
 * (`missing-secret-key`, `invalid-url-option`, …).
 * @param {any} error
 */
function configurationError(error) {
  if (error?.name !== 'ConfigurationError') return error;
  const message = String(error.message);
  const option = OPTION_OF_CODE[error.code] ?? /^Invalid `(\w+)`/.exec(message)?.[1] ?? '';
  const converted = new ConfigurationError(message, option, { cause: error });
  if (typeof error.code === 'string') converted.code = /** @type {any} */ (error.code);
  return converted;
}

/**
 * One validated configuration: the wasm `Authenticator`, the token-verifier options and the Backend
 * API settings. Immutable once built.
 */
export class Engine {
  /**
   * @param {Record<string, any>} options Clerk's option names (plus ours); validated here
   */
  constructor(options) {
    /** @type {Record<string, unknown>} */
    const decision = {};
    for (const name of DECISION_OPTIONS) if (options[name] !== undefined) decision[name] = options[name];
    if (typeof decision.isSatellite !== 'boolean' && decision.isSatellite !== undefined) decision.isSatellite = Boolean(decision.isSatellite);
    const { Authenticator } = /** @type {any} */ (wasm());
    try {
      this.authenticator = new Authenticator(JSON.stringify(decision));
    } catch (error) {
      throw configurationError(error);
    }
    /** @type {string} */
    this.publishableKey = options.publishableKey;
    /** @type {string} */
    this.secretKey = options.secretKey;
    /** @type {string} the Bearer of the M2M verify call (Clerk: the machine secret key when set) */
    this.machineSecretKey = options.machineSecretKey || options.secretKey;
    /** @type {string} */
    this.apiUrl = options.apiUrl || defaultApiUrl(options.publishableKey);
    /** @type {string} */
    this.apiVersion = options.apiVersion || 'v1';
    /** @type {typeof fetch | undefined} */
    this.fetch = typeof options.fetch === 'function' ? options.fetch : undefined;
    /**
     * The clock (ms since the epoch): the `now` option, else `Date.now` looked up at each call, so
     * the decision and the token verifier always agree on the time.
     * @type {() => number}
     */
    this.now = typeof options.now === 'function' ? options.now : () => Date.now();
    /** @type {Record<string, unknown>} the options object handed to verifyToken (kept: its identity is its cache key) */
    this.verifyOptions = {};
    for (const name of VERIFY_OPTIONS) if (options[name] !== undefined && options[name] !== '') this.verifyOptions[name] = options[name];
    this.verifyOptions.apiUrl = this.apiUrl;
    this.verifyOptions.now = this.now;
    /** @type {Record<string, Record<string, unknown>>} verifier options for machine JWTs, by `tokenKind` */
    this.machineJwt = {};
    for (const tokenKind of ['m2m', 'oauth']) {
      /** @type {Record<string, unknown>} */
      const machine = { tokenKind, apiUrl: this.apiUrl, now: this.now };
      for (const name of MACHINE_JWT_OPTIONS) if (this.verifyOptions[name] !== undefined) machine[name] = this.verifyOptions[name];
      this.machineJwt[tokenKind] = machine;
    }
    /** @type {string | null} */
    this.frontendApi = frontendApiOf(options.publishableKey);
  }
}

/**
 * The registry key of an options object, or throws for values that cannot be keyed.
 * @param {Record<string, any>} options
 */
function engineKey(options) {
  const values = ENGINE_OPTIONS.map((name) => options[name]);
  for (const name of FUNCTION_OPTIONS) {
    const fn = options[name];
    if (typeof fn !== 'function') {
      values.push(null);
      continue;
    }
    let id = functionIds.get(fn);
    if (id === undefined) {
      id = nextFunctionId++;
      functionIds.set(fn, id);
    }
    values.push(id);
  }
  return JSON.stringify(values);
}

/**
 * The engine for these options (built on first use, then shared by every options object with the
 * same values). Throws ConfigurationError.
 * @param {Record<string, any>} options
 * @returns {Engine}
 */
export function engineFor(options) {
  const key = engineKey(options);
  let engine = engines.get(key);
  if (engine === undefined) {
    engine = new Engine(options);
    engines.set(key, engine);
  }
  return engine;
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * Whether a request header is one of the internal channels clients must not speak on.
 * @param {string} name lower-case
 */
export function isInternalHeader(name) {
  return name.startsWith('x-clerk-') || name.startsWith('x-middleware-');
}

/**
 * The engine's view of a request: method, URL and every header except client-sent `x-clerk-*` and
 * `x-middleware-*` (the refresh call forwards all headers to Clerk, as Clerk does).
 * @param {Request | {method?: string, url: string, headers?: Headers | Record<string, string>}} request
 * @returns {{snapshot: Snapshot, internal: string[] | null}} `internal`: the names left out
 */
export function snapshotOf(request) {
  /** @type {Record<string, string>} */
  const headers = {};
  /** @type {string[] | null} */
  let internal = null;
  const source = request.headers;
  const entries = source === undefined ? [] : typeof source.entries === 'function' && typeof source.get === 'function'
    ? /** @type {Headers} */ (source)
    : Object.entries(/** @type {Record<string, string>} */ (source)).map(([n, v]) => [n.toLowerCase(), String(v)]);
  for (const [name, value] of entries) {
    if (isInternalHeader(name)) {
      (internal ??= []).push(name);
      continue;
    }
    headers[name] = value;
  }
  return { snapshot: { method: request.method ?? 'GET', url: String(request.url), headers }, internal };
}

/**
 * Runs the engine to a decision, answering its questions. Throws the engine's errors (`code`:
 * `invalid-request-url`, `header-injection`, `handshake-token-invalid`, …) and ConfigurationError.
 * The caller owns the returned wasm `decision` (protect, redirects, downstream headers, the session's
 * auth fields) and releases it with `decision.free()` once the request is answered.
 * @param {Engine} engine
 * @param {string} snapshotJson
 * @param {number} now ms since the epoch
 * @param {(engine: Engine, request: any) => Promise<any>} [answer] answers a host request (tests script it)
 * @returns {Promise<Decision>}
 */
export async function decide(engine, snapshotJson, now, answer = answerHost) {
  const authenticator = engine.authenticator;
  const decision = authenticator.decide(snapshotJson, now);
  try {
    let asked = 0;
    for (; ; asked++) {
      const question = decision.question();
      if (question === undefined) break;
      if (asked >= MAX_QUESTIONS) throw new Error(`portcullis: the decision engine asked more than ${MAX_QUESTIONS} questions`);
      const reply = await answer(engine, JSON.parse(question));
      authenticator.answer(decision, replyText(reply));
    }
    /** @type {EngineState} */
    const state = JSON.parse(authenticator.state(decision));
    for (const entry of state.logs) log(entry);
    return { state, decision, asked };
  } catch (error) {
    decision.free();
    throw error;
  }
}

/**
 * The `x-clerk-*` request headers a pass-through hands to the app; throws the engine's
 * `header-injection` error when one would carry CR/LF (a host's message can).
 * @param {EngineState} state
 * @returns {[string, string][]}
 */
export function downstreamHeadersOf(state) {
  const downstream = /** @type {any} */ (state.downstream);
  if (downstream.error) throw Object.assign(new Error(downstream.error.message), { name: 'AuthenticationError', code: downstream.error.code });
  return [...downstream.headers];
}

/** The JSON text of "verified" answers whose claims are frozen (the verified-token cache's). */
const verifiedReplies = new WeakMap();

/**
 * A host answer as JSON text. A token seen before comes back from the verified-token cache as the
 * same deep-frozen payload, so its answer text is made once.
 * @param {any} reply
 */
function replyText(reply) {
  const claims = reply.kind === 'verified' ? reply.claims : null;
  if (claims === null || typeof claims !== 'object' || !Object.isFrozen(claims)) return JSON.stringify(reply);
  let text = verifiedReplies.get(claims);
  if (text === undefined) {
    text = JSON.stringify(reply);
    verifiedReplies.set(claims, text);
  }
  return text;
}

/**
 * Prints what Clerk would have printed while deciding (loop warnings, handshake errors).
 * @param {{level: string, message: string}} entry
 */
function log(entry) {
  // Clerk prints the missing-azp warning once per process (its logger's warnOnce); every request
  // would otherwise pay for a console write.
  if (entry.message.startsWith(AZP_WARNING)) {
    if (warnedMissingAzp) return;
    warnedMissingAzp = true;
  }
  const method = entry.level === 'error' ? console.error : entry.level === 'warn' ? console.warn : console.log;
  method(entry.message);
}

const AZP_WARNING = 'Clerk: Session token from cookie is missing the azp claim.';
let warnedMissingAzp = false;

/**
 * Answers one host request (src/decide/host.rs): tokens with js/verify.js, Backend API calls with fetch.
 * @param {Engine} engine
 * @param {any} request
 */
export async function answerHost(engine, request) {
  switch (request.kind) {
    case 'verify-session-token':
      return verifySessionToken(request.token, withClockSkew(engine.verifyOptions, request.clockSkewInMs));
    case 'verify-handshake-token':
      return verifyHandshakeToken(request.token, engine.verifyOptions);
    case 'get-handshake-payload':
      return backendApiAnswer(engine, request.call, 'directives');
    case 'refresh-session':
      return backendApiAnswer(engine, request.call, 'cookies');
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
export function withClockSkew(base, clockSkewInMs) {
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
export async function verifySessionToken(token, options) {
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
export async function verifyHandshakeToken(token, options) {
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
 * @param {Engine} engine
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

/**
 * Performs a Backend API call (`Authorization: Bearer <secret key>`, a 5 s timeout).
 * @param {Engine} engine
 * @param {{method: string, path: string, query?: [string, string][], body?: unknown, headers?: [string, string][]}} call
 * @param {string} [bearer] the key to authenticate with (default: the secret key)
 * @returns {Promise<{ok: true, body: any} | {ok: false, status: number | null, code: string | null, errorMessage?: string, network: boolean, message: string}>}
 */
export async function callBackendApi(engine, call, bearer = engine.secretKey) {
  const fetchFn = engine.fetch ?? globalThis.fetch;
  let url = engine.apiUrl.replace(/\/+$/, '') + call.path;
  if (call.query && call.query.length > 0) url += `?${new URLSearchParams(call.query)}`;
  const headers = new Headers(call.headers ?? [['Clerk-API-Version', /** @type {any} */ (wasm()).supportedBapiVersion()], ['Content-Type', 'application/json']]);
  headers.set('Authorization', `Bearer ${bearer}`);
  headers.set('User-Agent', USER_AGENT);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), BAPI_TIMEOUT_MS);
  try {
    const response = await fetchFn(url, {
      method: call.method,
      headers,
      body: call.body === undefined || call.body === null ? undefined : JSON.stringify(call.body),
      signal: controller.signal,
      redirect: 'error',
    });
    const text = await response.text();
    let body = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const code = body?.errors?.[0]?.code;
      const errorMessage = body?.errors?.[0]?.message;
      return { ok: false, status: response.status, code: typeof code === 'string' ? code : null, network: false,
        ...(typeof errorMessage === 'string' ? { errorMessage } : {}),
        message: `The Backend API answered HTTP ${response.status}` };
    }
    return { ok: true, body };
  } catch (error) {
    return { ok: false, status: null, code: null, network: true, message: String(/** @type {any} */ (error)?.message ?? error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Backend API call for the engine: the list it expects (`directives` / `cookies`) or the error.
 * @param {Engine} engine
 * @param {any} call
 * @param {'directives' | 'cookies'} field
 */
async function backendApiAnswer(engine, call, field) {
  if (!engine.secretKey) return { kind: 'unavailable' };
  const result = await callBackendApi(engine, call);
  if (!result.ok) {
    return result.network ? { kind: 'network-error', message: result.message } : { kind: 'api-error', status: result.status, code: result.code };
  }
  const list = Array.isArray(result.body?.[field]) ? result.body[field].filter((/** @type {unknown} */ v) => typeof v === 'string') : [];
  return field === 'directives' ? { kind: 'handshake-payload', directives: list } : { kind: 'session-cookies', cookies: list };
}

// ---------------------------------------------------------------------------------------------
// Auth objects (Clerk's authObjects.ts shapes)

/**
 * `debug()` of an auth object: the decision's status and reason, never a full token or key.
 * @param {EngineState} state
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
 * @param {EngineState} state
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
 * @param {EngineState} state
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
 * @param {EngineState} state
 */
export function authenticatedMachineObject(tokenType, token, machine, state) {
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
 * @param {Engine} engine
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
 * @param {Engine} engine
 * @param {EngineState} state
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

// ---------------------------------------------------------------------------------------------
// The public function

/**
 * @typedef {object} RequestState Clerk's `RequestState`
 * @property {'signed-in' | 'signed-out' | 'handshake'} status
 * @property {string | null} reason Clerk's reason code (null when signed in)
 * @property {string | null} message
 * @property {string | null} token the verified token (signed in)
 * @property {string | null} tokenType
 * @property {boolean} isAuthenticated
 * @property {boolean} isSignedIn
 * @property {Headers} headers to append to the response (`location` ⇒ answer 307 with all of them)
 * @property {string} clerkUrl the URL Clerk considers current
 * @property {(options?: {treatPendingAsSignedOut?: boolean}) => object | null} toAuth
 */

/**
 * Authenticates a request like Clerk's `authenticateRequest` (`@clerk/backend`): the session token
 * from the `Authorization` header or the `__session` cookie, Clerk's cookie and handshake rules,
 * session refresh. Needs `publishableKey` and `secretKey`; verifies with `jwtKey` (networkless) or the
 * JWKS from the Backend API. Options are Clerk's (`signInUrl`, `isSatellite`, `domain`, `proxyUrl`,
 * `authorizedParties`, `audience`, `clockSkewInMs`, `organizationSyncOptions`, …) plus ours
 * (`trustForwardedHost`, `allowedRedirectOrigins`, `fetch`).
 * @param {Request} request
 * @param {Record<string, any>} options
 * @returns {Promise<RequestState>}
 */
export async function authenticateRequest(request, options) {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('authenticateRequest(request, options): pass an options object such as { publishableKey, secretKey }.', 'options');
  }
  const engine = engineFor(options);
  const { snapshot } = snapshotOf(request);
  const { state, decision } = await decide(engine, JSON.stringify(snapshot), engine.now());
  decision.free();
  const headers = new Headers();
  for (const [name, value] of state.headers) headers.append(name, value);
  const signedIn = state.status === 'signed-in';
  return {
    status: state.status,
    reason: state.reason,
    message: state.message,
    token: state.token,
    tokenType: state.tokenType,
    isAuthenticated: signedIn,
    isSignedIn: signedIn,
    headers,
    clerkUrl: state.clerkUrl,
    publishableKey: engine.publishableKey,
    signInUrl: options.signInUrl || '',
    signUpUrl: options.signUpUrl || '',
    isSatellite: Boolean(options.isSatellite),
    domain: options.domain || '',
    proxyUrl: options.proxyUrl || '',
    afterSignInUrl: options.afterSignInUrl || '',
    afterSignUpUrl: options.afterSignUpUrl || '',
    toAuth: ({ treatPendingAsSignedOut = true } = {}) => authObjectOfState(engine, state, treatPendingAsSignedOut),
  };
}
