/**
 * The signature engine of the plain-Node entry point: `node:crypto`, called synchronously.
 *
 * Why: in Node, WebCrypto's `subtle.verify` costs 60–80 µs per RS256 token (promise and key-object
 * overhead), `crypto.verify` about 25 µs — the difference is most of our first-seen budget
 * (`npm run bench`). Edge runtimes and Workers have no `node:crypto` and use WebCrypto
 * (`crypto.js`), so this module is only imported by `index.js`, the Node entry.
 *
 * Like WebCrypto it only answers "does this signature verify with this key"; the Rust core chose
 * the key and algorithm and judges everything else. `null` means "cannot say" (unknown algorithm,
 * a key this build of OpenSSL refuses): the caller then tries the next engine.
 * @module
 */

import { createPublicKey, verify } from 'node:crypto';
import { Lru } from './lru.js';

/** Digest per JWS algorithm; EdDSA signs the message itself. */
const DIGESTS = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', EdDSA: null };

/** Parsed public keys by their JWK text (a KeyObject is costlier to make than a verify). */
const keys = new Lru(64);

/** @type {import('./crypto.js').NativeEngine} */
export const nodeCryptoEngine = {
  name: 'node:crypto',
  verify(alg, jwk, signingInput, signature) {
    if (!Object.hasOwn(DIGESTS, alg)) return null;
    let key = keys.get(jwk);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: JSON.parse(jwk), format: 'jwk' });
      } catch {
        return null;
      }
      keys.set(jwk, key);
    }
    // JWS ECDSA signatures are raw r || s, not DER.
    const keyInput = alg === 'ES256' ? { key, dsaEncoding: /** @type {const} */ ('ieee-p1363') } : key;
    try {
      return verify(DIGESTS[/** @type {keyof typeof DIGESTS} */ (alg)], signingInput, keyInput, signature);
    } catch {
      return null;
    }
  },
};
