/**
 * Configuration errors in workerd: every bad variable gives a 500 that names it and the fix, for
 * every request, and nothing is forwarded (fail closed). No secret value is ever echoed.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAGE, PK_LIVE, PK_TEST, ROUTES, SK_TEST, originForFile, request, testKey, withWorker } from './helpers.js';

const origin = originForFile();

const key = testKey();
const good = () => ({ CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_SECRET_KEY: SK_TEST, ORIGIN_URL: origin.url, PORTCULLIS_ROUTES: ROUTES });
const routesWith = (patch) => JSON.stringify({ ...JSON.parse(ROUTES), ...patch });

/** [what, bindings patch (null deletes), variable named, text in the problem] */
const CASES = [
  ['publishable key missing', { CLERK_PUBLISHABLE_KEY: null }, 'CLERK_PUBLISHABLE_KEY', /is not set/],
  ['publishable key malformed', { CLERK_PUBLISHABLE_KEY: 'pk_test_bm90LWEta2V5' }, 'CLERK_PUBLISHABLE_KEY', /not a valid publishable key/],
  ['secret key holds a publishable key', { CLERK_SECRET_KEY: PK_TEST }, 'CLERK_SECRET_KEY', /publishable key/],
  ['secret key from another instance type', { CLERK_SECRET_KEY: 'sk_live_0123456789abcdef0123456789' }, 'CLERK_SECRET_KEY', /different instances/],
  ['no key source and no signing key', { CLERK_SECRET_KEY: null }, 'CLERK_SECRET_KEY', /not set/],
  ['JWT key not PEM', { CLERK_JWT_KEY: 'MIIBIjANBgkq' }, 'CLERK_JWT_KEY', /not a PEM public key/],
  ['JWT key too weak', { CLERK_JWT_KEY: testKey({ bits: 1024 }).pem }, 'CLERK_JWT_KEY', /cannot be used/],
  ['API URL not a URL', { CLERK_API_URL: 'api.clerk.com' }, 'CLERK_API_URL', /not an absolute URL/],
  ['sign-in URL with a bad scheme', { CLERK_SIGN_IN_URL: 'javascript:alert(1)' }, 'CLERK_SIGN_IN_URL', /scheme/],
  ['sign-in URL protected by the rules', { CLERK_SIGN_IN_URL: '/dashboard/sign-in' }, 'CLERK_SIGN_IN_URL', /redirected in a loop/],
  ['sign-up URL not a URL', { CLERK_SIGN_UP_URL: 'sign up here' }, 'CLERK_SIGN_UP_URL', /not a path or an absolute URL/],
  ['authorized party with a path', { CLERK_AUTHORIZED_PARTIES: 'https://ok.example.com,https://app.example.com/' }, 'CLERK_AUTHORIZED_PARTIES', /not an origin/],
  ['origin missing', { ORIGIN_URL: null }, 'ORIGIN_URL', /is not set/],
  ['origin with a query', { ORIGIN_URL: 'https://origin.example.com/?a=1' }, 'ORIGIN_URL', /without query/],
  ['routes missing', { PORTCULLIS_ROUTES: null }, 'PORTCULLIS_ROUTES', /is not set/],
  ['routes not JSON', { PORTCULLIS_ROUTES: '{public: ["/"]}' }, 'PORTCULLIS_ROUTES', /not valid JSON/],
  ['routes with a bad pattern', { PORTCULLIS_ROUTES: routesWith({ public: ['/foo*'] }) }, 'PORTCULLIS_ROUTES', /"public"/],
  ['routes with an unknown member', { PORTCULLIS_ROUTES: routesWith({ protect: ['/x'] }) }, 'PORTCULLIS_ROUTES', /unknown member "protect"/],
  ['routes with a bad deny status', { PORTCULLIS_ROUTES: routesWith({ deny: 500 }) }, 'PORTCULLIS_ROUTES', /"deny" is 500/],
  ['routes with a bad rule', { PORTCULLIS_ROUTES: routesWith({ protected: [{ pattern: '/a', role: 5 }] }) }, 'PORTCULLIS_ROUTES', /role must be/],
  ['signing key too short', { PORTCULLIS_SIGNING_KEY: 'short' }, 'PORTCULLIS_SIGNING_KEY', /shorter than 32/],
  ['local issuer flag not 1/0', { PORTCULLIS_LOCAL_ISSUER: 'yes' }, 'PORTCULLIS_LOCAL_ISSUER', /"yes"/],
  ['local issuer with a live key', { PORTCULLIS_LOCAL_ISSUER: '1', CLERK_PUBLISHABLE_KEY: PK_LIVE, CLERK_SECRET_KEY: 'sk_live_0123456789abcdef0123' }, 'PORTCULLIS_LOCAL_ISSUER', /production/],
  ['JWKS tuning with an unknown member', { PORTCULLIS_JWKS: '{"ttl": 5}' }, 'PORTCULLIS_JWKS', /unknown member "ttl"/],
  ['an origin timeout that is not a whole number of ms', { PORTCULLIS_ORIGIN_TIMEOUT_MS: '30s' }, 'PORTCULLIS_ORIGIN_TIMEOUT_MS', /"30s" is not a whole number of milliseconds from 1 to 600000/],
  ['an origin timeout over ten minutes', { PORTCULLIS_ORIGIN_TIMEOUT_MS: '600001' }, 'PORTCULLIS_ORIGIN_TIMEOUT_MS', /not a whole number of milliseconds from 1 to 600000/],
  ['webhook routes without a signing secret', { PORTCULLIS_ROUTES: routesWith({ webhook: ['/hooks/clerk'] }) }, 'CLERK_WEBHOOK_SIGNING_SECRET', /is not set/],
  ['webhook signing secret too short', { PORTCULLIS_ROUTES: routesWith({ webhook: ['/hooks/clerk'] }), CLERK_WEBHOOK_SIGNING_SECRET: 'whsec_c2hvcnQ=' }, 'CLERK_WEBHOOK_SIGNING_SECRET', /too short/],
  ['webhook signing secret holding the secret key', { CLERK_WEBHOOK_SIGNING_SECRET: SK_TEST }, 'CLERK_WEBHOOK_SIGNING_SECRET', /Clerk secret key/],
  ['webhook routes not a list of patterns', { PORTCULLIS_ROUTES: routesWith({ webhook: '/hooks/clerk' }) }, 'PORTCULLIS_ROUTES', /"webhook" must be an array/],
  ['webhook route with a bad pattern', { PORTCULLIS_ROUTES: routesWith({ webhook: ['/hooks*'] }) }, 'PORTCULLIS_ROUTES', /"webhook"/],
];

/** @param {Record<string, string | null>} patch */
function apply(patch) {
  const env = good();
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

describe('Worker in workerd: configuration errors fail closed', () => {
  for (const [what, patch, variable, problem] of CASES) {
    it(`${what} → 500 naming ${variable}`, async () => {
      const before = origin.requests.length;
      await withWorker(apply(patch), async (mf) => {
        for (const path of ['/', '/dashboard', '/api/me']) {
          const res = await request(mf, `http://localhost${path}`, { headers: { authorization: `Bearer ${key.mint()}` } });
          assert.equal(res.status, 500, path);
          assert.equal(res.headers.get('cache-control'), 'no-store');
          const text = await res.text();
          assert.doesNotMatch(text, new RegExp(SK_TEST), 'the secret key is never echoed');
          const body = JSON.parse(text);
          assert.equal(body.error.code, 'configuration_error');
          const named = body.error.problems.find((/** @type {any} */ p) => p.variable === variable);
          assert.ok(named, `${variable} is named; got ${JSON.stringify(body.error.problems)}`);
          assert.match(named.problem, problem);
          assert.ok(named.fix.length > 10, 'a fix is given');
          assert.match(body.error.message, new RegExp(variable));
        }
        // A browser gets the same as a readable page.
        const res = await request(mf, 'http://localhost/dashboard', { headers: PAGE });
        assert.equal(res.status, 500);
        const html = await res.text();
        assert.match(html, /not configured correctly/);
        assert.ok(html.includes(variable));
        assert.match(html, /Fix:/);
      });
      assert.equal(origin.requests.length, before, 'nothing was forwarded');
    });
  }

  it('lists every problem at once', async () => {
    await withWorker({ ORIGIN_URL: 'nope' }, async (mf) => {
      const body = await (await request(mf, 'http://localhost/')).json();
      const named = body.error.problems.map((/** @type {any} */ p) => p.variable);
      for (const variable of ['CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'ORIGIN_URL', 'PORTCULLIS_ROUTES']) assert.ok(named.includes(variable), variable);
    });
  });

  it('accepts a minimal good configuration (control)', async () => {
    await withWorker(good(), async (mf) => {
      assert.equal((await request(mf, 'http://localhost/')).status, 200);
    });
  });
});
