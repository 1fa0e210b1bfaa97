/**
 * `verifyToken(token, options)`: Clerk's session-token verification, with Clerk's option names.
 *
 * Why this module: it is the only place that knows the whole flow, and it keeps each step in the
 * module that owns it — options are validated here; the Rust core (`TokenVerifier`) parses the token,
 * picks the key, decides when keys must be fetched and judges the claims; js/jwks.js fetches key sets;
 * js/crypto.js checks signatures with WebCrypto; js/token-cache.js remembers verified tokens.
 *
 * Flow per call: options (js/verify-options.js) → the verifier for this key source and these options (created once, kept in
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
import { TokenVerificationError, fromWasmError } from './errors.js';
import { checkSignatureAndFinish } from './crypto.js';
import { JwksSource } from './jwks.js';
import { Lru } from './lru.js';
import { VerifiedTokenCache, headerKid } from './token-cache.js';
import { clock, fetchOf, forgetResolvedOptions, kindOf, resolveOptions } from './verify-options.js';

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

const MAX_VERIFIERS = 32;

/** Counts of calls into the core (tests use them to tell cache hits from verifications). */
export const verifierStats = { prepare: 0, finish: 0, cacheHits: 0, verifiersCreated: 0 };

/**
 * @typedef {object} Entry one verifier with its key source and token cache
 * @property {WasmTokenVerifier} verifier
 * @property {JwksSource | null} source
 * @property {VerifiedTokenCache} tokens
 * @property {number} epoch incremented whenever keys are withdrawn
 */

/** @type {Lru<string, Entry>} */
const registry = new Lru(MAX_VERIFIERS);

/**
 * The verifier entry for a config, created on first use.
 * @param {import('./verify-options.js').Config} config
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
 * Has the core check a newly resolved config's options (its verifier is built and kept).
 * @param {import('./verify-options.js').Config} config
 */
function validate(config) {
  if (config.kind !== 'none') entryFor(config);
}

/**
 * Verifies a session token (a JWT) and resolves to its payload; rejects with a
 * {@link TokenVerificationError} whose `reason` is Clerk's, or with a `ConfigurationError`
 * (`code: 'invalid-option'`) for a bad option. The payload is deep-frozen (it may be shared with
 * later calls presenting the same token).
 * @param {string} token
 * @param {import('./verify-options.js').VerifyTokenOptions} [options]
 * @returns {Promise<Readonly<Record<string, unknown>>>}
 */
export async function verifyToken(token, options) {
  const config = resolveOptions(options, validate);
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
 * @param {import('./verify-options.js').Config} config
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
 * @param {import('./verify-options.js').Config} config
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
  forgetResolvedOptions();
}
