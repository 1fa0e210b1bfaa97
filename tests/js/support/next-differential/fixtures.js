/**
 * Fixtures for the Next middleware differential test: Clerk keys, RS256 session tokens signed with
 * the published test key (tests/data/token-vectors.json), and a stand-in for Clerk's Backend API.
 *
 * Why a stand-in instead of `jwtKey` everywhere: Clerk's middleware does not read CLERK_JWT_KEY, so a
 * scenario without options (`clerkMiddleware()`, `export default clerkMiddleware`) verifies through
 * the JWKS of the Backend API; answering `GET /v1/jwks` locally keeps every scenario networkless and
 * lets both implementations run the same configuration. Every other Backend API call is refused
 * (machine-token verification, handshake payloads, refreshes), so no scenario depends on a network.
 * @module
 */

import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const vectors = JSON.parse(readFileSync(new URL('../../../data/token-vectors.json', import.meta.url), 'utf8'));

/** The instance key (in the JWKS, kid ins_test_rsa2048) and an attacker key (in no JWKS). */
export const KEYS = {
  instance: createPrivateKey(vectors.keys.rsa2048.pkcs8Pem),
  attacker: createPrivateKey(vectors.keys.rsa2048b.pkcs8Pem),
};
export const INSTANCE_KID = 'ins_test_rsa2048';
export const SPKI_PEM = vectors.keys.rsa2048.spkiPem;
export const JWKS = vectors.jwks.clerk;

/** Publishable/secret key pairs (Frontend API host in the comment). */
export const INSTANCES = {
  // clerk.example.com
  prod: { publishableKey: 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k', secretKey: 'sk_live_differential_prod', frontendApi: 'clerk.example.com', dev: false },
  // clerk.included.katydid-92.lcl.dev (legacy development host)
  dev: { publishableKey: 'pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA', secretKey: 'sk_test_differential_dev', frontendApi: 'clerk.included.katydid-92.lcl.dev', dev: true },
  // included.katydid-92.clerk.accounts.dev (current development host)
  kima: { publishableKey: 'pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50cy5kZXYk', secretKey: 'sk_test_differential_kima', frontendApi: 'included.katydid-92.clerk.accounts.dev', dev: true },
};

/** The process environment both middlewares read (Clerk reads it once, when it is loaded). */
export const ENV = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: INSTANCES.prod.publishableKey,
  CLERK_SECRET_KEY: 'sk_live_differential_env',
  CLERK_ENCRYPTION_KEY: 'differential-encryption-key',
};

/**
 * Clerk's cookie suffix: the first 8 characters of URL-safe base64 SHA-1 of the publishable key.
 * @param {string} publishableKey
 */
export function cookieSuffix(publishableKey) {
  return createHash('sha1').update(publishableKey).digest('base64').replace(/\+/g, '-').replace(/\//g, '_').slice(0, 8);
}

/** @param {string | Buffer} data */
function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

/**
 * A signed JWT.
 * @param {Record<string, unknown>} payload
 * @param {{key?: 'instance' | 'attacker', kid?: string, header?: Record<string, unknown>, padded?: boolean, rawPayload?: string}} [options]
 *   `padded`: base64 padding left on the segments (Clerk decodes it, we refuse it);
 *   `rawPayload`: the payload JSON text as given (e.g. with a duplicate key)
 */
export function signToken(payload, options = {}) {
  const header = { alg: 'RS256', kid: options.kid ?? INSTANCE_KID, typ: 'JWT', ...options.header };
  const encode = (text) => {
    const plain = b64url(text);
    return options.padded ? plain + '='.repeat((4 - (plain.length % 4)) % 4) : plain;
  };
  const input = `${encode(JSON.stringify(header))}.${encode(options.rawPayload ?? JSON.stringify(payload))}`;
  const signature = sign('sha256', Buffer.from(input), KEYS[options.key ?? 'instance']);
  return `${input}.${b64url(signature)}`;
}

/**
 * A stand-in for the Backend API: `GET …/v1/jwks` answers the instance JWKS; everything else is
 * refused with Clerk's error shape. Records the calls.
 */
export function createBackendStub() {
  /** @type {{method: string, url: string}[]} */
  const calls = [];
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  /** @param {RequestInfo | URL} input @param {RequestInit} [init] */
  const fetchStub = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push({ method: init?.method ?? 'GET', url });
    if (/\/v1\/jwks$/.test(new URL(url).pathname)) return json(200, JWKS);
    return json(404, { errors: [{ code: 'resource_not_found', message: 'not found (differential stand-in)' }] });
  };
  return { fetch: fetchStub, calls };
}
