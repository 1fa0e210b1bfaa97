/**
 * Session tokens for the Next.js HTTP tests, signed here with node:crypto (RS256) by a key pair made
 * for the run: the apps get the public key as PEM (`PORTCULLIS_TEST_JWT_KEY`, passed to
 * `verifyToken({ jwtKey })`), the tests keep the private key. The claims follow Clerk's session-token
 * format (v2: organization in `o`, role without its `org:` prefix).
 */

import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

/** @param {object} value */
const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A fresh RSA key pair.
 * @returns {{ publicPem: string, privateKey: import('node:crypto').KeyObject }}
 */
export function makeKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicPem: /** @type {string} */ (publicKey.export({ type: 'spki', format: 'pem' })), privateKey };
}

/** A user id unique to this run, so a page cannot show it by accident. */
export function randomUserId() {
  return `user_${randomBytes(8).toString('hex')}`;
}

/**
 * Signs a Clerk-style session token.
 * @param {import('node:crypto').KeyObject} privateKey
 * @param {{ userId: string, orgRole?: string, expiresInS?: number, issuedAgoS?: number, kid?: string }} options
 * @returns {{ token: string, iat: number }}
 */
export function signSessionToken(privateKey, { userId, orgRole, expiresInS = 600, issuedAgoS = 5, kid = 'ins_portcullis_next_test' }) {
  const now = Math.floor(Date.now() / 1000);
  const iat = now - issuedAgoS;
  /** @type {Record<string, unknown>} */
  const claims = {
    azp: 'http://127.0.0.1',
    exp: now + expiresInS,
    fva: [0, -1],
    iat,
    iss: 'https://clerk.example.com',
    nbf: iat - 5,
    sid: `sess_${userId.slice(5)}`,
    sts: 'active',
    sub: userId,
    v: 2,
  };
  if (orgRole !== undefined) claims.o = { id: 'org_portcullis', rol: orgRole, slg: 'portcullis' };
  const input = `${part({ alg: 'RS256', kid, typ: 'JWT' })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return { token: `${input}.${signature}`, iat };
}

/**
 * The cookies a browser signed in to Clerk sends: the session token and `__client_uat` (the client's
 * last sign-in time, which Clerk's request authentication compares with the token's `iat`).
 * @param {{ token: string, iat: number }} session
 */
export function sessionCookies({ token, iat }) {
  return `__session=${token}; __client_uat=${iat}`;
}
