/**
 * Checks the JWT verification vectors (tests/data/token-vectors.json, written by
 * scripts/gen-token-vectors.js) against Clerk's real `verifyToken` from `@clerk/backend`.
 *
 * Every clerk-profile case is verified by Clerk with the case's `authorizedParties`, `audience`,
 * `clockSkewInMs` and `issuer`, with `Date.now()` pinned to the case's `now`. Clerk's answer must equal
 * `expected` — or, where we are deliberately different from Clerk, the case's `clerk` member (which
 * also says why). So the data is proven to be Clerk's behaviour everywhere we claim compatibility, and
 * every difference is written down next to the case that shows it.
 *
 * Keys, networkless:
 * - `{pem: name}` cases pass the key's SPKI PEM as `jwtKey` (Clerk's networkless mode).
 * - `{jwks: name}` cases go through Clerk's real JWKS path (`secretKey`): `fetch` is replaced by a
 *   stub that serves the named JWKS for `GET <apiUrl>/v1/jwks` and refuses anything else. This covers
 *   kid lookup, kid mismatch and WebCrypto's JWK import checks, which a PEM built from the JWK could
 *   not. Each case gets its own secret key, hence its own Clerk JWKS cache scope, and
 *   `skipJwksCache` forces a fresh fetch. Clerk only routes through the replaceable global `fetch`
 *   when NODE_ENV is `test` (`runtime.fetch` in @clerk/backend), so this file sets it.
 *
 * oidc-profile cases are not Clerk features (ES256, EdDSA) and are not run here.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const vectors = JSON.parse(readFileSync(new URL('../data/token-vectors.json', import.meta.url), 'utf8'));

process.env.NODE_ENV = 'test';
const { verifyToken } = await import('@clerk/backend');
const { TokenVerificationError } = await import('@clerk/backend/errors');

const API_URL = 'https://api.clerk.test';
const REASONS = new Set([
  'token-invalid', 'token-invalid-algorithm', 'token-invalid-signature', 'token-expired', 'token-not-active-yet',
  'token-iat-in-the-future', 'token-invalid-authorized-parties', 'token-verification-failed',
  'token-invalid-issuer', 'jwk-kid-mismatch', 'jwk-local-invalid', 'jwk-remote-invalid',
]);

/** The JWKS the fetch stub serves for the case being run (null: refuse every request). */
let servedJwks = null;
globalThis.fetch = async (input) => {
  const url = new URL(typeof input === 'string' ? input : input.url);
  if (url.origin !== API_URL || !url.pathname.endsWith('/jwks') || servedJwks === null) {
    throw new Error(`unexpected fetch ${url.href} (tests must stay networkless)`);
  }
  return new Response(JSON.stringify(servedJwks), { status: 200, headers: { 'content-type': 'application/json' } });
};

/** Runs `fn` with `Date.now()` returning `now`. */
async function at(now, fn) {
  const realNow = Date.now;
  Date.now = () => now;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/**
 * Clerk's verdict on a case: `{ok: true}`, `{reason}` or `{throws: <error name>}` when Clerk throws
 * something that is not a TokenVerificationError.
 */
async function clerkVerdict(c, index) {
  const options = {};
  if (c.key.pem) {
    options.jwtKey = vectors.keys[c.key.pem].spkiPem;
    servedJwks = null;
  } else {
    options.secretKey = `sk_test_token_vector_${index}`;
    options.apiUrl = API_URL;
    options.skipJwksCache = true;
    servedJwks = vectors.jwks[c.key.jwks];
  }
  for (const name of ['authorizedParties', 'audience', 'clockSkewInMs', 'issuer']) {
    if (c.options?.[name] !== undefined) options[name] = c.options[name];
  }
  try {
    await at(c.now ?? vectors.now, () => verifyToken(c.token, options));
    return { ok: true };
  } catch (error) {
    if (error instanceof TokenVerificationError) return { reason: error.reason };
    return { throws: error?.name ?? String(error) };
  } finally {
    servedJwks = null;
  }
}

/** A verdict without the explanatory `note`. */
const bare = ({ note, ...verdict }) => verdict;

test('vector file is well-formed', () => {
  assert.ok(vectors.cases.length >= 120, `only ${vectors.cases.length} cases`);
  const names = new Set();
  for (const c of vectors.cases) {
    assert.ok(!names.has(c.name), `duplicate case name ${c.name}`);
    names.add(c.name);
    assert.ok(['clerk', 'oidc'].includes(c.profile), `${c.name}: profile ${c.profile}`);
    const key = c.key.pem ? vectors.keys[c.key.pem] : vectors.jwks[c.key.jwks];
    assert.ok(key, `${c.name}: unknown key ${JSON.stringify(c.key)}`);
    assert.equal(typeof c.token, 'string', c.name);
    const known = c.expected.ok === true || REASONS.has(c.expected.reason);
    assert.ok(known, `${c.name}: expected ${JSON.stringify(c.expected)}`);
    if (c.clerk) {
      assert.notDeepEqual(bare(c.clerk), c.expected, `${c.name}: a clerk override must differ from expected`);
      assert.ok(c.clerk.note, `${c.name}: a deliberate difference needs a note`);
      assert.equal(c.profile, 'clerk', `${c.name}: clerk overrides only make sense on the clerk profile`);
    }
  }
});

const clerkCases = vectors.cases.map((c, index) => ({ c, index })).filter(({ c }) => c.profile === 'clerk');

for (const { c, index } of clerkCases) {
  const want = c.clerk ? bare(c.clerk) : c.expected;
  const label = c.clerk ? ` [deliberate difference: we say ${JSON.stringify(c.expected)}]` : '';
  test(`clerk agrees: ${c.name}${label}`, async () => {
    assert.deepEqual(await clerkVerdict(c, index), want);
  });
}

test('summary of deliberate differences from Clerk', (t) => {
  const differences = clerkCases.filter(({ c }) => c.clerk);
  t.diagnostic(`${clerkCases.length} clerk-profile cases run through Clerk; `
    + `${differences.length} deliberate differences; ${vectors.cases.length - clerkCases.length} oidc cases not run`);
  assert.ok(differences.length > 0);
});
