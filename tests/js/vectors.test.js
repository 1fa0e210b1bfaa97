// Runs every route-matching conformance vector (tests/data/route-vectors.json, taken from Clerk's
// own test suites and re-checked against Clerk's path-to-regexp) through the built package.
// Matcher rows get a NextRequest-like input, because Clerk matches `req.nextUrl.pathname` as is:
// a URL or Request would resolve `..` segments and so could not express rows such as
// `/public/../api/admin`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { MalformedURLError, RoutePatternError, createRouteMatcher, normalizePath } from '../../js/index.js';

const vectors = JSON.parse(readFileSync(new URL('../data/route-vectors.json', import.meta.url), 'utf8'));

/** A vector's routes with `{regex, flags}` entries turned into RegExps. */
function routesOf(routes) {
  const entry = (r) => (r !== null && typeof r === 'object' ? new RegExp(r.regex, r.flags) : r);
  return Array.isArray(routes) ? routes.map(entry) : entry(routes);
}

const ERRORS = { MalformedURLError, RoutePatternError };

/** Asserts `fn` throws the named portcullis error class. */
function assertThrowsNamed(fn, name) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof ERRORS[name], `expected ${name}, got ${error?.name}: ${error?.message}`);
    assert.equal(error.name, name);
    return true;
  });
}

test('vector file has all sets', () => {
  assert.ok(vectors.matcher.length > 0);
  assert.ok(vectors.normalize.length > 0);
});

for (const row of vectors.matcher) {
  test(`matcher ${row.set}${row.id}: ${JSON.stringify(row.routes)} ${row.path}`, () => {
    const matcher = createRouteMatcher(routesOf(row.routes));
    const req = { nextUrl: { pathname: row.path } };
    if (row.expected !== null && typeof row.expected === 'object') {
      assertThrowsNamed(() => matcher(req), row.expected.throws);
    } else {
      assert.equal(matcher(req), row.expected);
    }
  });
}

for (const row of vectors.normalize) {
  test(`normalizePath ${row.set}${row.id}: ${row.input}`, () => {
    if (row.expected !== null && typeof row.expected === 'object') {
      assertThrowsNamed(() => normalizePath(row.input), row.expected.throws);
    } else {
      assert.equal(normalizePath(row.input), row.expected);
    }
  });
}

for (const row of vectors.compileErrors ?? []) {
  test(`compile error: ${row.pattern}`, () => {
    assertThrowsNamed(() => createRouteMatcher([row.pattern]), row.throws);
  });
}
