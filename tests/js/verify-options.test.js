/**
 * `verifyToken` options and error shapes: a bad option is a ConfigurationError (a TypeError with
 * `code: 'invalid-option'` and `option`) whose message names the option and the fix; no key source is
 * Clerk's `jwk-failed-to-resolve`; errors carry Clerk's fields (`reason`, `message`, `getFullMessage`).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ConfigurationError, TokenVerificationError, verifyToken } from '../../js/index.js';
import { makeSigningKey, sessionClaims, signSessionToken } from './support/bapi-standin.js';

const key = makeSigningKey('ins_options');
const token = signSessionToken(key, sessionClaims(Date.now()));

const BAD = [
  [{ jwtKey: 42 }, 'jwtKey', /PEM public key/],
  [{ secretKey: {} }, 'secretKey', /sk_live_/],
  [{ secretKey: 'sk_x', apiUrl: 'api.clerk.com' }, 'apiUrl', /absolute URL/],
  [{ secretKey: 'sk_x', apiUrl: 'ftp://api.clerk.com' }, 'apiUrl', /http\(s\)/],
  [{ secretKey: 'sk_x', apiVersion: 'v1/../x' }, 'apiVersion', /path segment/],
  [{ jwksUrl: 42 }, 'jwksUrl', /\.well-known\/jwks\.json/],
  [{ jwtKey: key.pem, skipJwksCache: 'yes' }, 'skipJwksCache', /true or false/],
  [{ jwtKey: key.pem, fetch: 'fetch' }, 'fetch', /function/],
  [{ jwtKey: key.pem, now: 5 }, 'now', /Date\.now/],
  [{ jwtKey: key.pem, jwks: [] }, 'jwks', /ttlMs/],
  [{ jwtKey: key.pem, jwks: { ttl: 5 } }, 'jwks.ttl', /unknown member/],
  [{ jwtKey: key.pem, jwks: { ttlMs: -1 } }, 'jwks.ttlMs', /non-negative/],
  [{ jwtKey: key.pem, jwks: { timeoutMs: 0 } }, 'jwks.timeoutMs', /between 1/],
  [{ jwtKey: key.pem, clockSkewInMs: '5s' }, 'clockSkewInMs', /milliseconds/],
  [{ jwtKey: key.pem, clockSkewInMs: Infinity }, 'clockSkewInMs', /./],
  [{ jwtKey: key.pem, authorizedParties: 'https://a.example.com' }, 'authorizedParties', /array/],
  [{ jwtKey: key.pem, algorithms: ['HS256'] }, 'algorithms', /RS256/],
  [{ jwtKey: key.pem, profile: 'jose' }, 'profile', /oidc/],
  [{ jwtKey: key.pem, issuer: 5 }, 'issuer', /string/],
  [{ jwtKey: key.pem, audience: [1] }, 'audience', /string/],
  [{ jwtKey: key.pem, acceptTemplateTokens: 'no' }, 'acceptTemplateTokens', /true or false/],
];

for (const [options, option, fix] of BAD) {
  test(`bad option ${option}: ${JSON.stringify(options[option.split('.')[0]] ?? null)}`, async () => {
    await assert.rejects(verifyToken(token, /** @type {any} */ (options)), (error) => {
      assert.ok(error instanceof ConfigurationError, String(error));
      assert.ok(error instanceof TypeError);
      assert.equal(error.name, 'ConfigurationError');
      assert.equal(error.code, 'invalid-option');
      assert.equal(error.option, option);
      assert.ok(error.message.includes(`\`${option}\``), error.message);
      assert.match(error.message, fix);
      return true;
    });
  });
}

test('options that are not an object, and a clock that returns nonsense', async () => {
  await assert.rejects(verifyToken(token, /** @type {any} */ ('sk_live_x')), { code: 'invalid-option', option: 'options' });
  await assert.rejects(verifyToken(token, { jwtKey: key.pem, now: () => NaN }), { code: 'invalid-option', option: 'now' });
});

test('no key source: jwk-failed-to-resolve (empty strings count as absent, as in Clerk)', async () => {
  for (const options of [undefined, {}, { jwtKey: '', secretKey: '' }, { secretKey: null }]) {
    await assert.rejects(verifyToken(token, options), (error) => {
      assert.ok(error instanceof TokenVerificationError);
      assert.equal(error.reason, 'jwk-failed-to-resolve');
      assert.match(error.message, /jwtKey.*secretKey.*jwksUrl/);
      assert.match(error.getFullMessage(), /\(reason=jwk-failed-to-resolve, token-carrier=undefined\)$/);
      return true;
    });
  }
});

test('jwtKey wins over secretKey and jwksUrl (networkless, as in Clerk)', async () => {
  const fetch = async () => {
    throw new Error('no fetch expected');
  };
  const payload = await verifyToken(token, { jwtKey: key.pem, secretKey: 'sk_test_x', jwksUrl: 'https://x.test/jwks', fetch });
  assert.equal(payload.sub, 'user_standin');
});

test('a token that is not a string is token-invalid; a malformed one too', async () => {
  await assert.rejects(verifyToken(/** @type {any} */ (undefined), { jwtKey: key.pem }), { reason: 'token-invalid' });
  await assert.rejects(verifyToken(/** @type {any} */ ({}), { jwtKey: key.pem }), { reason: 'token-invalid' });
  await assert.rejects(verifyToken('a.b', { jwtKey: key.pem }), { reason: 'token-invalid' });
});

test('an unusable PEM key is jwk-local-invalid, naming the fix', async () => {
  await assert.rejects(verifyToken(token, { jwtKey: '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----' }),
    (error) => {
      assert.equal(error.reason, 'jwk-local-invalid');
      assert.match(error.message, /PEM/);
      return true;
    });
});

test('verifyToken never throws synchronously', () => {
  const result = verifyToken(/** @type {any} */ (5), /** @type {any} */ (5));
  assert.ok(result instanceof Promise);
  return assert.rejects(result);
});
