/**
 * `createContentSecurityPolicy(options, { frontendApi, production })`: the Content-Security-Policy
 * headers of Clerk's `contentSecurityPolicy` middleware option, for one response.
 *
 * Why this split: the Rust core (src/csp/) builds the headers — Clerk's defaults, merging, quoting
 * and ordering, byte for byte — and refuses options that would silently differ from what was
 * written. It does no IO, so the per-request nonce is drawn here: 16 bytes from
 * `crypto.getRandomValues`, as Clerk draws them, only when the policy is strict. Drawing them in
 * wasm (`getrandom`) would call the same function through an import no host can see or stub.
 * @module
 */

import { wasm } from './bindings.js';
import { ConfigurationError, fromWasmError } from './errors.js';

/**
 * The wasm exports this module uses.
 * @typedef {object} CspBindings
 * @property {(options: object | undefined, frontendApi: string, production: boolean,
 *   nonce: Uint8Array | undefined) => ContentSecurityPolicyHeaders} contentSecurityPolicy
 */

/**
 * Clerk's `contentSecurityPolicy` options.
 * @typedef {object} ContentSecurityPolicyOptions
 * @property {boolean} [strict] `'strict-dynamic'` and a per-request nonce instead of `http:`/`https:`
 * @property {Record<string, string | string[]>} [directives] merged into Clerk's defaults (same
 *   name) or added; `none` replaces a directive's sources
 * @property {boolean} [reportOnly] send `content-security-policy-report-only`
 * @property {string} [reportTo] reporting endpoint URL (`reporting-endpoints` + `report-to`)
 */

/**
 * @typedef {object} ContentSecurityPolicyHeaders
 * @property {[string, string][]} headers `[name, value]` pairs in Clerk's order: `reporting-endpoints`
 *   (with `reportTo`), the policy, `x-nonce` (strict)
 * @property {string} [nonce] the nonce (strict only), for `<script nonce>`
 */

const NONCE_BYTES = 16;

/** @returns {boolean} */
function productionFromEnv() {
  const env = /** @type {{process?: {env?: Record<string, string | undefined>}}} */ (globalThis).process?.env;
  return env?.NODE_ENV === 'production';
}

/** @returns {Uint8Array} */
function randomNonceBytes() {
  const bytes = new Uint8Array(NONCE_BYTES);
  // Read at call time, so tests can pin the nonce by replacing crypto.getRandomValues.
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/**
 * The Content-Security-Policy headers for one response (a fresh nonce each call when strict).
 * @param {ContentSecurityPolicyOptions | undefined} options Clerk's `contentSecurityPolicy` option
 * @param {{frontendApi: string, production?: boolean}} context `frontendApi`: the Frontend API host
 *   from the publishable key (bare host); `production`: drop `'unsafe-eval'` (default:
 *   `NODE_ENV === 'production'`)
 * @returns {ContentSecurityPolicyHeaders}
 * @throws {ConfigurationError} for options that are refused (named in `option`)
 */
export function createContentSecurityPolicy(options, context) {
  const { frontendApi, production = productionFromEnv() } = context ?? {};
  if (typeof frontendApi !== 'string') {
    throw new ConfigurationError('`frontendApi` must be the Frontend API host from the publishable key (a string).', 'frontendApi');
  }
  if (typeof production !== 'boolean') {
    throw new ConfigurationError('`production` must be true or false.', 'production');
  }
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw new ConfigurationError(
      'Invalid option `contentSecurityPolicy`: expected an object { strict?, directives?, reportOnly?, reportTo? }.',
      'contentSecurityPolicy',
    );
  }
  const nonce = options?.strict === true ? randomNonceBytes() : undefined;
  try {
    return /** @type {CspBindings} */ (/** @type {unknown} */ (wasm())).contentSecurityPolicy(options ?? undefined, frontendApi, production, nonce);
  } catch (error) {
    throw fromWasmError(error);
  }
}
