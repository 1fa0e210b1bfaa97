// `debug: true` of clerkMiddleware: one grouped log per request in Clerk's shape (start line, one
// indented entry per call, end line), the request header x-clerk-debug: true for the app, and
// redaction — no secret key and no full token is ever printed, whatever carries it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { ENV, INSTANCES, INSTANCE_KID, createBackendStub, signToken } from './support/next-differential/fixtures.js';

for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
Object.assign(process.env, ENV);
globalThis.fetch = createBackendStub().fetch;
const NOW = 1767225600000;
Date.now = () => NOW;

const require = createRequire(import.meta.url);
const { NextRequest, NextResponse } = require('next/server');
await import('../../js/index.js');
const { clerkMiddleware } = await import('../../js/next/clerk-middleware.js');
const { scrub, formatEntry } = await import('../../js/next/debug.js');

/** Runs `fn` with console.log captured; returns [result, lines]. */
async function captureLog(fn) {
  const lines = [];
  const original = console.log;
  console.log = (...args) => { lines.push(args.join(' ')); };
  try {
    return [await fn(), lines];
  } finally {
    console.log = original;
  }
}

const SECRET = 'sk_live_differential_env';

test('a plain signed-out request: 6 log calls, grouped, and x-clerk-debug for the app', async () => {
  const [response, lines] = await captureLog(() =>
    clerkMiddleware({ debug: true })(new NextRequest('https://app.example.com/a', { headers: { accept: 'application/json' } }), {}));
  assert.equal(lines.length, 6);
  assert.equal(lines[0], '[clerk debug start: clerkMiddleware]');
  assert.match(lines[5], /^\[clerk debug end: clerkMiddleware\] \(portcullis=[^,]+,next=[^,]+,timestamp=1767225600\)$/);
  assert.deepEqual(lines.slice(1, 5).map((l) => l.split(',')[0].trim()), ['options', 'url', 'requestState', 'auth']);
  for (const line of lines.slice(1, 5)) for (const l of line.split('\n')) assert.ok(l.startsWith('  '), l);
  assert.ok(lines[1].includes('"secretKey": "sk_live"'), 'secretKey cut to 7 characters like Clerk');
  assert.equal(response.headers.get('x-middleware-request-x-clerk-debug'), 'true');
  assert.ok(response.headers.get('x-middleware-override-headers').split(',').includes('x-clerk-debug'));
});

test('no debug option: nothing is logged and no x-clerk-debug', async () => {
  const [response, lines] = await captureLog(() =>
    clerkMiddleware({ signInUrl: '/sign-in' })(new NextRequest('https://app.example.com/a', { headers: { accept: 'application/json' } }), {}));
  assert.deepEqual(lines, []);
  assert.equal(response.headers.get('x-middleware-request-x-clerk-debug'), null);
});

test('redaction: no secret key, no full session token, refresh token, bearer token or JWT key is printed', async () => {
  const { publishableKey, secretKey } = INSTANCES.prod;
  const iat = Math.floor(NOW / 1000);
  const token = signToken({ iss: 'https://clerk.example.com', sub: 'user_123', sid: 'sess_123', iat, nbf: iat - 5, exp: iat + 60 }, { kid: INSTANCE_KID });
  const refresh = 'refreshtokenvalue_0123456789abcdef';
  const bearer = 'mt_0123456789abcdefghijklmnopqrstuvwxyz';
  const jwtKey = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAsecretish\n-----END PUBLIC KEY-----';
  const machineSecretKey = 'ak_machine_secret_0123456789abcdef';
  const requests = [
    new NextRequest('https://app.example.com/p', { headers: { accept: 'text/html', cookie: `__session=${token}; __client_uat=${iat}; __refresh_abcdefgh=${refresh}` } }),
    new NextRequest('https://app.example.com/api', { headers: { accept: 'application/json', authorization: `Bearer ${token}` } }),
    new NextRequest('https://app.example.com/api', { headers: { accept: 'application/json', authorization: `Bearer ${bearer}` } }),
    new NextRequest('https://app.example.com/p', { headers: { accept: 'text/html', authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` } }),
  ];
  const middleware = clerkMiddleware(async (auth) => {
    await auth();
    return NextResponse.redirect('https://app.example.com/elsewhere');
  }, { debug: true, publishableKey, secretKey, machineSecretKey, jwtKey, contentSecurityPolicy: { strict: true } });
  for (const request of requests) {
    const [, lines] = await captureLog(() => middleware(request, {}));
    const text = lines.join('\n');
    assert.ok(lines.length >= 6, text);
    for (const secret of [secretKey, SECRET, ENV.CLERK_ENCRYPTION_KEY, token, refresh, bearer, machineSecretKey, 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A']) {
      assert.ok(!text.includes(secret), `printed: ${secret.slice(0, 12)}…\n${text}`);
    }
    assert.ok(!/eyJ[\w-]*\.[\w-]+\.[\w-]+/.test(text), 'a whole JWT was printed');
    assert.ok(!/sk_(live|test)_[A-Za-z0-9]{4,}/.test(text), 'a secret key was printed');
    assert.ok(text.includes('"secretKey": "sk_live"'), 'the secret key option is cut to 7 characters');
    assert.ok(text.includes('Clerk generated CSP') && text.includes('handlerResult is redirect'));
  }
});

test('formatter: Clerk\'s masking and field truncation, then scrubbing', () => {
  assert.equal(formatEntry(['key sk_test_abcdefghijxyz']), 'key sk_test_abcdefghijxyz');
  assert.equal(formatEntry(['sk_test_abcdefghijxyz']), 'sk_test_*********xyz');
  assert.equal(formatEntry(['x', { sessionToken: 'abcdefghijkl', nested: { jwtKey: 'PEMPEMPEMPEM' } }]),
    'x, {\n  "sessionToken": "abcdefg",\n  "nested": {\n    "jwtKey": "PEMPEMP"\n  }\n}');
  assert.equal(scrub('key sk_test_abcdefghijxyz here', []), 'key sk_test_*********xyz here');
  assert.equal(scrub('{"cookie":"__session=eyJhbGciOi.eyJzdWIi.c2ln; a=b"}', []), '{"cookie":"__session=eyJhbGc…; a=b"}');
  assert.equal(scrub('"{\\"__refresh_abc\\":\\"r0123456789\\"}"', []), '"{\\"__refresh_abc\\":\\"r012345…\\"}"');
  assert.equal(scrub('token opaque-secret-value!', ['opaque-secret-value']), 'token opaque-…!');
});
