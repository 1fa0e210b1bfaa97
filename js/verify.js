/**
 * `verifyToken(token, options)`: Clerk's session-token verification, with Clerk's option names.
 *
 * Why this module: it is the only place that knows the whole flow, and it keeps each step in the
 * module that owns it — options are validated here; the Rust core (`TokenVerifier`) parses the token,
 * picks the key, decides when keys must be fetched and judges the claims; js/jwks.js fetches key sets;
 * js/crypto.js checks signatures with WebCrypto; js/token-cache.js remembers verified tokens.
 *
 * Flow per call: options → the verifier for this key source and these options (created once, kept in
 * a bounded registry) → a verified-token cache hit (a map lookup) → else `prepare` (the core says
 * whether the key set must be fetched first; concurrent misses share one fetch) → signature →
 * `finish` → cache the verdict with its validity window.
 *
 * Why a module-level registry is acceptable here: it holds per-source state only — one verifier per
 * (key source URL or PEM, secret key, verification options), each with its own key-set cache and its
 * own verified-token cache. Nothing is shared between two secret keys or two sources (Clerk's own
 * cache was once keyed by kid alone, which let one instance's keys verify another's tokens). It is
 * bounded (LRU, 32 verifiers); an evicted verifier is simply rebuilt (one more JWKS fetch).
 *
 * Key sources, in Clerk's order: `jwtKey` (PEM, networkless) wins; else `jwksUrl` (ours: any JWKS URL,
 * e.g. a Frontend API's `/.well-known/jwks.json` or an OIDC issuer's; the secret key is never sent
 * there); else `secretKey` (Clerk's Backend API `GET {apiUrl}/v1/jwks`); else `jwk-failed-to-resolve`.
 * `skipJwksCache` refetches the key set for every call, like Clerk, and skips nothing else.
 * @module
 */

import { wasm } from './bindings.js';
import { ConfigurationError, TokenVerificationError, fromWasmError } from './errors.js';
import { checkSignatureAndFinish } from './crypto.js';
import { DEFAULT_JWKS_MAX_BYTES, DEFAULT_JWKS_TIMEOUT_MS, JwksSource } from './jwks.js';
import { Lru } from './lru.js';
import { VerifiedTokenCache, headerKid } from './token-cache.js';

/**
 * The wasm exports this module uses.
 * @typedef {object} TokenBindings
 * @property {new (options: object, keys: object) => WasmTokenVerifier} TokenVerifier
 */

/**
 * @typedef {object} WasmTokenVerifier
 * @property {(token: string, now: number) => import('./crypto.js').WasmPendingToken | undefined} prepare
 * @property {(body: string, now: number) => string[]} jwksFetched
 * @property {(reason: string, message: string, now: number) => void} jwksFailed
 * @property {(pending: import('./crypto.js').WasmPendingToken, valid: boolean, now: number) => import('./crypto.js').VerifiedToken} finish
 * @property {(pending: import('./crypto.js').WasmPendingToken, now: number) => import('./crypto.js').VerifiedToken} verifyHere
 * @property {() => Error | undefined} keyProblem
 */

/**
 * Options of {@link verifyToken}: Clerk's names first, then ours.
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
const MAX_VERIFIERS = 32;

/** Options handed to the Rust core as they are (it validates them and names the bad one). */
const CORE_OPTIONS = ['profile', 'algorithms', 'authorizedParties', 'audience', 'clockSkewInMs', 'issuer', 'acceptTemplateTokens', 'tokenKind'];
/** Options this module reads itself. */
const OWN_OPTIONS = ['jwtKey', 'secretKey', 'apiUrl', 'apiVersion', 'jwksUrl', 'skipJwksCache', 'fetch', 'now'];
/** Members of the `jwks` option: the core's cache policy, then this shim's fetch limits. */
const POLICY_MEMBERS = ['ttlMs', 'unknownKidCooldownMs', 'retryAfterFailureMs', 'maxStaleMs'];
const FETCH_MEMBERS = ['timeoutMs', 'maxBytes'];

/** Counts of calls into the core (tests use them to tell cache hits from verifications). */
export const verifierStats = { prepare: 0, finish: 0, cacheHits: 0, verifiersCreated: 0 };

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

/**
 * @typedef {object} Entry one verifier with its key source and token cache
 * @property {WasmTokenVerifier} verifier
 * @property {JwksSource | null} source
 * @property {VerifiedTokenCache} tokens
 * @property {number} epoch incremented whenever keys are withdrawn
 */

/** @type {Lru<string, Entry>} */
const registry = new Lru(MAX_VERIFIERS);

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
function kindOf(value) {
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
 * @returns {Config}
 */
function resolveOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') {
    throw badOption('options', `expected an object such as { secretKey } or { jwtKey }, got ${kindOf(options)}.`);
  }
  const values = snapshot(/** @type {Record<string, any>} */ (options));
  const known = memo.get(options);
  if (known !== undefined && sameSnapshot(known.snapshot, values)) return known.config;
  const config = buildConfig(/** @type {Record<string, any>} */ (options));
  // Let the core validate its options now, so a bad one fails every call, not only the first.
  if (config.kind !== 'none') entryFor(config);
  memo.set(options, { snapshot: values, config });
  return config;
}

/**
 * The verifier entry for a config, created on first use.
 * @param {Config} config
 * @returns {Entry}
 */
function entryFor(config) {
  const existing = registry.get(config.registryKey);
  if (existing !== undefined) return existing;
  const { TokenVerifier } = /** @type {TokenBindings} */ (/** @type {unknown} */ (wasm()));
  let verifier;
  try {
    verifier = new TokenVerifier(config.coreOptions, config.keys);
  } catch (error) {
    throw fromWasmError(error);
  }
  verifierStats.verifiersCreated++;
  /** @type {Entry} */
  const entry = { verifier, source: null, tokens: new VerifiedTokenCache(), epoch: 0 };
  if (config.fetchConfig !== null) {
    entry.source = new JwksSource(verifier, config.fetchConfig, fromWasmError, (removed) => {
      entry.epoch++;
      entry.tokens.dropKids(removed);
    });
  }
  // (An evicted verifier is not freed explicitly: a verification may still hold it across an await.
  // wasm-bindgen's FinalizationRegistry frees it once unreachable.)
  registry.set(config.registryKey, entry);
  return entry;
}

/**
 * The injected clock's current time.
 * @param {Config} config
 */
function clock(config) {
  const now = config.now();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw badOption('now', `the clock returned ${String(now)}; it must return milliseconds since the epoch.`);
  }
  return now;
}

/** @param {Config} config */
function fetchOf(config) {
  const fetchFn = config.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    // Reported as a failed fetch: the core records it and backs off like any other.
    return /** @type {typeof fetch} */ (async () => {
      throw new Error('this runtime has no global fetch; pass the `fetch` option');
    });
  }
  return fetchFn;
}

/**
 * Verifies a session token (a JWT) and resolves to its payload; rejects with a
 * {@link TokenVerificationError} whose `reason` is Clerk's, or with a {@link ConfigurationError}
 * (`code: 'invalid-option'`) for a bad option. The payload is deep-frozen (it may be shared with
 * later calls presenting the same token).
 * @param {string} token
 * @param {VerifyTokenOptions} [options]
 * @returns {Promise<Readonly<Record<string, unknown>>>}
 */
export async function verifyToken(token, options) {
  const config = resolveOptions(options);
  if (config.kind === 'none') {
    throw new TokenVerificationError({
      reason: 'jwk-failed-to-resolve',
      message: 'Failed to resolve JWK during verification: no key source. Pass jwtKey (the PEM public key, ' +
        'CLERK_JWT_KEY: no network), secretKey (CLERK_SECRET_KEY: keys from the Backend API) or jwksUrl.',
      action: 'Set the CLERK_JWT_KEY environment variable.',
    });
  }
  if (typeof token !== 'string') {
    throw new TokenVerificationError({
      reason: 'token-invalid',
      message: `Invalid JWT form: expected the token as a string, got ${kindOf(token)}.`,
    });
  }
  const entry = entryFor(config);
  let now = clock(config);
  const source = entry.source;
  if (source !== null && config.skipJwksCache) {
    await refreshFirst(entry, source, config, token, now);
    now = clock(config);
  }
  // Cached verdicts are only trusted while the key set they were checked against is fresh; past the
  // TTL the full path runs, which lets the core refresh keys (and withdraw rotated-away ones).
  if (source === null || now - source.fetchedAt < config.ttlMs) {
    const hit = entry.tokens.get(token, now);
    if (hit !== undefined) {
      verifierStats.cacheHits++;
      return hit.payload;
    }
  }
  return verifyUncached(entry, config, token, now);
}

/**
 * `skipJwksCache`: fetch the key set before verifying, as Clerk does — except for tokens the core
 * refuses before any key is involved (malformed, disallowed algorithm), which never cause a fetch.
 * A failed fetch fails the call (no stale keys: the caller asked for fresh ones).
 * @param {Entry} entry
 * @param {JwksSource} source
 * @param {Config} config
 * @param {string} token
 * @param {number} now
 */
async function refreshFirst(entry, source, config, token, now) {
  try {
    verifierStats.prepare++;
    entry.verifier.prepare(token, now)?.free();
  } catch (error) {
    const mapped = fromWasmError(error);
    if (!(mapped instanceof TokenVerificationError) || mapped.reason.startsWith('token-')) throw mapped;
  }
  const outcome = await source.refresh(fetchOf(config), () => clock(config));
  if (!outcome.ok) throw outcome.error;
}

/**
 * The full path: prepare (fetching keys when the core asks), signature, claims; caches the verdict.
 * @param {Entry} entry
 * @param {Config} config
 * @param {string} token
 * @param {number} now
 */
async function verifyUncached(entry, config, token, now) {
  const { verifier, source } = entry;
  const epoch = entry.epoch;
  let pending;
  for (let round = 0; ; round++) {
    verifierStats.prepare++;
    try {
      pending = verifier.prepare(token, now);
    } catch (error) {
      throw fromWasmError(error);
    }
    if (pending !== undefined) break;
    if (source === null || round === 2) {
      // (The core asks for a fetch at most once per attempt window; this is a safety net.)
      throw new TokenVerificationError({
        reason: 'jwk-remote-failed-to-load',
        message: 'The signing keys could not be loaded. Check the key source (secretKey / jwksUrl).',
      });
    }
    await source.refresh(fetchOf(config), () => clock(config));
    now = clock(config);
  }
  verifierStats.finish++;
  let verified;
  try {
    verified = await checkSignatureAndFinish(verifier, pending, now);
  } catch (error) {
    throw fromWasmError(error);
  }
  // Keys withdrawn while this token was being checked: answer it, but do not remember it.
  const cacheable = entry.epoch === epoch;
  return entry.tokens.set(token, verified, source === null ? null : headerKid(token), cacheable);
}

/** Forgets every verifier, key set and cached token (tests). */
export function resetTokenVerificationForTesting() {
  registry.clear();
  memo = new WeakMap();
}
