/**
 * The identity header: what the Worker tells the origin about the request's user, and the signature
 * that lets the origin trust it.
 *
 * Why signed: the origin is reachable only through the Worker in a good deployment, but "only" is a
 * network promise the origin cannot check. The Worker first strips every client-sent `x-clerk-*`,
 * `x-portcullis-*` and `x-middleware-*` header (so a client can never smuggle an identity in), then
 * adds one header carrying the identity and a timestamped HMAC-SHA256 over it, bound to the method
 * and the path+query the origin receives. The origin recomputes it with the same key
 * (`CLERK_SECRET_KEY`, or `PORTCULLIS_SIGNING_KEY` when set) and refuses anything unsigned, stale or
 * altered.
 *
 * Why one header: every forwarded header is work for the runtime on both sides of the hop (in
 * workerd, about 4 µs per request each — four times a decision answered from memory), and
 * an identity split over headers invites an origin to read one of them without checking the
 * signature. One header is read, checked and parsed as a whole.
 *
 * Wire format (one line; fields in this order, all present):
 *   x-portcullis-identity: status=signed-in;user=<sub>;session=<sid>;org=<org id>;role=<org role>;
 *     permissions=<p1,p2,…>;t=<unix seconds>;v1=<lower-case hex HMAC-SHA256>
 * `status` is signed-in or signed-out (then the other values are empty). Values are sent as they
 * are; a character outside printable ASCII, `%`, `;` (and `,` inside one permission) is
 * percent-encoded, so `decodeURIComponent` gives the claim back. Clerk IDs and roles are ASCII and
 * arrive unchanged.
 *
 * The signed message is four lines joined with "\n": `portcullis-identity-v2`, the METHOD, the
 * path+query as received by the origin, and the header's value up to (not including) `;v1=`.
 * The `t=…,v1=…` signing and checking of the verified-webhook headers (webhook.js: signatureValue,
 * checkSignatureValue) uses the same key.
 * @module
 */

export const IDENTITY_PREFIX = 'x-portcullis-';
export const IDENTITY_HEADER = 'x-portcullis-identity';
const CONTEXT = 'portcullis-identity-v2';
/** The header's value: the signed part, then the signature (its parse, for the origin's check). */
const IDENTITY_FORMAT =
  /^(status=(signed-in|signed-out);user=([^;]*);session=([^;]*);org=([^;]*);role=([^;]*);permissions=([^;]*);t=(\d{1,12}));v1=([0-9a-f]{64})$/;
/** How far the origin should accept a signature's timestamp from its own clock, by default. */
export const DEFAULT_MAX_SKEW_SECONDS = 60;

/**
 * A header value as sent: printable ASCII as is, anything else (and `%`, and the characters of `extra`) percent-encoded.
 * @param {string} value
 */
export function encodeValue(value, extra = '') {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e || ch === '%' || extra.includes(ch)) out += encodeURIComponent(ch).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    else out += ch;
  }
  return out;
}

/**
 * The identity fields for an auth state (the Worker's `auth` object, or null when signed out): the
 * header's value up to `;t=`.
 * @param {{userId?: string | null, sessionId?: string | null, orgId?: string | null, orgRole?: string | null,
 *   orgPermissions?: string[] | null} | null} auth
 * @returns {string}
 */
function identityFields(auth) {
  if (auth === null || typeof auth?.userId !== 'string' || auth.userId === '') return SIGNED_OUT;
  let fields = fieldsByAuth.get(auth);
  if (fields === undefined) {
    fields = computeFields(auth);
    fieldsByAuth.set(auth, fields);
  }
  return fields;
}

const SIGNED_OUT = 'status=signed-out;user=;session=;org=;role=;permissions=';

/** @param {NonNullable<Parameters<typeof identityFields>[0]>} auth */
function computeFields(auth) {
  const text = (v) => (typeof v === 'string' ? encodeValue(v, ';') : '');
  const permissions = Array.isArray(auth.orgPermissions)
    ? auth.orgPermissions.filter((p) => typeof p === 'string').map((p) => encodeValue(p, ';,')).join(',')
    : '';
  return `status=signed-in;user=${text(auth.userId)};session=${text(auth.sessionId)};org=${text(auth.orgId)}` +
    `;role=${text(auth.orgRole)};permissions=${permissions}`;
}

const encoder = new TextEncoder();
/** Imported HMAC keys by secret: the promise, and the key itself once imported (no await per request). */
/** @type {Map<string, {ready: Promise<CryptoKey>, key: CryptoKey | null}>} */
const keys = new Map();

/**
 * @param {string} secret
 * @returns {CryptoKey | Promise<CryptoKey>}
 */
function hmacKey(secret) {
  let entry = keys.get(secret);
  if (entry === undefined) {
    const ready = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    const fresh = { ready, key: /** @type {CryptoKey | null} */ (null) };
    ready.then((key) => {
      fresh.key = key;
    }, () => keys.delete(secret));
    if (keys.size > 8) keys.clear();
    keys.set(secret, fresh);
    entry = fresh;
  }
  return entry.key ?? entry.ready;
}

/** Identity fields by auth object (a token seen before reuses its auth object). */
const fieldsByAuth = new WeakMap();

/**
 * Lower-case hex of bytes.
 * @param {ArrayBuffer} buffer
 */
export function hex(buffer) {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** @param {string} text lower-case hex digits, an even number of them */
function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * HMAC-SHA256 of a message with the signing key.
 * @param {string} secret
 * @param {string} message
 */
async function hmac(secret, message) {
  const key = hmacKey(secret);
  return crypto.subtle.sign('HMAC', key instanceof Promise ? await key : key, encoder.encode(message));
}

/**
 * Whether `mac` (hex) is the HMAC-SHA256 of the message with the signing key (constant time).
 * @param {string} secret
 * @param {string} message
 * @param {string} mac 64 lower-case hex digits
 */
async function hmacMatches(secret, message, mac) {
  const key = hmacKey(secret);
  return crypto.subtle.verify('HMAC', key instanceof Promise ? await key : key, unhex(mac), encoder.encode(message));
}

/**
 * Why a signature made at `t` (unix seconds) is too far from the checker's clock; null when it is not.
 * @param {number} t
 * @param {{maxSkewSeconds: number, now: number}} clock
 */
function staleness(t, { maxSkewSeconds, now }) {
  if (Math.abs(now / 1000 - t) <= maxSkewSeconds) return null;
  return `signature timestamp is ${Math.round(now / 1000 - t)} s away from this clock (limit ${maxSkewSeconds} s)`;
}

/**
 * A `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256>` signature value: the HMAC of `lines` (the
 * scheme's name first, then `t`, then what is signed) joined with "\n". The verified-webhook
 * headers' signature (webhook.js).
 * @param {string} secret
 * @param {string[]} lines
 */
export async function signatureValue(secret, lines) {
  return `t=${lines[1]},v1=${hex(await hmac(secret, lines.join('\n')))}`;
}

/**
 * Checks a signature value made by {@link signatureValue}: its form, its age (±maxSkewSeconds), and
 * the HMAC over the lines `linesFor(t)` gives for its timestamp.
 * @param {string | null} value the header value (null: absent)
 * @param {string} name the header's name, for the reasons
 * @param {string} secret
 * @param {(t: number) => string[]} linesFor
 * @param {{maxSkewSeconds: number, now: number}} clock
 * @returns {Promise<{ok: true, t: number} | {ok: false, reason: string}>}
 */
export async function checkSignatureValue(value, name, secret, linesFor, clock) {
  if (value === null) return { ok: false, reason: `no ${name} header: the request did not come through portcullis` };
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value);
  if (match === null) return { ok: false, reason: `malformed ${name} header` };
  const t = Number(match[1]);
  const stale = staleness(t, clock);
  if (stale !== null) return { ok: false, reason: stale };
  const valid = await hmacMatches(secret, linesFor(t).join('\n'), match[2]);
  return valid ? { ok: true, t } : { ok: false, reason: 'signature mismatch: headers altered, wrong key, or a different method/path' };
}

/**
 * The identity header's value: the fields, the time and their signature.
 * @param {{secret: string, method: string, target: string, auth: Parameters<typeof identityFields>[0], now?: number}} input
 *   `target` is the path+query the origin will receive
 * @returns {string | Promise<string>} the value, at once when the same identity was signed for the
 *   same request earlier in the same second
 */
export function identityHeader({ secret, method, target, auth, now = Date.now() }) {
  const second = Math.floor(now / 1000);
  if (second !== signedSecond) {
    signedSecond = second;
    signedThisSecond.clear();
    signedCount = 0;
  }
  const fields = identityFields(auth);
  const request = `${secret}\n${method}\n${target}`;
  return signedThisSecond.get(fields)?.get(request) ?? signValue(fields, request, secret, method, target, second);
}

/**
 * Signs the identity `fields` for a request at `second`, and remembers the value for the rest of
 * that second.
 * @param {string} fields
 * @param {string} request the inner key: secret, method and target
 * @param {string} secret
 * @param {string} method
 * @param {string} target
 * @param {number} second
 * @returns {Promise<string>}
 */
async function signValue(fields, request, secret, method, target, second) {
  const signed = `${fields};t=${second}`;
  const value = `${signed};v1=${hex(await hmac(secret, `${CONTEXT}\n${method.toUpperCase()}\n${target}\n${signed}`))}`;
  // (Not when the second turned while signing: the entries are for the current second only.)
  if (second === signedSecond) {
    if (signedCount >= SIGNED_THIS_SECOND_LIMIT) {
      signedThisSecond.clear();
      signedCount = 0;
    }
    let byRequest = signedThisSecond.get(fields);
    if (byRequest === undefined) signedThisSecond.set(fields, (byRequest = new Map()));
    byRequest.set(request, value);
    signedCount++;
  }
  return value;
}

/**
 * Identity header values made during the current second, by identity fields and then by secret,
 * method and target: the signature is a function of exactly those and the second (its timestamp's
 * resolution), so the same user asking for the same path again within the second gets the same
 * header without another HMAC. Two levels, not one joined key: the fields are one string per auth
 * object (identityFields), so V8 hashes them once, while a fresh key of a few hundred characters
 * would be hashed on every request. Emptied when the second changes, and bounded.
 * @type {Map<string, Map<string, string>>}
 */
const signedThisSecond = new Map();
const SIGNED_THIS_SECOND_LIMIT = 512;
let signedCount = 0;
let signedSecond = -1;

/**
 * The path and query of a request URL (what an HTTP server sees as the request target).
 * @param {string} url
 */
export function pathAndQuery(url) {
  const scheme = url.startsWith('https://') ? 8 : url.startsWith('http://') ? 7 : -1;
  if (scheme === -1) {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  }
  const start = url.indexOf('/', scheme);
  if (start === -1) return '/';
  const hash = url.indexOf('#', start);
  return hash === -1 ? url.slice(start) : url.slice(start, hash);
}

/**
 * What an origin does with a request: checks the identity header's signature and returns the
 * identity it vouches for. Never throws for a bad request; `ok: false` comes with a `reason`.
 * @param {Request} request as the origin received it
 * @param {string} secret the same key the Worker signs with
 * @param {{maxSkewSeconds?: number, now?: number}} [options]
 * @returns {Promise<{ok: true, identity: {status: string, userId: string | null, sessionId: string | null,
 *   orgId: string | null, orgRole: string | null, orgPermissions: string[]}, signedAt: number}
 *   | {ok: false, reason: string}>}
 */
export async function verifyIdentityHeader(request, secret, { maxSkewSeconds = DEFAULT_MAX_SKEW_SECONDS, now = Date.now() } = {}) {
  const value = request.headers.get(IDENTITY_HEADER);
  if (value === null) return { ok: false, reason: `no ${IDENTITY_HEADER} header: the request did not come through portcullis` };
  const match = IDENTITY_FORMAT.exec(value);
  if (match === null) return { ok: false, reason: `malformed ${IDENTITY_HEADER} header` };
  const [, signed, status, user, session, org, role, permissions, time, mac] = match;
  const t = Number(time);
  const stale = staleness(t, { maxSkewSeconds, now });
  if (stale !== null) return { ok: false, reason: stale };
  if (!(await hmacMatches(secret, `${CONTEXT}\n${request.method.toUpperCase()}\n${pathAndQuery(request.url)}\n${signed}`, mac))) {
    return { ok: false, reason: 'signature mismatch: header altered, wrong key, or a different method/path' };
  }
  const text = (v) => (v === '' ? null : decodeURIComponent(v));
  return {
    ok: true,
    signedAt: t,
    identity: {
      status,
      userId: text(user),
      sessionId: text(session),
      orgId: text(org),
      orgRole: text(role),
      orgPermissions: permissions === '' ? [] : permissions.split(',').map((p) => decodeURIComponent(p)),
    },
  };
}
