// `contentSecurityPolicy` of clerkMiddleware: our response and the request headers handed to the app
// (x-middleware-request-*) must equal those of @clerk/nextjs 7.8.0's real clerkMiddleware for the same
// request and options — the policy on the response (redirects too), forwarded as request headers with
// x-nonce. The nonce is pinned by stubbing crypto.getRandomValues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { ENV, createBackendStub } from './support/next-differential/fixtures.js';
import { canonical, decryptSalted } from './support/next-differential/runner.js';

for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
Object.assign(process.env, ENV);
globalThis.fetch = createBackendStub().fetch;
Date.now = () => 1767225600000;

const require = createRequire(import.meta.url);
const clerkServer = require('@clerk/nextjs/server');
const { NextResponse, NextRequest } = require('next/server');
const { NextFetchEvent } = require('next/dist/server/web/spec-extension/fetch-event');
await import('../../js/index.js');
const { clerkMiddleware } = await import('../../js/next/clerk-middleware.js');

const realGetRandomValues = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
/** Pins every random draw: byte i of a draw is (seed + i) mod 256. */
function pinRandom(seed) {
  globalThis.crypto.getRandomValues = (array) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (seed + i) & 0xff;
    return array;
  };
}

const PAGE = { accept: 'text/html', 'sec-fetch-dest': 'document', 'user-agent': 'test' };

/**
 * Runs one middleware and returns status and sorted headers (request data by its decryption).
 * @param {Function} impl clerkMiddleware
 */
async function run(impl, { url = 'https://app.example.com/dashboard', headers = PAGE, options, handler, seed = 7 }) {
  pinRandom(seed);
  try {
    const request = new NextRequest(url, { headers });
    const event = new NextFetchEvent({ request, page: '/middleware' });
    const response = await (handler ? impl(handler, options) : impl(options))(request, event);
    const out = [];
    for (const [name, raw] of response.headers) {
      let value = raw;
      if (name.endsWith('x-clerk-request-data')) value = canonical(JSON.parse(decryptSalted(raw, ENV.CLERK_ENCRYPTION_KEY)));
      out.push([name, value]);
    }
    out.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1));
    return { status: response.status, headers: out };
  } finally {
    globalThis.crypto.getRandomValues = realGetRandomValues;
  }
}

const CASES = [
  { name: 'default policy', options: { contentSecurityPolicy: {} } },
  { name: 'strict (nonce)', options: { contentSecurityPolicy: { strict: true } } },
  { name: 'strict, other nonce', options: { contentSecurityPolicy: { strict: true } }, seed: 200 },
  {
    name: 'report-only, reportTo, custom and none directives',
    options: {
      contentSecurityPolicy: {
        strict: true, reportOnly: true, reportTo: 'https://reports.example.com/csp',
        directives: { 'img-src': ['https://cdn.example.com', 'self'], 'frame-ancestors': ['none'], 'script-src': ['unsafe-eval'] },
      },
    },
  },
  // A development page request without a dev browser is answered by the handshake redirect before the
  // handler runs: Clerk sets no policy there either.
  { name: 'development handshake redirect (no policy)', noPolicy: true, options: { publishableKey: 'pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50cy5kZXYk', secretKey: 'sk_test_differential_kima', contentSecurityPolicy: { strict: true } } },
  { name: 'development instance, API request', headers: { accept: 'application/json' }, options: { publishableKey: 'pk_test_aW5jbHVkZWQua2F0eWRpZC05Mi5jbGVyay5hY2NvdW50cy5kZXYk', secretKey: 'sk_test_differential_kima', contentSecurityPolicy: { strict: true } } },
  {
    name: 'handler redirect keeps the policy',
    options: { contentSecurityPolicy: { strict: true } },
    handler: () => NextResponse.redirect('https://elsewhere.example.com/next'),
  },
  {
    name: 'protect() redirect to sign-in keeps the policy',
    options: { contentSecurityPolicy: { strict: true }, signInUrl: '/sign-in' },
    handler: async (auth) => { await auth.protect(); },
  },
  {
    name: 'handler rewrite',
    options: { contentSecurityPolicy: { reportTo: 'https://reports.example.com/csp' } },
    handler: (_auth, req) => NextResponse.rewrite(new URL('/other', req.url)),
  },
  { name: 'API request with a CSP header of its own', headers: { accept: 'application/json', 'content-security-policy': "default-src 'none'" }, options: { contentSecurityPolicy: { strict: true } } },
];

for (const c of CASES) {
  test(`CSP equals Clerk's clerkMiddleware: ${c.name}`, async () => {
    const theirs = await run(clerkServer.clerkMiddleware, c);
    const ours = await run(clerkMiddleware, c);
    assert.deepEqual(ours, theirs);
    if (c.noPolicy) return;
    const names = ours.headers.map(([n]) => n);
    const policy = c.options.contentSecurityPolicy.reportOnly ? 'content-security-policy-report-only' : 'content-security-policy';
    assert.ok(names.includes(policy), 'policy header on the response');
    assert.ok(names.includes(`x-middleware-request-${policy}`), 'policy forwarded as a request header');
    if (c.options.contentSecurityPolicy.strict) assert.ok(names.includes('x-middleware-request-x-nonce'));
  });
}

test('the nonce is fresh per request and appears in the policy and x-nonce', async () => {
  const middleware = clerkMiddleware({ contentSecurityPolicy: { strict: true } });
  const nonces = [];
  for (let i = 0; i < 2; i += 1) {
    const response = await middleware(new NextRequest('https://app.example.com/', { headers: PAGE }), {});
    const nonce = response.headers.get('x-nonce');
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.ok(response.headers.get('content-security-policy').includes(`'nonce-${nonce}'`));
    assert.equal(response.headers.get('x-middleware-request-x-nonce'), nonce);
    assert.ok(response.headers.get('x-middleware-override-headers').split(',').includes('x-nonce'));
    nonces.push(nonce);
  }
  assert.notEqual(nonces[0], nonces[1]);
});

test('no contentSecurityPolicy option: no policy headers', async () => {
  const response = await clerkMiddleware({ signInUrl: '/sign-in' })(new NextRequest('https://app.example.com/', { headers: PAGE }), {});
  for (const [name] of response.headers) assert.ok(!/content-security-policy|x-nonce|reporting-endpoints/.test(name), name);
});
