/**
 * Engines: one validated configuration each — the wasm `Authenticator` (the Rust decision core's
 * configuration), the token verifier's options and the Backend API settings.
 *
 * Why a module of its own: building an engine validates every option once (the core's
 * configuration errors keep their stable codes), and engines are kept in a small bounded registry
 * keyed by the option values, so a middleware or Worker whose options never change builds its
 * configuration once. Everything per request (authenticate.js) starts from an engine.
 * @module
 */

import { wasm } from './bindings.js';
import { ConfigurationError } from './errors.js';
import { Lru } from './lru.js';

const MAX_ENGINES = 32;
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
