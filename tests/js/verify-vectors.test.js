/**
 * Every case of tests/data/token-vectors.json through the public `verifyToken`, over real HTTP for the
 * JWKS cases (tests/js/support/bapi-standin.js on 127.0.0.1).
 *
 * - PEM cases pass the key's SPKI PEM as `jwtKey`.
 * - JWKS cases alternate between our `jwksUrl` (a public JWKS URL) and Clerk's `secretKey` + `apiUrl`
 *   (the Backend API's `/v1/jwks`, with the bearer secret checked by the stand-in).
 * - Each case runs at its own `now` (the injected clock), with its options and profile.
 *
 * Passes: (1) WebCrypto, state shared between cases as in a real process; (2) every case twice in a
 * row, so verified-token cache hits must give the same answers; (3) the Rust fallback
 * (no `crypto.subtle`), every case in a fresh state; (4) signature bit flips on every valid case,
 * WebCrypto and Rust fallback, must all give `token-invalid-signature`.
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

import { TokenVerificationError, verifyToken } from '../../js/index.js';
import { resetTokenVerificationForTesting, verifierStats } from '../../js/verify.js';
import { setSubtleForTesting, signatureStats } from '../../js/crypto.js';
import { startBapiStandin } from './support/bapi-standin.js';
import { mulberry32 } from './support/prng.js';

const vectors = JSON.parse(readFileSync(new URL('../data/token-vectors.json', import.meta.url), 'utf8'));
const SECRET = 'sk_test_vector_standin_secret';

/** @type {Awaited<ReturnType<typeof startBapiStandin>>} */
let bapi;

before(async () => {
  bapi = await startBapiStandin({ secretKey: SECRET });
  for (const [name, set] of Object.entries(vectors.jwks)) {
    bapi.setJwks(`/${name}/v1/jwks`, set);
    bapi.setJwks(`/${name}/.well-known/jwks.json`, set);
  }
});

after(async () => {
  setSubtleForTesting(undefined);
  await bapi.close();
});

/**
 * verifyToken options for a case.
 * @param {any} c
 * @param {number} index
 */
function optionsFor(c, index) {
  const now = c.now ?? vectors.now;
  /** @type {Record<string, unknown>} */
  const options = { profile: c.profile, ...c.options, now: () => now };
  if (c.key.pem) {
    options.jwtKey = vectors.keys[c.key.pem].spkiPem;
  } else if (index % 2 === 0) {
    options.secretKey = SECRET;
    options.apiUrl = `${bapi.url}/${c.key.jwks}`;
  } else {
    options.jwksUrl = `${bapi.url}/${c.key.jwks}/.well-known/jwks.json`;
  }
  return options;
}

/** The payload segment of a compact JWT, decoded. @param {string} token */
const payloadOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

/**
 * `{ok: true}` or `{reason}`; any other error is a test failure.
 * @param {string} token
 * @param {Record<string, unknown>} options
 */
async function verdict(token, options) {
  try {
    const payload = await verifyToken(token, options);
    return { ok: true, payload };
  } catch (error) {
    if (error instanceof TokenVerificationError) return { reason: error.reason, message: error.message };
    throw error;
  }
}

/**
 * Runs every case; returns the list of mismatches. `twice`: each case is verified a second time right
 * away, which must give the same answer, and for valid tokens must be a verified-token cache hit.
 * @param {{isolated?: boolean, twice?: boolean}} [mode]
 */
async function runAll({ isolated = false, twice = false } = {}) {
  const failures = [];
  for (const [index, c] of vectors.cases.entries()) {
    if (isolated) resetTokenVerificationForTesting();
    const options = optionsFor(c, index);
    for (let round = 0; round < (twice ? 2 : 1); round++) {
      const hits = verifierStats.cacheHits;
      const got = await verdict(c.token, options);
      const label = round === 0 ? c.name : `${c.name} (seen again)`;
      if (c.expected.ok) {
        if (!got.ok) failures.push(`${label}: got ${got.reason} (${got.message}), want ok`);
        else if (!isDeepStrictEqual(got.payload, payloadOf(c.token))) failures.push(`${label}: payload differs`);
        else if (round === 1 && verifierStats.cacheHits !== hits + 1) failures.push(`${label}: not a cache hit`);
      } else if (got.ok) {
        failures.push(`${label}: verified, want ${c.expected.reason}`);
      } else if (got.reason !== c.expected.reason) {
        failures.push(`${label}: got ${got.reason} (${got.message}), want ${c.expected.reason}`);
      }
    }
  }
  return failures;
}


/** The token with bit `bit` of its decoded signature flipped (re-encoded canonically). */
function flipSignatureBit(token, bit) {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[2], 'base64url');
  const i = bit % (bytes.length * 8);
  bytes[i >> 3] ^= 1 << (i & 7);
  parts[2] = bytes.toString('base64url');
  return parts.join('.');
}

const validCases = vectors.cases.map((c, index) => ({ c, index })).filter(({ c }) => c.expected.ok);

test('vector file: enough cases of every kind', () => {
  assert.ok(vectors.cases.length >= 300, `${vectors.cases.length} cases`);
  assert.ok(validCases.length >= 40);
  assert.ok(vectors.cases.some((c) => c.key.pem) && vectors.cases.some((c) => c.key.jwks));
});

test('every case, node:crypto engine (the Node entry\'s default), shared state', async () => {
  resetTokenVerificationForTesting();
  setSubtleForTesting(undefined);
  const before = { ...signatureStats };
  const requests = bapi.state.requests;
  const failures = await runAll();
  assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
  assert.equal(signatureStats.rust, before.rust, 'no token needed the Rust fallback (Node 20 has RSA, P-256, Ed25519)');
  assert.ok(signatureStats.native - before.native >= 100, 'signatures were checked by node:crypto');
  const fetched = bapi.state.requests - requests;
  assert.ok(fetched > 0 && fetched < 60, `${fetched} JWKS requests for ${vectors.cases.length} cases`);
});

test('every case, WebCrypto, shared state (jwksUrl and secretKey + apiUrl alternating)', async () => {
  resetTokenVerificationForTesting();
  // An explicit subtle skips the registered native engine: WebCrypto, as on edge hosts and Workers.
  setSubtleForTesting(globalThis.crypto.subtle);
  const before = { ...signatureStats };
  const requests = bapi.state.requests;
  const failures = await runAll();
  assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
  assert.equal(signatureStats.rust, before.rust, 'no token needed the Rust fallback (Node 20 has RSA, P-256, Ed25519)');
  assert.ok(signatureStats.webcrypto - before.webcrypto >= 100, 'signatures were checked by WebCrypto');
  setSubtleForTesting(undefined);
  const fetched = bapi.state.requests - requests;
  assert.ok(fetched > 0 && fetched < 60, `${fetched} JWKS requests for ${vectors.cases.length} cases`);
});

test('every case twice in a row: the second answer is the same, and a cache hit for valid tokens', async () => {
  const hits = verifierStats.cacheHits;
  const failures = await runAll({ twice: true });
  assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
  assert.ok(verifierStats.cacheHits - hits >= validCases.length, `${verifierStats.cacheHits - hits} hits`);
});

test('every case, Rust fallback (no crypto.subtle), each case in a fresh state', async () => {
  setSubtleForTesting(null);
  try {
    const before = { ...signatureStats };
    const failures = await runAll({ isolated: true });
    assert.deepEqual(failures, [], `${failures.length} failures:\n${failures.join('\n')}`);
    assert.equal(signatureStats.webcrypto, before.webcrypto, 'WebCrypto was not used');
    assert.ok(signatureStats.rust - before.rust >= 100);
  } finally {
    setSubtleForTesting(undefined);
    resetTokenVerificationForTesting();
  }
});

/** Flips 8 random signature bits of every valid case; returns the failures and how many flips ran. */
async function flipEverySignature() {
  const random = mulberry32(0x5eed);
  const failures = [];
  let flips = 0;
  for (const { c, index } of validCases) {
    const options = optionsFor(c, index);
    for (let k = 0; k < 8; k++) {
      const bit = Math.floor(random() * 8 * 1024);
      const got = await verdict(flipSignatureBit(c.token, bit), options);
      flips++;
      if (got.ok || got.reason !== 'token-invalid-signature') {
        failures.push(`${c.name}, bit ${bit}: ${got.ok ? 'verified' : got.reason}`);
      }
    }
  }
  return { failures, flips };
}

test('random signature bit flips on every valid case are refused (WebCrypto)', async () => {
  setSubtleForTesting(globalThis.crypto.subtle);
  const before = signatureStats.webcrypto;
  const { failures, flips } = await flipEverySignature();
  setSubtleForTesting(undefined);
  assert.deepEqual(failures, []);
  assert.ok(flips >= 300);
  assert.ok(signatureStats.webcrypto - before >= flips / 2, 'most flips reached WebCrypto');
});
test('random signature bit flips on every valid case are refused (node:crypto)', async () => {
  const before = signatureStats.native;
  const { failures, flips } = await flipEverySignature();
  assert.deepEqual(failures, []);
  assert.ok(flips >= 300);
  assert.ok(signatureStats.native - before >= flips / 2, 'most flips reached node:crypto');
});

test('signature bit flips are refused by the Rust fallback too', async () => {
  setSubtleForTesting(null);
  try {
    const random = mulberry32(0xf11b);
    const failures = [];
    for (const { c, index } of validCases) {
      const bit = Math.floor(random() * 8 * 1024);
      const got = await verdict(flipSignatureBit(c.token, bit), optionsFor(c, index));
      if (got.ok || got.reason !== 'token-invalid-signature') {
        failures.push(`${c.name}, bit ${bit}: ${got.ok ? 'verified' : got.reason}`);
      }
    }
    assert.deepEqual(failures, []);
  } finally {
    setSubtleForTesting(undefined);
  }
});

test('a host whose WebCrypto cannot import Ed25519 verifies EdDSA tokens in Rust, the rest with WebCrypto', async () => {
  const real = globalThis.crypto.subtle;
  const noEd25519 = {
    importKey: (format, keyData, algorithm, extractable, usages) =>
      algorithm?.name === 'Ed25519'
        ? Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'))
        : real.importKey(format, keyData, algorithm, extractable, usages),
    verify: (algorithm, key, signature, data) => real.verify(algorithm, key, signature, data),
  };
  setSubtleForTesting(/** @type {any} */ (noEd25519));
  resetTokenVerificationForTesting();
  try {
    const before = { ...signatureStats };
    const failures = [];
    let eddsa = 0;
    for (const { c, index } of validCases) {
      const alg = JSON.parse(Buffer.from(c.token.split('.')[0], 'base64url').toString()).alg;
      if (alg === 'EdDSA') eddsa++;
      resetTokenVerificationForTesting(); // every token first-seen (no cache hit between equal tokens)
      const got = await verdict(c.token, optionsFor(c, index));
      if (!got.ok) failures.push(`${c.name}: ${got.reason}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(eddsa > 0);
    assert.equal(signatureStats.rust - before.rust, eddsa, 'only EdDSA tokens went to Rust');
    assert.equal(signatureStats.webcrypto - before.webcrypto, validCases.length - eddsa);
  } finally {
    setSubtleForTesting(undefined);
    resetTokenVerificationForTesting();
  }
});
