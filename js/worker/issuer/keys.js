/**
 * The local issuer's signing key and the session tokens it mints.
 *
 * One RSA-2048 key pair per isolate (WebCrypto `generateKey`, kept in module scope): nothing to
 * configure, nothing to leak, and a restart (wrangler reloads on every edit) simply rotates it —
 * tokens signed by the previous isolate then fail with `jwk-kid-mismatch`, exactly as after a
 * real key rotation. The public half is served as a JWKS.
 *
 * Tokens follow Clerk's v2 session-token format: header `{alg: RS256, kid, typ: JWT, cat:
 * cl_B7d4PD111AAA}` (the session category), claims `v: 2, sub, sid, iss, azp, iat, nbf = iat - 10,
 * exp = iat + 60, sts: 'active', fva`, and for an organization membership `o: {id, slg, rol, per,
 * fpm}` with `fea`.
 * @module
 */

import { orgClaims } from './directory.js';

export const TOKEN_LIFETIME_SECONDS = 60;
export const SESSION_CATEGORY = 'cl_B7d4PD111AAA';

/** @type {Promise<{privateKey: CryptoKey, jwk: Record<string, unknown>, kid: string}> | null} */
let keyPair = null;

/** @param {Uint8Array | ArrayBuffer} bytes */
export function base64url(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (let i = 0; i < view.length; i++) binary += String.fromCharCode(view[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {unknown} value */
function encodeJson(value) {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

/** The isolate's key pair, generated on first use. */
export function issuerKey() {
  if (keyPair === null) {
    keyPair = (async () => {
      const pair = /** @type {CryptoKeyPair} */ (await crypto.subtle.generateKey(
        { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true,
        ['sign', 'verify'],
      ));
      const exported = /** @type {JsonWebKey} */ (await crypto.subtle.exportKey('jwk', pair.publicKey));
      const random = new Uint8Array(9);
      crypto.getRandomValues(random);
      const kid = `ins_local_${base64url(random)}`;
      return { privateKey: pair.privateKey, kid, jwk: { kty: 'RSA', n: exported.n, e: exported.e, kid, alg: 'RS256', use: 'sig' } };
    })();
    keyPair.catch(() => {
      keyPair = null;
    });
  }
  return keyPair;
}

/** The JWKS document. */
export async function jwks() {
  const { jwk } = await issuerKey();
  return { keys: [jwk] };
}

/**
 * Mints a session token.
 * @param {{userId: string, sessionId: string, orgId: string | null, role: string | null, issuer: string,
 *   azp: string, now?: number}} input
 * @returns {Promise<{token: string, claims: Record<string, unknown>}>}
 */
export async function mintSessionToken({ userId, sessionId, orgId, role, issuer, azp, now = Date.now() }) {
  const { privateKey, kid } = await issuerKey();
  const iat = Math.floor(now / 1000);
  /** @type {Record<string, unknown>} */
  const claims = {
    azp,
    exp: iat + TOKEN_LIFETIME_SECONDS,
    fva: [0, -1],
    iat,
    iss: issuer,
    nbf: iat - 10,
    sid: sessionId,
    sts: 'active',
    sub: userId,
    v: 2,
    ...orgClaims(orgId, role),
  };
  const input = `${encodeJson({ alg: 'RS256', cat: SESSION_CATEGORY, kid, typ: 'JWT' })}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(input));
  return { token: `${input}.${base64url(signature)}`, claims };
}
