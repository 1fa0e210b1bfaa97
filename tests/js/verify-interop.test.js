/**
 * Interoperability with `jose` (panva/jose), both ways.
 *
 * 1. Tokens signed by jose (`generateKeyPair` + `SignJWT`) — RS256, RS384, RS512 (clerk profile),
 *    ES256 and EdDSA (oidc profile) — verify with ours, given the key as a PEM (`jwtKey`) and as a
 *    JWKS (`jwksUrl`, served over HTTP). Tampered ones do not.
 * 2. Every token of tests/data/token-vectors.json that we accept is accepted by `jose.jwtVerify` with
 *    the same key, at the same time, with the same clock tolerance and audience/issuer options —
 *    except where jose's own rules differ, listed in JOSE_DIFFERS with the reason (the list must stay
 *    exact: a listed case that jose starts accepting fails the test, so it cannot go stale).
 */

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

import { TokenVerificationError, verifyToken } from '../../js/index.js';
import { startBapiStandin } from './support/bapi-standin.js';

const vectors = JSON.parse(readFileSync(new URL('../data/token-vectors.json', import.meta.url), 'utf8'));

/** @type {Awaited<ReturnType<typeof startBapiStandin>>} */
let server;
before(async () => {
  server = await startBapiStandin();
});
after(async () => {
  await server.close();
});

const NOW_S = Math.floor(Date.now() / 1000);

for (const alg of ['RS256', 'RS384', 'RS512', 'ES256', 'EdDSA']) {
  test(`jose-signed ${alg} tokens verify with ours (PEM and JWKS); tampered ones do not`, async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const profile = alg.startsWith('RS') ? 'clerk' : 'oidc';
    const kid = `jose-${alg.toLowerCase()}`;
    const claims = { sid: 'sess_jose', azp: 'https://app.example.com', org_id: 'org_1', org_role: 'org:admin' };
    const token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: 'JWT' })
      .setSubject('user_jose')
      .setIssuer('https://issuer.example.com')
      .setIssuedAt(NOW_S - 5)
      .setNotBefore(NOW_S - 10)
      .setExpirationTime(NOW_S + 60)
      .sign(privateKey);

    const jwk = { ...(await jose.exportJWK(publicKey)), kid, use: 'sig' };
    const jwksUrl = server.setJwks(`/interop/${alg}/jwks.json`, { keys: [jwk] });
    const pem = await jose.exportSPKI(publicKey);
    const common = { profile, authorizedParties: ['https://app.example.com'], issuer: 'https://issuer.example.com' };

    for (const keyOptions of [{ jwtKey: pem }, { jwksUrl }]) {
      const payload = await verifyToken(token, { ...common, ...keyOptions });
      assert.equal(payload.sub, 'user_jose');
      assert.equal(payload.org_role, 'org:admin');
      assert.deepEqual(payload, jose.decodeJwt(token));

      const [h, p, s] = token.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[sig.length >> 1] ^= 0x10;
      const tampered = `${h}.${p}.${sig.toString('base64url')}`;
      await assert.rejects(verifyToken(tampered, { ...common, ...keyOptions }), (error) => {
        assert.ok(error instanceof TokenVerificationError);
        assert.equal(error.reason, 'token-invalid-signature');
        return true;
      });
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...jose.decodeJwt(token), sub: 'user_other' })).toString('base64url')}.${s}`;
      await assert.rejects(verifyToken(forged, { ...common, ...keyOptions }), { reason: 'token-invalid-signature' });
    }
    if (profile === 'clerk') {
      // The clerk profile refuses what only the oidc profile allows, and vice versa nothing.
      await verifyToken(token, { ...common, profile: 'oidc', jwtKey: pem });
    } else {
      await assert.rejects(verifyToken(token, { ...common, profile: 'clerk', jwtKey: pem }), { reason: 'token-invalid-algorithm' });
    }
  });
}

/**
 * Vector cases we accept and jose refuses, with why. Keep exact (checked both ways).
 * @type {Record<string, string>}
 */
const JOSE_DIFFERS = {
  'nbf: fractional seconds truncate toward zero (nbf = now + 5.9 s is active)':
    'Clerk reads timestamps through Date#setUTCSeconds, which drops the fraction (nbf 5.9 s ahead counts as 5 s, '
    + 'inside the 5 s skew); jose compares the fractional value (5.9 s > 5 s tolerance). We follow Clerk.',
};

/**
 * jose's verdict on a vector case that we accept.
 * @param {any} c
 */
async function joseVerdict(c) {
  let key;
  if (c.key.pem) {
    key = { kind: 'pem', pem: vectors.keys[c.key.pem].spkiPem };
  } else {
    key = { kind: 'jwks', set: jose.createLocalJWKSet(vectors.jwks[c.key.jwks]) };
  }
  const header = jose.decodeProtectedHeader(c.token);
  const now = c.now ?? vectors.now;
  const skewMs = c.options?.clockSkewInMs ?? 5000;
  /** @type {jose.JWTVerifyOptions} */
  const options = {
    currentDate: new Date(now),
    clockTolerance: skewMs / 1000,
    algorithms: [String(header.alg)],
  };
  if (c.options?.audience !== undefined) options.audience = c.options.audience;
  if (c.options?.issuer !== undefined) options.issuer = c.options.issuer;
  try {
    const verifyKey = key.kind === 'pem' ? await jose.importSPKI(key.pem, String(header.alg)) : key.set;
    await jose.jwtVerify(c.token, /** @type {any} */ (verifyKey), options);
    return 'ok';
  } catch (error) {
    return `${error?.code ?? error?.name}: ${error?.message}`;
  }
}

test('every vector token we accept, jose accepts too (same key, time, tolerance, audience, issuer)', async () => {
  const accepted = vectors.cases.filter((c) => c.expected.ok);
  assert.ok(accepted.length >= 40);
  const disagreements = {};
  for (const c of accepted) {
    const verdict = await joseVerdict(c);
    if (verdict !== 'ok') disagreements[c.name] = verdict;
  }
  const unexplained = Object.keys(disagreements).filter((name) => !(name in JOSE_DIFFERS));
  assert.deepEqual(unexplained.map((name) => `${name}: ${disagreements[name]}`), [], 'jose refuses tokens we accept');
  const stale = Object.keys(JOSE_DIFFERS).filter((name) => !(name in disagreements));
  assert.deepEqual(stale, [], 'JOSE_DIFFERS lists cases jose accepts');
});
