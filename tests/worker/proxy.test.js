/**
 * The Worker in workerd (Miniflare): route rules, the identity header and its signature, header
 * stripping, redirects and denials, cache headers, origin failures. The origin is a real HTTP
 * server on 127.0.0.1; tokens are verified with CLERK_JWT_KEY (no network).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyIdentityHeader } from '../../js/worker/identity.js';
import {
  BOB, CAROL, PAGE, PK_TEST, ROUTES, SK_TEST, asRequest, listen, originForFile, request, testKey, verifyPortcullis, withWorker,
} from './helpers.js';

const key = testKey();
const origin = originForFile();

const bindings = () => ({
  CLERK_PUBLISHABLE_KEY: PK_TEST,
  CLERK_SECRET_KEY: SK_TEST,
  CLERK_JWT_KEY: key.pem,
  ORIGIN_URL: origin.url,
  PORTCULLIS_ROUTES: ROUTES,
});

/**
 * The development browser cookie ClerkJS / the Frontend API give every browser of a development
 * instance (PK_TEST): without it Clerk sends a page request through the handshake first
 * (`dev-browser-missing`).
 */
const DEV_BROWSER = '__clerk_db_jwt=dvb_test';
/** `headers` of a browser that has its development browser cookie. */
const dev = (headers = {}) => ({ ...headers, cookie: [DEV_BROWSER, headers.cookie].filter(Boolean).join('; ') });

/** Cookies of a signed-in browser. */
const cookies = (token) => `${DEV_BROWSER}; __session=${token}; __client_uat=${Math.floor(Date.now() / 1000) - 30}`;

/** The last request the origin saw, as a Request. */
const lastAtOrigin = () => asRequest(origin.requests.at(-1), origin.url);

describe('Worker in workerd: forwarding and identity', () => {
  it('passes a public path through for a signed-out visitor, with a signed signed-out identity', async () => {
    await withWorker(bindings(), async (mf) => {
      const before = origin.requests.length;
      const res = await request(mf, 'http://localhost/?q=1');
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { path: '/?q=1', method: 'GET' });
      assert.equal(origin.requests.length, before + 1);
      // Not an identity response: the origin's caching stays, Vary is added.
      assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
      assert.equal(res.headers.get('vary'), 'Accept-Encoding, Cookie, Authorization');
      const verdict = await verifyIdentityHeader(lastAtOrigin(), SK_TEST);
      assert.equal(verdict.ok, true, verdict.reason);
      assert.equal(verdict.identity.status, 'signed-out');
      assert.equal(verdict.identity.userId, null);
    });
  });

  it('forwards a signed-in request with an identity header whose signature verifies at the origin', async () => {
    await withWorker(bindings(), async (mf) => {
      const res = await request(mf, 'http://localhost/dashboard/home?tab=2', { headers: { ...PAGE, cookie: cookies(key.mint()) } });
      assert.equal(res.status, 200);
      const seen = origin.requests.at(-1);
      assert.equal(seen.url, '/dashboard/home?tab=2');
      assert.match(String(seen.headers['x-portcullis-identity']), new RegExp('^status=signed-in;user=user_alice;session=sess_test;org=org_acme;' +
        'role=org:admin;permissions=org:dashboard:read,org:dashboard:manage,org:reports:read,org:reports:manage;t=\\d+;v1=[0-9a-f]{64}$'));
      assert.deepEqual(Object.keys(seen.headers).filter((name) => name.startsWith('x-portcullis-')), ['x-portcullis-identity']);
      assert.equal(seen.headers['x-forwarded-host'], 'localhost');
      const verdict = await verifyIdentityHeader(lastAtOrigin(), SK_TEST);
      assert.equal(verdict.ok, true, verdict.reason);
      assert.deepEqual(verdict.identity, {
        status: 'signed-in', userId: 'user_alice', sessionId: 'sess_test', orgId: 'org_acme', orgRole: 'org:admin',
        orgPermissions: ['org:dashboard:read', 'org:dashboard:manage', 'org:reports:read', 'org:reports:manage'],
      });
      // The origin must refuse the same headers with another key, another path, or once tampered with.
      assert.equal((await verifyIdentityHeader(lastAtOrigin(), 'sk_test_some_other_key_0123456789abcdef')).ok, false);
      const moved = asRequest({ ...seen, url: '/admin' }, origin.url);
      assert.equal((await verifyIdentityHeader(moved, SK_TEST)).ok, false);
      const forged = String(seen.headers['x-portcullis-identity']).replace('role=org:admin', 'role=org:owner');
      const tampered = asRequest({ ...seen, headers: { ...seen.headers, 'x-portcullis-identity': forged } }, origin.url);
      assert.equal((await verifyIdentityHeader(tampered, SK_TEST)).ok, false);
      assert.equal(verifyPortcullis({ ...seen, headers: { ...seen.headers, 'x-portcullis-identity': forged } }, SK_TEST), null);
      const stale = await verifyIdentityHeader(lastAtOrigin(), SK_TEST, { now: Date.now() + 120_000 });
      assert.equal(stale.ok, false);
      // The README's node:crypto recipe agrees.
      assert.deepEqual(verifyPortcullis(seen, SK_TEST), {
        userId: 'user_alice', sessionId: 'sess_test', orgId: 'org_acme', orgRole: 'org:admin',
        orgPermissions: ['org:dashboard:read', 'org:dashboard:manage', 'org:reports:read', 'org:reports:manage'],
      });
      assert.equal(verifyPortcullis({ ...seen, url: '/admin' }, SK_TEST), null);
      assert.equal(verifyPortcullis({ ...seen, method: 'POST' }, SK_TEST), null);
      assert.equal(verifyPortcullis(seen, 'sk_test_another_key_0123456789abcdef'), null);
    });
  });

  it('accepts the token in Authorization: Bearer too', async () => {
    await withWorker(bindings(), async (mf) => {
      const res = await request(mf, 'http://localhost/api/things', { headers: { authorization: `Bearer ${key.mint(CAROL)}` } });
      assert.equal(res.status, 200);
      const seen = origin.requests.at(-1);
      assert.match(String(seen.headers['x-portcullis-identity']), /^status=signed-in;user=user_carol;session=sess_carol;org=;role=;permissions=;t=\d+;v1=/);
      assert.deepEqual(verifyPortcullis(seen, SK_TEST), { userId: 'user_carol', sessionId: 'sess_carol', orgId: null, orgRole: null, orgPermissions: [] });
    });
  });

  it('percent-encodes claim values that are not printable ASCII, and the origin decodes them back', async () => {
    await withWorker(bindings(), async (mf) => {
      const res = await request(mf, 'http://localhost/api/x', { headers: { authorization: `Bearer ${key.mint({ ...CAROL, sub: 'user_çar%ol\n;' })}` } });
      assert.equal(res.status, 200);
      const seen = origin.requests.at(-1);
      assert.match(String(seen.headers['x-portcullis-identity']), /;user=user_%C3%A7ar%25ol%0A%3B;/);
      assert.equal((await verifyIdentityHeader(lastAtOrigin(), SK_TEST)).identity.userId, 'user_çar%ol\n;');
      assert.equal(verifyPortcullis(seen, SK_TEST)?.userId, 'user_çar%ol\n;');
    });
  });

  it('uses PORTCULLIS_SIGNING_KEY instead of the secret key when set', async () => {
    const signingKey = 'a-dedicated-signing-key-of-at-least-32-chars';
    await withWorker({ ...bindings(), PORTCULLIS_SIGNING_KEY: signingKey }, async (mf) => {
      await request(mf, 'http://localhost/dashboard', { headers: { cookie: cookies(key.mint()) } });
      assert.equal((await verifyIdentityHeader(lastAtOrigin(), signingKey)).ok, true);
      assert.equal((await verifyIdentityHeader(lastAtOrigin(), SK_TEST)).ok, false);
    });
  });

  it('strips client-sent x-clerk-*, x-portcullis-* and x-middleware-* headers before adding its own', async () => {
    await withWorker(bindings(), async (mf) => {
      const spoof = {
        'x-portcullis-user-id': 'user_mallory',
        'x-portcullis-auth-status': 'signed-in',
        'x-portcullis-org-role': 'org:admin',
        'x-portcullis-signature': 't=1,v1=' + '0'.repeat(64),
        'x-portcullis-identity': 'status=signed-in;user=user_mallory;session=;org=;role=org:admin;permissions=;t=1;v1=' + '0'.repeat(64),
        'x-portcullis-anything': 'x',
        'x-clerk-auth-status': 'signed-in',
        'x-clerk-auth-token': 'forged',
        'x-middleware-rewrite': 'http://localhost/admin',
        'x-middleware-override-headers': 'x-clerk-auth-status',
        'X-Clerk-Auth-Signature': 'ffff',
        'x-forwarded-host': 'evil.example',
        'x-custom': 'kept',
      };
      // signed out: every identity header is the Worker's own
      let res = await request(mf, 'http://localhost/public/page', { headers: spoof });
      assert.equal(res.status, 200);
      let seen = origin.requests.at(-1).headers;
      for (const name of Object.keys(seen)) assert.doesNotMatch(name, /^x-(clerk|middleware)-/, `${name} reached the origin`);
      assert.deepEqual(Object.keys(seen).filter((name) => name.startsWith('x-portcullis-')), ['x-portcullis-identity']);
      assert.match(String(seen['x-portcullis-identity']), /^status=signed-out;user=;session=;org=;role=;permissions=;t=\d+;v1=[0-9a-f]{64}$/);
      assert.equal(seen['x-forwarded-host'], 'localhost');
      assert.equal(seen['x-custom'], 'kept');
      // signed in as bob while claiming to be mallory
      res = await request(mf, 'http://localhost/dashboard', { headers: { ...spoof, cookie: cookies(key.mint(BOB)) } });
      assert.equal(res.status, 200);
      seen = origin.requests.at(-1).headers;
      const bob = await verifyIdentityHeader(lastAtOrigin(), SK_TEST);
      assert.equal(bob.ok, true);
      assert.equal(bob.identity.userId, 'user_bob');
      assert.equal(bob.identity.orgRole, 'org:member');
      // spoofed headers cannot open a protected route either
      res = await request(mf, 'http://localhost/api/admin/users', { headers: spoof });
      assert.equal(res.status, 401);
    });
  });

  it('makes identity responses uncacheable: private, no-store and Vary: Cookie, Authorization', async () => {
    await withWorker(bindings(), async (mf) => {
      for (const path of ['/', '/dashboard', '/api/me']) {
        const res = await request(mf, `http://localhost${path}`, { headers: { cookie: cookies(key.mint()) } });
        assert.equal(res.status, 200, path);
        assert.equal(res.headers.get('cache-control'), 'private, no-store', path);
        assert.match(res.headers.get('vary') ?? '', /Cookie, Authorization/, path);
      }
      // Answers the Worker makes itself are private too.
      const redirect = await request(mf, 'http://localhost/dashboard', { headers: dev(PAGE) });
      assert.equal(redirect.headers.get('cache-control'), 'private, no-store');
      assert.equal(redirect.headers.get('vary'), 'Cookie, Authorization');
      const denied = await request(mf, 'http://localhost/api/me');
      assert.equal(denied.headers.get('cache-control'), 'private, no-store');
    });
  });
});

describe('Worker in workerd: redirects and denials', () => {
  it('redirects signed-out page requests to sign-in (307) with redirect_url', async () => {
    await withWorker({ ...bindings(), CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in' }, async (mf) => {
      const before = origin.requests.length;
      // Clerk's dev-browser rule first: a development instance's page request without __clerk_db_jwt
      // goes through the handshake at the Frontend API of the publishable key.
      const first = await request(mf, 'http://localhost/dashboard?x=1', { headers: PAGE });
      assert.equal(first.status, 307);
      assert.equal(first.headers.get('location'), 'https://clerk.portcullis.localhost/v1/client/handshake?redirect_url=http%3A%2F%2Flocalhost%2Fdashboard%3Fx%3D1&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing&format=nonce');
      assert.equal(first.headers.get('x-portcullis-auth-reason'), 'dev-browser-missing');
      assert.match(first.headers.get('set-cookie') ?? '', /__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2/);
      for (const headers of [PAGE, { accept: 'text/html' }, { 'sec-fetch-dest': 'document' }].map(dev)) {
        const res = await request(mf, 'http://localhost/dashboard?x=1', { headers });
        assert.equal(res.status, 307);
        assert.equal(res.headers.get('location'), 'https://accounts.example.com/sign-in?redirect_url=http%3A%2F%2Flocalhost%2Fdashboard%3Fx%3D1');
        assert.equal(res.headers.get('x-portcullis-auth-reason'), 'session-token-and-uat-missing');
      }
      assert.equal(origin.requests.length, before, 'nothing reached the origin');
    });
    // Without CLERK_SIGN_IN_URL: Clerk's Account Portal for the publishable key's instance.
    await withWorker(bindings(), async (mf) => {
      const res = await request(mf, 'http://localhost/admin', { headers: dev(PAGE) });
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), 'https://accounts.portcullis.localhost/sign-in?redirect_url=http%3A%2F%2Flocalhost%2Fadmin');
    });
    // A relative sign-in URL is resolved against the request.
    await withWorker({ ...bindings(), CLERK_SIGN_IN_URL: '/public/sign-in' }, async (mf) => {
      const res = await request(mf, 'https://app.example.com/dashboard', { headers: dev(PAGE) });
      assert.equal(res.headers.get('location'), 'https://app.example.com/public/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fdashboard');
    });
  });

  it('answers API calls with the configured status and a JSON error (401 by default, 403, 404)', async () => {
    for (const [deny, code] of [[401, 'unauthenticated'], [403, 'forbidden'], [404, 'not_found']]) {
      const routes = JSON.stringify({ ...JSON.parse(ROUTES), deny });
      await withWorker({ ...bindings(), PORTCULLIS_ROUTES: routes }, async (mf) => {
        const before = origin.requests.length;
        // an api route, even from a browser navigation; a protected page fetched by script; a bad token
        for (const [path, headers] of [
          ['/api/me', {}], ['/api/me', PAGE], ['/dashboard', { accept: 'application/json' }],
          ['/api/me', { authorization: 'Bearer not.a.token' }],
          ['/api/me', { authorization: `Bearer ${key.mint({ exp: Math.floor(Date.now() / 1000) - 60 })}` }],
        ].map(([path, headers]) => [path, dev(headers)])) {
          const res = await request(mf, `http://localhost${path}`, { headers });
          assert.equal(res.status, deny, `${path} ${JSON.stringify(headers)}`);
          assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
          const body = await res.json();
          assert.equal(body.error.code, code);
          assert.equal(typeof body.error.message, 'string');
          if (deny === 401) assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="portcullis"');
        }
        assert.equal(origin.requests.length, before, 'nothing reached the origin');
      });
    }
  });

  it('does not redirect non-GET page requests (a POST form is denied, not replayed to sign-in)', async () => {
    await withWorker(bindings(), async (mf) => {
      const res = await request(mf, 'http://localhost/dashboard', { method: 'POST', headers: PAGE, body: 'a=1' });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    });
  });

  it('refuses a signed-in user without the role or permission (403 page / JSON; 404 when configured)', async () => {
    await withWorker(bindings(), async (mf) => {
      const before = origin.requests.length;
      let res = await request(mf, 'http://localhost/admin', { headers: { ...PAGE, cookie: cookies(key.mint(BOB)) } });
      assert.equal(res.status, 403);
      const html = await res.text();
      assert.match(html, /Not allowed/);
      assert.match(html, /user_bob/);
      assert.match(html, /role org:admin/);
      res = await request(mf, 'http://localhost/api/admin/users', { headers: { authorization: `Bearer ${key.mint(BOB)}` } });
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), { error: { code: 'forbidden', message: 'This endpoint requires role org:admin.' } });
      // permission rules: bob has org:dashboard:read only; carol has no organization
      res = await request(mf, 'http://localhost/reports', { headers: { cookie: cookies(key.mint(BOB)) } });
      assert.equal(res.status, 403);
      res = await request(mf, 'http://localhost/admin', { headers: { cookie: cookies(key.mint(CAROL)) } });
      assert.equal(res.status, 403);
      assert.equal(origin.requests.length, before, 'nothing reached the origin');
      // alice passes both
      res = await request(mf, 'http://localhost/admin', { headers: { cookie: cookies(key.mint()) } });
      assert.equal(res.status, 200);
      res = await request(mf, 'http://localhost/reports/q3', { headers: { cookie: cookies(key.mint()) } });
      assert.equal(res.status, 200);
    });
    const routes = JSON.stringify({ ...JSON.parse(ROUTES), forbidden: 404 });
    await withWorker({ ...bindings(), PORTCULLIS_ROUTES: routes }, async (mf) => {
      let res = await request(mf, 'http://localhost/admin', { headers: { ...PAGE, cookie: cookies(key.mint(BOB)) } });
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /org:admin/);
      res = await request(mf, 'http://localhost/api/admin/x', { headers: { authorization: `Bearer ${key.mint(BOB)}` } });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: { code: 'not_found', message: 'Not found.' } });
    });
  });

  it('protects paths no rule names by default, and lets them through with "default": "public"', async () => {
    await withWorker(bindings(), async (mf) => {
      assert.equal((await request(mf, 'http://localhost/unlisted')).status, 401);
    });
    const routes = JSON.stringify({ ...JSON.parse(ROUTES), default: 'public' });
    await withWorker({ ...bindings(), PORTCULLIS_ROUTES: routes }, async (mf) => {
      assert.equal((await request(mf, 'http://localhost/unlisted')).status, 200);
      assert.equal((await request(mf, 'http://localhost/dashboard')).status, 401);
    });
  });

  it('matches routes on the normalised path (no bypass by encoding or slashes) and answers 400 to malformed escapes', async () => {
    await withWorker(bindings(), async (mf) => {
      for (const path of ['/%61dmin', '//admin', '/ADMIN', '/admin/', '/dashboard/../admin']) {
        const res = await request(mf, `http://localhost${path}`, { headers: { cookie: cookies(key.mint(BOB)) } });
        assert.equal(res.status, 403, path);
      }
      // Decoded once, as Clerk and the origin do: /%2561dmin is the page "%61dmin", not /admin.
      const once = await request(mf, 'http://localhost/%2561dmin', { headers: { cookie: cookies(key.mint(BOB)) } });
      assert.equal(once.status, 200);
      const res = await request(mf, 'http://localhost/%zz');
      assert.equal(res.status, 400);
    });
  });

  it('refuses tokens from unauthorized parties when CLERK_AUTHORIZED_PARTIES is set', async () => {
    await withWorker({ ...bindings(), CLERK_AUTHORIZED_PARTIES: 'https://app.example.com, https://www.example.com' }, async (mf) => {
      let res = await request(mf, 'http://localhost/api/me', { headers: { authorization: `Bearer ${key.mint({ azp: 'https://evil.example' })}` } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('x-portcullis-auth-reason'), 'token-invalid-authorized-parties');
      res = await request(mf, 'http://localhost/api/me', { headers: { authorization: `Bearer ${key.mint({ azp: 'https://www.example.com' })}` } });
      assert.equal(res.status, 200);
    });
  });
});

describe('Worker in workerd: origin failures', () => {
  it('answers 502 with a plain message and no upstream details when the origin is down', async () => {
    const dead = await listen(() => {});
    const deadUrl = dead.url;
    await dead.close();
    await withWorker({ ...bindings(), ORIGIN_URL: deadUrl }, async (mf) => {
      for (const init of [{}, { headers: { cookie: cookies(key.mint()) } }]) {
        const res = await request(mf, 'http://localhost/dashboard', init);
        if (init.headers === undefined) {
          assert.equal(res.status, 401); // signed out: never reaches the origin
          continue;
        }
        assert.equal(res.status, 502);
        assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        const text = await res.text();
        assert.equal(text, 'Bad gateway: the origin server could not be reached.\n');
        assert.doesNotMatch(text, /127\.0\.0\.1|ECONNREFUSED|at |Error|:\d{2,5}/);
      }
      const res = await request(mf, 'http://localhost/');
      assert.equal(res.status, 502);
    });
  });

  it('answers 502 when the origin drops the connection mid-request', async () => {
    const rude = await listen((req) => req.socket.destroy());
    try {
      await withWorker({ ...bindings(), ORIGIN_URL: rude.url }, async (mf) => {
        const res = await request(mf, 'http://localhost/');
        assert.equal(res.status, 502);
        assert.doesNotMatch(await res.text(), /127\.0\.0\.1|socket|hang up/i);
      });
    } finally {
      await rude.close();
    }
  });

  it('answers 504 with PORTCULLIS_ORIGIN_TIMEOUT_MS when the origin sends no headers in time, and never cuts a response that started', async () => {
    const slow = await listen((req, res) => {
      if (req.url === '/public/hang') return; // never answers
      // Headers at once, then the body over twice the timeout.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      setTimeout(() => res.end('last'), 800);
    });
    try {
      await withWorker({ ...bindings(), ORIGIN_URL: slow.url, PORTCULLIS_ORIGIN_TIMEOUT_MS: '400' }, async (mf) => {
        const started = Date.now();
        let res = await request(mf, 'http://localhost/public/hang');
        assert.equal(res.status, 504);
        assert.equal(await res.text(), 'Gateway timeout: the origin server did not answer in time.\n');
        assert.ok(Date.now() - started < 5000);
        res = await request(mf, 'http://localhost/public/stream');
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'first last');
      });
    } finally {
      await slow.close();
    }
  });

  it('passes origin redirects and error statuses through untouched (no redirect following)', async () => {
    const redirecting = await listen((req, res) => {
      if (req.url === '/public/moved') res.writeHead(302, { location: '/public/new' }).end();
      else res.writeHead(418, { 'content-type': 'text/plain' }).end('teapot');
    });
    try {
      await withWorker({ ...bindings(), ORIGIN_URL: redirecting.url }, async (mf) => {
        let res = await request(mf, 'http://localhost/public/moved');
        assert.equal(res.status, 302);
        assert.equal(res.headers.get('location'), '/public/new');
        res = await request(mf, 'http://localhost/public/x');
        assert.equal(res.status, 418);
        assert.equal(await res.text(), 'teapot');
      });
    } finally {
      await redirecting.close();
    }
  });

  it('forwards request bodies and methods, and prefixes ORIGIN_URL\'s path', async () => {
    await withWorker({ ...bindings(), ORIGIN_URL: `${origin.url}/base/` }, async (mf) => {
      const res = await request(mf, 'http://localhost/api/items?x=1', {
        method: 'PUT', headers: { authorization: `Bearer ${key.mint()}`, 'content-type': 'application/json' }, body: '{"a":1}',
      });
      assert.equal(res.status, 200);
      const seen = origin.requests.at(-1);
      assert.equal(seen.method, 'PUT');
      assert.equal(seen.url, '/base/api/items?x=1');
      assert.equal(seen.body, '{"a":1}');
      assert.equal((await verifyIdentityHeader(lastAtOrigin(), SK_TEST)).ok, true);
    });
  });
});
