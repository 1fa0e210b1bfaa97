// How createRouteMatcher drives the core: each run of consecutive strings is compiled once, at
// creation, into one PathMatcher; string-only lists make one call per request; normalisation crosses
// into wasm only when there is a `%` or `//` to deal with.
// This file swaps in counting bindings, so it runs in its own process (node --test isolates files).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createRouteMatcher } from '../../js/index.js';
import { setWasmBindings } from '../../js/bindings.js';
import { loadWasm } from '../../js/wasm.js';

const real = loadWasm();
const log = [];

class CountingPathMatcher extends real.PathMatcher {
  constructor(patterns) {
    super(patterns);
    log.push(['new', patterns]);
  }
  matches(pathname) {
    log.push(['matches', pathname]);
    return super.matches(pathname);
  }
  matchesNormalized(normalized) {
    log.push(['matchesNormalized', normalized]);
    return super.matchesNormalized(normalized);
  }
}

setWasmBindings({
  PathMatcher: CountingPathMatcher,
  normalizePath(pathname) {
    log.push(['normalizePath', pathname]);
    return real.normalizePath(pathname);
  },
});

test('string-only list: compiled once, one call into the core per request', () => {
  log.length = 0;
  const matcher = createRouteMatcher(['/a', '/b(.*)', '/c/:id']);
  assert.deepEqual(log, [['new', ['/a', '/b(.*)', '/c/:id']]]);
  log.length = 0;
  assert.equal(matcher('/b/%78'), true);
  assert.equal(matcher('/zzz'), false);
  assert.equal(matcher('//b'), true);
  // A path that normalising cannot change goes straight to matchesNormalized.
  assert.deepEqual(log, [['matches', '/b/%78'], ['matchesNormalized', '/zzz'], ['matches', '//b']]);
});

test('mixed list: runs of strings grouped in order, one normalisation, short-circuit', () => {
  log.length = 0;
  const re = /^\/r/;
  const matcher = createRouteMatcher(['/a', '/b', re, '/c', [/^\/d/][0]]);
  assert.deepEqual(log, [['new', ['/a', '/b']], ['new', ['/c']]]);

  log.length = 0;
  assert.equal(matcher('//%61'), true);
  assert.deepEqual(log, [['normalizePath', '//%61'], ['matchesNormalized', '/a']]);

  log.length = 0;
  assert.equal(matcher('/c'), true);
  // Nothing to decode or collapse: normalisation happens without calling into wasm.
  assert.deepEqual(log, [['matchesNormalized', '/c'], ['matchesNormalized', '/c']]);

  log.length = 0;
  assert.equal(matcher('/zzz'), false);
  assert.deepEqual(log, [['matchesNormalized', '/zzz'], ['matchesNormalized', '/zzz']]);

  log.length = 0;
  assert.equal(matcher('/r//x'), true);
  assert.deepEqual(log, [['normalizePath', '/r//x'], ['matchesNormalized', '/r/x']]);
});
