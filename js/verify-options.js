/**
 * The options of `verifyToken` (js/verify.js), validated and resolved into a {@link Config}: the
 * key source (`jwtKey` PEM, a JWKS URL, or the Backend API's key set for `secretKey`), the core's
 * options, the key-set cache policy and fetch limits, the clock and the fetch.
 *
 * Why a module of its own: every option is checked here, once per options object, with an error
 * that names the option and the fix (and never echoes a secret); the verifier then works only with
 * resolved values. A resolved config is reused while the object's values stay the same, and rebuilt
 * when the caller changes the object after its first use.
 * @module
 */

import { ConfigurationError } from './errors.js';
import { DEFAULT_JWKS_MAX_BYTES, DEFAULT_JWKS_TIMEOUT_MS } from './jwks.js';

/**
 * Options of `verifyToken` (js/verify.js): Clerk's names first, then ours.
 * @typedef {object} VerifyTokenOptions
 * @property {string} [jwtKey] PEM public key (CLERK_JWT_KEY): verify without any network request
 * @property {string} [secretKey] secret key (CLERK_SECRET_KEY): keys come from the Backend API
 * @property {string} [apiUrl] Backend API URL, default `https://api.clerk.com`
 * @property {string} [apiVersion] Backend API version path segment, default `v1`
 * @property {string[]} [authorizedParties] allowed `azp` values (origins)
 * @property {string | string[]} [audience] allowed `aud` values
 * @property {number} [clockSkewInMs] default 5000
 * @property {boolean} [skipJwksCache] fetch the key set on every call
 * @property {string | URL} [jwksUrl] any JWKS URL (public; no secret is sent)
 * @property {string | string[]} [issuer] allowed `iss` values
 * @property {string[]} [algorithms] allowed `alg` values (a subset of the profile's)
 * @property {'clerk' | 'oidc'} [profile] `clerk` (default: RS256/384/512 session tokens) or `oidc` (adds ES256, EdDSA)
 * @property {boolean} [acceptTemplateTokens] accept JWT-template tokens (category `cl_B7d4PD222AAA`)
 * @property {'session' | 'm2m' | 'oauth'} [tokenKind] `session` (default); `m2m`: an M2M JWT (category
 *   absent or M2M); `oauth`: an OAuth access-token JWT (`typ` `at+jwt` or `application/at+jwt`)
 * @property {typeof fetch} [fetch] the fetch to use (default `globalThis.fetch`)
 * @property {() => number} [now] the clock, ms since the epoch (default `Date.now`)
 * @property {{ttlMs?: number, unknownKidCooldownMs?: number, retryAfterFailureMs?: number,
 *   maxStaleMs?: number, timeoutMs?: number, maxBytes?: number}} [jwks] key-set cache and fetch limits
 */

const DEFAULT_API_URL = 'https://api.clerk.com';
const DEFAULT_API_VERSION = 'v1';
const DEFAULT_TTL_MS = 300_000;

/** Options handed to the Rust core as they are (it validates them and names the bad one). */
const CORE_OPTIONS = ['profile', 'algorithms', 'authorizedParties', 'audience', 'clockSkewInMs', 'issuer', 'acceptTemplateTokens', 'tokenKind'];
/** Options the JS shim reads itself (the key source, the Backend API, the clock and the fetch). */
const OWN_OPTIONS = ['jwtKey', 'secretKey', 'apiUrl', 'apiVersion', 'jwksUrl', 'skipJwksCache', 'fetch', 'now'];
/** Members of the `jwks` option: the core's cache policy, then this shim's fetch limits. */
const POLICY_MEMBERS = ['ttlMs', 'unknownKidCooldownMs', 'retryAfterFailureMs', 'maxStaleMs'];
const FETCH_MEMBERS = ['timeoutMs', 'maxBytes'];

/**
 * @typedef {object} Config resolved options
 * @property {'pem' | 'jwks' | 'none'} kind
 * @property {string} registryKey
 * @property {Record<string, unknown>} coreOptions
 * @property {object} keys what the core's constructor takes: `{pem}` or `{jwks: policy}`
 * @property {import('./jwks.js').FetchConfig | null} fetchConfig
 * @property {number} ttlMs
 * @property {boolean} skipJwksCache
 * @property {typeof fetch | null} fetch
 * @property {() => number} now
 */

/** Resolved options per options object, with the values they were resolved from. */
let memo = /** @type {WeakMap<object, {snapshot: unknown[], config: Config}>} */ (new WeakMap());

/**
 * The error for a bad option (never echoes a secret: callers pass descriptions, not values).
 * @param {string} option
 * @param {string} message
 */
function badOption(option, message) {
  return new ConfigurationError(`Invalid option \`${option}\`: ${message}`, option);
}

/** @param {unknown} value */
export function kindOf(value) {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/**
 * The option values a resolved config depends on, flattened (arrays copied), to detect an options
 * object that was changed after it was first used.
 * @param {Record<string, any>} options
 */
function snapshot(options) {
  const values = [];
  for (const name of OWN_OPTIONS) values.push(options[name]);
  for (const name of CORE_OPTIONS) {
    const value = options[name];
    values.push(Array.isArray(value) ? value.slice() : value);
  }
  const jwks = options.jwks;
  values.push(jwks);
  if (jwks !== null && typeof jwks === 'object') {
    for (const name of Object.keys(jwks)) values.push(name, jwks[name]);
  }
  return values;
}

/**
 * @param {unknown[]} a
 * @param {unknown[]} b
 */
function sameSnapshot(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/**
 * An absolute http(s) URL option.
 * @param {string} option
 * @param {unknown} value
 * @param {string} example
 */
function urlOption(option, value, example) {
  const text = value instanceof URL ? value.href : value;
  if (typeof text !== 'string' || text === '') {
    throw badOption(option, `expected an absolute http(s) URL such as ${example}, got ${kindOf(value)}.`);
  }
  let url;
  try {
    url = new URL(text);
  } catch {
    throw badOption(option, `${JSON.stringify(text)} is not an absolute URL; use one such as ${example}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badOption(option, `expected an http(s) URL such as ${example}, got the scheme ${url.protocol}.`);
  }
  return url;
}

/**
 * A string option where `undefined`, `null` and `''` mean "not given" (as Clerk's truthiness test).
 * @param {Record<string, any>} options
 * @param {string} option
 * @param {string} what description of the expected value
 * @returns {string | null}
 */
function keyOption(options, option, what) {
  const value = options[option];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw badOption(option, `expected ${what} as a string, got ${kindOf(value)}.`);
  return value;
}

/**
 * Validates options and works out the key source. Throws ConfigurationError.
 * @param {Record<string, any>} options
 * @returns {Config}
 */
function buildConfig(options) {
  const jwtKey = keyOption(options, 'jwtKey', 'the PEM public key ("-----BEGIN PUBLIC KEY-----…", CLERK_JWT_KEY)');
  const secretKey = keyOption(options, 'secretKey', 'the secret key (sk_live_… / sk_test_…, CLERK_SECRET_KEY)');
  const apiUrl = options.apiUrl === undefined || options.apiUrl === null || options.apiUrl === ''
    ? new URL(DEFAULT_API_URL)
    : urlOption('apiUrl', options.apiUrl, DEFAULT_API_URL);
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (typeof apiVersion !== 'string' || !/^[A-Za-z0-9._-]+$/.test(apiVersion)) {
    throw badOption('apiVersion', `expected a path segment such as "v1", got ${kindOf(apiVersion)}.`);
  }
  const jwksUrl = options.jwksUrl === undefined || options.jwksUrl === null || options.jwksUrl === ''
    ? null
    : urlOption('jwksUrl', options.jwksUrl, 'https://clerk.example.com/.well-known/jwks.json');
  const skipJwksCache = options.skipJwksCache ?? false;
  if (typeof skipJwksCache !== 'boolean') throw badOption('skipJwksCache', `expected true or false, got ${kindOf(skipJwksCache)}.`);
  const fetchFn = options.fetch ?? null;
  if (fetchFn !== null && typeof fetchFn !== 'function') {
    throw badOption('fetch', `expected a fetch-compatible function (input, init) => Promise<Response>, got ${kindOf(fetchFn)}.`);
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw badOption('now', `expected a function returning the time in milliseconds since the epoch (like Date.now), got ${kindOf(now)}.`);
  }
  const jwks = options.jwks ?? {};
  if (typeof jwks !== 'object' || Array.isArray(jwks)) {
    throw badOption('jwks', `expected an object such as { ttlMs: 300000, timeoutMs: 5000 }, got ${kindOf(jwks)}.`);
  }
  /** @type {Record<string, number>} */
  const policy = {};
  for (const name of Object.keys(jwks)) {
    if (!POLICY_MEMBERS.includes(name) && !FETCH_MEMBERS.includes(name)) {
      throw badOption(`jwks.${name}`, `unknown member; the members are ${[...POLICY_MEMBERS, ...FETCH_MEMBERS].join(', ')}.`);
    }
    const value = jwks[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw badOption(`jwks.${name}`, `expected a non-negative number, got ${kindOf(value) === 'number' ? value : kindOf(value)}.`);
    }
    if (POLICY_MEMBERS.includes(name)) policy[name] = value;
  }
  const timeoutMs = jwks.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS;
  if (timeoutMs < 1 || timeoutMs > 2_147_483_647) {
    throw badOption('jwks.timeoutMs', `expected milliseconds between 1 and 2147483647, got ${timeoutMs}.`);
  }
  const maxBytes = jwks.maxBytes ?? DEFAULT_JWKS_MAX_BYTES;
  if (maxBytes < 1) throw badOption('jwks.maxBytes', `expected at least 1 byte, got ${maxBytes}.`);

  // NaN and ±Infinity would cross into wasm as null (serde), i.e. silently become the default; Clerk
  // also quietly uses 5000 for them. A non-finite skew is a bug in the caller's configuration.
  const skew = options.clockSkewInMs;
  if (typeof skew === 'number' && !Number.isFinite(skew)) {
    throw badOption('clockSkewInMs', `expected milliseconds between 0 and 86400000, got ${skew}.`);
  }
  /** @type {Record<string, unknown>} */
  const coreOptions = {};
  for (const name of CORE_OPTIONS) if (options[name] !== undefined) coreOptions[name] = options[name];
  const coreKey = JSON.stringify(CORE_OPTIONS.map((name) => coreOptions[name] ?? null));

  /** @type {Config} */
  const config = {
    kind: 'none',
    registryKey: '',
    coreOptions,
    keys: {},
    fetchConfig: null,
    ttlMs: policy.ttlMs ?? DEFAULT_TTL_MS,
    skipJwksCache,
    fetch: fetchFn,
    now,
  };
  if (jwtKey !== null) {
    config.kind = 'pem';
    config.keys = { pem: jwtKey };
    config.registryKey = JSON.stringify(['pem', jwtKey, coreKey]);
  } else if (jwksUrl !== null || secretKey !== null) {
    const clerkApi = jwksUrl === null;
    let url;
    if (clerkApi) {
      const base = new URL(apiUrl.href);
      base.pathname = `${base.pathname.replace(/\/+$/, '')}/${apiVersion}/jwks`;
      url = base.href;
    } else {
      url = /** @type {URL} */ (jwksUrl).href;
    }
    const secret = clerkApi ? secretKey : null;
    config.kind = 'jwks';
    config.keys = { jwks: policy };
    config.fetchConfig = { url, secretKey: secret, clerkApi, timeoutMs, maxBytes };
    config.registryKey = JSON.stringify(['jwks', url, secret, coreKey, POLICY_MEMBERS.map((n) => policy[n] ?? null),
      timeoutMs, maxBytes]);
  }
  return config;
}

/**
 * The resolved options for `options`, reused while the object's values stay the same.
 * @param {unknown} options
 * @param {(config: Config) => void} validate checks a newly built config with the core (throws)
 * @returns {Config}
 */
export function resolveOptions(options, validate) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') {
    throw badOption('options', `expected an object such as { secretKey } or { jwtKey }, got ${kindOf(options)}.`);
  }
  const values = snapshot(/** @type {Record<string, any>} */ (options));
  const known = memo.get(options);
  if (known !== undefined && sameSnapshot(known.snapshot, values)) return known.config;
  const config = buildConfig(/** @type {Record<string, any>} */ (options));
  // Validated by the core now, so a bad one fails every call, not only the first.
  validate(config);
  memo.set(options, { snapshot: values, config });
  return config;
}

/**
 * The injected clock's current time.
 * @param {Config} config
 */
export function clock(config) {
  const now = config.now();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw badOption('now', `the clock returned ${String(now)}; it must return milliseconds since the epoch.`);
  }
  return now;
}

/** @param {Config} config */
export function fetchOf(config) {
  const fetchFn = config.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    // Reported as a failed fetch: the core records it and backs off like any other.
    return /** @type {typeof fetch} */ (async () => {
      throw new Error('this runtime has no global fetch; pass the `fetch` option');
    });
  }
  return fetchFn;
}

/** Forgets every resolved options object (tests). */
export function forgetResolvedOptions() {
  memo = new WeakMap();
}
