/**
 * Key sets in workerd: JWKS from a Backend API stand-in (a real HTTP server on 127.0.0.1 counting its
 * fetches), shared across isolates through the Cache API, surviving an outage with stale keys, and
 * not amplifying a flood of unknown kids.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PK_TEST, ROUTES, SK_TEST, jwksServer, listen, recordingOrigin, request, sleep, testKey, withWorker, workerOptions,
} from './helpers.js';

const key = testKey();

/**
 * @param {string} apiUrl
 * @param {string} originUrl
 * @param {object} [jwks] PORTCULLIS_JWKS
 */
const bindings = (apiUrl, originUrl, jwks) => ({
  CLERK_PUBLISHABLE_KEY: PK_TEST,
  CLERK_SECRET_KEY: SK_TEST,
  CLERK_API_URL: apiUrl,
  ORIGIN_URL: originUrl,
  PORTCULLIS_ROUTES: ROUTES,
  ...(jwks ? { PORTCULLIS_JWKS: JSON.stringify(jwks) } : {}),
});

/** @param {string} token */
const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });

/**
 * @param {(api: Awaited<ReturnType<typeof jwksServer>>, origin: Awaited<ReturnType<typeof recordingOrigin>>) => Promise<void>} fn
 */
async function withServers(fn) {
  const api = await jwksServer([key.jwk]);
  const origin = await recordingOrigin();
  try {
    await fn(api, origin);
  } finally {
    await api.close();
    await origin.close();
  }
}

describe('Worker in workerd: key sets', () => {
  it('fetches the JWKS from the Backend API with the secret key, once, and shares it across isolates via the Cache API', async () => {
    await withServers(async (api, origin) => {
      await withWorker(bindings(api.url, origin.url), async (mf) => {
        for (let i = 0; i < 5; i++) {
          const res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: `user_${i}` })));
          assert.equal(res.status, 200);
        }
        assert.equal(api.state.fetches, 1, 'one fetch for five tokens');
        assert.deepEqual(api.state.authorizations, [`Bearer ${SK_TEST}`]);
        // A new isolate (the Worker reloaded: empty module state) finds the key set in caches.default.
        await mf.setOptions(workerOptions(bindings(api.url, origin.url)));
        const res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: 'user_new_isolate' })));
        assert.equal(res.status, 200);
        assert.equal(api.state.fetches, 1, 'the new isolate used the shared cache');
      });
    });
  });

  it('keeps verifying with the last good keys while the JWKS endpoint is down, within maxStaleMs', async () => {
    await withServers(async (api, origin) => {
      const tuning = { ttlMs: 1000, retryAfterFailureMs: 200, maxStaleMs: 2500 };
      await withWorker(bindings(api.url, origin.url, tuning), async (mf) => {
        let res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: 'user_before' })));
        assert.equal(res.status, 200);
        assert.equal(api.state.fetches, 1);
        api.state.mode = 'fail';
        await sleep(1300); // past the TTL (and the shared cache's, which never outlives it)
        res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: 'user_during_outage' })));
        assert.equal(res.status, 200, 'stale keys still verify a fresh token');
        assert.match(String(origin.requests.at(-1).headers['x-portcullis-identity']), /^status=signed-in;user=user_during_outage;/);
        assert.ok(api.state.fetches >= 2, 'the refresh was attempted and failed');
        await sleep(2600); // past TTL + maxStaleMs
        res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: 'user_too_late' })));
        assert.equal(res.status, 401, 'keys older than maxStaleMs are no longer trusted');
        assert.equal(res.headers.get('x-portcullis-auth-reason'), 'jwk-remote-failed-to-load');
        const body = await res.text();
        assert.doesNotMatch(body, new RegExp(SK_TEST));
        // recovery
        api.state.mode = 'ok';
        await sleep(300);
        res = await request(mf, 'http://localhost/api/me', bearer(key.mint({ sub: 'user_after' })));
        assert.equal(res.status, 200);
      });
    });
  });

  it('fetches at most once per cooldown for a flood of unknown kids', async () => {
    await withServers(async (api, origin) => {
      await withWorker(bindings(api.url, origin.url), async (mf) => {
        assert.equal((await request(mf, 'http://localhost/api/me', bearer(key.mint()))).status, 200);
        assert.equal(api.state.fetches, 1);
        // 60 tokens with random kids: 30 concurrent, then 30 one after another.
        const forged = Array.from({ length: 60 }, (_, i) => key.mint({ sub: `user_flood_${i}` }, { kid: `ins_unknown_${i}` }));
        const concurrent = await Promise.all(forged.slice(0, 30).map((t) => request(mf, 'http://localhost/api/me', bearer(t))));
        for (const res of concurrent) assert.equal(res.status, 401);
        for (const t of forged.slice(30)) {
          const res = await request(mf, 'http://localhost/api/me', bearer(t));
          assert.equal(res.status, 401);
          assert.equal(res.headers.get('x-portcullis-auth-reason'), 'jwk-kid-mismatch');
        }
        assert.ok(api.state.fetches <= 2, `JWKS fetched ${api.state.fetches} times for 60 unknown kids (limit: 1 per cooldown)`);
        // the real key still works
        assert.equal((await request(mf, 'http://localhost/api/me', bearer(key.mint()))).status, 200);
      });
    });
  });

  it('does not follow a redirect from the Backend API (the request carries the secret key)', async () => {
    const catcher = await jwksServer([key.jwk]);
    const redirecting = await listen((req, res) => res.writeHead(302, { location: `${catcher.url}/v1/jwks` }).end());
    const origin = await recordingOrigin();
    try {
      await withWorker(bindings(redirecting.url, origin.url), async (mf) => {
        const res = await request(mf, 'http://localhost/api/me', bearer(key.mint()));
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('x-portcullis-auth-reason'), 'jwk-remote-failed-to-load');
        assert.equal(catcher.state.fetches, 0, 'the secret key never reached the redirect target');
      });
    } finally {
      await catcher.close();
      await redirecting.close();
      await origin.close();
    }
  });

  it('reports a refused secret key as signed-out secret-key-invalid, without echoing it', async () => {
    const api = await listen((req, res) => res.writeHead(401, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code: 'clerk_key_invalid', message: 'Secret key invalid' }] })));
    const origin = await recordingOrigin();
    try {
      await withWorker(bindings(api.url, origin.url), async (mf) => {
        const res = await request(mf, 'http://localhost/api/me', bearer(key.mint()));
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('x-portcullis-auth-reason'), 'secret-key-invalid');
        assert.doesNotMatch(await res.text(), new RegExp(SK_TEST));
      });
    } finally {
      await api.close();
      await origin.close();
    }
  });
});
