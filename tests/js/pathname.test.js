// The pathname extraction's fast paths must agree with the WHATWG URL parser on every input.
// (No wasm needed: this module is pure JS.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { pathnameOf, pathnameOfString } from '../../js/pathname.js';

const ALPHABET = [
  '/', '/', '/', 'a', 'B', '.', '.', '%', '2', 'e', 'E', '?', '#', '\\', ' ', '\t', '\n', '"', '<', '>', '`',
  '{', '}', '|', '^', '[', ']', '~', 'é', '日', '\u0000', '\u007f', ';', '@', ':', '=', '&', '$', "'", '!', '*',
];

/** Deterministic pseudo-random numbers (xorshift32), so a failure reproduces. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('path strings: same pathname as new URL(base + path)', () => {
  const random = rng(0xc0ffee);
  for (let n = 0; n < 50_000; n++) {
    let path = '/';
    const length = Math.floor(random() * 12);
    for (let i = 0; i < length; i++) path += ALPHABET[Math.floor(random() * ALPHABET.length)];
    assert.equal(pathnameOfString(path), new URL('http://localhost' + path).pathname, JSON.stringify(path));
  }
  for (let code = 0; code < 0x300; code++) {
    const path = `/a${String.fromCharCode(code)}b/c`;
    assert.equal(pathnameOfString(path), new URL('http://localhost' + path).pathname, `char ${code}`);
  }
});

test('absolute and relative URL strings', () => {
  assert.equal(pathnameOfString('https://example.com'), '/');
  assert.equal(pathnameOfString('https://example.com/a/../b?c#d'), '/b');
  assert.equal(pathnameOfString('http://[::1]:3000//x'), '//x');
  assert.equal(pathnameOfString('a/b'), '/a/b');
  assert.equal(pathnameOfString(''), '/');
});

test('Request: the path part of its serialised url', () => {
  for (const url of [
    'http://localhost/',
    'https://example.com',
    'https://example.com:8443//a//b/?q=/x#/y',
    'http://localhost/a#b?c',
    'http://localhost/%zz/%2e%2e/x',
    'https://xn--bcher-kva.example/日本?x',
  ]) {
    const request = new Request(url);
    assert.equal(pathnameOf(request), new URL(request.url).pathname, url);
  }
});

test('NextRequest-like objects use nextUrl.pathname verbatim', () => {
  assert.equal(pathnameOf({ nextUrl: { pathname: '/public/../api' }, url: 'http://x/other' }), '/public/../api');
});
