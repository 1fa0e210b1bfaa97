/**
 * The signature step of token verification: WebCrypto when the host has it, the Rust core otherwise.
 *
 * Why the host's engine: the Rust core can check every signature itself (`verifyHere`), but pure-Rust
 * RSA in wasm costs about 800 µs per RS256 verify, while the host's native engine costs 25–80 µs
 * (TOOLCHAIN.md, `npm run bench`). Engines, in order: a registered native engine (the Node entry
 * registers `node:crypto`, the fastest in Node), then WebCrypto `crypto.subtle` (the one engine every
 * host has: Node, Next edge, Cloudflare Workers, browsers), then Rust.
 *
 * The Rust core keeps the decisions: it chose the key and the algorithm (`pending.alg`,
 * `pending.hostJwk`), it rejects signatures that cannot be valid before any engine sees them
 * (`pending.wellFormed === false`: wrong length, zero or out-of-range ECDSA scalars), and it judges
 * the claims afterwards (`finish`). This module only asks an engine "does this signature verify with
 * this key" and passes the boolean on.
 *
 * Imported keys are cached by their JWK text (bounded), because `importKey` costs more than a verify;
 * Clerk re-imports on every call. When `crypto.subtle` is missing, or the host refuses to import an
 * algorithm (Ed25519 on an older runtime), or the engine throws, the token falls back to `verifyHere`
 * in Rust: slower, never a different answer.
 * @module
 */

import { Lru } from './lru.js';

/**
 * WebCrypto parameters per JWS algorithm: how to import the key, and how to verify with it.
 * @type {Record<string, {importAs: any, verifyAs: any}>}
 */
const ALGORITHMS = {
  RS256: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verifyAs: { name: 'RSASSA-PKCS1-v1_5' } },
  RS384: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, verifyAs: { name: 'RSASSA-PKCS1-v1_5' } },
  RS512: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }, verifyAs: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAs: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { importAs: { name: 'Ed25519' }, verifyAs: { name: 'Ed25519' } },
};

/** Imported keys by `alg + '\n' + hostJwk` (an RSA key is imported once per hash). */
const MAX_IMPORTED_KEYS = 64;

/**
 * @typedef {object} ImportedKey
 * @property {CryptoKey | null} key the key once imported; null while importing or when the import failed
 * @property {Promise<CryptoKey | null>} ready resolves to `key` (null: use the Rust fallback)
 */

/** @type {Lru<string, ImportedKey>} */
const imported = new Lru(MAX_IMPORTED_KEYS);

/** Algorithms this host's WebCrypto refused to import (NotSupportedError): always use Rust for them. */
const unsupported = new Set();

/** `undefined`: use `globalThis.crypto.subtle`; `null`: behave as if the host had none (tests). */
let subtleOverride = /** @type {SubtleCrypto | null | undefined} */ (undefined);

/** How many signatures each engine checked (read by tests and the benchmark). */
export const signatureStats = { native: 0, webcrypto: 0, rust: 0, imports: 0, skippedMalformed: 0 };

/**
 * A synchronous native engine: `true`/`false` is its verdict, `null` "cannot say" (try the next).
 * @typedef {object} NativeEngine
 * @property {string} name
 * @property {(alg: string, jwk: string, signingInput: Uint8Array, signature: Uint8Array) => boolean | null} verify
 */

/** @type {NativeEngine | null} */
let nativeEngine = null;

/**
 * Registers the host's native engine (the Node entry registers `node:crypto`); `null` removes it.
 * @param {NativeEngine | null} engine
 */
export function setNativeEngine(engine) {
  nativeEngine = engine;
}

/**
 * Replaces the WebCrypto engine: `null` forces the Rust fallback, `undefined` restores the host's.
 * Clears the imported-key cache. For tests.
 * @param {SubtleCrypto | null | undefined} subtle
 */
export function setSubtleForTesting(subtle) {
  subtleOverride = subtle;
  imported.clear();
  unsupported.clear();
}

/** @returns {SubtleCrypto | null} */
function hostSubtle() {
  if (subtleOverride !== undefined) return subtleOverride;
  return globalThis.crypto?.subtle ?? null;
}

/**
 * The imported key for `alg`/`jwk`, from the cache or a new import.
 * @param {SubtleCrypto} subtle
 * @param {string} alg
 * @param {string} jwk
 * @returns {ImportedKey}
 */
function importedKey(subtle, alg, jwk) {
  const id = alg + '\n' + jwk;
  let entry = imported.get(id);
  if (entry !== undefined) return entry;
  signatureStats.imports++;
  /** @type {ImportedKey} */
  const fresh = { key: null, ready: /** @type {Promise<CryptoKey | null>} */ (/** @type {unknown} */ (null)) };
  // (Started inside a promise so that an engine that throws synchronously is a rejection too.)
  fresh.ready = Promise.resolve()
    .then(() => subtle.importKey('jwk', JSON.parse(jwk), ALGORITHMS[alg].importAs, false, ['verify']))
    .then(
      (key) => {
        fresh.key = key;
        return key;
      },
      (error) => {
        // The Rust core already accepted this key, so a refusal here is the host's limitation
        // (typically NotSupportedError for Ed25519): remember it per algorithm and fall back.
        if (error?.name === 'NotSupportedError') unsupported.add(alg);
        imported.delete(id);
        return null;
      },
    );
  entry = fresh;
  imported.set(id, entry);
  return entry;
}

/**
 * @typedef {object} WasmPendingToken
 * @property {string} alg
 * @property {string} hostJwk
 * @property {Uint8Array} signingInput
 * @property {Uint8Array} signature
 * @property {boolean} wellFormed
 * @property {() => void} free
 */

/**
 * @typedef {object} VerifiedToken
 * @property {Record<string, unknown>} payload
 * @property {number | null} validFromMs
 * @property {number | null} validUntilMs
 */

/**
 * @typedef {object} SignatureVerifier the part of the wasm `TokenVerifier` this module calls
 * @property {(pending: WasmPendingToken, valid: boolean, now: number) => VerifiedToken} finish
 * @property {(pending: WasmPendingToken, now: number) => VerifiedToken} verifyHere
 */

/**
 * Checks the signature of `pending` and has `verifier` judge the claims at `now`. Consumes `pending`.
 * Errors thrown by the wasm calls propagate unchanged (the caller maps them).
 * @param {SignatureVerifier} verifier
 * @param {WasmPendingToken} pending
 * @param {number} now
 * @returns {Promise<VerifiedToken>}
 */
/**
 * The core hands the verified payload over as JSON text: one `JSON.parse` is several times faster
 * than building the object property by property across the wasm boundary.
 * @param {{payloadJson: string, validFromMs: number | null, validUntilMs: number}} result
 * @returns {VerifiedToken}
 */
function parsed(result) {
  return { payload: JSON.parse(result.payloadJson), validFromMs: result.validFromMs, validUntilMs: result.validUntilMs };
}

export async function checkSignatureAndFinish(verifier, pending, now) {
  let consumed = false;
  try {
    if (!pending.wellFormed) {
      signatureStats.skippedMalformed++;
      consumed = true;
      return parsed(verifier.finish(pending, false, now));
    }
    const alg = pending.alg;
    if (nativeEngine !== null && subtleOverride === undefined) {
      const valid = nativeEngine.verify(alg, pending.hostJwk, pending.signingInput, pending.signature);
      if (typeof valid === 'boolean') {
        signatureStats.native++;
        consumed = true;
        return parsed(verifier.finish(pending, valid, now));
      }
    }
    const subtle = hostSubtle();
    const params = ALGORITHMS[alg];
    if (subtle !== null && params !== undefined && !unsupported.has(alg)) {
      const entry = importedKey(subtle, alg, pending.hostJwk);
      const key = entry.key ?? (await entry.ready);
      if (key !== null) {
        let valid;
        try {
          valid = await subtle.verify(params.verifyAs, key, pending.signature, pending.signingInput);
        } catch {
          valid = null; // the engine failed (not "invalid"): let Rust decide
        }
        if (typeof valid === 'boolean') {
          signatureStats.webcrypto++;
          consumed = true;
          return parsed(verifier.finish(pending, valid, now));
        }
      }
    }
    signatureStats.rust++;
    consumed = true;
    return parsed(verifier.verifyHere(pending, now));
  } finally {
    if (!consumed) pending.free();
  }
}
