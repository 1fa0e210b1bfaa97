/**
 * Identity headers: what the Worker tells the origin about the request's user, and the signature
 * that lets the origin trust it.
 *
 * Why signed: the origin is reachable only through the Worker in a good deployment, but "only" is a
 * network promise the origin cannot check. The Worker first strips every client-sent `x-clerk-*`,
 * `x-portcullis-*` and `x-middleware-*` header (so a client can never smuggle an identity in), then
 * adds the identity headers below and a timestamped HMAC-SHA256 over them, bound to the method and
 * the path+query the origin receives. The origin recomputes it with the same key (`CLERK_SECRET_KEY`,
 * or `PORTCULLIS_SIGNING_KEY` when set) and refuses anything unsigned, stale or altered.
 *
 * Wire format (all header names lower-case):
 *   x-portcullis-auth-status        signed-in | signed-out
 *   x-portcullis-user-id            sub           ('' when signed out)
 *   x-portcullis-session-id         sid
 *   x-portcullis-org-id             org id        ('' without an active organization)
 *   x-portcullis-org-role           org:admin …
 *   x-portcullis-org-permissions    comma-separated, e.g. org:reports:read,org:reports:manage
 *   x-portcullis-signature          t=<unix seconds>,v1=<lower-case hex HMAC-SHA256>
 * Values are sent as is; a character outside printable ASCII (and `%`, and `,` inside one permission)
 * is percent-encoded, so `decodeURIComponent` gives the claim back. Clerk IDs and roles are ASCII
 * and arrive unchanged.
 *
 * The signed message is these lines joined with "\n" (no trailing newline):
 *   portcullis-identity-v1, t, METHOD, path+query as received by the origin,
 *   auth-status, user-id, session-id, org-id, org-role, org-permissions   (header values as sent)
 * The `t=…,v1=…` signing and checking (signatureValue, checkSignatureValue) is shared with the
 * verified-webhook headers (webhook.js), which use the same key under another first line.
 * @module
 */

export const IDENTITY_PREFIX = 'x-portcullis-';
export const SIGNATURE_HEADER = 'x-portcullis-signature';
/** Identity headers in signing order. */
export const IDENTITY_HEADERS = Object.freeze([
  'x-portcullis-auth-status',
  'x-portcullis-user-id',
  'x-portcullis-session-id',
  'x-portcullis-org-id',
  'x-portcullis-org-role',
  'x-portcullis-org-permissions',
]);
const CONTEXT = 'portcullis-identity-v1';
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
 * The identity header values for an auth state (the Worker's `auth` object, or null when signed out).
 * @param {{userId?: string | null, sessionId?: string | null, orgId?: string | null, orgRole?: string | null,
 *   orgPermissions?: string[] | null} | null} auth
 * @returns {string[]} values in IDENTITY_HEADERS order
 */
export function identityValues(auth) {
  if (auth === null || typeof auth?.userId !== 'string' || auth.userId === '') return SIGNED_OUT;
  let values = valuesByAuth.get(auth);
  if (values === undefined) {
    values = Object.freeze(computeValues(auth));
    valuesByAuth.set(auth, values);
  }
  return values;
}

const SIGNED_OUT = Object.freeze(['signed-out', '', '', '', '', '']);

/** @param {NonNullable<Parameters<typeof identityValues>[0]>} auth */
function computeValues(auth) {
  const text = (v) => (typeof v === 'string' ? encodeValue(v) : '');
  const permissions = Array.isArray(auth.orgPermissions)
    ? auth.orgPermissions.filter((p) => typeof p === 'string').map((p) => encodeValue(p, ',')).join(',')
    : '';
  return ['signed-in', text(auth.userId), text(auth.sessionId), text(auth.orgId), text(auth.orgRole), permissions];
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

/** Identity header values by auth object (a token seen before reuses its auth object). */
const valuesByAuth = new WeakMap();

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

/** @param {string} text */
function unhex(text) {
  if (!/^(?:[0-9a-f]{2})+$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * A `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256>` signature value: the HMAC of `lines` (the
 * scheme's name first, then `t`, then what is signed) joined with "\n". Shared by the identity
 * headers and the webhook headers (webhook.js).
 * @param {string} secret
 * @param {string[]} lines
 */
export async function signatureValue(secret, lines) {
  const key = hmacKey(secret);
  const mac = await crypto.subtle.sign('HMAC', key instanceof Promise ? await key : key, encoder.encode(lines.join('\n')));
  return `t=${lines[1]},v1=${hex(mac)}`;
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
export async function checkSignatureValue(value, name, secret, linesFor, { maxSkewSeconds, now }) {
  if (value === null) return { ok: false, reason: `no ${name} header: the request did not come through portcullis` };
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value);
  if (match === null) return { ok: false, reason: `malformed ${name} header` };
  const t = Number(match[1]);
  if (Math.abs(now / 1000 - t) > maxSkewSeconds) {
    return { ok: false, reason: `signature timestamp is ${Math.round(now / 1000 - t)} s away from this clock (limit ${maxSkewSeconds} s)` };
  }
  const signature = unhex(match[2]);
  const key = hmacKey(secret);
  const valid = signature !== null && (await crypto.subtle.verify('HMAC', key instanceof Promise ? await key : key, signature,
    encoder.encode(linesFor(t).join('\n'))));
  return valid ? { ok: true, t } : { ok: false, reason: 'signature mismatch: headers altered, wrong key, or a different method/path' };
}

/**
 * The identity headers and their signature, as [name, value] pairs.
 * @param {{secret: string, method: string, target: string, auth: Parameters<typeof identityValues>[0], now?: number}} input
 *   `target` is the path+query the origin will receive
 * @returns {readonly [string, string][] | Promise<readonly [string, string][]>} the pairs, at once when
 *   the same headers were signed earlier in the same second
 */
export function identityHeaderPairs({ secret, method, target, auth, now = Date.now() }) {
  const values = identityValues(auth);
  const second = Math.floor(now / 1000);
  const lines = [CONTEXT, String(second), method.toUpperCase(), target, ...values];
  if (second !== signedSecond) {
    signedSecond = second;
    signedThisSecond.clear();
  }
  const key = `${secret}\n${lines.join('\n')}`;
  return signedThisSecond.get(key) ?? signPairs(key, secret, lines, values);
}

/**
 * @param {string} key
 * @param {string} secret
 * @param {string[]} lines
 * @param {readonly string[]} values
 * @returns {Promise<readonly [string, string][]>}
 */
async function signPairs(key, secret, lines, values) {
  const signature = await signatureValue(secret, lines);
  /** @type {[string, string][]} */
  const pairs = IDENTITY_HEADERS.map((name, i) => [name, values[i]]);
  pairs.push([SIGNATURE_HEADER, signature]);
  if (signedThisSecond.size >= SIGNED_THIS_SECOND_LIMIT) signedThisSecond.clear();
  signedThisSecond.set(key, Object.freeze(pairs));
  return pairs;
}

/**
 * Identity header pairs made during the current second, by key and signed message: the signature
 * is a function of exactly those (its timestamp has a one-second resolution), so the same user
 * asking for the same path again within the second gets the same headers without another HMAC.
 * Emptied when the second changes, and bounded.
 * @type {Map<string, [string, string][]>}
 */
const signedThisSecond = new Map();
const SIGNED_THIS_SECOND_LIMIT = 512;
let signedSecond = -1;

/**
 * Sets the identity headers and their signature on `headers` (which must already be stripped).
 * @param {Headers} headers
 * @param {{secret: string, method: string, target: string, auth: Parameters<typeof identityValues>[0], now?: number}} input
 *   `target` is the path+query the origin will receive
 */
export async function signIdentityHeaders(headers, input) {
  for (const [name, value] of await identityHeaderPairs(input)) headers.set(name, value);
}

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
 * What an origin does with a request: checks the signature and returns the identity it vouches for.
 * Never throws for a bad request; `ok: false` comes with a `reason`.
 * @param {Request} request as the origin received it
 * @param {string} secret the same key the Worker signs with
 * @param {{maxSkewSeconds?: number, now?: number}} [options]
 * @returns {Promise<{ok: true, identity: {status: string, userId: string | null, sessionId: string | null,
 *   orgId: string | null, orgRole: string | null, orgPermissions: string[]}, signedAt: number}
 *   | {ok: false, reason: string}>}
 */
export async function verifyIdentityHeaders(request, secret, { maxSkewSeconds = DEFAULT_MAX_SKEW_SECONDS, now = Date.now() } = {}) {
  const values = IDENTITY_HEADERS.map((name) => request.headers.get(name) ?? '');
  const header = request.headers.get(SIGNATURE_HEADER);
  if (header !== null && request.headers.get(IDENTITY_HEADERS[0]) === null) return { ok: false, reason: 'x-portcullis-auth-status is missing' };
  const checked = await checkSignatureValue(header, SIGNATURE_HEADER, secret,
    (t) => [CONTEXT, String(t), request.method.toUpperCase(), pathAndQuery(request.url), ...values], { maxSkewSeconds, now });
  if (!checked.ok) return checked;
  const text = (v) => (v === '' ? null : decodeURIComponent(v));
  return {
    ok: true,
    signedAt: checked.t,
    identity: {
      status: values[0],
      userId: text(values[1]),
      sessionId: text(values[2]),
      orgId: text(values[3]),
      orgRole: text(values[4]),
      orgPermissions: values[5] === '' ? [] : values[5].split(',').map((p) => decodeURIComponent(p)),
    },
  };
}
