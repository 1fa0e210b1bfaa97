// portcullis/next clerkMiddleware: call shapes, Clerk's environment variables, the pipeline
// (handshake redirects, pass-through rewrites with the x-clerk-* request headers, custom responses),
// client-sent internal headers, and the encrypted x-clerk-request-data.
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

import {
  DEV, DOCUMENT, ENCRYPTION_KEY, JWT_KEY, NOW, NextResponse, PROD, TOKENS, backend, event, forwarded, request,
  requestData, run, setEnv, signature,
} from './support/next-differential/unit.js';
import { clerkMiddleware } from '../../js/next/clerk-middleware.js';
import { createRouteMatcher } from '../../js/routes.js';
import { decryptOpenSslAes, encryptOpenSslAes, evpBytesToKey, md5 } from '../../js/next/request-data.js';

const ENV_KEYS = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: PROD.publishableKey,
  CLERK_SECRET_KEY: PROD.secretKey,
  CLERK_JWT_KEY: JWT_KEY,
  CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY,
};
const signedIn = { cookies: { __session: TOKENS.valid, __client_uat: '1767225500' } };

beforeEach(() => {
  setEnv(ENV_KEYS);
  backend.calls.length = 0;
  backend.answers.clear();
});

/** Asserts a pass-through: a rewrite to the request's own URL carrying the auth headers. */
function assertPassThrough(response, url, status) {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-middleware-next'), null, 'next() became a rewrite');
  assert.equal(response.headers.get('x-middleware-rewrite'), url);
  const headers = forwarded(response);
  assert.equal(headers['x-clerk-auth-status'], status);
  assert.equal(headers['x-clerk-clerk-url'], url);
  return headers;
}

describe('call shapes', () => {
  test('clerkMiddleware() reads the keys from the environment and passes through', async () => {
    const response = await run(clerkMiddleware(), request('https://example.com/p?q=1', signedIn));
    const headers = assertPassThrough(response, 'https://example.com/p?q=1', 'signed-in');
    assert.equal(headers['x-clerk-auth-token'], TOKENS.valid);
    assert.equal(headers['x-clerk-auth-signature'], signature(PROD.secretKey, TOKENS.valid));
    assert.equal(headers['x-clerk-auth-reason'], '');
    assert.equal(headers.cookie, `__session=${TOKENS.valid}; __client_uat=1767225500`, 'the request headers are copied');
    assert.equal(headers['x-clerk-request-data'], undefined, 'no options: no request data (as Clerk)');
    assert.equal(backend.calls.length, 0, 'CLERK_JWT_KEY: networkless');
  });

  test('clerkMiddleware(options)', async () => {
    setEnv({ CLERK_ENCRYPTION_KEY: ENCRYPTION_KEY });
    const response = await run(clerkMiddleware({ ...DEV, jwtKey: JWT_KEY }), request('http://localhost:3000/', {
      cookies: { __session: TOKENS.devValid, __client_uat: '1767225500', __clerk_db_jwt: 'dvb_1' },
    }));
    assertPassThrough(response, 'http://localhost:3000/', 'signed-in');
    assert.deepEqual(requestData(response), { ...DEV, jwtKey: JWT_KEY });
  });

  test('clerkMiddleware(handler) gets (auth, request, event)', async () => {
    const seen = [];
    const req = request('https://example.com/h', signedIn);
    const ev = event(req);
    const response = await clerkMiddleware(async (auth, r, e) => {
      seen.push((await auth()).userId, r === req, e === ev);
    })(req, ev);
    assert.deepEqual(seen, ['user_1', true, true]);
    assertPassThrough(response, 'https://example.com/h', 'signed-in');
  });

  test('clerkMiddleware(handler, options)', async () => {
    const response = await run(clerkMiddleware(async (auth) => {
      assert.equal((await auth()).userId, null);
    }, { signInUrl: '/login' }), request('https://example.com/'));
    assertPassThrough(response, 'https://example.com/', 'signed-out');
    assert.deepEqual(requestData(response), { signInUrl: '/login' });
  });

  test('clerkMiddleware(handler, callback): the callback runs per request, with the request', async () => {
    const calls = [];
    const middleware = clerkMiddleware(async (auth) => (await auth()).redirectToSignIn(), async (req) => {
      calls.push(new URL(req.url).pathname);
      return { signInUrl: req.url.includes('/a') ? '/sign-in-a' : '/sign-in-b' };
    });
    const target = async (path) => new URL((await run(middleware, request(`https://example.com${path}`))).headers.get('location')).pathname;
    assert.equal(await target('/a'), '/sign-in-a');
    assert.equal(await target('/b'), '/sign-in-b');
    assert.equal(await target('/a'), '/sign-in-a');
    assert.deepEqual(calls, ['/a', '/b', '/a']);
  });

  test('export default clerkMiddleware: called directly with (request, event)', async () => {
    const req = request('https://example.com/direct', signedIn);
    const response = await clerkMiddleware(req, event(req));
    assertPassThrough(response, 'https://example.com/direct', 'signed-in');
    // Clerk reads the event as the options object, so its own properties travel as request data.
    assert.deepEqual(requestData(response), { sourcePage: '/middleware' });
  });

  test('clerkMiddleware(request) without an event returns a middleware, as Clerk does', () => {
    assert.equal(typeof clerkMiddleware(request('https://example.com/')), 'function');
  });

  test('a handler result of any truthy value is the response; nothing returned means next()', async () => {
    const custom = await run(clerkMiddleware(() => new Response('teapot', { status: 418, headers: { 'x-custom': '1' } })),
      request('https://example.com/'));
    assert.equal(custom.status, 418);
    assert.equal(await custom.text(), 'teapot');
    assert.equal(custom.headers.get('x-custom'), '1');
    assert.equal(custom.headers.get('x-clerk-auth-status'), 'signed-out', 'the decision headers are appended');
    assert.equal(custom.headers.get('x-middleware-rewrite'), null, 'not a pass-through: not decorated');
  });
});

describe('environment variables', () => {
  test('NEXT_PUBLIC_CLERK_SIGN_IN_URL / SIGN_UP_URL are the redirect targets', async () => {
    setEnv({ ...ENV_KEYS, NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/env-sign-in', NEXT_PUBLIC_CLERK_SIGN_UP_URL: '/env-sign-up' });
    const toSignIn = await run(clerkMiddleware(async (auth) => (await auth()).redirectToSignIn()), request('https://example.com/x'));
    assert.equal(toSignIn.headers.get('location'), 'https://example.com/env-sign-in?redirect_url=https%3A%2F%2Fexample.com%2Fx');
    const toSignUp = await run(clerkMiddleware(async (auth) => (await auth()).redirectToSignUp()), request('https://example.com/x'));
    assert.equal(toSignUp.headers.get('location'), 'https://example.com/env-sign-up?redirect_url=https%3A%2F%2Fexample.com%2Fx');
    const option = await run(clerkMiddleware(async (auth) => (await auth()).redirectToSignIn(), { signInUrl: '/opt' }),
      request('https://example.com/x'));
    assert.equal(new URL(option.headers.get('location')).pathname, '/opt', 'an option wins over the environment');
  });

  test('without CLERK_JWT_KEY, tokens verify with the JWKS from CLERK_API_URL, with the secret key', async () => {
    setEnv({ ...ENV_KEYS, CLERK_JWT_KEY: '', CLERK_API_URL: 'https://bapi.example.test' });
    const response = await run(clerkMiddleware(), request('https://example.com/', signedIn));
    assertPassThrough(response, 'https://example.com/', 'signed-in');
    assert.equal(backend.calls.length, 1);
    assert.equal(backend.calls[0].url, 'https://bapi.example.test/v1/jwks');
    assert.equal(backend.calls[0].headers.authorization, `Bearer ${PROD.secretKey}`);
  });

  test('CLERK_ENCRYPTION_KEY encrypts the request data; a secretKey option without it is refused', async () => {
    const response = await run(clerkMiddleware({ ...PROD }), request('https://example.com/'));
    assert.deepEqual(requestData(response, ENCRYPTION_KEY), { ...PROD });
    setEnv({ ...ENV_KEYS, CLERK_ENCRYPTION_KEY: '' });
    await assert.rejects(run(clerkMiddleware({ ...PROD }), request('https://example.com/')), /CLERK_ENCRYPTION_KEY/);
    const plain = await run(clerkMiddleware({ signInUrl: '/s' }), request('https://example.com/'));
    assert.deepEqual(requestData(plain, PROD.secretKey), { signInUrl: '/s' }, 'falls back to CLERK_SECRET_KEY');
  });

  test('NEXT_PUBLIC_CLERK_IS_SATELLITE / NEXT_PUBLIC_CLERK_DOMAIN make a satellite', async () => {
    setEnv({
      ...ENV_KEYS, NEXT_PUBLIC_CLERK_IS_SATELLITE: 'true', NEXT_PUBLIC_CLERK_DOMAIN: 'satellite.example.com',
      NEXT_PUBLIC_CLERK_SIGN_IN_URL: 'https://primary.example.com/sign-in',
    });
    const response = await run(clerkMiddleware(), request('https://satellite.example.com/p?__clerk_synced=false', { headers: DOCUMENT }));
    assert.equal(response.status, 307);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.origin + location.pathname, 'https://clerk.satellite.example.com/v1/client/handshake');
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'satellite-needs-syncing');
    setEnv({ ...ENV_KEYS, NEXT_PUBLIC_CLERK_IS_SATELLITE: 'true' });
    await assert.rejects(run(clerkMiddleware(), request('https://satellite.example.com/')),
      (error) => error.code === 'satellite-missing-domain-or-proxy-url');
  });

  test('NEXT_PUBLIC_CLERK_PROXY_URL moves the handshake to the proxy', async () => {
    setEnv({ ...ENV_KEYS, NEXT_PUBLIC_CLERK_PROXY_URL: '/__clerk' });
    const response = await run(clerkMiddleware(), request('https://example.com/p', { headers: DOCUMENT, cookies: { __client_uat: '1767225500' } }));
    assert.equal(response.status, 307);
    assert.ok(response.headers.get('location').startsWith('https://example.com/__clerk/v1/client/handshake?'), response.headers.get('location'));
  });

  test('missing keys fail every request with a ConfigurationError naming the fix', async () => {
    setEnv({});
    await assert.rejects(run(clerkMiddleware(), request('https://example.com/')),
      (error) => error.name === 'ConfigurationError' && error.code === 'missing-publishable-key' && /NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY/.test(error.message));
    setEnv({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: PROD.publishableKey });
    await assert.rejects(run(clerkMiddleware(), request('https://example.com/')), (error) => error.code === 'missing-secret-key');
  });

  test('frontendApiProxy is refused rather than silently ignored', async () => {
    await assert.rejects(run(clerkMiddleware({ frontendApiProxy: { enabled: true } }), request('https://example.com/__clerk/x')),
      (error) => error.name === 'ConfigurationError' && error.option === 'frontendApiProxy');
  });

  test('function-valued domain / isSatellite / proxyUrl get the request URL', async () => {
    const seen = [];
    const middleware = clerkMiddleware({
      isSatellite: (url) => { seen.push(['isSatellite', url.href]); return false; },
      domain: (url) => { seen.push(['domain', url.host]); return undefined; },
      proxyUrl: (url) => { seen.push(['proxyUrl', url.pathname]); return '/proxy'; },
    });
    const response = await run(middleware, request('https://example.com/p', { headers: DOCUMENT, cookies: { __client_uat: '1767225500' } }));
    assert.ok(response.headers.get('location').startsWith('https://example.com/proxy/v1/client/handshake?'));
    assert.deepEqual(seen.map(([n]) => n).sort(), ['domain', 'isSatellite', 'proxyUrl']);
  });
});

describe('the pipeline', () => {
  test('a handshake is answered with 307 and the decision headers, before the handler runs', async () => {
    let ran = false;
    const response = await run(clerkMiddleware(() => { ran = true; }),
      request('https://example.com/p?x=1', { headers: DOCUMENT, cookies: { __session: TOKENS.valid } }));
    assert.equal(ran, false);
    assert.equal(response.status, 307);
    assert.ok(response.headers.get('location').startsWith('https://clerk.example.com/v1/client/handshake?redirect_url=https%3A%2F%2Fexample.com%2Fp%3Fx%3D1'));
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('set-cookie'), '__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2');
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'session-token-but-no-client-uat');
    assert.equal(response.headers.get('x-clerk-auth-status'), 'handshake');
  });

  test('signed out: the reason travels in response and request headers', async () => {
    const response = await run(clerkMiddleware(), request('https://example.com/api', { cookies: { __session: TOKENS.expired, __client_uat: '1767222000' } }));
    const headers = assertPassThrough(response, 'https://example.com/api', 'signed-out');
    assert.equal(response.headers.get('x-clerk-auth-reason'), 'session-token-expired-refresh-non-eligible-no-refresh-cookie');
    assert.equal(headers['x-clerk-auth-reason'], 'session-token-expired-refresh-non-eligible-no-refresh-cookie');
    assert.match(headers['x-clerk-auth-message'], /JWT is expired\..*\(reason=token-expired, token-carrier=cookie\)$/);
    assert.equal(headers['x-clerk-auth-token'], '');
    assert.equal(headers['x-clerk-auth-signature'], '');
  });

  test('NextResponse.next({request: {headers}}) from the handler keeps its headers and gains the auth ones', async () => {
    const response = await run(clerkMiddleware((auth, req) => {
      const headers = new Headers(req.headers);
      headers.set('x-tenant', 'acme');
      return NextResponse.next({ request: { headers } });
    }), request('https://example.com/t', signedIn));
    const headers = assertPassThrough(response, 'https://example.com/t', 'signed-in');
    assert.equal(headers['x-tenant'], 'acme');
    assert.equal(response.headers.get('x-middleware-override-headers').split(',').filter((n) => n === 'x-clerk-auth-status').length, 1);
  });

  test('a same-origin rewrite keeps its target; a cross-origin one is left alone', async () => {
    const same = await run(clerkMiddleware((auth, req) => NextResponse.rewrite(new URL('/internal?a=1', req.url))), request('https://example.com/x', signedIn));
    assert.equal(same.headers.get('x-middleware-rewrite'), 'https://example.com/internal?a=1');
    assert.equal(forwarded(same)['x-clerk-auth-status'], 'signed-in');
    const cross = await run(clerkMiddleware(() => NextResponse.rewrite('https://upstream.example.org/api')), request('https://example.com/x', signedIn));
    assert.equal(cross.headers.get('x-middleware-rewrite'), 'https://upstream.example.org/api');
    assert.equal(forwarded(cross), null, 'no auth headers leave for another origin');
  });

  test('a user redirect is returned as is (no dev-browser parameter: it is not a Clerk redirect)', async () => {
    setEnv({ ...ENV_KEYS, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV.publishableKey, CLERK_SECRET_KEY: DEV.secretKey });
    const response = await run(clerkMiddleware(() => NextResponse.redirect('https://elsewhere.example.org/')),
      request('http://localhost:3000/', { cookies: { __clerk_db_jwt: 'dvb_1' } }));
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), 'https://elsewhere.example.org/');
  });

  test('a malformed path that the route matcher refuses answers 400', async () => {
    const isProtected = createRouteMatcher(['/dashboard(.*)']);
    const response = await run(clerkMiddleware(async (auth, req) => {
      if (isProtected(req)) await auth.protect();
    }), request('https://example.com/%zz'));
    assert.equal(response.status, 400);
    assert.equal(response.statusText, 'Bad Request');
  });

  test('other errors from the handler propagate', async () => {
    await assert.rejects(run(clerkMiddleware(() => { throw new Error('boom'); }), request('https://example.com/')), /boom/);
  });
});

describe('client-sent internal headers (CVE-2025-29927 class)', () => {
  test('forged x-clerk-* headers are neither believed, seen by the handler, nor forwarded', async () => {
    const seen = [];
    const response = await run(clerkMiddleware(async (auth, req) => {
      seen.push(req.headers.get('x-clerk-auth-status'), req.headers.get('x-middleware-subrequest'), (await auth()).userId);
    }), request('https://example.com/admin', {
      headers: {
        'x-clerk-auth-status': 'signed-in', 'x-clerk-auth-token': TOKENS.valid, 'x-clerk-auth-signature': 'forged',
        'x-middleware-subrequest': 'middleware:middleware', 'x-middleware-override-headers': 'cookie', 'x-other': 'kept',
      },
    }));
    assert.deepEqual(seen, [null, null, null]);
    const list = response.headers.get('x-middleware-override-headers').split(',');
    assert.deepEqual(list.filter((n) => n === 'x-clerk-auth-status'), ['x-clerk-auth-status'], 'listed once: ours');
    assert.ok(!list.includes('x-middleware-subrequest') && !list.includes('x-middleware-override-headers'));
    assert.ok(list.includes('x-other'));
    const headers = forwarded(response);
    assert.equal(headers['x-clerk-auth-status'], 'signed-out');
    assert.equal(headers['x-clerk-auth-token'], '');
  });
});

describe('x-clerk-request-data', () => {
  test('MD5 matches RFC 1321 and node:crypto', () => {
    const hex = (b) => Buffer.from(b).toString('hex');
    const text = (s) => new TextEncoder().encode(s);
    assert.equal(hex(md5(text(''))), 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(hex(md5(text('a'))), '0cc175b9c0f1b6a831c399e269772661');
    assert.equal(hex(md5(text('abc'))), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(hex(md5(text('message digest'))), 'f96b697d7cb7938d525a2f31aaf161d0');
    assert.equal(hex(md5(text('12345678901234567890123456789012345678901234567890123456789012345678901234567890'))),
      '57edf4a22be3c955ac49da2e2107b67a');
    for (let n = 0; n < 300; n++) {
      const bytes = randomBytes(n);
      assert.equal(hex(md5(bytes)), createHash('md5').update(bytes).digest('hex'), `length ${n}`);
    }
  });

  test('EVP_BytesToKey and the salted format match OpenSSL (node:crypto) and crypto-es both ways', async () => {
    const { AES, Utf8 } = await import('../../node_modules/@clerk/nextjs/dist/esm/vendor/crypto-es.js');
    const salt = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const { key, iv } = evpBytesToKey(new TextEncoder().encode('pass'), salt);
    let d = Buffer.alloc(0);
    let block = Buffer.alloc(0);
    while (d.length < 48) {
      block = createHash('md5').update(Buffer.concat([block, Buffer.from('pass'), Buffer.from(salt)])).digest();
      d = Buffer.concat([d, block]);
    }
    assert.deepEqual(Buffer.from(key), d.subarray(0, 32));
    assert.deepEqual(Buffer.from(iv), d.subarray(32, 48));
    for (const plaintext of ['{}', JSON.stringify({ secretKey: 'sk_test_é✓', signInUrl: '/s' }), 'x'.repeat(1000)]) {
      const ours = await encryptOpenSslAes(plaintext, 'passphrase ✓');
      assert.equal(AES.decrypt(ours, 'passphrase ✓').toString(Utf8), plaintext, 'crypto-es reads ours');
      const theirs = AES.encrypt(plaintext, 'passphrase ✓').toString();
      assert.equal(await decryptOpenSslAes(theirs, 'passphrase ✓'), plaintext, 'we read crypto-es');
    }
  });

  test('present exactly when the options object has a defined value; our own options stay out', async () => {
    const data = async (options) => requestData(await run(clerkMiddleware(options), request('https://example.com/')));
    assert.equal(await data({}), null);
    assert.equal(await data({ signInUrl: undefined }), null);
    assert.deepEqual(await data({ signInUrl: '/s', proxyUrl: undefined }), { signInUrl: '/s' });
    assert.deepEqual(await data({ debug: false }), { debug: false });
    assert.equal(await data({ trustForwardedHost: false }), null, 'ours: not sent, does not count');
    assert.deepEqual(await data({ signInUrl: '/s', trustForwardedHost: true, allowedRedirectOrigins: ['https://a.example'] }), { signInUrl: '/s' });
  });

  test('a machine token sends its (unauthenticated) auth object even without options', async () => {
    const response = await run(clerkMiddleware(), request('https://example.com/api', { token: 'mt_0123456789' }));
    assert.deepEqual(requestData(response), {
      machineAuthObject: { id: null, subject: null, scopes: null, isAuthenticated: false, tokenType: 'm2m_token', claims: null, machineId: null },
    });
  });

  test('the pinned clock is the one the engine and the verifier use', async () => {
    assert.equal(Date.now(), NOW);
  });
});
