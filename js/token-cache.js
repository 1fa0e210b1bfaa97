/**
 * Tokens already verified, so that a token seen again costs a map lookup instead of a signature check.
 *
 * Why this is safe: a session token is immutable and its verdict depends only on the token text, the
 * verifier (options + keys) and the clock. The cache is per verifier (a verifier is one key source and
 * one set of options, see js/verify.js), keyed by the whole token string, and stores what the Rust core
 * computed: the payload and the window `[validFromMs, validUntilMs)` in which every time-dependent claim
 * (`exp`, `nbf`, `iat`, with the clock skew) passes. A hit is returned only inside that window;
 * outside it the entry is dropped and the token is verified again from scratch, so the caller gets
 * Clerk's exact reason (`token-expired`, …) rather than a cache's opinion.
 *
 * Keys can be withdrawn: when a JWKS refresh reports that a kid is no longer published, every entry
 * verified with that kid is dropped (entries remember the kid from the token header), so a rotated-away
 * key stops authenticating at once, cached or not. Entries of tokens without a kid are dropped on any
 * withdrawal, because we cannot tell which key verified them.
 *
 * Payloads are deep-frozen before they are cached: the same object is handed to every caller that
 * presents the token, so no caller may change what the next one sees.
 *
 * Bounded (LRU, 1,000 tokens per verifier by default), because tokens are attacker-chosen input.
 * @module
 */

import { Lru } from './lru.js';

export const DEFAULT_TOKEN_CACHE_SIZE = 1000;

/**
 * @typedef {object} CachedToken
 * @property {Readonly<Record<string, unknown>>} payload deep-frozen
 * @property {number | null} validFromMs
 * @property {number} validUntilMs
 * @property {string | null} kid the header's kid (null when absent or unreadable)
 */

/** Deep-freezes a JSON value (objects and arrays). */
function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(value[key]);
  }
  return value;
}

/**
 * The `kid` of a compact JWT's header, or null. Only called for tokens that the Rust core has just
 * verified, so the header is known to be well-formed JSON.
 * @param {string} token
 * @returns {string | null}
 */
export function headerKid(token) {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  try {
    const b64 = token.slice(0, dot).replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '==='.slice((b64.length + 3) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const header = JSON.parse(new TextDecoder().decode(bytes));
    return typeof header?.kid === 'string' ? header.kid : null;
  } catch {
    return null;
  }
}

export class VerifiedTokenCache {
  /** @param {number} [limit] */
  constructor(limit = DEFAULT_TOKEN_CACHE_SIZE) {
    /** @type {Lru<string, CachedToken>} */
    this.entries = new Lru(limit);
  }

  /**
   * The cached verdict for `token` if `now` is inside its validity window; otherwise drops it.
   * @param {string} token
   * @param {number} now
   * @returns {CachedToken | undefined}
   */
  get(token, now) {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if ((entry.validFromMs === null || entry.validFromMs <= now) && now < entry.validUntilMs) return entry;
    this.entries.delete(token);
    return undefined;
  }

  /**
   * Remembers a verified token (when `store`). Tokens without an upper validity bound are not cached.
   * @param {string} token
   * @param {{payload: Record<string, unknown>, validFromMs: number | null, validUntilMs: number | null}} verified
   * @param {string | null} kid
   * @param {boolean} [store] false: only freeze the payload (e.g. keys were withdrawn meanwhile)
   * @returns {Readonly<Record<string, unknown>>} the (now frozen) payload
   */
  set(token, verified, kid, store = true) {
    const payload = deepFreeze(verified.payload);
    if (store && typeof verified.validUntilMs === 'number') {
      this.entries.set(token, {
        payload,
        validFromMs: typeof verified.validFromMs === 'number' ? verified.validFromMs : null,
        validUntilMs: verified.validUntilMs,
        kid,
      });
    }
    return payload;
  }

  /**
   * Drops every entry verified with one of `kids` (and every entry whose kid is unknown).
   * @param {Iterable<string>} kids
   * @returns {number} how many entries were dropped
   */
  dropKids(kids) {
    const gone = new Set(kids);
    if (gone.size === 0) return 0;
    let dropped = 0;
    for (const [token, entry] of [...this.entries.entries()]) {
      if (entry.kid === null || gone.has(entry.kid)) {
        this.entries.delete(token);
        dropped++;
      }
    }
    return dropped;
  }

  get size() {
    return this.entries.size;
  }

  clear() {
    this.entries.clear();
  }
}
