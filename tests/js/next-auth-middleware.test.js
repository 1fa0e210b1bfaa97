// Legacy authMiddleware (Clerk v4/v5 API, CLERK-BEHAVIOUR.md §4) on portcullis' engine: the default
// matchers against vector set D, and each branch of the flow — ignored routes, beforeAuth (skip,
// redirect), default public sign-in/up routes, the API-route heuristic, 401 vs redirect to sign-in,
// afterAuth with isPublicRoute/isApiRoute and merged responses. (Clerk 7.8.0 no longer ships
// authMiddleware, so there is no live differential.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

import { ENV, INSTANCES, createBackendStub, signToken } from './support/next-differential/fixtures.js';

for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
Object.assign(process.env, ENV, { NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/sign-in', NEXT_PUBLIC_CLERK_SIGN_UP_URL: '/sign-up/' });
globalThis.fetch = createBackendStub().fetch;
const NOW = 1767225600000;
Date.now = () => NOW;

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
await import('../../js/index.js');
const api = await import('../../js/next/node.js');
const { authMiddleware, DEFAULT_CONFIG_MATCHER, DEFAULT_IGNORED_ROUTES, DEFAULT_API_ROUTES, createRouteMatcher } = api;

const vectors = JSON.parse(readFileSync(new URL('../data/route-vectors.json', import.meta.url), 'utf8'));
const setD = vectors.matcher.filter((v) => v.set === 'D');
const ORIGIN = 'https://app.example.com';
const PAGE = { accept: 'text/html', 'sec-fetch-dest': 'document' };

const request = (path, init = {}) => new NextRequest(ORIGIN + path, { headers: PAGE, ...init });
const event = {};
const quiet = async (fn) => {
  const { log, warn } = console;
  console.log = () => {};
  console.warn = () => {};
  try { return await fn(); } finally { console.log = log; console.warn = warn; }
};

function signedInCookie() {
  const nowSec = Math.floor(NOW / 1000);
  const token = signToken({ iss: `https://${INSTANCES.prod.frontendApi}`, sub: 'user_2abc', sid: 'sess_2abc', iat: nowSec - 10, nbf: nowSec - 20, exp: nowSec + 60 });
  return `__session=${token}; __client_uat=${nowSec - 10}`;
}

test('the exported constants are v5\'s', () => {
  assert.deepEqual([...DEFAULT_CONFIG_MATCHER], ['/((?!.+\\.[\\w]+$|_next).*)', '/', '/(api|trpc)(.*)']);
  assert.deepEqual([...DEFAULT_IGNORED_ROUTES], ['/((?!api|trpc))(_next.*|.+\\.[\\w]+$)']);
  assert.deepEqual([...DEFAULT_API_ROUTES], ['/api/(.*)', '/trpc/(.*)']);
});

test(`vector set D (${setD.length} vectors) through the default matchers`, () => {
  assert.equal(setD.length, 38);
  const byRoutes = new Map([[JSON.stringify([...DEFAULT_CONFIG_MATCHER]), createRouteMatcher([...DEFAULT_CONFIG_MATCHER])],
    [JSON.stringify([...DEFAULT_IGNORED_ROUTES]), createRouteMatcher([...DEFAULT_IGNORED_ROUTES])]]);
  for (const v of setD) {
    const matcher = byRoutes.get(JSON.stringify(v.routes));
    assert.ok(matcher, `vector D${v.id} uses a default constant`);
    assert.equal(matcher(new NextRequest(ORIGIN + v.path)), v.expected, `D${v.id} ${v.path}`);
  }
});

test('DEFAULT_API_ROUTES: /api alone is not an API route, /api/… and /trpc/… are', () => {
  const isApi = createRouteMatcher([...DEFAULT_API_ROUTES]);
  assert.equal(isApi(`${ORIGIN}/api`), false);
  assert.equal(isApi(`${ORIGIN}/api/hello`), true);
  assert.equal(isApi(`${ORIGIN}/trpc/x.y`), true);
  assert.equal(isApi(`${ORIGIN}/apix/hello`), false);
});

test('ignored route (default list): next() with x-clerk-auth-reason ignored-route, no authentication', async () => {
  let ran = false;
  const mw = authMiddleware({ beforeAuth: () => { ran = true; } });
  for (const path of ['/favicon.ico', '/_next/static/chunk.js', '/files/api.pdf']) {
    const res = await quiet(() => mw(request(path), event));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-clerk-auth-reason'), 'ignored-route');
    assert.equal(res.headers.get('x-middleware-next'), '1');
    assert.equal(res.headers.get('x-middleware-rewrite'), null);
  }
  assert.equal(ran, false, 'beforeAuth does not run on an ignored route');
  // /api/… with a dot is not ignored: it is a private API route.
  assert.equal((await mw(request('/api/file.json'), event)).status, 401);
});

test('ignoredRoutes given: replaces the default list (string, RegExp, function)', async () => {
  for (const ignoredRoutes of ['/health', /^\/health$/, [/^\/nope$/, '/health'], (req) => req.nextUrl.pathname === '/health']) {
    const mw = authMiddleware({ ignoredRoutes });
    assert.equal((await mw(request('/health'), event)).headers.get('x-clerk-auth-reason'), 'ignored-route');
    const res = await quiet(() => mw(request('/favicon.ico'), event));
    assert.equal(res.status, 307, 'favicon.ico is no longer ignored: a private page');
  }
});

test('beforeAuth returning false: next() with skip', async () => {
  const res = await authMiddleware({ beforeAuth: () => false })(request('/dashboard'), event);
  assert.equal(res.headers.get('x-clerk-auth-reason'), 'skip');
  assert.equal(res.headers.get('x-middleware-next'), '1');
  assert.equal(res.headers.get('x-middleware-override-headers'), null);
});

test('beforeAuth returning a redirect: that redirect with before-auth-redirect', async () => {
  const res = await authMiddleware({ beforeAuth: async () => NextResponse.redirect('https://app.example.com/en/dashboard') })(request('/dashboard'), event);
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), 'https://app.example.com/en/dashboard');
  assert.equal(res.headers.get('x-clerk-auth-reason'), 'before-auth-redirect');
});

test('signed out on a private page: 307 to the sign-in URL with redirect_url', async () => {
  const res = await quiet(() => authMiddleware()(request('/dashboard?tab=1'), event));
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), 'https://app.example.com/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fdashboard%3Ftab%3D1');
  assert.equal(res.headers.get('x-clerk-redirect-to'), 'true');
});

test('signed out on a private API route: 401 (path, method and content-type heuristics)', async () => {
  const mw = authMiddleware();
  const cases = [
    request('/api/hello', { headers: {} }),
    request('/trpc/q', { headers: {} }),
    request('/dashboard', { method: 'POST', headers: PAGE, body: 'x' }),
    request('/dashboard', { method: 'DELETE', headers: PAGE }),
    request('/dashboard', { headers: { 'content-type': 'application/json' } }),
  ];
  for (const req of cases) {
    const res = await mw(req, event);
    assert.equal(res.status, 401, `${req.method} ${req.nextUrl.pathname}`);
    assert.equal(res.statusText, 'Unauthorized');
    assert.equal(await res.text(), 'null');
  }
  // Not API routes: /api alone, content-type with parameters, HEAD.
  for (const req of [request('/api'), request('/dashboard', { headers: { ...PAGE, 'content-type': 'application/json; charset=utf-8' } }), request('/dashboard', { method: 'HEAD' })]) {
    assert.equal((await quiet(() => mw(req, event))).status, 307, `${req.method} ${req.nextUrl.pathname}`);
  }
});

test('apiRoutes given: only it decides (no method / content-type heuristic)', async () => {
  const mw = authMiddleware({ apiRoutes: ['/internal/(.*)'] });
  assert.equal((await mw(request('/internal/x'), event)).status, 401);
  assert.equal((await quiet(() => mw(request('/api/hello'), event))).status, 307);
  assert.equal((await quiet(() => mw(request('/dashboard', { method: 'POST', headers: PAGE, body: 'x' }), event))).status, 307);
});

test('default public routes: sign-in / sign-up from the environment and everything under them', async () => {
  const mw = authMiddleware({ publicRoutes: ['/', /^\/docs(\/.*)?$/] });
  for (const path of ['/sign-in', '/sign-in/factor-one', '/sign-up', '/sign-up/verify', '/', '/docs/a']) {
    const res = await mw(request(path), event);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('x-middleware-rewrite'), ORIGIN + path);
    assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-out');
  }
  assert.equal((await quiet(() => mw(request('/sign-inx'), event))).status, 307);
  // A function replaces the list entirely: the sign-in URL is no longer public.
  const fnMw = authMiddleware({ publicRoutes: (req) => req.nextUrl.pathname === '/open' });
  assert.equal((await fnMw(request('/open'), event)).status, 200);
  assert.equal((await quiet(() => fnMw(request('/sign-in'), event))).status, 307);
});

test('signed in on a private page: passes to the app with the auth headers', async () => {
  const res = await authMiddleware()(request('/dashboard', { headers: { ...PAGE, cookie: signedInCookie() } }), event);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-in');
  assert.equal(res.headers.get('x-middleware-rewrite'), `${ORIGIN}/dashboard`);
});

test('afterAuth: receives auth & {isPublicRoute, isApiRoute}, replaces the default, merges beforeAuth', async () => {
  const seen = [];
  const mw = authMiddleware({
    publicRoutes: ['/'],
    beforeAuth: () => { const r = NextResponse.next(); r.headers.set('x-before', '1'); r.cookies.set('locale', 'en'); return r; },
    afterAuth: (auth, req) => {
      seen.push({ userId: auth.userId, isPublicRoute: auth.isPublicRoute, isApiRoute: auth.isApiRoute, url: req.experimental_clerkUrl.href });
      const r = NextResponse.next();
      r.headers.set('x-after', '1');
      return r;
    },
  });
  const res = await mw(request('/api/private', { headers: {} }), event);
  assert.equal(res.status, 200, 'afterAuth replaced the default 401');
  assert.equal(res.headers.get('x-before'), '1');
  assert.equal(res.headers.get('x-after'), '1');
  assert.match(res.headers.get('set-cookie'), /locale=en/);
  assert.equal(res.headers.get('x-middleware-request-x-clerk-auth-status'), 'signed-out');
  await mw(request('/'), event);
  await mw(request('/x', { headers: { cookie: signedInCookie() } }), event);
  assert.deepEqual(seen, [
    { userId: null, isPublicRoute: false, isApiRoute: true, url: `${ORIGIN}/api/private` },
    { userId: null, isPublicRoute: true, isApiRoute: false, url: `${ORIGIN}/` },
    { userId: 'user_2abc', isPublicRoute: false, isApiRoute: false, url: `${ORIGIN}/x` },
  ]);
});

test('afterAuth returning nothing: the request passes; returning a redirect: that redirect', async () => {
  const pass = await authMiddleware({ afterAuth: () => undefined })(request('/dashboard'), event);
  assert.equal(pass.status, 200);
  const redirect = await authMiddleware({ afterAuth: () => NextResponse.redirect(`${ORIGIN}/org-selection`) })(request('/dashboard'), event);
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get('location'), `${ORIGIN}/org-selection`);
});
