/**
 * The Worker's decision memo (js/worker/decide.js, js/decision-memo.js): a signed-in decision is
 * reused, from a key's second decision on, for a request with the same method, URL and decision
 * headers (the core's lists) — whatever else differs, such as
 * Cloudflare's per-request `cf-ray` — and never past its token's `exp`; signed-out decisions only
 * for requests without credentials. Runs the Worker's decide step in Node with the Node build of the core.
 */

import { after, test } from 'node:test';
import assert from 'node:assert/strict';

import '../../js/index.js'; // registers the Node build of the core
import { ClientHeaders } from '../../js/worker/client-headers.js';
import { loadConfig } from '../../js/worker/config.js';
import { DECISION_MEMO_MS, DecisionMemo, memoKey } from '../../js/decision-memo.js';
import { decide } from '../../js/worker/decide.js';
import { makeSigningKey, sessionClaims, signSessionToken } from './support/bapi-standin.js';

const key = makeSigningKey('ins_memo');
const T0 = Date.UTC(2026, 5, 1, 12);
// One clock for the Worker and the verifier (which keeps the `Date.now` function it first saw).
let clock = T0;
const realNow = Date.now;
Date.now = () => clock;
after(() => {
  Date.now = realNow;
});

const loaded = loadConfig({
  CLERK_PUBLISHABLE_KEY: 'pk_live_Y2xlcmsucG9ydGN1bGxpcy5sb2NhbGhvc3Qk',
  CLERK_SECRET_KEY: 'sk_live_memo_tests_0123456789abcdefghijklmnop',
  CLERK_JWT_KEY: key.pem,
  ORIGIN_URL: 'https://origin.example.com',
  PORTCULLIS_ROUTES: JSON.stringify({ public: ['/'], protected: ['/dashboard(.*)'] }),
});
assert.ok(loaded.ok, JSON.stringify(loaded.ok ? null : loaded.problems));
const config = loaded.config;

/**
 * Decides a request at `now`: [the state, whether it came at once (remembered) or as a promise].
 * @param {number} now
 * @param {Record<string, string>} headers
 * @param {string} [url]
 */
async function decideAt(now, headers, url = 'https://app.example.com/dashboard') {
  clock = now;
  const request = new Request(url, { headers });
  const out = decide(request, config, new ClientHeaders(request.headers));
  return [await out, !(out instanceof Promise)];
}

// (Issued by the publishable key's instance: a token from another issuer sends Clerk's cookie rules
// to the suffixed cookies.)
const token = signSessionToken(key, sessionClaims(T0, { iss: 'https://clerk.portcullis.localhost' }, 60));
const cookie = `__session=${token}; __client_uat=${Math.floor(T0 / 1000) - 5}`;

let paths = 0;
/** A URL of its own per test, so that tests do not share remembered decisions. */
const freshUrl = () => `https://app.example.com/dashboard/${++paths}`;

/** Decides twice at `now` (a key is remembered from its second decision on). */
async function prime(now, headers, url) {
  const [, once] = await decideAt(now, headers, url);
  const [state, twice] = await decideAt(now, headers, url);
  assert.deepEqual([once, twice], [false, false]);
  return state;
}

test('a signed-in decision is reused from its second time for the same method, URL and decision headers, whatever else differs', async () => {
  const url = freshUrl();
  const [first, rememberedFirst] = await decideAt(T0, { cookie, 'cf-ray': 'ray-1' }, url);
  assert.equal(first.status, 'signed-in');
  assert.equal(rememberedFirst, false);
  const [second, rememberedSecond] = await decideAt(T0 + 500, { cookie, 'cf-ray': 'ray-2' }, url);
  assert.equal(rememberedSecond, false);
  const [again, remembered] = await decideAt(T0 + 1000, { cookie, 'cf-ray': 'ray-3', 'x-forwarded-for': '203.0.113.9' }, url);
  assert.equal(remembered, true);
  assert.equal(again, second);
});

test('another URL, method or decision header is decided afresh', async () => {
  const url = freshUrl();
  await prime(T0, { cookie }, url);
  for (const [headers, other] of /** @type {[Record<string, string>, string | undefined][]} */ ([
    [{ cookie }, `${url}?tab=2`],
    [{ cookie, accept: 'text/html' }, url],
    [{ cookie, 'sec-fetch-dest': 'document' }, url],
    [{ cookie, origin: 'https://elsewhere.example.com' }, url],
    [{ cookie: `${cookie}; __clerk_redirect_count=1` }, url],
  ])) {
    const [, remembered] = await decideAt(T0 + 1000, headers, other);
    assert.equal(remembered, false, JSON.stringify({ headers, other }));
  }
});

test('a remembered decision ends at its token\'s exp; past the grace the engine says expired', async () => {
  const url = freshUrl();
  const exp = Math.floor(T0 / 1000) + 60;
  await prime(exp * 1000 - 3000, { cookie, 'user-agent': 'a' }, url);
  const [, beforeExp] = await decideAt(exp * 1000 - 1, { cookie, 'user-agent': 'b' }, url);
  assert.equal(beforeExp, true);
  const [atExp, rememberedAtExp] = await decideAt(exp * 1000, { cookie, 'user-agent': 'c' }, url);
  assert.equal(rememberedAtExp, false);
  assert.equal(atExp.status, 'signed-in'); // Clerk's 5 s clock-skew grace, decided by the engine
  const [late, rememberedLate] = await decideAt(exp * 1000 + 10_000, { cookie }, url);
  assert.equal(rememberedLate, false);
  assert.equal(late.status, 'signed-out');
  assert.equal(late.reason, 'session-token-expired-refresh-non-eligible-no-refresh-cookie');
});

test(`a remembered decision is asked again after DECISION_MEMO_MS (${DECISION_MEMO_MS} ms) even if its token lives on`, async () => {
  const url = freshUrl();
  await prime(T0 + 20_000, { cookie }, url);
  const [, within] = await decideAt(T0 + 20_000 + DECISION_MEMO_MS - 1, { cookie }, url);
  assert.equal(within, true);
  const [state, after] = await decideAt(T0 + 20_000 + DECISION_MEMO_MS, { cookie }, url);
  assert.equal(after, false);
  assert.equal(state.status, 'signed-in');
});

test('a decision is never served to a clock that went back before it was made', async () => {
  const url = freshUrl();
  await prime(T0 + 5000, { cookie }, url);
  const [, remembered] = await decideAt(T0 + 4000, { cookie }, url);
  assert.equal(remembered, false);
});

test('signed-out decisions are remembered only for requests without credentials', async () => {
  const url = freshUrl();
  const second = await prime(T0, { cookie: '__client_uat=0' }, url);
  assert.equal(second.status, 'signed-out');
  const [again, remembered] = await decideAt(T0 + 1, { cookie: '__client_uat=0', 'cf-ray': 'x' }, url);
  assert.equal(remembered, true);
  assert.equal(again, second);
  const bad = `__session=${token.slice(0, -4)}AAAA; __client_uat=${Math.floor(T0 / 1000) - 5}`;
  for (const headers of [{ cookie: bad }, { authorization: 'Bearer not-a-token' }, { cookie: '__session_abc=x; __client_uat=0' }]) {
    for (let i = 0; i < 3; i++) {
      const [state, rememberedBad] = await decideAt(T0, headers, url);
      assert.equal(state.status, 'signed-out');
      assert.equal(rememberedBad, false, JSON.stringify(headers));
    }
  }
});

test('a request whose key is very long (huge cookies or URL) is never remembered', async () => {
  const url = `${freshUrl()}?pad=${'x'.repeat(17 * 1024)}`;
  for (let i = 0; i < 3; i++) {
    const [state, remembered] = await decideAt(T0, { cookie }, url);
    assert.equal(state.status, 'signed-in');
    assert.equal(remembered, false);
  }
});

test('keys filed under the same slot never answer for each other', () => {
  // The memo files a key under a 32-bit hash of its values (js/decision-memo.js); two requests that
  // share one (forced here) must each see only their own decision.
  const memo = new DecisionMemo();
  const alice = memoKey('GET', 'https://app.example.com/dashboard', (name) => (name === 'cookie' ? '__session=alice' : null));
  const mallory = memoKey('GET', 'https://app.example.com/dashboard', (name) => (name === 'cookie' ? '__session=mallory' : null));
  assert.notDeepEqual(alice.values, mallory.values);
  const forced = { values: mallory.values, slot: alice.slot };
  memo.set(alice, 'alice', T0, T0 + 1000);
  assert.equal(memo.get(alice, T0), 'alice');
  assert.equal(memo.get(forced, T0), undefined);
  // Sighted once as alice: a first sighting as the other key is a first sighting still.
  assert.equal(memo.worthRemembering(alice), false);
  assert.equal(memo.worthRemembering(forced), false);
  assert.equal(memo.worthRemembering(forced), true);
  // The same values arriving as fresh strings (every request's are) find the entry.
  const again = memoKey('GET', 'https://app.example.com/dashboard', (name) => (name === 'cookie' ? ['__session=', 'alice'].join('') : null));
  assert.equal(again.slot, alice.slot);
  assert.equal(memo.get(again, T0), 'alice');
});

test('URLs and referers that differ in one character are filed apart', () => {
  // Values up to 256 characters are hashed whole: pages told apart by an id never share a slot (and
  // so never evict each other's decisions).
  const base = `https://app.example.com/projects/${'a'.repeat(180)}/settings`;
  const slotOf = (url, referer) => memoKey('GET', url, (name) => (name === 'referer' ? referer : null)).slot;
  for (let i = 24; i < base.length; i += 5) {
    const other = `${base.slice(0, i)}b${base.slice(i + 1)}`;
    assert.notEqual(slotOf(base, null), slotOf(other, null), `URL character ${i}`);
    assert.notEqual(slotOf(base, base), slotOf(base, other), `referer character ${i}`);
  }
});
