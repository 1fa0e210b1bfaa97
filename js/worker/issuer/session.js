/**
 * The local issuer's own long-lived session: the stand-in for Clerk's client cookie on the Frontend
 * API domain. It is what lets the issuer mint a fresh 60-second `__session` without asking the
 * user again (the refresh endpoint and the handshake redirect both need it).
 *
 * Stateless: the cookie holds `base64url(JSON{sid, sub, org, role, uat, exp})` and an HMAC-SHA256 of
 * it keyed with the Worker's signing secret (domain-separated from the identity-header signatures),
 * so it survives Worker restarts; `HttpOnly`, `SameSite=Lax`, and scoped to the issuer's path so the
 * app and its origin never receive it.
 * @module
 */

import { base64url } from './keys.js';
import { serializeCookie } from '../cookies.js';

export const ISSUER_COOKIE = '__portcullis_issuer';
export const ISSUER_SESSION_SECONDS = 7 * 24 * 3600;
const CONTEXT = 'portcullis-local-issuer-session-v1\n';

/** @typedef {{sid: string, sub: string, org: string | null, role: string | null, uat: number, exp: number}} IssuerSession */

/** @type {Map<string, Promise<CryptoKey>>} */
const keys = new Map();

/** @param {string} secret */
function key(secret) {
  let k = keys.get(secret);
  if (k === undefined) {
    k = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    if (keys.size > 4) keys.clear();
    keys.set(secret, k);
  }
  return k;
}

/** @param {string} text */
function fromBase64url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The cookie value for a session.
 * @param {IssuerSession} session
 * @param {string} secret
 */
export async function sealSession(session, secret) {
  const body = base64url(new TextEncoder().encode(JSON.stringify(session)));
  const mac = await crypto.subtle.sign('HMAC', await key(secret), new TextEncoder().encode(CONTEXT + body));
  return `${body}.${base64url(mac)}`;
}

/**
 * The session in a cookie value, or null when absent, forged or expired.
 * @param {string | undefined} value
 * @param {string} secret
 * @param {number} [now] ms
 * @returns {Promise<IssuerSession | null>}
 */
export async function openSession(value, secret, now = Date.now()) {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value)) return null;
  const [body, mac] = value.split('.');
  try {
    const ok = await crypto.subtle.verify('HMAC', await key(secret), fromBase64url(mac), new TextEncoder().encode(CONTEXT + body));
    if (!ok) return null;
    const session = JSON.parse(new TextDecoder().decode(fromBase64url(body)));
    if (typeof session?.exp !== 'number' || session.exp * 1000 <= now) return null;
    return session;
  } catch {
    return null;
  }
}

/**
 * @param {string} value
 * @param {{secure: boolean, prefix: string}} options
 */
export function issuerCookie(value, { secure, prefix }) {
  return serializeCookie(ISSUER_COOKIE, value, { path: prefix, maxAge: ISSUER_SESSION_SECONDS, httpOnly: true, secure });
}

/** @param {{secure: boolean, prefix: string}} options */
export function clearIssuerCookie({ secure, prefix }) {
  return serializeCookie(ISSUER_COOKIE, '', { path: prefix, maxAge: 0, httpOnly: true, secure });
}
