// Unit tests of the JS shim around the wasm core: inputs, errors, entry handling and evaluation order.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MalformedURLError, RoutePatternError, createRouteMatcher, normalizePath } from '../../js/index.js';
import { fromWasmError } from '../../js/errors.js';
import { NextRequest, clerkCreateRouteMatcher } from './support/clerk.js';

const ROUTES = ['/dashboard(.*)', '/api/admin(.*)', '/orgs/:slug/settings(.*)'];

test('accepts a Request, a NextRequest-like object, a URL and strings', () => {
  const isProtected = createRouteMatcher(ROUTES);
  assert.equal(isProtected(new Request('https://example.com/dashboard/x?y=1#z')), true);
  assert.equal(isProtected(new Request('https://example.com/pricing?next=/dashboard')), false);
  assert.equal(isProtected(new Request('http://localhost//api/admin')), true);
  assert.equal(isProtected(new NextRequest('https://example.com/orgs/acme/settings')), true);
  assert.equal(isProtected(new NextRequest('https://example.com//api/%61dmin')), true);
  assert.equal(isProtected({ nextUrl: new URL('https://example.com/orgs/acme/settings') }), true);
  assert.equal(isProtected({ nextUrl: { pathname: '/api//admin' }, url: 'https://example.com/' }), true);
  assert.equal(isProtected(new URL('https://example.com/api/%61dmin')), true);
  assert.equal(isProtected(new URL('https://example.com/pricing')), false);
  assert.equal(isProtected('https://example.com/dashboard'), true);
  assert.equal(isProtected('/dashboard?tab=1'), true);
  assert.equal(isProtected('/pricing'), false);
  assert.equal(isProtected('dashboard'), true, 'a relative path resolves against http://localhost/');
});

test('a path string starting with // is a path, not a protocol-relative URL', () => {
  const isProtected = createRouteMatcher(['/api/admin(.*)']);
  assert.equal(isProtected('//api/admin/users'), true);
  // Node's IncomingMessage carries the raw request-target in `url`.
  assert.equal(isProtected({ url: '//api/admin/users', method: 'GET' }), true);
  assert.equal(isProtected({ url: '/public/../api/admin' }), true, 'dot segments resolve like a URL parser');
});

test('string inputs give the same pathname as the URL parser', () => {
  // A RegExp that records the (normalised) string it is tested against.
  const seen = [];
  const recorder = /(?:)/;
  recorder.test = (s) => (seen.push(s), false);
  const record = createRouteMatcher([recorder]);
  for (const path of ['/a b', '/a/./b', '/a/%2e%2E/b', '/é', '/a\\b', '/x"y{}', '/.well-known/x', '/q?x#y', '/plain/path']) {
    seen.length = 0;
    assert.equal(record(path), false);
    assert.deepEqual(seen, [normalizePath(new URL('http://localhost' + path).pathname)], path);
  }
});

test('rejects inputs it cannot read a pathname from', () => {
  const isProtected = createRouteMatcher(ROUTES);
  assert.throws(() => isProtected(42), TypeError);
  assert.throws(() => isProtected(null), TypeError);
  assert.throws(() => isProtected({}), TypeError);
});

test('a function is used as the matcher, with the request as given', () => {
  const req = { nextUrl: { pathname: '/%' }, marker: 1 };
  const calls = [];
  const matcher = createRouteMatcher((r) => (calls.push(r), r.marker === 1));
  assert.equal(matcher(req), true);
  assert.deepEqual(calls, [req]);
  assert.equal(calls[0], req);
  assert.equal(createRouteMatcher(() => false)(req), false);
});

test('an empty list matches nothing and never normalises', () => {
  for (const routes of [[], '', null, undefined, [null, '', false, 0, undefined]]) {
    const matcher = createRouteMatcher(routes);
    assert.equal(matcher('/%'), false);
    assert.equal(matcher({ nextUrl: { pathname: '/%zz' } }), false);
    assert.equal(matcher('/anything'), false);
  }
});

test('a single string or RegExp is accepted without an array', () => {
  assert.equal(createRouteMatcher('/foo')('/foo/'), true);
  assert.equal(createRouteMatcher(/^\/foo$/)('/foo'), true);
  assert.equal(createRouteMatcher(/^\/foo$/)('/foo/'), false);
});

test('MalformedURLError: class, name, code, statusCode, message', () => {
  for (const routes of [['/api/admin(.*)'], ['/api/admin(.*)', /^\/x/]]) {
    const matcher = createRouteMatcher(routes);
    assert.throws(
      () => matcher({ nextUrl: { pathname: '/api/%zz/users' } }),
      (error) => {
        assert.ok(error instanceof MalformedURLError);
        assert.ok(error instanceof Error);
        assert.equal(error.name, 'MalformedURLError');
        assert.equal(error.code, 'malformed-url');
        assert.equal(error.statusCode, 400);
        assert.equal(error.message, 'Malformed encoding in URL path: /api/%zz/users');
        return true;
      },
    );
  }
  assert.throws(() => normalizePath('/%'), MalformedURLError);
});

test("RoutePatternError for a bare '*' at creation", () => {
  for (const pattern of ['/foo*', '/foo/*', '*']) {
    assert.throws(
      () => createRouteMatcher(['/ok', pattern]),
      (error) => {
        assert.ok(error instanceof RoutePatternError);
        assert.ok(error instanceof TypeError);
        assert.equal(error.name, 'RoutePatternError');
        assert.equal(error.code, 'invalid-route-pattern');
        assert.ok(error.message.length > 0);
        return true;
      },
    );
  }
});

test('entries that are neither strings nor RegExps throw RoutePatternError naming the fix', () => {
  for (const bad of [5, {}, true, [['/nested']], new String('/boxed'), Symbol('s'), () => true]) {
    const routes = Array.isArray(bad) ? ['/ok', ...bad] : ['/ok', bad];
    assert.throws(
      () => createRouteMatcher(routes),
      (error) => {
        assert.ok(error instanceof RoutePatternError, String(error));
        assert.equal(error.code, 'invalid-route-pattern');
        assert.match(error.message, /route entry is/);
        assert.match(error.message, /path pattern string/);
        assert.match(error.message, /RegExp/);
        return true;
      },
    );
  }
});

test('mixed lists: every entry sees the normalised path', () => {
  const matcher = createRouteMatcher([/^\/api\/admin/, '/public']);
  assert.equal(matcher('/api/%61dmin'), true);
  assert.equal(matcher('//api//admin'), true);
  assert.equal(matcher('/Public/'), true);
  assert.equal(matcher('/api%2Fadmin'), false);
});

test("mixed order with stateful g/y RegExps behaves exactly like Clerk's createRouteMatcher", () => {
  const makeRoutes = () => ['/foo', /o/g, '/bar(.*)', /\/b/y, '/baz', /z$/gi];
  const paths = [
    '/foo', '/xo', '/xo', '/xo', '/bar', '/bo', '/ba', '/ba', '/qux', '/quz', '/quZ', '/quZ',
    '/ooo', '/ooo', '/ooo', '/ooo', '/baz', '/%6fo', '/o', '/o', '//o', '/nope',
  ];
  const ours = makeRoutes();
  const clerks = makeRoutes();
  const match = createRouteMatcher(ours);
  const clerk = clerkCreateRouteMatcher(clerks);
  const regexIndexes = [1, 3, 5];
  for (const path of paths) {
    const request = new NextRequest(`http://localhost${path}`);
    const got = match(request);
    const want = clerk(request);
    assert.equal(got, want, `result for ${path}`);
    assert.deepEqual(
      regexIndexes.map((i) => ours[i].lastIndex),
      regexIndexes.map((i) => clerks[i].lastIndex),
      `lastIndex after ${path}`,
    );
  }
});

test('fromWasmError maps by name or code and keeps the message', () => {
  const malformed = Object.assign(new Error('Malformed encoding in URL path: /%'), { name: 'MalformedURLError' });
  const mapped = fromWasmError(malformed);
  assert.ok(mapped instanceof MalformedURLError);
  assert.equal(mapped.message, malformed.message);
  assert.equal(mapped.cause, malformed);
  const pattern = Object.assign(new Error('bad'), { code: 'invalid-route-pattern' });
  assert.ok(fromWasmError(pattern) instanceof RoutePatternError);
  const other = new RangeError('boom');
  assert.equal(fromWasmError(other), other);
  assert.equal(fromWasmError('text'), 'text');
});
