/**
 * Where `clerkMiddleware`'s configuration comes from: the options (an object, or a callback evaluated
 * per request) over Clerk's environment variables, resolved as `@clerk/nextjs` resolves them.
 *
 * Why a module: resolution has Clerk's precedence rules (explicit options win; `publishableKey`,
 * `secretKey`, `signInUrl`, `signUpUrl` fall back to the environment when empty; `proxyUrl`,
 * `isSatellite` and `domain` may be functions of the request URL) and one performance rule of ours:
 * when nothing depends on the request, the configuration is resolved and validated once per
 * middleware, not per request.
 *
 * Environment variables are written out literally (`process.env.NEXT_PUBLIC_CLERK_…`) because
 * Next.js inlines `NEXT_PUBLIC_*` values at build time only for literal accesses; they are read once,
 * on first use, like Clerk's module-level constants. `CLERK_JWT_KEY` is read too (Clerk ignores it):
 * with it, tokens verify without any network request.
 * @module
 */

import { engineFor } from '../engine.js';
import { ConfigurationError } from '../errors.js';

/**
 * @typedef {object} ClerkEnv
 * @property {string} publishableKey NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY
 * @property {string} secretKey CLERK_SECRET_KEY
 * @property {string} signInUrl NEXT_PUBLIC_CLERK_SIGN_IN_URL
 * @property {string} signUpUrl NEXT_PUBLIC_CLERK_SIGN_UP_URL
 * @property {string} apiUrl CLERK_API_URL
 * @property {string} apiVersion CLERK_API_VERSION
 * @property {string} encryptionKey CLERK_ENCRYPTION_KEY
 * @property {string} domain NEXT_PUBLIC_CLERK_DOMAIN
 * @property {string} proxyUrl NEXT_PUBLIC_CLERK_PROXY_URL
 * @property {boolean} isSatellite NEXT_PUBLIC_CLERK_IS_SATELLITE
 * @property {string} jwtKey CLERK_JWT_KEY
 * @property {string} machineSecretKey CLERK_MACHINE_SECRET_KEY
 * @property {boolean} production NODE_ENV === 'production'
 */

/** @type {ClerkEnv | null} */
let cached = null;

/**
 * Clerk's `isTruthy` for environment values.
 * @param {unknown} value
 */
function isTruthy(value) {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'true') return true;
    if (value.toLowerCase() === 'false') return false;
  }
  const number = parseInt(String(value), 10);
  return !Number.isNaN(number) && number > 0;
}

/** @returns {ClerkEnv} */
function readEnv() {
  try {
    return {
      publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY || '',
      secretKey: process.env.CLERK_SECRET_KEY || '',
      signInUrl: process.env.NEXT_PUBLIC_CLERK_SIGN_IN_URL || '',
      signUpUrl: process.env.NEXT_PUBLIC_CLERK_SIGN_UP_URL || '',
      apiUrl: process.env.CLERK_API_URL || '',
      apiVersion: process.env.CLERK_API_VERSION || '',
      encryptionKey: process.env.CLERK_ENCRYPTION_KEY || '',
      domain: process.env.NEXT_PUBLIC_CLERK_DOMAIN || '',
      proxyUrl: process.env.NEXT_PUBLIC_CLERK_PROXY_URL || '',
      isSatellite: isTruthy(process.env.NEXT_PUBLIC_CLERK_IS_SATELLITE),
      jwtKey: process.env.CLERK_JWT_KEY || '',
      machineSecretKey: process.env.CLERK_MACHINE_SECRET_KEY || '',
      production: process.env.NODE_ENV === 'production',
    };
  } catch {
    // No `process` (a host without Node's globals): configuration must come from the options.
    return { publishableKey: '', secretKey: '', signInUrl: '', signUpUrl: '', apiUrl: '', apiVersion: '', encryptionKey: '',
      domain: '', proxyUrl: '', isSatellite: false, jwtKey: '', machineSecretKey: '', production: false };
  }
}

/** Clerk's environment, read on first use. */
export function clerkEnv() {
  cached ??= readEnv();
  return cached;
}

/** Forgets the environment read so far (tests that change `process.env`). */
export function resetEnvForTesting() {
  cached = null;
}

/**
 * Clerk's `handleValueOrFn`.
 * @param {unknown} value
 * @param {URL} url
 * @param {unknown} fallback
 */
function valueOrFn(value, url, fallback) {
  if (typeof value === 'function') return value(url);
  return value !== undefined ? value : fallback;
}

/**
 * Whether resolution depends on the request (a callback, or a function-valued multi-domain option).
 * @param {unknown} params
 */
export function dependsOnRequest(params) {
  if (typeof params === 'function') return true;
  const p = /** @type {Record<string, unknown>} */ (params);
  return typeof p.proxyUrl === 'function' || typeof p.isSatellite === 'function' || typeof p.domain === 'function';
}

/**
 * The complete options for one request: Clerk's `{publishableKey, secretKey, signInUrl, signUpUrl,
 * ...resolvedParams}` followed by `handleMultiDomainAndProxy`, plus our environment defaults
 * (`CLERK_API_URL`, `CLERK_API_VERSION`, `CLERK_JWT_KEY`, `CLERK_MACHINE_SECRET_KEY`).
 * @param {Record<string, any>} params the options object (or what the callback returned)
 * @param {string} requestUrl
 * @param {ClerkEnv} env
 */
export function resolveOptions(params, requestUrl, env) {
  const proxy = params.frontendApiProxy;
  if (proxy && proxy.enabled) {
    throw new ConfigurationError(
      'Invalid option `frontendApiProxy`: portcullis does not proxy Clerk\'s Frontend API. Serve the proxy separately ' +
      '(and set proxyUrl to it), or remove the option.', 'frontendApiProxy');
  }
  /** @type {Record<string, any>} */
  const options = {
    publishableKey: params.publishableKey || env.publishableKey,
    secretKey: params.secretKey || env.secretKey,
    signInUrl: params.signInUrl || env.signInUrl,
    signUpUrl: params.signUpUrl || env.signUpUrl,
    ...params,
  };
  options.publishableKey = params.publishableKey || env.publishableKey;
  options.secretKey = params.secretKey || env.secretKey;
  options.signInUrl = options.signInUrl || env.signInUrl;
  const url = new URL(requestUrl);
  options.proxyUrl = valueOrFn(options.proxyUrl, url, env.proxyUrl);
  options.isSatellite = Boolean(valueOrFn(options.isSatellite, url, env.isSatellite));
  options.domain = valueOrFn(options.domain, url, env.domain);
  options.apiUrl ||= env.apiUrl || undefined;
  options.apiVersion ||= env.apiVersion || undefined;
  options.jwtKey ||= env.jwtKey || undefined;
  options.machineSecretKey ||= env.machineSecretKey || undefined;
  return options;
}

/**
 * The engine for a request: built once per middleware when the options do not depend on the request,
 * otherwise looked up per request (engines are shared by equal configurations).
 * @param {unknown} params the second argument of `clerkMiddleware` (object or callback)
 */
export function createEngineResolver(params) {
  const perRequest = dependsOnRequest(params);
  /** @type {import('../engine.js').Engine | null} */
  let fixed = null;
  /**
   * @param {Record<string, any>} resolvedParams
   * @param {string} requestUrl
   */
  return (resolvedParams, requestUrl) => {
    if (!perRequest && fixed !== null) return fixed;
    const engine = engineFor(resolveOptions(resolvedParams, requestUrl, clerkEnv()));
    if (!perRequest) fixed = engine;
    return engine;
  };
}
