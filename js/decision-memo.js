/**
 * Remembered decisions, shared by the Worker and the Next.js middleware.
 *
 * Why: a browser sends the same cookies to the same URLs again and again, and deciding such a
 * request again costs three crossings into the wasm engine (decide, the host's answer, the state
 * view) — the largest share of a signed-in request once its token has been verified. The engine's
 * answer is a function of the method, the URL, the values of the headers the core reads (its lists:
 * `decisionHeaders()` and, for `protect()` and the redirects built from a decision,
 * `protectHeaders()`; debug builds of the core fail any read of a header not listed), the time and
 * the key set. So an answer can be reused for a request that agrees on all of those, as long as the
 * time and the key set cannot change it (`reusableUntil`):
 *
 * - keyed on the method, the URL and those headers only, so per-request headers (`cf-ray`,
 *   `x-forwarded-for`, `x-vercel-id`, …) do not defeat it;
 * - signed-in session-token answers with nothing to set on the response, until the token's `exp`
 *   (without the clock-skew grace: past it the engine decides again, with Clerk's grace), and
 *   signed-out answers to requests without any credentials; nothing that logs, sets a cookie or
 *   redirects, and no handshake, refusal or refresh, is reused;
 * - for at most DECISION_MEMO_MS, so a signing key withdrawn from the key set is honoured at most
 *   that much longer than the verified-token cache already allows;
 * - never for a clock earlier than the decision's own time; bounded in size (the oldest entry
 *   goes first, and keys of at most MAX_KEY_LENGTH characters);
 * - from a key's second decision on (`worthRemembering`): requests that never repeat cost nothing.
 * @module
 */

import { wasm } from './bindings.js';
import { Lru } from './lru.js';

/** How long a remembered decision may be used at most (ms). */
export const DECISION_MEMO_MS = 10_000;
const DECISION_MEMO_SIZE = 256;
/**
 * Longer keys (URL and headers, in characters) are never remembered: at most twice
 * DECISION_MEMO_SIZE keys are held (entries and sightings), so about 8 MB at worst. A browser's key —
 * its URL and cookies — is a few kilobytes.
 */
const MAX_KEY_LENGTH = 16 * 1024;

/** @type {string[] | null} */
let keyHeaders = null;

/** The header names a key is built from: the core's decision headers and protect()'s, sorted. */
function headerNames() {
  if (keyHeaders === null) {
    const core = /** @type {any} */ (wasm());
    keyHeaders = [...new Set([...core.decisionHeaders().split(','), ...core.protectHeaders().split(',')])].sort();
  }
  return keyHeaders;
}

/**
 * A request's memo key: `values`, the method, the URL and the key headers' values (null for an absent
 * header), and `slot`, a 32-bit hash of them that the memo files the key under.
 *
 * Why not one string: the values come to a kilobyte or more (cookies), fresh strings for every
 * request, and V8 hashes every character of a string used as a `Map` key — joined into one key, about
 * 2.5 µs per lookup, as much as the rest of a remembered decision's path. The slot hashes a value whole
 * up to HASHED_WHOLE characters — URLs and referers, which may differ in one character (an id), at any
 * usual length — and a longer one (cookies, tokens) by SAMPLES characters spread evenly over it:
 * sessions' cookies and tokens differ all along (claims, signatures). (V8 hashes about 1.7 ns per
 * character; the samples cost a seventh of that for a kilobyte.) Two requests can share a slot
 * without sharing their values, so an entry keeps its values and a lookup compares them, one `===`
 * each: sharing a slot costs a miss, never another request's decision.
 * @typedef {{values: (string | null)[], slot: number}} MemoKey
 */

/** Values up to this length are hashed whole… */
const HASHED_WHOLE = 256;
/** …and longer ones by this many characters spread evenly over them. */
const SAMPLES = 64;

/**
 * Mixes `value` into the hash `h` (FNV-1a over the characters read).
 * @param {number} h
 * @param {string | null} value
 */
function mix(h, value) {
  if (value === null) return Math.imul(h ^ 0x2f, 0x01000193);
  const length = value.length;
  h = Math.imul(h ^ length, 0x01000193);
  const step = length <= HASHED_WHOLE ? 1 : Math.ceil(length / SAMPLES);
  for (let i = length - 1; i >= 0; i -= step) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The memo key of a request.
 * @param {string} method
 * @param {string} url
 * @param {(name: string) => string | null | undefined} header a lower-case header's value
 * @returns {MemoKey}
 */
export function memoKey(method, url, header) {
  const values = [method, url];
  let slot = mix(mix(0x811c9dc5, method), url);
  for (const name of headerNames()) {
    const value = header(name) ?? null;
    values.push(value);
    slot = mix(slot, value);
  }
  return { values, slot };
}

/**
 * Whether two keys' values are the same.
 * @param {(string | null)[]} a
 * @param {(string | null)[]} b
 */
function sameValues(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** @param {(string | null)[]} values */
function lengthOf(values) {
  let length = 0;
  for (const value of values) length += value?.length ?? 0;
  return length;
}

/**
 * Whether a request carries anything a decision could verify, and so depend on the time through:
 * an `Authorization` header, or a cookie whose name contains `__session` (either cookie family).
 * @param {(name: string) => string | null | undefined} header a lower-case header's value
 */
export function carriesCredentials(header) {
  return (header('authorization') ?? null) !== null || (header('cookie') ?? '').includes('__session');
}

/**
 * Until when (ms) a decision may be reused: null when it may not be.
 *
 * - Signed in with a session token, nothing to set on the response: until the token's `exp`.
 * - Signed out for a request without credentials (see {@link carriesCredentials}) when the engine
 *   asked nothing and sets no cookie and no `Location`: nothing in such a decision depends on the time
 *   (no token was read; the engine's clock only ever meets token claims), so for DECISION_MEMO_MS.
 *   This is every visitor of a public page who has not signed in.
 * @param {{decision?: unknown, asked: number, state: {status: string, tokenType: string | null,
 *   token?: string | null, headers: [string, string][], logs?: unknown[],
 *   sessionAuth?: {sessionClaims?: Record<string, unknown>} | null}}} decided the engine's decision
 * @param {boolean} credentials what {@link carriesCredentials} says of the request
 * @param {number} now
 */
export function reusableUntil({ state, asked }, credentials, now) {
  if ((state.logs?.length ?? 0) > 0) return null;
  if (state.status === 'signed-in') {
    if (state.tokenType !== 'session_token' || state.headers.length > 0) return null;
    const exp = state.sessionAuth?.sessionClaims?.exp;
    return typeof exp === 'number' ? Math.min(exp * 1000, now + DECISION_MEMO_MS) : null;
  }
  if (state.status !== 'signed-out' || credentials || asked > 0 || (state.token ?? null) !== null) return null;
  return state.headers.every(([name]) => name !== 'set-cookie' && name !== 'location') ? now + DECISION_MEMO_MS : null;
}

/**
 * @template V
 */
export class DecisionMemo {
  constructor() {
    /** By slot. @type {Lru<number, {values: (string | null)[], value: V, decidedAt: number, until: number}>} */
    this.entries = new Lru(DECISION_MEMO_SIZE);
    /** Keys decided once and not remembered yet: their values, by slot. @type {Lru<number, (string | null)[]>} */
    this.sightings = new Lru(DECISION_MEMO_SIZE);
  }

  /**
   * Whether a decision just made for `key` is worth remembering: only when the key was decided
   * before. A request that is never repeated (a token seen once) then costs nothing extra — no copy
   * of its state kept, its wasm decision freed at once — and a repeated one is remembered from its
   * second decision on.
   * @param {MemoKey} key
   */
  worthRemembering({ values, slot }) {
    // Keys are attacker-chosen text: a bound on their size keeps the memo's memory bounded too.
    if (lengthOf(values) > MAX_KEY_LENGTH) return false;
    const seen = this.sightings.peek(slot);
    if (seen !== undefined && sameValues(seen, values)) {
      this.sightings.delete(slot);
      return true;
    }
    this.sightings.set(slot, values);
    return false;
  }

  /**
   * The value remembered for `key`, if still usable at `now`.
   * @param {MemoKey} key
   * @param {number} now
   * @returns {V | undefined}
   */
  get({ values, slot }, now) {
    // Looked up without touching its recency: entries live at most DECISION_MEMO_MS anyway, so
    // first-in-first-out eviction loses little, and a hit costs no re-insertion.
    const entry = this.entries.peek(slot);
    if (entry === undefined || !sameValues(entry.values, values)) return undefined;
    if (now >= entry.decidedAt && now < entry.until) return entry.value;
    this.entries.delete(slot);
    return undefined;
  }

  /**
   * @param {MemoKey} key
   * @param {V} value
   * @param {number} decidedAt
   * @param {number} until from {@link reusableUntil}
   */
  set({ values, slot }, value, decidedAt, until) {
    this.entries.set(slot, { values, value, decidedAt, until });
  }
}
