// Generates tests/data/token-vectors.json: session-token (JWT) verification cases shared by the Rust
// verifier tests and tests/js/token-vectors-clerk.test.js, which runs every clerk-profile case through
// Clerk's own `verifyToken` (@clerk/backend) so the data can never drift from the real thing. Where we
// are deliberately different from Clerk, a case carries `clerk: {reason | ok | throws, note}` saying
// what Clerk does instead (CLERK-BEHAVIOUR.md §3.9–3.13).
//
//   node scripts/gen-token-vectors.js               fresh keys (all tokens change)
//   node scripts/gen-token-vectors.js --reuse-keys  keys read back from the existing file: same output
//
// node:crypto cannot generate keys from a seed, so the keys (private ones too, as PKCS#8 PEM) are
// stored in the file; they are TEST-ONLY and must never sign anything real. With fixed keys the whole
// output is deterministic: RSASSA-PKCS1-v1_5, Ed25519 and HMAC are deterministic, ES256 signatures use
// RFC 6979 nonces (implemented below, checked against the RFC's own P-256 vector), and the PS256 case
// uses a zero-length salt.
import { constants, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify }
  from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const OUT = new URL('../tests/data/token-vectors.json', import.meta.url);
const REUSE = process.argv.includes('--reuse-keys');

/** Fixed clock: 2026-01-01T00:00:00Z in ms, and in seconds (T) for claims. */
const NOW = 1_767_225_600_000;
const T = NOW / 1000;
const MAX_TOKEN_BYTES = 16 * 1024;

const CAT = {
  session: 'cl_B7d4PD111AAA',
  template: 'cl_B7d4PD222AAA',
  m2m: 'cl_B7d4PD333AAA',
  ignore: 'cl_I7d4PD111III',
};

// ---------------------------------------------------------------------------------------------------
// Keys

/**
 * Every generated key: kid, optional JWK `alg` (`use` is always `sig`), and what it is for. Key names
 * are what cases refer to (`{pem: name}`) and what JWKS sets list.
 */
const KEY_SPECS = {
  rsa2048: { gen: ['rsa', { modulusLength: 2048 }], kid: 'ins_test_rsa2048', alg: 'RS256',
    about: 'the instance signing key (Clerk-style JWK with alg RS256)' },
  rsa3072: { gen: ['rsa', { modulusLength: 3072 }], kid: 'ins_test_rsa3072',
    about: 'second instance key, JWK without alg (RS256/384/512 all usable)' },
  rsa4096: { gen: ['rsa', { modulusLength: 4096 }], kid: 'ins_test_rsa4096', alg: 'RS512',
    about: 'large key whose JWK pins alg RS512' },
  rsa1024: { gen: ['rsa', { modulusLength: 1024 }], kid: 'ins_test_rsa1024', alg: 'RS256',
    about: 'too small: unusable in a JWKS (jwk-remote-invalid) and as a PEM (jwk-local-invalid)' },
  rsa2048b: { gen: ['rsa', { modulusLength: 2048 }], kid: 'attacker_rsa2048b', alg: 'RS256',
    about: 'attacker key, in no JWKS' },
  p256: { gen: ['ec', { namedCurve: 'P-256' }], kid: 'oidc_test_p256', alg: 'ES256',
    about: 'OIDC ES256 key' },
  p256b: { gen: ['ec', { namedCurve: 'P-256' }], kid: 'attacker_p256b', alg: 'ES256',
    about: 'attacker P-256 key, in no JWKS' },
  ed25519: { gen: ['ed25519', {}], kid: 'oidc_test_ed25519',
    about: 'OIDC EdDSA key, JWK without alg' },
  ed25519b: { gen: ['ed25519', {}], kid: 'attacker_ed25519b',
    about: 'attacker Ed25519 key, in no JWKS' },
};

/** RFC 7515 Appendix A.2 (RS256, public key only: the RFC's RSA key from RFC 7517 A.1) and A.3 (ES256). */
const RFC_KEYS = {
  rfc7515a2: {
    jwk: {
      kty: 'RSA',
      n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2l'
        + 'ZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEM'
        + 'a2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2P'
        + 'AcDTW9gb54h4FRWyuXpoQ',
      e: 'AQAB',
    },
    kid: 'rfc7515-a2',
    about: 'RFC 7515 Appendix A.2 public key (private key not stored)',
  },
  rfc7515a3: {
    jwk: {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
    },
    kid: 'rfc7515-a3',
    alg: 'ES256',
    about: 'RFC 7515 Appendix A.3 key pair (published in the RFC)',
  },
};

const RFC_A2_TOKEN = 'eyJhbGciOiJSUzI1NiJ9'
  + '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ'
  + '.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CU'
  + 'Ar7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO'
  + '--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igc'
  + 'N_IoypGlUPQGe77Rw';
const RFC_A3_TOKEN = 'eyJhbGciOiJFUzI1NiJ9'
  + '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ'
  + '.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q';
/** The RFC examples' `exp` (2011-03-22T18:43:00Z); cases using them set `now` one minute earlier. */
const RFC_EXP = 1300819380;

/** JWKS sets by name: which keys each lists (public JWKs as stored under `keys`). */
const JWKS_SETS = {
  clerk: ['rsa2048', 'rsa3072'],
  'clerk-large': ['rsa4096'],
  'clerk-weak': ['rsa2048', 'rsa1024'],
  'clerk-mixed': ['rsa2048', 'p256', 'ed25519'],
  oidc: ['rsa2048', 'rsa3072', 'p256', 'ed25519'],
  rfc: ['rfc7515a2', 'rfc7515a3'],
};

/** Loads the keys from the existing file (--reuse-keys) or generates fresh ones. */
function loadKeys() {
  /** @typedef {import('node:crypto').KeyObject} KeyObject */
  /** @type {Record<string, {private: KeyObject | null, public: KeyObject}>} */
  const objects = {};
  let stored = null;
  if (REUSE) {
    if (!existsSync(OUT)) throw new Error('--reuse-keys: tests/data/token-vectors.json does not exist yet');
    stored = JSON.parse(readFileSync(OUT, 'utf8')).keys;
  }
  for (const [name, spec] of Object.entries(KEY_SPECS)) {
    let privateKey;
    if (stored) {
      if (!stored[name]?.pkcs8Pem) throw new Error(`--reuse-keys: key ${name} missing from the file`);
      privateKey = createPrivateKey(stored[name].pkcs8Pem);
    } else {
      privateKey = generateKeyPairSync(spec.gen[0], spec.gen[1]).privateKey;
    }
    objects[name] = { private: privateKey, public: createPublicKey(privateKey) };
  }
  objects.rfc7515a2 = { private: null, public: createPublicKey({ key: RFC_KEYS.rfc7515a2.jwk, format: 'jwk' }) };
  const a3 = createPrivateKey({ key: RFC_KEYS.rfc7515a3.jwk, format: 'jwk' });
  objects.rfc7515a3 = { private: a3, public: createPublicKey(a3) };
  const derived = objects.rfc7515a3.public.export({ format: 'jwk' });
  if (derived.x !== RFC_KEYS.rfc7515a3.jwk.x || derived.y !== RFC_KEYS.rfc7515a3.jwk.y) {
    throw new Error('RFC 7515 A.3: d does not match x, y');
  }
  return objects;
}

const KEYS = loadKeys();
const SPEC = { ...KEY_SPECS, ...RFC_KEYS };

/** Public JWK in a stable member order: kid, kty, use, alg?, then the key's own members. */
function publicJwk(name) {
  const spec = SPEC[name];
  const raw = KEYS[name].public.export({ format: 'jwk' });
  const jwk = { kid: spec.kid, kty: raw.kty, use: 'sig' };
  if (spec.alg) jwk.alg = spec.alg;
  for (const member of ['crv', 'n', 'e', 'x', 'y']) if (raw[member] !== undefined) jwk[member] = raw[member];
  return jwk;
}

const kidOf = (name) => SPEC[name].kid;

// ---------------------------------------------------------------------------------------------------
// Deterministic ECDSA P-256 (RFC 6979) so that ES256 tokens are reproducible

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const A = P - 3n;
const G = [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n];

const mod = (a, m) => ((a % m) + m) % m;
function powmod(b, e, m) {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
const inv = (a, m) => powmod(a, m - 2n, m);
function pointAdd(p1, p2) {
  if (!p1) return p2;
  if (!p2) return p1;
  const [x1, y1] = p1;
  const [x2, y2] = p2;
  let l;
  if (x1 === x2) {
    if (mod(y1 + y2, P) === 0n) return null;
    l = mod((3n * x1 * x1 + A) * inv(2n * y1, P), P);
  } else {
    l = mod((y2 - y1) * inv(x2 - x1, P), P);
  }
  const x3 = mod(l * l - x1 - x2, P);
  return [x3, mod(l * (x1 - x3) - y1, P)];
}
function mul(k, point) {
  let r = null;
  for (let i = 255n; i >= 0n; i--) {
    r = pointAdd(r, r);
    if ((k >> i) & 1n) r = pointAdd(r, point);
  }
  return r;
}
const toInt = (buf) => BigInt('0x' + Buffer.from(buf).toString('hex'));
const to32 = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const hmac = (key, ...parts) =>
  createHmac('sha256', key).update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();

/** ECDSA P-256/SHA-256 with an RFC 6979 nonce; returns {r, s} as BigInts (s not normalised). */
function ecdsaP256(d, message) {
  const h1 = createHash('sha256').update(message).digest();
  const e = toInt(h1);
  const x = to32(d);
  const h = to32(mod(e, N));
  let V = Buffer.alloc(32, 1);
  let K = Buffer.alloc(32, 0);
  K = hmac(K, V, [0], x, h);
  V = hmac(K, V);
  K = hmac(K, V, [1], x, h);
  V = hmac(K, V);
  for (;;) {
    V = hmac(K, V);
    const k = toInt(V);
    if (k >= 1n && k < N) {
      const r = mod(mul(k, G)[0], N);
      const s = mod(inv(k, N) * (e + r * d), N);
      if (r !== 0n && s !== 0n) return { r, s };
    }
    K = hmac(K, V, [0]);
    V = hmac(K, V);
  }
}

// RFC 6979 A.2.5, P-256 with SHA-256, message "sample": proves the implementation before using it.
{
  const { r, s } = ecdsaP256(0xc9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721n, 'sample');
  if (r !== 0xefd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716n
    || s !== 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n) {
    throw new Error('RFC 6979 self-test failed');
  }
}

/** ES256 signature bytes (r ‖ s, 64 bytes) with low S, as we require. */
function es256(name, input) {
  const d = toInt(Buffer.from(KEYS[name].private.export({ format: 'jwk' }).d, 'base64url'));
  let { r, s } = ecdsaP256(d, input);
  if (s > N / 2n) s = N - s;
  return Buffer.concat([to32(r), to32(s)]);
}

// ---------------------------------------------------------------------------------------------------
// Tokens

const b64u = (bytes) => Buffer.from(bytes).toString('base64url');
const seg = (part) => b64u(typeof part === 'string' || Buffer.isBuffer(part) ? part : JSON.stringify(part));

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

/** Signature bytes for `input` under `alg` with key `name` (an HMAC secret string for HS*). */
function signature(alg, name, input) {
  const bits = alg.slice(2);
  switch (alg.slice(0, 2)) {
    case 'RS':
      return sign(HASH[bits], Buffer.from(input), KEYS[name].private);
    case 'PS':
      return sign(HASH[bits], Buffer.from(input), {
        key: KEYS[name].private,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 0, // deterministic
      });
    case 'ES':
      return es256(name, input);
    case 'Ed':
      return sign(null, Buffer.from(input), KEYS[name].private);
    case 'HS':
      return createHmac(HASH[bits], name).update(input).digest();
    default:
      return Buffer.alloc(0); // none
  }
}

/**
 * Builds a compact JWT. `header`/`payload` are objects (JSON.stringify'd), raw JSON strings, or
 * Buffers; `h`/`p` override the encoded segments verbatim. The signature covers the segments exactly
 * as they appear, so every malformed-encoding case is otherwise validly signed.
 * @returns {{token: string, h: string, p: string, sig: Buffer}}
 */
function jwt({ header, payload, key = 'rsa2048', alg, h, p }) {
  h ??= seg(header);
  p ??= seg(payload);
  const headerAlg = typeof header === 'object' && !Buffer.isBuffer(header) ? header.alg : undefined;
  const signAlg = alg ?? (typeof headerAlg === 'string' ? headerAlg : 'RS256');
  const sig = signature(signAlg, key, `${h}.${p}`);
  return { token: `${h}.${p}.${b64u(sig)}`, h, p, sig };
}

/** Clerk-style session-token header for `key` (alg, cat, kid, typ: the order Clerk emits). */
const hdr = (key = 'rsa2048', extra = {}) =>
  ({ alg: 'RS256', cat: CAT.session, kid: kidOf(key), typ: 'JWT', ...extra });

/** Clerk-style session claims, valid at NOW (Clerk issues 60 s tokens with nbf 10 s before iat). */
const claims = (extra = {}) => ({
  azp: 'https://app.example.com',
  exp: T + 50,
  fva: [0, -1],
  iat: T - 10,
  iss: 'https://clerk.example.com',
  nbf: T - 20,
  sid: 'sess_2test0000000000000000001',
  sub: 'user_2test0000000000000000001',
  ...extra,
});

/** `obj` without the named members. */
function without(obj, ...names) {
  const copy = { ...obj };
  for (const name of names) delete copy[name];
  return copy;
}

/** Token signed by `key` under the header's own alg. */
const signed = (key, header, payload) => jwt({ header, payload, key }).token;
/** Standard valid session token signed by `key` with its own kid. */
const session = (key = 'rsa2048', extraClaims = {}, extraHeader = {}) =>
  jwt({ header: hdr(key, extraHeader), payload: claims(extraClaims), key }).token;

/** Replaces segment `i` (0 header, 1 payload, 2 signature) of a compact token. */
function withSegment(token, i, value) {
  const parts = token.split('.');
  parts[i] = value;
  return parts.join('.');
}

/** Signature bytes → token with `fn(bytes)` applied to the signature and re-encoded canonically. */
function mutateSig(token, fn) {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[2], 'base64url');
  parts[2] = b64u(fn(Buffer.from(bytes)));
  return parts.join('.');
}

/** Makes a base64url segment non-canonical: sets a trailing (unused) bit of its last character. */
function nonCanonical(segment) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unused = { 2: 4, 3: 2 }[segment.length % 4];
  if (!unused) throw new Error('segment has no trailing bits');
  const last = alphabet.indexOf(segment.at(-1));
  return segment.slice(0, -1) + alphabet[last | 1];
}

// ---------------------------------------------------------------------------------------------------
// Cases

/** @type {any[]} */
const cases = [];
const names = new Set();

/**
 * Adds a case. `expected` is a reason code or `'ok'`. `clerk` (only where we deliberately differ) is
 * what Clerk's verifyToken answers instead, `{result: <reason> | 'ok', why}` or `{throws: <error
 * name>, why}`; it is written out as `clerk: {reason | ok | throws, note}`.
 */
function add(name, { profile = 'clerk', key = { jwks: 'clerk' }, options, token, now, expected, clerk, note }) {
  if (names.has(name)) throw new Error(`duplicate case name: ${name}`);
  names.add(name);
  const c = { name, profile, key };
  if (options) c.options = options;
  c.token = token;
  if (now !== undefined) c.now = now;
  c.expected = expected === 'ok' ? { ok: true } : { reason: expected };
  if (clerk) {
    const { result, throws, why } = typeof clerk === 'string' ? { result: clerk } : clerk;
    c.clerk = throws ? { throws } : result === 'ok' ? { ok: true } : { reason: result };
    if (why) c.clerk.note = why;
  }
  if (note) c.note = note;
  cases.push(c);
}

const PEM = (name) => ({ pem: name });
const tis = 'token-invalid-signature';
const tvf = 'token-verification-failed';
const JWKS = (name) => ({ jwks: name });
const AZP = ['https://app.example.com'];

// --- valid tokens (clerk profile) ---------------------------------------------------------------

add('valid RS256 session token (JWKS)', { token: session(), expected: 'ok' });
add('valid RS256 session token (PEM)', { key: PEM('rsa2048'), token: session(), expected: 'ok' });
add('valid: PEM accepts any kid', {
  key: PEM('rsa2048'), token: signed('rsa2048', hdr('rsa2048', { kid: 'ins_some_other_instance' }), claims()),
  expected: 'ok', note: 'with a PEM key the kid is not used for key selection',
});
add('valid: PEM accepts a token without kid', {
  key: PEM('rsa2048'), token: signed('rsa2048', without(hdr(), 'kid'), claims()), expected: 'ok',
});
add('valid RS256 signed by the second JWKS key (RSA-3072)', { token: session('rsa3072'), expected: 'ok' });
add('valid RS384 (RSA-3072 JWK without alg)', {
  token: signed('rsa3072', hdr('rsa3072', { alg: 'RS384' }), claims()), expected: 'ok',
});
add('valid RS512 (RSA-3072 JWK without alg)', {
  token: signed('rsa3072', hdr('rsa3072', { alg: 'RS512' }), claims()), expected: 'ok',
});
add('valid RS512 (RSA-4096 JWK with alg RS512)', {
  key: JWKS('clerk-large'), token: signed('rsa4096', hdr('rsa4096', { alg: 'RS512' }), claims()), expected: 'ok',
});
add('valid RS256 with an RSA-3072 PEM', {
  key: PEM('rsa3072'), token: session('rsa3072'), expected: 'ok',
  clerk: { result: tis,
    why: "Clerk's PEM loader strips a fixed RSA-2048 SPKI prefix instead of parsing SPKI, so any other key "
      + "becomes a garbage modulus; we parse SPKI" },
});
add('valid RS256 with an RSA-4096 PEM', {
  key: PEM('rsa4096'), token: session('rsa4096'), expected: 'ok',
  clerk: { result: tis, why: "Clerk's PEM loader only handles RSA-2048 SPKI (a garbage modulus otherwise)" },
});
add('valid RS384 with an RSA-2048 PEM', {
  key: PEM('rsa2048'), token: signed('rsa2048', hdr('rsa2048', { alg: 'RS384' }), claims()), expected: 'ok',
  clerk: { result: 'token-verification-failed',
    why: 'Clerk turns a PEM into a JWK with alg RS256, so WebCrypto refuses the import for RS384; a PEM '
      + 'carries no alg, so we accept every RSA alg of the profile' },
});
add('valid without typ', { token: signed('rsa2048', without(hdr(), 'typ'), claims()), expected: 'ok' });
add('valid without cat (legacy token)', { token: signed('rsa2048', without(hdr(), 'cat'), claims()), expected: 'ok' });
add('valid with the ignore category', { token: session('rsa2048', {}, { cat: CAT.ignore }), expected: 'ok' });
add('valid with minimal header {alg, kid}', {
  token: signed('rsa2048', { alg: 'RS256', kid: kidOf('rsa2048') }, claims()), expected: 'ok',
});
add('valid with unknown extra header parameters', {
  token: signed('rsa2048', hdr('rsa2048', { 'x-custom': [1, { a: null }], cty: 'JWT' }), claims()), expected: 'ok',
});
add('valid with JSON whitespace and CRLF in header and payload', {
  token: jwt({
    header: `{ "alg" : "RS256",\r\n "kid" : "${kidOf('rsa2048')}",\r\n "typ":"JWT" }`,
    payload: `\r\n{"sub":"user_ws",\r\n "exp":${T + 50} ,\t"iat" : ${T - 10}}\r\n`,
  }).token,
  expected: 'ok',
});
add('valid: only sub and exp', { token: signed('rsa2048', hdr(), { sub: 'user_min', exp: T + 50 }), expected: 'ok' });
add('valid: empty-string sub', {
  token: session('rsa2048', { sub: '' }), expected: 'ok', note: 'Clerk only requires sub to be a string',
});
add('valid: sub with JSON \\u escapes', {
  token: jwt({ header: hdr(), payload: `{"sub":"\\u0075ser_\\u00e9\\ud83d\\ude00","exp":${T + 50}}` }).token,
  expected: 'ok',
});
add('valid: exp in exponent notation', {
  token: jwt({ header: hdr(), payload: `{"sub":"user_e","exp":1.76722565e9}` }).token, expected: 'ok',
});
add('valid: exp far in the future (1e20)', {
  token: session('rsa2048', { exp: 1e20 }), expected: 'ok',
});
add('valid: negative nbf and zero iat', { token: session('rsa2048', { nbf: -1, iat: 0 }), expected: 'ok' });
add('valid: iss ignored when no issuer option', {
  token: session('rsa2048', { iss: 'https://evil.example.net' }), expected: 'ok',
});
add('valid: aud ignored when no audience option', {
  token: session('rsa2048', { aud: 'https://someone-else.example' }), expected: 'ok',
});
add('valid: non-string aud ignored when no audience option', {
  token: session('rsa2048', { aud: 42 }), expected: 'ok',
});
add('valid: azp ignored when no authorizedParties option', {
  token: session('rsa2048', { azp: 'https://evil.example.net' }), expected: 'ok',
});
add('valid: azp missing without authorizedParties', {
  token: signed('rsa2048', hdr(), without(claims(), 'azp')), expected: 'ok',
});
add('valid: empty authorizedParties list disables the azp check', {
  options: { authorizedParties: [] }, token: signed('rsa2048', hdr(), without(claims(), 'azp')), expected: 'ok',
});
add('valid: azp equals the only authorized party', {
  options: { authorizedParties: AZP }, token: session(), expected: 'ok',
});
add('valid: azp equals the second of several authorized parties', {
  options: { authorizedParties: ['https://admin.example.com', 'https://app.example.com'] },
  token: session(), expected: 'ok',
});
add('valid: aud string in audience string', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: 'api.example.com' }), expected: 'ok',
});
add('valid: aud string in audience list', {
  options: { audience: ['other', 'api.example.com'] }, token: session('rsa2048', { aud: 'api.example.com' }),
  expected: 'ok',
});
add('valid: aud array intersects audience list', {
  options: { audience: ['api.example.com', 'other'] },
  token: session('rsa2048', { aud: ['x.example', 'api.example.com'] }), expected: 'ok',
});
add('valid: issuer in allow-list', {
  options: { issuer: ['https://clerk.example.com'] }, token: session(), expected: 'ok',
});
add('valid: issuer is the second of the allow-list', {
  options: { issuer: ['https://clerk.other.example', 'https://clerk.example.com'] }, token: session(),
  expected: 'ok',
});
add('valid: all options at once', {
  options: {
    authorizedParties: AZP, audience: ['api.example.com'], clockSkewInMs: 10000, issuer: ['https://clerk.example.com'],
  },
  token: session('rsa2048', { aud: 'api.example.com' }), expected: 'ok',
});
add('valid: Clerk v2 session claims', {
  token: session('rsa2048', {
    v: 2,
    o: { id: 'org_2test000000000000000001', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '1,3' },
    fea: 'o:impersonation,o:memberships,u:goldprofileborder',
    pla: 'u:free_user,o:pro',
    sts: 'pending',
    act: { sub: 'user_2impersonator000000001', iss: 'https://dashboard.clerk.com', sid: 'sess_2actor' },
    fva: [5, -1],
    jti: 'e3b8f1f2a4c5d6e7f8a9',
  }),
  expected: 'ok',
});
add('valid: Clerk v1 organization claims', {
  token: session('rsa2048', {
    org_id: 'org_2test000000000000000001', org_role: 'org:admin', org_slug: 'acme',
    org_permissions: ['org:sys_memberships:manage', 'org:sys_profile:read'],
  }),
  expected: 'ok',
});
add('valid: unicode claims (raw UTF-8)', {
  token: session('rsa2048', {
    sub: 'user_ünïcødé_😀',
    name: 'Zoë Ångström — 日本語 — مرحبا — עברית',
    emoji: '👩‍👩‍👧‍👦🏳️‍🌈',
    'clé-ü': 'värde',
    zw: 'a\u200bb\u200dc\ufeffd',
    nul: 'a\u0000b',
  }),
  expected: 'ok',
});

// Exactly 16 KiB (valid) and one byte over (token-invalid): pad a claim until the length fits.
function sizedToken(target) {
  const many = {};
  for (let i = 0; i < 150; i++) many[`claim_${String(i).padStart(3, '0')}`] = `value ${i} ✓`;
  const base = seg(claims({ ...many, filler: '' })).length + seg(hdr()).length + 2 + 342;
  for (let fill = Math.max(0, Math.floor(((target - base) * 3) / 4) - 12); fill < 16000; fill++) {
    for (let pad = 0; pad < 4; pad++) {
      const header = hdr('rsa2048', pad ? { x: 'y'.repeat(pad) } : {});
      const payload = claims({ ...many, filler: 'f'.repeat(fill) });
      const length = seg(header).length + 1 + seg(payload).length + 1 + 342;
      if (length === target) return jwt({ header, payload }).token;
    }
  }
  throw new Error(`cannot build a ${target}-byte token`);
}
const at16k = sizedToken(MAX_TOKEN_BYTES);
const over16k = sizedToken(MAX_TOKEN_BYTES + 1);
add('valid: large claim set, token exactly 16384 bytes', { token: at16k, expected: 'ok' });

// --- time boundaries (now = 2026-01-01T00:00:00Z) ------------------------------------------------

for (const [skew, options] of [[5000, undefined], [0, { clockSkewInMs: 0 }]]) {
  const s = skew / 1000;
  const label = skew ? 'default skew 5 s' : 'skew 0';
  add(`exp: 1 s before the boundary (now - skew - 1 s), ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { exp: T - s - 1, iat: T - 60, nbf: T - 70 }),
    expected: 'token-expired',
  });
  add(`exp: exactly at the boundary (exp*1000 == now - skew), ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { exp: T - s, iat: T - 60, nbf: T - 70 }),
    expected: 'token-expired', note: 'expired iff exp*1000 <= now - skew',
  });
  add(`exp: 1 s after the boundary, ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { exp: T - s + 1, iat: T - 60, nbf: T - 70 }),
    expected: 'ok',
  });
  add(`nbf: 1 s before the boundary, ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { nbf: T + s - 1, iat: T - 10 }), expected: 'ok',
  });
  add(`nbf: exactly at the boundary (nbf*1000 == now + skew), ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { nbf: T + s, iat: T - 10 }), expected: 'ok',
    note: 'not active iff nbf*1000 > now + skew',
  });
  add(`nbf: 1 s after the boundary, ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { nbf: T + s + 1, iat: T - 10 }),
    expected: 'token-not-active-yet',
  });
  add(`iat: 1 s before the boundary, ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { iat: T + s - 1, nbf: T - 10 }), expected: 'ok',
  });
  add(`iat: exactly at the boundary (iat*1000 == now + skew), ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { iat: T + s, nbf: T - 10 }), expected: 'ok',
    note: 'in the future iff iat*1000 > now + skew',
  });
  add(`iat: 1 s after the boundary, ${label}`, {
    key: PEM('rsa2048'), options, token: session('rsa2048', { iat: T + s + 1, nbf: T - 10 }),
    expected: 'token-iat-in-the-future',
  });
}
add('exp: fractional seconds truncate toward zero (exp = now - 4.5 s is expired)', {
  key: PEM('rsa2048'), token: session('rsa2048', { exp: T - 4.5, iat: T - 60, nbf: T - 70 }),
  expected: 'token-expired', note: 'trunc(T - 4.5) = T - 5: at the boundary; without truncation it would be valid',
});
add('exp: fractional seconds truncate toward zero (exp = now - 3.5 s is valid)', {
  key: PEM('rsa2048'), token: session('rsa2048', { exp: T - 3.5, iat: T - 60, nbf: T - 70 }), expected: 'ok',
});
add('exp: fractional seconds with skew 0 (exp = now + 0.5 s is expired)', {
  key: PEM('rsa2048'), options: { clockSkewInMs: 0 },
  token: session('rsa2048', { exp: T + 0.5, iat: T - 60, nbf: T - 70 }),
  expected: 'token-expired',
});
add('nbf: fractional seconds truncate toward zero (nbf = now + 5.9 s is active)', {
  key: PEM('rsa2048'), token: session('rsa2048', { nbf: T + 5.9, iat: T - 10 }), expected: 'ok',
});
add('nbf: fractional seconds (nbf = now + 6.1 s is not active)', {
  key: PEM('rsa2048'), token: session('rsa2048', { nbf: T + 6.1, iat: T - 10 }), expected: 'token-not-active-yet',
});
add('iat: fractional seconds truncate toward zero (iat = now + 5.5 s is fine)', {
  key: PEM('rsa2048'), token: session('rsa2048', { iat: T + 5.5, nbf: T - 10 }), expected: 'ok',
});
add('iat: fractional seconds (iat = now + 6.5 s is in the future)', {
  key: PEM('rsa2048'), token: session('rsa2048', { iat: T + 6.5, nbf: T - 10 }), expected: 'token-iat-in-the-future',
});
add('sub-second now: exp = now - 4 s valid at now + 500 ms', {
  key: PEM('rsa2048'), now: NOW + 500, token: session('rsa2048', { exp: T - 4, iat: T - 60, nbf: T - 70 }),
  expected: 'ok',
});
add('sub-second now: exp = now - 5 s expired at now + 500 ms', {
  key: PEM('rsa2048'), now: NOW + 500, token: session('rsa2048', { exp: T - 5, iat: T - 60, nbf: T - 70 }),
  expected: 'token-expired',
});
add('sub-second now: nbf = now + 6 s not active at now + 500 ms', {
  key: PEM('rsa2048'), now: NOW + 500, token: session('rsa2048', { nbf: T + 6, iat: T - 10 }),
  expected: 'token-not-active-yet',
});
add('large skew 60 s: exp 59 s ago is valid', {
  key: PEM('rsa2048'), options: { clockSkewInMs: 60000 },
  token: session('rsa2048', { exp: T - 59, iat: T - 120, nbf: T - 130 }),
  expected: 'ok',
});
add('large skew 60 s: exp 60 s ago is expired', {
  key: PEM('rsa2048'), options: { clockSkewInMs: 60000 },
  token: session('rsa2048', { exp: T - 60, iat: T - 120, nbf: T - 130 }),
  expected: 'token-expired',
});
add('exp = 0 is expired', { token: session('rsa2048', { exp: 0 }), expected: 'token-expired' });
add('negative exp is expired', { token: session('rsa2048', { exp: -1 }), expected: 'token-expired' });
add('nbf far in the future (1e20) is not active', {
  token: session('rsa2048', { nbf: 1e20 }), expected: 'token-not-active-yet',
  clerk: {
    result: 'ok',
    why: 'Clerk builds a Date from nbf; 1e20 s overflows Date to NaN and every comparison with NaN is false',
  },
});
add('iat far in the future (1e20) is in the future', {
  token: session('rsa2048', { iat: 1e20 }), expected: 'token-iat-in-the-future',
  clerk: {
    result: 'ok',
    why: 'Clerk builds a Date from iat; 1e20 s overflows Date to NaN and every comparison with NaN is false',
  },
});
add('a day-old token is expired', {
  token: session('rsa2048', { exp: T - 86400 + 50, iat: T - 86400, nbf: T - 86410 }), expected: 'token-expired',
});

// --- claim types -------------------------------------------------------------------------------

add('sub missing', { token: signed('rsa2048', hdr(), without(claims(), 'sub')), expected: tvf });
add('sub is a number', { token: session('rsa2048', { sub: 12345 }), expected: tvf });
add('sub is null', { token: session('rsa2048', { sub: null }), expected: tvf });
add('sub is an array', { token: session('rsa2048', { sub: ['user_a'] }), expected: tvf });
add('sub is an object', { token: session('rsa2048', { sub: { id: 'user_a' } }), expected: tvf });
add('exp missing', { token: signed('rsa2048', hdr(), without(claims(), 'exp')), expected: tvf });
add('exp is a numeric string', { token: session('rsa2048', { exp: String(T + 50) }), expected: tvf });
add('exp is null', { token: session('rsa2048', { exp: null }), expected: tvf });
add('exp is a boolean', { token: session('rsa2048', { exp: true }), expected: tvf });
add('nbf is a string', { token: session('rsa2048', { nbf: String(T - 20) }), expected: tvf });
add('nbf is null', { token: session('rsa2048', { nbf: null }), expected: tvf, note: 'present (null) is not absent' });
add('iat is a string', { token: session('rsa2048', { iat: String(T - 10) }), expected: tvf });
add('iat is a boolean', { token: session('rsa2048', { iat: false }), expected: tvf });
add('iat is an array', { token: session('rsa2048', { iat: [T - 10] }), expected: tvf });

// --- audience ----------------------------------------------------------------------------------

add('aud string not in audience', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: 'other.example.com' }), expected: tvf,
});
add('aud string not in audience list', {
  options: { audience: ['a.example', 'b.example'] }, token: session('rsa2048', { aud: 'c.example' }), expected: tvf,
});
add('aud array does not intersect audience', {
  options: { audience: ['api.example.com'] }, token: session('rsa2048', { aud: ['x.example', 'y.example'] }),
  expected: tvf,
});
add('aud match is case-sensitive', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: 'API.example.com' }), expected: tvf,
});
add('aud missing while audience is configured', {
  options: { audience: 'api.example.com' }, token: session(), expected: tvf,
  clerk: {
    result: 'ok',
    why: 'Clerk checks aud only when the token has a non-empty aud; we require it once an audience is '
      + 'configured',
  },
});
add('aud empty string while audience is configured', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: '' }), expected: tvf,
  clerk: { result: 'ok', why: 'Clerk drops falsy aud values and then skips the check' },
});
add('aud empty array while audience is configured', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: [] }), expected: tvf,
  clerk: { result: 'ok', why: 'Clerk skips the aud check for an empty aud array' },
});
add('aud is a number while audience is configured', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: 42 }), expected: tvf,
  clerk: { result: 'ok', why: 'Clerk only compares string or all-string-array aud values; anything else passes' },
});
add('aud array with a non-string member and no match', {
  options: { audience: 'api.example.com' }, token: session('rsa2048', { aud: ['x.example', 7] }), expected: tvf,
  clerk: { result: 'ok', why: 'Clerk skips the aud check unless every member is a string' },
});

// --- authorized parties ------------------------------------------------------------------------

const tiap = 'token-invalid-authorized-parties';
add('azp missing while authorizedParties is set', {
  options: { authorizedParties: AZP }, token: signed('rsa2048', hdr(), without(claims(), 'azp')), expected: tiap,
  note: 'Clerk since #8877; before that a missing azp passed',
});
add('azp not in authorizedParties', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'https://evil.example.net' }), expected: tiap,
});
add('azp differs by a trailing slash', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'https://app.example.com/' }), expected: tiap,
});
add('azp differs by scheme', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'http://app.example.com' }), expected: tiap,
});
add('azp differs by case', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'https://App.example.com' }), expected: tiap,
});
add('azp is an empty string', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: '' }), expected: tiap,
});
add('azp is an array containing the party', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: AZP }), expected: tiap,
});
add('azp is a prefix-extended origin', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'https://app.example.com.evil.net' }),
  expected: tiap,
});

// --- issuer allow-list -------------------------------------------------------------------------

const tiss = 'token-invalid-issuer';
const ISS = { issuer: ['https://clerk.example.com'] };
add('iss not in issuer allow-list', {
  options: ISS, token: session('rsa2048', { iss: 'https://clerk.evil.example' }), expected: tiss,
});
add('iss missing while issuer allow-list is set', {
  options: ISS, token: signed('rsa2048', hdr(), without(claims(), 'iss')), expected: tiss,
});
add('iss is a number', { options: ISS, token: session('rsa2048', { iss: 1 }), expected: tiss });
add('iss is an array containing the issuer', {
  options: ISS, token: session('rsa2048', { iss: ['https://clerk.example.com'] }), expected: tiss,
});
add('iss differs by a trailing slash', {
  options: ISS, token: session('rsa2048', { iss: 'https://clerk.example.com/' }), expected: tiss,
});

// --- order of claim checks: sub, aud, azp, exp, nbf, iat, then iss (see ISSUER_AFTER_IAT) ------------

add('order: missing sub beats expired', {
  token: signed('rsa2048', hdr(), without(claims({ exp: T - 3600 }), 'sub')), expected: tvf,
});
add('order: aud mismatch beats azp mismatch', {
  options: { audience: 'api.example.com', authorizedParties: AZP },
  token: session('rsa2048', { aud: 'other', azp: 'https://evil.example.net' }), expected: tvf,
});
add('order: azp mismatch beats expired', {
  options: { authorizedParties: AZP }, token: session('rsa2048', { azp: 'https://evil.example.net', exp: T - 3600 }),
  expected: tiap,
});
add('order: missing azp beats bad issuer', {
  options: { authorizedParties: AZP, ...ISS },
  token: signed('rsa2048', hdr(), without(claims({ iss: 'https://evil.example' }), 'azp')), expected: tiap,
});
// Where the issuer allow-list is checked. Clerk (@clerk/backend 3.x `assertIssuerClaim`) checks iss
// right after azp and before the time claims; portcullis checks it last, after iat (the brief's order).
// Both reject: only the reason of a token that is *also* expired / missing exp differs. Flip this to
// mirror Clerk exactly.
const ISSUER_AFTER_IAT = false; // as @clerk/backend 3.25: iss right after azp
const issuerOrder = (ours) => (ISSUER_AFTER_IAT
  ? { expected: ours, clerk: { result: tiss, why: 'Clerk checks iss right after azp, before exp; we check it last' } }
  : { expected: tiss });
add(`order: ${ISSUER_AFTER_IAT ? 'expired beats bad issuer' : 'bad issuer beats expired'}`, {
  options: ISS, token: session('rsa2048', { iss: 'https://evil.example', exp: T - 3600 }),
  ...issuerOrder('token-expired'),
});
add(`order: ${ISSUER_AFTER_IAT ? 'missing exp beats bad issuer' : 'bad issuer beats missing exp'}`, {
  options: ISS, token: signed('rsa2048', hdr(), without(claims({ iss: 'https://evil.example' }), 'exp')),
  ...issuerOrder(tvf),
});
add(`order: ${ISSUER_AFTER_IAT ? 'iat in the future beats bad issuer' : 'bad issuer beats iat in the future'}`, {
  options: ISS, token: session('rsa2048', { iss: 'https://evil.example', iat: T + 3600 }),
  ...issuerOrder('token-iat-in-the-future'),
});
add('order: expired beats not active yet', {
  token: session('rsa2048', { exp: T - 3600, nbf: T + 3600 }), expected: 'token-expired',
});
add('order: missing exp beats not active yet', {
  token: signed('rsa2048', hdr(), without(claims({ nbf: T + 3600 }), 'exp')), expected: tvf,
});
add('order: not active yet beats iat in the future', {
  token: session('rsa2048', { nbf: T + 3600, iat: T + 3600 }), expected: 'token-not-active-yet',
});
add('order: string nbf beats iat in the future', {
  token: session('rsa2048', { nbf: 'soon', iat: T + 3600 }), expected: tvf,
});

// --- signatures (clerk profile) ----------------------------------------------------------------

const good = session();
add('signature by another key with the same kid (JWKS)', {
  token: jwt({ header: hdr('rsa2048'), payload: claims(), key: 'rsa2048b' }).token, expected: tis,
});
add('signature by another key (PEM)', {
  key: PEM('rsa2048'), token: session('rsa2048b'), expected: tis,
});
add('tampered payload: sub changed after signing', {
  token: withSegment(good, 1, seg(claims({ sub: 'user_2admin00000000000000001' }))), expected: tis,
});
add('tampered payload: exp extended after signing', {
  token: withSegment(session('rsa2048', { exp: T - 3600 }), 1, seg(claims({ exp: T + 3600 }))), expected: tis,
});
add('tampered header: kid changed after signing (PEM)', {
  key: PEM('rsa2048'), token: withSegment(good, 0, seg(hdr('rsa2048', { kid: 'ins_other' }))), expected: tis,
});
add('tampered header: typ removed after signing', {
  token: withSegment(good, 0, seg(without(hdr(), 'typ'))), expected: tis,
});
add('header says RS512 but signed with RS256', {
  token: jwt({ header: hdr('rsa3072', { alg: 'RS512' }), payload: claims(), key: 'rsa3072', alg: 'RS256' }).token,
  expected: tis,
});
add('signature bit flip: first byte', { token: mutateSig(good, (b) => { b[0] ^= 0x80; return b; }), expected: tis });
add('signature bit flip: middle byte', { token: mutateSig(good, (b) => { b[128] ^= 0x01; return b; }), expected: tis });
add('signature bit flip: last byte', { token: mutateSig(good, (b) => { b[255] ^= 0x01; return b; }), expected: tis });
add('payload bit flip (still valid JSON)', {
  token: (() => {
    const parts = good.split('.');
    const json = Buffer.from(parts[1], 'base64url');
    json[json.indexOf('user_2test') + 5] ^= 0x01; // '2' -> '3'
    return withSegment(good, 1, b64u(json));
  })(),
  expected: tis,
});
add('signature truncated by one byte', { token: mutateSig(good, (b) => b.subarray(0, 255)), expected: tis });
add('signature truncated to half', { token: mutateSig(good, (b) => b.subarray(0, 128)), expected: tis });
add('signature with a leading zero byte (257 bytes)', {
  token: mutateSig(good, (b) => Buffer.concat([Buffer.alloc(1), b])), expected: tis,
});
add('empty signature', { token: withSegment(good, 2, ''), expected: tis });
add('all-zero signature', { token: mutateSig(good, (b) => b.fill(0)), expected: tis });
add('signature value above the modulus (all 0xff)', { token: mutateSig(good, (b) => b.fill(0xff)), expected: tis });
add('signature of a different token', {
  token: withSegment(good, 2, session('rsa2048', { sub: 'user_other' }).split('.')[2]), expected: tis,
});
add('order: bad signature beats expired', {
  token: jwt({ header: hdr('rsa2048'), payload: claims({ exp: T - 3600 }), key: 'rsa2048b' }).token, expected: tis,
});
add('order: bad signature beats missing sub', {
  token: mutateSig(signed('rsa2048', hdr(), without(claims(), 'sub')), (b) => { b[10] ^= 4; return b; }),
  expected: tis,
});
add('order: bad signature beats azp mismatch', {
  options: { authorizedParties: AZP },
  token: mutateSig(session('rsa2048', { azp: 'https://evil.example.net' }), (b) => { b[10] ^= 4; return b; }),
  expected: tis,
});

// --- algorithms (clerk profile) ----------------------------------------------------------------

const tia = 'token-invalid-algorithm';
const SPKI_2048 = KEYS.rsa2048.public.export({ type: 'spki', format: 'pem' });
add('alg none with empty signature', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none' }), payload: claims() }).token, expected: tia,
});
add('alg none with the original RS256 signature', {
  token: (() => {
    const parts = good.split('.');
    return [seg(hdr('rsa2048', { alg: 'none' })), parts[1], parts[2]].join('.');
  })(),
  expected: tia,
});
add('alg None (mixed case)', {
  token: jwt({ header: hdr('rsa2048', { alg: 'None' }), payload: claims() }).token, expected: tia,
});
add('alg missing', { token: signed('rsa2048', without(hdr(), 'alg'), claims()), expected: tia });
add('alg lowercase rs256', {
  token: jwt({ header: hdr('rsa2048', { alg: 'rs256' }), payload: claims(), alg: 'RS256' }).token, expected: tia,
});
add('alg is an array', {
  token: jwt({ header: hdr('rsa2048', { alg: ['RS256'] }), payload: claims(), alg: 'RS256' }).token, expected: tia,
});
for (const alg of ['HS256', 'HS384', 'HS512']) {
  add(`${alg} keyed with the public key PEM (algorithm confusion)`, {
    key: alg === 'HS256' ? PEM('rsa2048') : JWKS('clerk'),
    token: jwt({ header: hdr('rsa2048', { alg }), payload: claims(), key: SPKI_2048 }).token, expected: tia,
  });
}
add('PS256 signed by the instance key', {
  token: jwt({ header: hdr('rsa2048', { alg: 'PS256' }), payload: claims() }).token, expected: tia,
  note: 'deterministic PSS (salt length 0)',
});
add('ES256 on the clerk profile', {
  key: JWKS('clerk-mixed'), token: jwt({ header: hdr('p256', { alg: 'ES256' }), payload: claims(), key: 'p256' }).token,
  expected: tia,
});
add('EdDSA on the clerk profile', {
  key: JWKS('clerk-mixed'),
  token: jwt({ header: hdr('ed25519', { alg: 'EdDSA' }), payload: claims(), key: 'ed25519' }).token, expected: tia,
});
add('RS256 header with the kid of an EC key', {
  key: JWKS('clerk-mixed'), token: jwt({ header: hdr('p256'), payload: claims(), key: 'rsa2048' }).token,
  expected: tia,
  clerk: {
    result: tvf,
    why: 'Clerk hands the EC JWK to WebCrypto as an RSA key; the import throws, which it reports as '
      + 'token-verification-failed',
  },
});
add('RS256 header with the kid of an Ed25519 JWK without alg', {
  key: JWKS('clerk-mixed'), token: jwt({ header: hdr('ed25519'), payload: claims(), key: 'rsa2048' }).token,
  expected: tia,
  clerk: { result: tvf, why: 'Clerk hands the OKP JWK to WebCrypto as an RSA key; the import throws' },
});
add('RS512 with a JWK pinned to RS256', {
  token: signed('rsa2048', hdr('rsa2048', { alg: 'RS512' }), claims()), expected: tia,
  clerk: {
    result: tvf,
    why: 'Clerk does not compare alg with the JWK alg itself; WebCrypto refuses the import and Clerk reports '
      + 'token-verification-failed',
  },
});
add('RS384 with a JWK pinned to RS256', {
  token: signed('rsa2048', hdr('rsa2048', { alg: 'RS384' }), claims()), expected: tia,
  clerk: { result: tvf, why: 'WebCrypto refuses a JWK whose alg differs from the requested hash' },
});
add('RS256 with a JWK pinned to RS512', {
  key: JWKS('clerk-large'), token: session('rsa4096'), expected: tia,
  clerk: { result: tvf, why: 'WebCrypto refuses a JWK whose alg differs from the requested hash' },
});
add('order: alg none beats an unknown kid', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none', kid: 'ins_unknown' }), payload: claims() }).token,
  expected: tia,
  clerk: {
    result: 'jwk-kid-mismatch',
    why: 'Clerk resolves the key before it looks at alg; we check the header first',
  },
});
add('order: HS256 beats an unknown kid', {
  token: jwt({ header: hdr('rsa2048', { alg: 'HS256', kid: 'ins_unknown' }), payload: claims(), key: SPKI_2048 }).token,
  expected: tia,
  clerk: { result: 'jwk-kid-mismatch', why: 'Clerk resolves the key before it looks at alg' },
});
add('order: alg none beats an expired token', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none' }), payload: claims({ exp: T - 3600 }) }).token, expected: tia,
});

// --- structure and encoding (token-invalid) -----------------------------------------------------

const ti = 'token-invalid';
const [gh, gp, gs] = good.split('.');
add('empty token', { token: '', expected: ti });
add('one part', { token: gh, expected: ti });
add('two parts', { token: `${gh}.${gp}`, expected: ti });
add('four parts', { token: `${good}.${gs}`, expected: ti });
add('five parts (JWE shape)', { token: `${gh}..${gp}.${gs}.${gs.slice(0, 22)}`, expected: ti });
add('trailing dot', { token: `${good}.`, expected: ti });
add('empty header segment', { token: jwt({ h: '', payload: claims() }).token, expected: ti });
add('empty payload segment', { token: jwt({ header: hdr(), p: '' }).token, expected: ti });
add('header is not JSON', { token: jwt({ header: 'alg=RS256', payload: claims(), alg: 'RS256' }).token, expected: ti });
add('payload is not JSON', { token: jwt({ header: hdr(), payload: 'sub=user_a' }).token, expected: ti });
add('payload JSON with trailing data', {
  token: jwt({ header: hdr(), payload: `${JSON.stringify(claims())} x` }).token, expected: ti,
});
add('header JSON with a trailing comma', {
  token: jwt({ header: `{"alg":"RS256","kid":"${kidOf('rsa2048')}",}`, payload: claims(), alg: 'RS256' }).token,
  expected: ti,
});
add('header is a JSON array', {
  key: PEM('rsa2048'), token: jwt({ header: '["RS256"]', payload: claims(), alg: 'RS256' }).token, expected: ti,
  clerk: { result: tia, why: 'Clerk reads header.alg of the array (undefined)' },
});
add('header is JSON null', {
  token: jwt({ header: 'null', payload: claims(), alg: 'RS256' }).token, expected: ti,
  clerk: { throws: 'TypeError', why: 'Clerk destructures the null header and throws instead of returning a reason' },
});
add('header is a JSON string', {
  key: PEM('rsa2048'), token: jwt({ header: '"RS256"', payload: claims(), alg: 'RS256' }).token, expected: ti,
  clerk: { result: tia, why: 'Clerk reads .alg of the string (undefined)' },
});
add('payload is a JSON array', {
  token: jwt({ header: hdr(), payload: JSON.stringify([claims()]) }).token, expected: ti,
  clerk: { result: tvf, why: 'Clerk reads .sub of the array (undefined)' },
});
add('payload is JSON null', {
  token: jwt({ header: hdr(), payload: 'null' }).token, expected: ti,
  clerk: { throws: 'TypeError', why: 'Clerk destructures the null payload and throws instead of returning a reason' },
});
add('payload is a JSON number', {
  token: jwt({ header: hdr(), payload: '1767225650' }).token, expected: ti,
  clerk: { result: tvf, why: 'Clerk reads .sub of the number (undefined)' },
});
add('payload is a JSON string', {
  token: jwt({ header: hdr(), payload: '"user_a"' }).token, expected: ti,
  clerk: { result: tvf, why: 'Clerk reads .sub of the string (undefined)' },
});
add('duplicate alg in header (none, then RS256)', {
  token: jwt({
    header: `{"alg":"none","alg":"RS256","kid":"${kidOf('rsa2048')}","typ":"JWT"}`, payload: claims(), alg: 'RS256',
  }).token,
  expected: ti,
  clerk: { result: 'ok', why: 'JSON.parse keeps the last duplicate; parsers that keep the first would see alg none' },
});
add('duplicate kid in header', {
  token: jwt({
    header: `{"alg":"RS256","kid":"ins_other","kid":"${kidOf('rsa2048')}","typ":"JWT"}`,
    payload: claims(),
    alg: 'RS256',
  }).token,
  expected: ti, clerk: { result: 'ok', why: 'JSON.parse keeps the last duplicate' },
});
add('duplicate sub in payload', {
  token: jwt({ header: hdr(), payload: JSON.stringify(claims()).replace('"sub":', '"sub":"user_2admin","sub":') })
    .token,
  expected: ti, clerk: { result: 'ok', why: 'JSON.parse keeps the last duplicate' },
});
add('duplicate exp in payload (expired first, valid last)', {
  token: jwt({ header: hdr(), payload: JSON.stringify(claims()).replace('"exp":', `"exp":${T - 3600},"exp":`) }).token,
  expected: ti, clerk: { result: 'ok', why: 'JSON.parse keeps the last duplicate' },
});
add('duplicate sub in payload spelled with a \\u escape', {
  token: jwt({ header: hdr(), payload: JSON.stringify(claims()).replace('"sub":', '"s\\u0075b":"user_2admin","sub":') })
    .token,
  expected: ti, clerk: { result: 'ok', why: 'JSON.parse keeps the last duplicate' },
  note: 'keys are compared after unescaping',
});
add('payload with invalid UTF-8', {
  token: (() => {
    const bytes = Buffer.from(JSON.stringify(claims({ name: 'a~b' })));
    bytes[bytes.indexOf('a~b') + 1] = 0xff;
    return jwt({ header: hdr(), payload: bytes }).token;
  })(),
  expected: ti,
  clerk: { result: 'ok', why: "Clerk's TextDecoder replaces invalid UTF-8 with U+FFFD" },
});
add('payload starts with a UTF-8 BOM', {
  token: jwt({
    header: hdr(),
    payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(claims()))]),
  }).token,
  expected: ti,
  clerk: { result: 'ok', why: "Clerk's TextDecoder silently strips a leading BOM" },
});
// base64url strictness: the same validly signed content, encoded loosely.
const padded = (s) => s + '='.repeat((4 - (s.length % 4)) % 4);
{
  // A header whose segment needs padding (length % 4 != 0), signed over the padded text.
  let extra = 'p';
  while (seg(hdr('rsa2048', { x: extra })).length % 4 === 0) extra += 'p';
  const h = seg(hdr('rsa2048', { x: extra }));
  add('padded header segment', {
    token: jwt({ h: padded(h), payload: claims() }).token, expected: ti,
    clerk: { result: 'ok', why: 'Clerk decodes base64url loosely: trailing = padding is tolerated' },
  });
  add('non-canonical trailing bits in header', {
    token: jwt({ h: nonCanonical(h), payload: claims() }).token, expected: ti,
  });
}
{
  let extra = '';
  while (seg(claims({ x: extra })).length % 4 === 0) extra += 'x';
  const p = seg(claims({ x: extra }));
  add('padded payload segment', {
    token: jwt({ header: hdr(), p: padded(p) }).token, expected: ti,
    clerk: { result: 'ok', why: 'Clerk tolerates = padding' },
  });
  add('non-canonical trailing bits in payload', {
    token: jwt({ header: hdr(), p: nonCanonical(p) }).token, expected: ti,
  });
}
add('padded signature segment', {
  token: `${good}==`, expected: ti, clerk: { result: 'ok', why: 'Clerk tolerates = padding' },
});
add('over-padded signature segment', {
  token: `${good}====`, expected: ti, clerk: { result: 'ok', why: 'Clerk strips any number of trailing =' },
});
add('non-canonical trailing bits in signature', { token: withSegment(good, 2, nonCanonical(gs)), expected: ti });
add('signature in standard base64 alphabet (+ and /)', {
  token: withSegment(good, 2, Buffer.from(gs, 'base64url').toString('base64').replace(/=+$/, '')), expected: ti,
});
add('payload in standard base64 alphabet (+ and /)', {
  token: (() => {
    let extra = '';
    for (;;) {
      const std = Buffer.from(JSON.stringify(claims({ x: `~~~${extra}` }))).toString('base64').replace(/=+$/, '');
      if (/[+/]/.test(std)) return jwt({ header: hdr(), p: std }).token;
      extra += '?';
    }
  })(),
  expected: ti,
});
add('space inside the signature', {
  token: withSegment(good, 2, `${gs.slice(0, 100)} ${gs.slice(100)}`), expected: ti,
});
add('newline at the end of the token', { token: `${good}\n`, expected: ti });
add('leading space', { token: ` ${good}`, expected: ti });
add('tab between segments', { token: `${gh}.\t${gp}.${gs}`, expected: ti });
add('signature with three extra characters (length % 4 == 1)', { token: `${good}AAA`, expected: ti });
add('signature with one extra A (a valid encoding of one more zero byte)', {
  token: `${good}A`, expected: tis, note: 'a 342-character canonical segment plus A is still canonical: 257 bytes',
});
add('= inside a segment', { token: withSegment(good, 2, `${gs.slice(0, 40)}=${gs.slice(40)}`), expected: ti });
add('invalid character * in payload', {
  token: withSegment(good, 1, `${gp.slice(0, 10)}*${gp.slice(11)}`), expected: ti,
});
add('token one byte over 16 KiB', {
  token: over16k, expected: ti,
  clerk: { result: 'ok', why: 'Clerk has no size limit; we cap tokens at 16384 bytes before decoding' },
});
// typ and cat
add('typ is lowercase jwt', { token: session('rsa2048', {}, { typ: 'jwt' }), expected: ti });
add('typ is at+jwt', { token: session('rsa2048', {}, { typ: 'at+jwt' }), expected: ti });
add('typ is JWS', { token: session('rsa2048', {}, { typ: 'JWS' }), expected: ti });
add('typ is null', { token: session('rsa2048', {}, { typ: null }), expected: ti });
add('typ is an array', { token: session('rsa2048', {}, { typ: ['JWT'] }), expected: ti });
add('cat is the M2M category', { token: session('rsa2048', {}, { cat: CAT.m2m }), expected: ti });
add('cat is the M2M category with an unknown kid', {
  token: session('rsa2048', {}, { cat: CAT.m2m, kid: 'ins_unknown' }), expected: ti,
  note: 'Clerk also rejects the M2M category before key resolution',
});
add('cat is the JWT-template category', {
  token: session('rsa2048', {}, { cat: CAT.template }), expected: ti,
  clerk: {
    result: 'ok',
    why: "Clerk's verifyToken only rejects the M2M category; authenticateRequest rejects other non-session "
      + "categories later, we do it in the verifier",
  },
});
add('cat is an unknown string', {
  token: session('rsa2048', {}, { cat: 'cl_unknown' }), expected: ti,
  clerk: { result: 'ok', why: 'only the M2M category is rejected by verifyToken' },
});
add('cat is an empty string', {
  token: session('rsa2048', {}, { cat: '' }), expected: ti,
  clerk: {
    result: 'ok',
    why: 'only the M2M category is rejected by verifyToken (isNonSessionJwtCategory treats "" as non-session)',
  },
});
add('cat is null', {
  token: session('rsa2048', {}, { cat: null }), expected: ti,
  clerk: {
    result: 'ok',
    why: 'only the M2M category is rejected by verifyToken (isNonSessionJwtCategory treats null as '
      + 'non-session)',
  },
});
add('cat is a number', {
  token: session('rsa2048', {}, { cat: 1 }), expected: ti,
  clerk: { result: 'ok', why: 'only the M2M category is rejected by verifyToken' },
});
add('order: bad typ beats alg none', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none', typ: 'at+jwt' }), payload: claims() }).token, expected: ti,
});
add('order: M2M category beats alg none', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none', cat: CAT.m2m }), payload: claims() }).token, expected: ti,
});
add('order: bad typ beats an unknown kid', {
  token: session('rsa2048', {}, { typ: 'at+jwt', kid: 'ins_unknown' }), expected: ti,
  clerk: { result: 'jwk-kid-mismatch', why: 'Clerk resolves the key before checking typ' },
});
add('order: malformed payload beats alg none', {
  token: jwt({ header: hdr('rsa2048', { alg: 'none' }), payload: '[1]' }).token, expected: ti,
  clerk: { result: tia, why: 'Clerk accepts a non-object payload at parse time' },
});
add('order: padding beats a bad signature', {
  token: `${mutateSig(good, (b) => { b[0] ^= 1; return b; })}==`, expected: ti,
  clerk: { result: tis, why: 'Clerk tolerates = padding' },
});

// --- key resolution ----------------------------------------------------------------------------

const kidMismatch = 'jwk-kid-mismatch';
add('kid not in JWKS', { token: session('rsa2048', {}, { kid: 'ins_unknown' }), expected: kidMismatch });
add('kid missing with a JWKS', { token: signed('rsa2048', without(hdr(), 'kid'), claims()), expected: kidMismatch });
add('kid differs by case', {
  token: session('rsa2048', {}, { kid: kidOf('rsa2048').toUpperCase() }), expected: kidMismatch,
});
add('kid with a path traversal', {
  token: session('rsa2048', {}, { kid: '../../../../etc/passwd' }), expected: kidMismatch,
});
add('kid of the attacker key (not in JWKS)', { token: session('rsa2048b'), expected: kidMismatch });
add('order: unknown kid beats a bad signature', {
  token: mutateSig(session('rsa2048', {}, { kid: 'ins_unknown' }), (b) => { b[0] ^= 1; return b; }),
  expected: kidMismatch,
});
add('order: unknown kid beats expired', {
  token: session('rsa2048', { exp: T - 3600 }, { kid: 'ins_unknown' }), expected: kidMismatch,
});
add('valid: RSA-2048 key in a JWKS that also holds an RSA-1024 key', {
  key: JWKS('clerk-weak'), token: session('rsa2048'), expected: 'ok',
  note: 'an unusable key does not poison the rest of the set',
});
add('RSA-1024 key in the JWKS', {
  key: JWKS('clerk-weak'), token: session('rsa1024'), expected: 'jwk-remote-invalid',
  clerk: { result: 'ok', why: 'Clerk (WebCrypto) accepts RSA keys under 2048 bits; we refuse them' },
});
add('RSA-1024 PEM', {
  key: PEM('rsa1024'), token: session('rsa1024'), expected: 'jwk-local-invalid',
  clerk: {
    result: tis,
    why: "Clerk's PEM loader only handles RSA-2048 SPKI (a garbage modulus otherwise); we refuse keys under "
      + "2048 bits",
  },
});
add('order: alg none beats an unusable PEM', {
  key: PEM('rsa1024'), token: jwt({ header: hdr('rsa1024', { alg: 'none' }), payload: claims() }).token,
  expected: tia,
});
add('order: unusable PEM beats expired', {
  key: PEM('rsa1024'), token: session('rsa1024', { exp: T - 3600 }), expected: 'jwk-local-invalid',
  clerk: {
    result: tis,
    why: "Clerk's PEM loader only handles RSA-2048 SPKI (a garbage modulus otherwise); we refuse keys under "
      + "2048 bits",
  },
});
const attackerJwk = () => without(publicJwk('rsa2048b'), 'kid', 'use');
add('embedded jwk header (attacker key) with a kid in the JWKS', {
  token: jwt({ header: hdr('rsa2048', { jwk: attackerJwk() }), payload: claims(), key: 'rsa2048b' }).token,
  expected: tis, note: 'embedded keys are never used',
});
add('embedded jwk header (attacker key) with a kid not in the JWKS', {
  token: jwt({ header: hdr('rsa2048b', { jwk: attackerJwk() }), payload: claims(), key: 'rsa2048b' }).token,
  expected: kidMismatch,
});
add('embedded jwk header (attacker key) without kid', {
  token: jwt({ header: without(hdr('rsa2048b', { jwk: attackerJwk() }), 'kid'), payload: claims(), key: 'rsa2048b' })
    .token,
  expected: kidMismatch,
});
add('jku header pointing at an attacker JWKS', {
  token: jwt({
    header: hdr('rsa2048', { jku: 'https://evil.example.net/jwks.json' }), payload: claims(), key: 'rsa2048b',
  }).token,
  expected: tis,
});
add('x5u header pointing at an attacker certificate', {
  token: jwt({
    header: hdr('rsa2048', { x5u: 'https://evil.example.net/cert.pem' }), payload: claims(), key: 'rsa2048b',
  }).token,
  expected: tis,
});
add('x5c header carrying attacker key material', {
  token: jwt({
    header: hdr('rsa2048', { x5c: [KEYS.rsa2048b.public.export({ type: 'spki', format: 'der' }).toString('base64')] }),
    payload: claims(), key: 'rsa2048b',
  }).token,
  expected: tis,
});
add('embedded jwk with the PEM key configured', {
  key: PEM('rsa2048'),
  token: jwt({ header: hdr('rsa2048b', { jwk: attackerJwk() }), payload: claims(), key: 'rsa2048b' }).token,
  expected: tis,
});

// --- RFC 7515 Appendix A ------------------------------------------------------------------------

const beforeRfcExp = (RFC_EXP - 60) * 1000;
add('RFC 7515 A.2 (RS256) before its exp: no sub', {
  key: PEM('rfc7515a2'), now: beforeRfcExp, token: RFC_A2_TOKEN, expected: tvf,
  note: 'the signature verifies with the RFC key; the example payload has no sub',
});
add('RFC 7515 A.2 (RS256) at the fixed now: no sub is reported before expiry', {
  key: PEM('rfc7515a2'), token: RFC_A2_TOKEN, expected: tvf,
});
add('RFC 7515 A.2 (RS256) with a JWKS: no kid', {
  key: JWKS('rfc'), now: beforeRfcExp, token: RFC_A2_TOKEN, expected: kidMismatch,
});
add('RFC 7515 A.2 (RS256) with one signature bit flipped', {
  key: PEM('rfc7515a2'), now: beforeRfcExp, token: mutateSig(RFC_A2_TOKEN, (b) => { b[17] ^= 0x10; return b; }),
  expected: tis,
});
add('RFC 7515 A.2 (RS256) on the oidc profile: no sub', {
  profile: 'oidc', key: PEM('rfc7515a2'), now: beforeRfcExp, token: RFC_A2_TOKEN, expected: tvf,
});
const a3Sig = Buffer.from(RFC_A3_TOKEN.split('.')[2], 'base64url');
const a3S = toInt(a3Sig.subarray(32));
if (!(a3S > N / 2n)) throw new Error('expected the RFC 7515 A.3 signature to be high-S');
const RFC_A3_LOW_S = withSegment(RFC_A3_TOKEN, 2, b64u(Buffer.concat([a3Sig.subarray(0, 32), to32(N - a3S)])));
add('RFC 7515 A.3 (ES256) as published (its S is high): no sub', {
  profile: 'oidc', key: PEM('rfc7515a3'), now: beforeRfcExp, token: RFC_A3_TOKEN, expected: tvf,
  note: 'high-S ECDSA is valid JWS (RFC 7518 does not ask for low-S, and OpenSSL/WebCrypto signers emit it half the time)',
});
add('RFC 7515 A.3 (ES256) with S normalised to low-S: no sub', {
  profile: 'oidc', key: PEM('rfc7515a3'), now: beforeRfcExp, token: RFC_A3_LOW_S, expected: tvf,
});
add('RFC 7515 A.3 (ES256) low-S with a JWKS: no kid', {
  profile: 'oidc', key: JWKS('rfc'), now: beforeRfcExp, token: RFC_A3_LOW_S, expected: kidMismatch,
});
add('RFC 7515 A.3 (ES256) on the clerk profile', {
  key: PEM('rfc7515a3'), now: beforeRfcExp, token: RFC_A3_LOW_S, expected: tia,
});
const rfcClaims = () => ({ iss: 'joe', sub: 'joe', exp: T + 50, 'http://example.com/is_root': true });
add('RFC 7515 A.3 key: our ES256 token with sub (PEM)', {
  profile: 'oidc', key: PEM('rfc7515a3'),
  token: jwt({ header: { alg: 'ES256' }, payload: rfcClaims(), key: 'rfc7515a3' }).token,
  expected: 'ok',
});
add('RFC 7515 A.3 key: our ES256 token with sub and kid (JWKS)', {
  profile: 'oidc', key: JWKS('rfc'),
  token: jwt({ header: { alg: 'ES256', kid: 'rfc7515-a3' }, payload: rfcClaims(), key: 'rfc7515a3' }).token,
  expected: 'ok',
});
add('RFC 7515 A.3 key: our ES256 token, expired', {
  profile: 'oidc', key: PEM('rfc7515a3'),
  token: jwt({ header: { alg: 'ES256' }, payload: { ...rfcClaims(), exp: RFC_EXP }, key: 'rfc7515a3' }).token,
  expected: 'token-expired',
});

// --- oidc profile --------------------------------------------------------------------------------

const oidcHdr = (key, alg, extra = {}) => ({ alg, kid: kidOf(key), typ: 'JWT', ...extra });
const oidcClaims = (extra = {}) => ({
  iss: 'https://issuer.example.com', sub: 'user-42', aud: 'client-abc', exp: T + 300, iat: T - 10, nbf: T - 10,
  ...extra,
});
const oidc = (key, alg, extraClaims = {}, extraHeader = {}) =>
  jwt({ header: oidcHdr(key, alg, extraHeader), payload: oidcClaims(extraClaims), key }).token;
const O = { profile: 'oidc', key: JWKS('oidc') };
const goodEs = oidc('p256', 'ES256');
const goodEd = oidc('ed25519', 'EdDSA');

add('oidc: valid RS256', { ...O, token: oidc('rsa2048', 'RS256'), expected: 'ok' });
add('oidc: valid RS384 (JWK without alg)', { ...O, token: oidc('rsa3072', 'RS384'), expected: 'ok' });
add('oidc: valid ES256', { ...O, token: goodEs, expected: 'ok' });
add('oidc: valid EdDSA', { ...O, token: goodEd, expected: 'ok' });
add('oidc: valid ES256 (PEM)', { ...O, key: PEM('p256'), token: goodEs, expected: 'ok' });
add('oidc: valid EdDSA (PEM)', { ...O, key: PEM('ed25519'), token: goodEd, expected: 'ok' });
add('oidc: valid with audience, issuer and authorized party', {
  ...O, options: { audience: 'client-abc', issuer: ['https://issuer.example.com'], authorizedParties: ['client-abc'] },
  token: oidc('p256', 'ES256', { azp: 'client-abc' }), expected: 'ok',
});
add('oidc: valid with the JWT-template category', {
  ...O, token: oidc('rsa2048', 'RS256', {}, { cat: CAT.template }), expected: 'ok',
  note: 'only the session (clerk) profile requires a session category',
});
add('oidc: M2M category', { ...O, token: oidc('rsa2048', 'RS256', {}, { cat: CAT.m2m }), expected: ti });
add('oidc: sub missing', {
  ...O, token: jwt({ header: oidcHdr('p256', 'ES256'), payload: without(oidcClaims(), 'sub'), key: 'p256' }).token,
  expected: tvf,
});
add('oidc: expired ES256', { ...O, token: oidc('p256', 'ES256', { exp: T - 10 }), expected: 'token-expired' });
add('oidc: EdDSA not active yet', {
  ...O, token: oidc('ed25519', 'EdDSA', { nbf: T + 60 }), expected: 'token-not-active-yet',
});
add('oidc: audience mismatch', {
  ...O, options: { audience: 'client-xyz' }, token: goodEs, expected: tvf,
});
add('oidc: issuer mismatch', {
  ...O, options: { issuer: ['https://other-issuer.example.com'] }, token: goodEd, expected: tiss,
});
add('oidc: alg none', {
  ...O, token: jwt({ header: oidcHdr('p256', 'none'), payload: oidcClaims() }).token, expected: tia,
});
add('oidc: HS256 keyed with the public key', {
  ...O, token: jwt({ header: oidcHdr('rsa2048', 'HS256'), payload: oidcClaims(), key: SPKI_2048 }).token, expected: tia,
});
add('oidc: PS256', { ...O, token: oidc('rsa2048', 'PS256'), expected: tia });
add('oidc: ES384 with a P-256 key', {
  ...O, token: jwt({ header: oidcHdr('p256', 'ES384'), payload: oidcClaims(), key: 'p256', alg: 'ES256' }).token,
  expected: tia,
});
add('oidc: ES256 with the kid of an RSA key', {
  ...O, token: jwt({ header: oidcHdr('rsa3072', 'ES256'), payload: oidcClaims(), key: 'p256' }).token, expected: tia,
});
add('oidc: ES256 with the kid of an Ed25519 key', {
  ...O, token: jwt({ header: oidcHdr('ed25519', 'ES256'), payload: oidcClaims(), key: 'p256' }).token, expected: tia,
});
add('oidc: EdDSA with the kid of a P-256 key', {
  ...O, token: jwt({ header: oidcHdr('p256', 'EdDSA'), payload: oidcClaims(), key: 'ed25519' }).token, expected: tia,
});
add('oidc: RS256 with the kid of an Ed25519 key', {
  ...O, token: jwt({ header: oidcHdr('ed25519', 'RS256'), payload: oidcClaims(), key: 'rsa2048' }).token, expected: tia,
});
add('oidc: RS384 with a JWK pinned to RS256', { ...O, token: oidc('rsa2048', 'RS384'), expected: tia });
add('oidc: ES256 with a PEM RSA key', { ...O, key: PEM('rsa2048'), token: goodEs, expected: tia });
add('oidc: EdDSA with a PEM P-256 key', { ...O, key: PEM('p256'), token: goodEd, expected: tia });
add('oidc: kid not in JWKS', { ...O, token: oidc('p256b', 'ES256'), expected: kidMismatch });

// ECDSA signature attacks.
const [eh, ep, es] = goodEs.split('.');
const esBytes = Buffer.from(es, 'base64url');
const esR = toInt(esBytes.subarray(0, 32));
const esS = toInt(esBytes.subarray(32));
if (esS > N / 2n) throw new Error('ES256 signer must produce low-S');
const withRS = (r, s) => `${eh}.${ep}.${b64u(Buffer.concat([r, s]))}`;
add('oidc: ES256 high-S (n - s) of a valid signature', {
  ...O, token: withRS(to32(esR), to32(N - esS)), expected: 'ok',
  note: 'valid ECDSA; rejecting high-S would refuse about half of the ES256 tokens real issuers sign',
});
add('oidc: ES256 r = 0', { ...O, token: withRS(to32(0n), to32(esS)), expected: tis });
add('oidc: ES256 s = 0', { ...O, token: withRS(to32(esR), to32(0n)), expected: tis });
add('oidc: ES256 r = s = 0 (psychic signature)', { ...O, token: withRS(to32(0n), to32(0n)), expected: tis });
add('oidc: ES256 s = n', { ...O, token: withRS(to32(esR), to32(N)), expected: tis });
add('oidc: ES256 s = 2^256 - 1 (above n)', { ...O, token: withRS(to32(esR), to32((1n << 256n) - 1n)), expected: tis });
add('oidc: ES256 r = n', { ...O, token: withRS(to32(N), to32(esS)), expected: tis });
add('oidc: ES256 r = 2^256 - 1 (above n)', { ...O, token: withRS(to32((1n << 256n) - 1n), to32(esS)), expected: tis });
add('oidc: ES256 signature DER-encoded', {
  ...O,
  token: (() => {
    const int = (x) => {
      let b = to32(x);
      while (b.length > 1 && b[0] === 0 && b[1] < 0x80) b = b.subarray(1);
      if (b[0] >= 0x80) b = Buffer.concat([Buffer.alloc(1), b]);
      return Buffer.concat([Buffer.from([0x02, b.length]), b]);
    };
    const body = Buffer.concat([int(esR), int(esS)]);
    return `${eh}.${ep}.${b64u(Buffer.concat([Buffer.from([0x30, body.length]), body]))}`;
  })(),
  expected: tis,
});
add('oidc: ES256 signature 63 bytes', { ...O, token: `${eh}.${ep}.${b64u(esBytes.subarray(0, 63))}`, expected: tis });
add('oidc: ES256 signature 65 bytes', {
  ...O, token: `${eh}.${ep}.${b64u(Buffer.concat([esBytes, Buffer.alloc(1)]))}`, expected: tis,
});
add('oidc: ES256 bit flip', {
  ...O, token: mutateSig(goodEs, (b) => { b[40] ^= 0x02; return b; }), expected: tis,
});
add('oidc: ES256 by another P-256 key with the same kid', {
  ...O, token: jwt({ header: oidcHdr('p256', 'ES256'), payload: oidcClaims(), key: 'p256b' }).token, expected: tis,
});
add('oidc: ES256 tampered payload', {
  ...O, token: `${eh}.${seg(oidcClaims({ sub: 'admin' }))}.${es}`, expected: tis,
});
add('oidc: ES256 embedded jwk (attacker key) with a kid in the JWKS', {
  ...O,
  token: jwt({
    header: oidcHdr('p256', 'ES256', { jwk: without(publicJwk('p256b'), 'kid', 'use', 'alg') }),
    payload: oidcClaims(), key: 'p256b',
  }).token,
  expected: tis,
});
add('oidc: ES256 embedded jwk (attacker key) with a kid not in the JWKS', {
  ...O,
  token: jwt({
    header: oidcHdr('p256b', 'ES256', { jwk: without(publicJwk('p256b'), 'kid', 'use', 'alg') }),
    payload: oidcClaims(), key: 'p256b',
  }).token,
  expected: kidMismatch,
});

// EdDSA signature attacks.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
add('oidc: EdDSA bit flip', { ...O, token: mutateSig(goodEd, (b) => { b[5] ^= 0x01; return b; }), expected: tis });
add('oidc: EdDSA non-canonical S (S + L)', {
  ...O,
  token: mutateSig(goodEd, (b) => {
    const s = toInt(Buffer.from(b.subarray(32)).reverse()) + L;
    return Buffer.concat([b.subarray(0, 32), to32(s).reverse()]);
  }),
  expected: tis,
});
add('oidc: EdDSA by another Ed25519 key with the same kid', {
  ...O, token: jwt({ header: oidcHdr('ed25519', 'EdDSA'), payload: oidcClaims(), key: 'ed25519b' }).token,
  expected: tis,
});
add('oidc: EdDSA signature 63 bytes', { ...O, token: mutateSig(goodEd, (b) => b.subarray(0, 63)), expected: tis });
add('oidc: EdDSA all-zero signature', { ...O, token: mutateSig(goodEd, (b) => b.fill(0)), expected: tis });
add('oidc: EdDSA tampered header', {
  ...O, token: withSegment(goodEd, 0, seg(oidcHdr('ed25519', 'EdDSA', { typ: 'JWT', x: 1 }))), expected: tis,
});

// ---------------------------------------------------------------------------------------------------
// Self-checks against node:crypto, then write.

/** Does node:crypto accept the token's signature under the named key (ignoring our policies)? */
function nodeVerifies(token, keyName, alg) {
  const [h, p, s] = token.split('.');
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const key = KEYS[keyName].public;
  if (alg.startsWith('RS')) return verify(HASH[alg.slice(2)], data, key, sig);
  if (alg === 'ES256') return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  if (alg === 'EdDSA') return verify(null, data, key, sig);
  throw new Error(alg);
}
const check = (cond, what) => { if (!cond) throw new Error(`self-check failed: ${what}`); };
check(nodeVerifies(RFC_A2_TOKEN, 'rfc7515a2', 'RS256'), 'RFC 7515 A.2 verifies');
check(nodeVerifies(RFC_A3_TOKEN, 'rfc7515a3', 'ES256'), 'RFC 7515 A.3 verifies');
check(nodeVerifies(RFC_A3_LOW_S, 'rfc7515a3', 'ES256'), 'RFC 7515 A.3 low-S twin verifies');
check(nodeVerifies(goodEs, 'p256', 'ES256'), 'ES256 (RFC 6979) verifies');
check(nodeVerifies(withRS(to32(esR), to32(N - esS)), 'p256', 'ES256'), 'high-S twin verifies in OpenSSL');
check(nodeVerifies(goodEd, 'ed25519', 'EdDSA'), 'EdDSA verifies');
check(!nodeVerifies(cases.find((c) => c.name === 'oidc: EdDSA non-canonical S (S + L)').token, 'ed25519', 'EdDSA'),
  'OpenSSL rejects S + L');
check(/[-_]/.test(gs), 'the reference signature uses - or _ (for the standard-alphabet case)');
check(at16k.length === MAX_TOKEN_BYTES && over16k.length === MAX_TOKEN_BYTES + 1, 'size cases');
for (const c of cases) {
  // Every case expected to pass must verify under node:crypto with the key it names, and every
  // token-invalid-signature case must really fail (so no "tampered" token is accidentally valid).
  if (!c.expected.ok && c.expected.reason !== tis) continue;
  const header = JSON.parse(Buffer.from(c.token.split('.')[0], 'base64url'));
  const keyName = c.key.pem ?? JWKS_SETS[c.key.jwks].find((k) => SPEC[k].kid === header.kid);
  check(keyName, `${c.name}: key resolves`);
  const verifies = nodeVerifies(c.token, keyName, header.alg);
  check(verifies === (c.expected.ok === true), `${c.name}: node:crypto agrees`);
}

const keysOut = {};
for (const name of [...Object.keys(KEY_SPECS), ...Object.keys(RFC_KEYS)]) {
  const { private: priv, public: pub } = KEYS[name];
  keysOut[name] = {
    about: SPEC[name].about,
    jwk: publicJwk(name),
    spkiPem: pub.export({ type: 'spki', format: 'pem' }),
    pkcs8Pem: priv && name !== 'rfc7515a2' ? priv.export({ type: 'pkcs8', format: 'pem' }) : null,
  };
}
const jwksOut = Object.fromEntries(Object.entries(JWKS_SETS).map(([set, members]) =>
  [set, { keys: members.map((name) => publicJwk(name)) }]));

const out = {
  description: 'JWT verification vectors for portcullis (generated by scripts/gen-token-vectors.js; '
    + 'checked against Clerk by tests/js/token-vectors-clerk.test.js). Profiles: "clerk" = session tokens '
    + '(RS256/384/512, session category); "oidc" = adds ES256 (P-256, low-S only) and EdDSA (Ed25519). '
    + 'Check order: parse (size, 3 parts, strict base64url, JSON objects without duplicate keys) → header '
    + '(cat, typ, alg allowed for profile) → key by kid → alg vs key → signature → claims sub, aud, azp, '
    + 'exp, nbf, iat, iss. A case\'s "clerk" member is what Clerk\'s verifyToken says where we deliberately differ.',
  warning: 'TEST-ONLY KEYS: the private keys below are published test fixtures. Never use them for anything real.',
  now: NOW,
  keys: keysOut,
  jwks: jwksOut,
  cases,
};
writeFileSync(OUT, JSON.stringify(out, null, 2) + '\n');

const byReason = {};
for (const c of cases) {
  const r = c.expected.ok ? 'ok' : c.expected.reason;
  byReason[r] = (byReason[r] ?? 0) + 1;
}
console.log(`wrote ${cases.length} cases to tests/data/token-vectors.json (${REUSE ? 'keys reused' : 'fresh keys'})`);
console.log(byReason);
