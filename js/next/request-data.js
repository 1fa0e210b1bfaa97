/**
 * `x-clerk-request-data`: the middleware's options, encrypted, for `@clerk/nextjs` code inside the app.
 *
 * Why this exists: Clerk's server helpers (`auth()`, `currentUser()`, `clerkClient()`) read the
 * options the middleware ran with — a per-request `secretKey`, `signInUrl`, `domain` — from this
 * header, which `decorateRequest` sets whenever the options object passed to `clerkMiddleware` has a
 * defined value (or the request carried a machine token). To keep those helpers working unchanged we
 * must produce exactly what they decrypt: crypto-es `AES.encrypt(json, passphrase).toString()`, i.e.
 * OpenSSL's "salted" format — base64(`Salted__` ‖ 8-byte salt ‖ AES-256-CBC/PKCS#7 ciphertext) with
 * key and IV from `EVP_BytesToKey(MD5, passphrase, salt, 1 round)`.
 *
 * Why MD5 is written out here: WebCrypto (the only crypto on Next's edge runtime) has no MD5, and
 * EVP_BytesToKey needs three MD5 blocks per request. It is a key-derivation step fixed by the format
 * Clerk chose, not a security decision of ours; tests check it against node:crypto and RFC 1321.
 * AES itself is WebCrypto's.
 * @module
 */

const SALTED = new Uint8Array([0x53, 0x61, 0x6c, 0x74, 0x65, 0x64, 0x5f, 0x5f]); // "Salted__"
const KEYLESS_ENCRYPTION_KEY = 'clerk_keyless_dummy_key';
/**
 * Our own options: meaningless to Clerk's helpers in the app, so they neither travel nor make the
 * options object count as non-empty (a middleware configured only with them behaves as Clerk's with `{}`).
 */
const OUR_OPTIONS = ['trustForwardedHost', 'allowedRedirectOrigins', 'fetch', 'now'];
/**
 * Blobs already produced, by passphrase and plaintext. The options of a middleware rarely change, so
 * the same plaintext is encrypted on every pass-through; one encryption per distinct plaintext is
 * enough. Reusing a blob for the *same* plaintext reveals only that it is the same (which the app
 * sees anyway); a different plaintext always gets a fresh random salt, hence a fresh key and IV.
 */
const blobs = new Map();
const MAX_BLOBS = 32;
/**
 * The last answer for an options object without a machine token, by the object's identity and the
 * environment's passphrase: a middleware's options object is read once (as its engine is built
 * once, js/next/options.js), so the same object needs no re-serialising on every pass-through.
 * @type {WeakMap<object, {env: object, blob: Promise<string | undefined>}>}
 */
const byOptionsObject = new WeakMap();
const ENCRYPTION_KEY_MISSING = 'Clerk: Missing `CLERK_ENCRYPTION_KEY`. Required for propagating `secretKey` middleware ' +
  'option. See docs: https://clerk.com/docs/references/nextjs/clerk-middleware#dynamic-keys. (code=encryption_key_missing)';

// MD5 (RFC 1321): per-round shift amounts and the sine-derived constants.
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

/**
 * MD5 of `bytes` (RFC 1321).
 * @param {Uint8Array} bytes
 * @returns {Uint8Array} 16 bytes
 */
export function md5(bytes) {
  const length = bytes.length;
  const blocks = ((length + 8) >>> 6) + 1;
  const padded = new Uint8Array(blocks * 64);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (length * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(length / 0x20000000), true);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  const m = new Int32Array(16);
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < 16; i++) m[i] = view.getInt32(block * 64 + i * 4, true);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f;
      let g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + K[i] + m[g]) | 0;
      const s = SHIFTS[(i >>> 4) * 4 + (i & 3)];
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  const out = new Uint8Array(16);
  const outView = new DataView(out.buffer);
  outView.setInt32(0, a0, true);
  outView.setInt32(4, b0, true);
  outView.setInt32(8, c0, true);
  outView.setInt32(12, d0, true);
  return out;
}

/**
 * OpenSSL's `EVP_BytesToKey(MD5, 1 round)` for AES-256-CBC: D_i = MD5(D_{i-1} ‖ passphrase ‖ salt),
 * key = first 32 bytes, IV = next 16.
 * @param {Uint8Array} passphrase
 * @param {Uint8Array} salt 8 bytes
 */
export function evpBytesToKey(passphrase, salt) {
  const derived = new Uint8Array(48);
  let previous = new Uint8Array(0);
  for (let offset = 0; offset < 48; offset += 16) {
    const input = new Uint8Array(previous.length + passphrase.length + salt.length);
    input.set(previous);
    input.set(passphrase, previous.length);
    input.set(salt, previous.length + passphrase.length);
    previous = md5(input);
    derived.set(previous, offset);
  }
  return { key: derived.subarray(0, 32), iv: derived.subarray(32, 48) };
}

/** @param {Uint8Array} bytes */
function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * crypto-es `AES.encrypt(plaintext, passphrase).toString()`.
 * @param {string} plaintext
 * @param {string} passphrase
 * @param {Uint8Array} [salt] 8 bytes; random by default (tests pin it)
 * @returns {Promise<string>}
 */
export async function encryptOpenSslAes(plaintext, passphrase, salt = crypto.getRandomValues(new Uint8Array(8))) {
  const encoder = new TextEncoder();
  const { key, iv } = evpBytesToKey(encoder.encode(passphrase), salt);
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['encrypt']);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cryptoKey, encoder.encode(plaintext)));
  const out = new Uint8Array(16 + ciphertext.length);
  out.set(SALTED);
  out.set(salt, 8);
  out.set(ciphertext, 16);
  return base64(out);
}

/**
 * The inverse, for tests and tools: plaintext of a crypto-es / OpenSSL salted blob.
 * @param {string} blob
 * @param {string} passphrase
 */
export async function decryptOpenSslAes(blob, passphrase) {
  const bytes = Uint8Array.from(atob(blob), (c) => c.charCodeAt(0));
  if (bytes.length < 32 || !SALTED.every((b, i) => bytes[i] === b)) throw new Error('not an OpenSSL salted blob');
  const { key, iv } = evpBytesToKey(new TextEncoder().encode(passphrase), bytes.subarray(8, 16));
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'AES-CBC' }, false, ['decrypt']);
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, cryptoKey, bytes.subarray(16)));
}

/**
 * Clerk's `encryptClerkRequestData`: nothing when the options object has no defined value and no
 * machine auth object travels; otherwise the encrypted JSON of the options (functions and
 * `undefined` members drop out, as `JSON.stringify` does). Our own options are left out.
 *
 * The passphrase is `CLERK_ENCRYPTION_KEY`, else `CLERK_SECRET_KEY` (the environment's, not the
 * option), else — outside production — Clerk's keyless placeholder. A `secretKey` option without
 * `CLERK_ENCRYPTION_KEY` is refused, as Clerk does: it would travel encrypted under itself.
 * @param {Record<string, unknown> | null | undefined} requestData the options object as given (or as the callback returned it)
 * @param {object | null} machineAuthObject
 * @param {{encryptionKey: string, secretKey: string, production: boolean}} env
 * @returns {Promise<string | undefined>}
 */
export function encryptRequestData(requestData, machineAuthObject, env) {
  if (!requestData || machineAuthObject) return encrypt(requestData, machineAuthObject, env);
  const known = byOptionsObject.get(requestData);
  if (known !== undefined && known.env === env) return known.blob;
  const blob = encrypt(requestData, null, env);
  byOptionsObject.set(requestData, { env, blob });
  return blob;
}

/**
 * @param {Record<string, unknown> | null | undefined} requestData
 * @param {object | null} machineAuthObject
 * @param {{encryptionKey: string, secretKey: string, production: boolean}} env
 * @returns {Promise<string | undefined>}
 */
async function encrypt(requestData, machineAuthObject, env) {
  if (requestData && OUR_OPTIONS.some((name) => requestData[name] !== undefined)) {
    requestData = { ...requestData };
    for (const name of OUR_OPTIONS) delete requestData[name];
  }
  const empty = !requestData || !Object.values(requestData).some((v) => v !== undefined);
  if (empty && !machineAuthObject) return undefined;
  if (requestData?.secretKey && !env.encryptionKey) throw new Error(ENCRYPTION_KEY_MISSING);
  let passphrase = env.encryptionKey || env.secretKey;
  if (!passphrase) {
    if (env.production) {
      throw new Error('Missing secretKey. Set CLERK_SECRET_KEY (or CLERK_ENCRYPTION_KEY) to encrypt the middleware options for the app.');
    }
    passphrase = KEYLESS_ENCRYPTION_KEY;
  }
  const plaintext = JSON.stringify({ ...requestData, machineAuthObject: machineAuthObject ?? undefined });
  const key = `${passphrase}\u0000${plaintext}`;
  let blob = blobs.get(key);
  if (blob === undefined) {
    if (blobs.size >= MAX_BLOBS) blobs.delete(blobs.keys().next().value);
    blob = encryptOpenSslAes(plaintext, passphrase);
    blobs.set(key, blob);
    blob.catch(() => blobs.delete(key));
  }
  return blob;
}
