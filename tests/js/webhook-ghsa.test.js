/**
 * Regression test for GHSA-9mp4-77wg-rwx9 / CVE-2025-53548: `verifyWebhook()` in @clerk/backend
 * 2.0.0–2.3.x accepted improperly signed webhook events (fixed in 2.4.0 by "properly parsing the
 * webhook request's signatures and comparing them against the signature generated from the
 * received event"). Through the public `verifyWebhook`: only a request carrying the real signature
 * for this secret, id, timestamp and body passes; every forgery below is refused, and so is every
 * one of 2,000 random signature headers.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Webhook } from 'svix';

import { verifyWebhook } from '../../js/index.js';

const vectors = JSON.parse(readFileSync(new URL('../data/webhook-vectors.json', import.meta.url), 'utf8'));
const SECRET = vectors.secrets.primary;
const NOW = 1_767_225_600;
const ID = 'msg_ghsa';
const BODY = '{"type":"user.deleted","object":"event","data":{"id":"user_2victim","deleted":true}}';
const VALID = new Webhook(SECRET).sign(ID, new Date(NOW * 1000), BODY);
const SIG = VALID.slice(3);

/** Whether the last request's body was read. */
let lastBodyUsed = false;

/**
 * The error code, or 'ok'.
 * @param {string} signature
 * @param {{id?: string, body?: string, secret?: string}} [over]
 */
async function verdict(signature, over = {}) {
  const request = new Request('https://app.example.com/api/webhooks', {
    method: 'POST',
    body: over.body ?? BODY,
    headers: { 'svix-id': over.id ?? ID, 'svix-timestamp': String(NOW), 'svix-signature': signature },
  });
  try {
    await verifyWebhook(request, { signingSecret: over.secret ?? SECRET, now: () => NOW * 1000 });
    return 'ok';
  } catch (error) {
    return /** @type {{code: string}} */ (error).code;
  } finally {
    lastBodyUsed = request.bodyUsed;
  }
}

test('the genuine signature passes', async () => {
  assert.equal(await verdict(VALID), 'ok');
});

test('every single-bit change of the signature is refused', async () => {
  const raw = Buffer.from(SIG, 'base64');
  for (let bit = 0; bit < raw.length * 8; bit += 1) {
    const flipped = Buffer.from(raw);
    flipped[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(await verdict(`v1,${flipped.toString('base64')}`), 'no-matching-signature', `bit ${bit}`);
  }
});

test('headers without the real v1 signature are refused before the body is read', async () => {
  for (const header of [
    'v1,',
    'v1',
    ',',
    'v1, v1, v1,',
    `v1, ${SIG}`,
    `v1,,${SIG}`,
    `v2,${SIG}`,
    `v0,${SIG}`,
    `V1,${SIG}`,
    `v1a,${SIG}`,
    `,${SIG}`,
    SIG,
    `v2,${SIG} v1,`,
  ]) {
    assert.equal(await verdict(header), 'no-v1-signature', header);
    assert.equal(lastBodyUsed, false, header);
  }
  for (const header of ['', ' ', '\t']) {
    assert.equal(await verdict(header), 'missing-headers', JSON.stringify(header));
    assert.equal(lastBodyUsed, false);
  }
});

test('signatures that are real for something else are refused', async () => {
  const other = new Webhook(vectors.secrets.other);
  const mine = new Webhook(SECRET);
  const when = new Date(NOW * 1000);
  for (const [what, header, over] of /** @type {[string, string, any][]} */ ([
    ['another endpoint\'s secret', other.sign(ID, when, BODY), {}],
    ['another message id', mine.sign('msg_other', when, BODY), {}],
    ['another body', mine.sign(ID, when, '{"type":"user.created"}'), {}],
    ['another timestamp', mine.sign(ID, new Date((NOW - 1) * 1000), BODY), {}],
    ['the genuine request, replayed with another body', VALID, { body: BODY.replace('user_2victim', 'user_2attacker') }],
    ['the genuine request, replayed under another id', VALID, { id: 'msg_replay' }],
    ['the genuine request, checked with another secret', VALID, { secret: vectors.secrets.other }],
    ['a signature of the empty body', mine.sign(ID, when, ''), {}],
    ['the secret itself', `v1,${SECRET.slice(6)}`, {}],
    ['a lower-cased signature', `v1,${SIG.toLowerCase()}`, {}],
    ['the signature as hex', `v1,${Buffer.from(SIG, 'base64').toString('hex')}`, {}],
    ['a truncated signature', `v1,${SIG.slice(0, 20)}`, {}],
  ])) {
    assert.equal(await verdict(header, over), 'no-matching-signature', what);
  }
});

test('2,000 random signature headers are all refused', async () => {
  // A fixed-seed xorshift generator, so a failure reproduces.
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = (/** @type {string[]} */ options) => options[Math.floor(next() * options.length)];
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=,';
  for (let i = 0; i < 2000; i += 1) {
    const entries = Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
      const value = Array.from({ length: Math.floor(next() * 48) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      return `${pick(['v1', 'v1', 'v2', '', 'V1', 'v1 '])},${value}`;
    });
    const header = entries.join(pick([' ', '  ', ',']));
    const got = await verdict(header);
    assert.notEqual(got, 'ok', header);
  }
});

test('the vector file\'s advisory cases are all refusals', () => {
  const ghsa = vectors.cases.filter((/** @type {any} */ c) => c.ghsa === 'GHSA-9mp4-77wg-rwx9');
  assert.ok(ghsa.length >= 15);
  for (const c of ghsa) assert.notEqual(c.expect, 'ok', c.name);
});
