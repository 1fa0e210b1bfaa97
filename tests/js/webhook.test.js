/**
 * Webhook verification through the public `verifyWebhook`, on the shared vectors
 * (tests/data/webhook-vectors.json, signed by the real svix package; tests/webhook_vectors.rs runs
 * the same cases in Rust), and against svix's own `Webhook.verify` and Clerk's own `verifyWebhook`
 * (@clerk/backend) on every case: where either refuses, we refuse.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

import { Webhook } from 'svix';
import { verifyWebhook as clerkVerifyWebhook } from '@clerk/backend/webhooks';

import { ConfigurationError, WebhookVerificationError, verifyWebhook } from '../../js/index.js';

const vectors = JSON.parse(readFileSync(new URL('../data/webhook-vectors.json', import.meta.url), 'utf8'));
/** @type {any[]} */
const cases = vectors.cases;
const svixVersion = JSON.parse(readFileSync(new URL('../../node_modules/svix/package.json', import.meta.url), 'utf8')).version;

/** @param {any} c @returns {Uint8Array} */
const bodyOf = (c) => (c.bodyHex !== undefined ? Buffer.from(c.bodyHex, 'hex') : Buffer.from(c.body, 'utf8'));

/** @param {any} c */
function requestOf(c) {
  const headers = new Headers();
  for (const [name, value] of c.headers) headers.append(name, value);
  return new Request('https://app.example.com/api/webhooks/clerk', { method: 'POST', headers, body: bodyOf(c) });
}

/**
 * Our verdict: 'ok' with the event, or the error code.
 * @param {any} c
 */
async function ours(c) {
  try {
    const event = await verifyWebhook(requestOf(c), { signingSecret: c.secret, now: () => c.now * 1000 });
    return { code: 'ok', event };
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, `${c.name}: ${error}`);
    return { code: /** @type {WebhookVerificationError} */ (error).code, error };
  }
}

/**
 * Runs `fn` with `Date.now` reading `seconds`.
 * @template T
 * @param {number} seconds
 * @param {() => T} fn
 * @returns {Promise<Awaited<T>>}
 */
async function at(seconds, fn) {
  const realNow = Date.now;
  Date.now = () => seconds * 1000;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/** svix's verdict, with the header values a Fetch `Headers` object gives and the raw body. */
async function svix(/** @type {any} */ c) {
  return at(c.now, () => {
    try {
      const headers = Object.fromEntries(requestOf(c).headers);
      return { accepts: true, event: new Webhook(c.secret).verify(Buffer.from(bodyOf(c)), headers) };
    } catch (error) {
      return { accepts: false, message: /** @type {Error} */ (error).message };
    }
  });
}

test('the vectors were made with the svix version installed', () => {
  assert.equal(vectors.svixVersion, svixVersion);
  assert.ok(cases.length >= 100, `${cases.length} cases`);
});

test('every vector through verifyWebhook', async () => {
  const failures = [];
  for (const c of cases) {
    const got = await ours(c);
    if (got.code !== c.expect) {
      failures.push(`${c.name}: expected ${c.expect}, got ${got.code} ${got.error?.message ?? ''}`);
    } else if (got.code === 'ok') {
      const parsed = JSON.parse(Buffer.from(bodyOf(c)).toString('utf8'));
      if (!isDeepStrictEqual(got.event, parsed)) failures.push(`${c.name}: event differs from JSON.parse(body)`);
    } else {
      const e = /** @type {WebhookVerificationError} */ (got.error);
      assert.equal(e.name, 'WebhookVerificationError');
      assert.equal(e.statusCode, ['missing-secret', 'invalid-secret'].includes(e.code) ? 500 : 400, c.name);
      if (c.secret.length > 8) assert.ok(!e.message.includes(c.secret.trim()), `${c.name}: message leaks the secret`);
    }
  }
  assert.deepEqual(failures, []);
});

test("svix's own Webhook.verify agrees: where svix refuses, we refuse; where we accept, svix returns the same event", async () => {
  let refusedByBoth = 0;
  let acceptedByBoth = 0;
  const failures = [];
  for (const c of cases) {
    const theirs = await svix(c);
    const mine = await ours(c);
    if ((theirs.accepts ? 'accepts' : 'refuses') !== c.svix) {
      failures.push(`${c.name}: the vector says svix ${c.svix}, svix ${svixVersion} ${theirs.accepts ? 'accepts' : `refuses (${theirs.message})`}`);
    }
    if (!theirs.accepts) {
      if (mine.code === 'ok') failures.push(`${c.name}: svix refuses (${theirs.message}) but we accept`);
      else refusedByBoth += 1;
    } else if (mine.code === 'ok') {
      if (!isDeepStrictEqual(mine.event, theirs.event)) failures.push(`${c.name}: svix returns another event`);
      acceptedByBoth += 1;
    } else if (!c.stricterThanSvix) {
      failures.push(`${c.name}: svix accepts, we refuse with ${mine.code}, and the vector does not say why`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(acceptedByBoth, cases.filter((c) => c.expect === 'ok').length);
  assert.equal(refusedByBoth, cases.filter((c) => c.svix === 'refuses').length);
});

test("Clerk's own verifyWebhook agrees: where it refuses, we refuse", async () => {
  // Clerk's helper reads only svix-* headers and returns six known fields of the event.
  const svixOnly = cases.filter((c) => c.headers.every(([/** @type {string} */ name]) => name.toLowerCase().startsWith('svix-')));
  assert.ok(svixOnly.length >= 80);
  const failures = [];
  for (const c of svixOnly) {
    const clerk = await at(c.now, async () => {
      try {
        return { accepts: true, event: await clerkVerifyWebhook(requestOf(c), { signingSecret: c.secret }) };
      } catch (error) {
        return { accepts: false, message: /** @type {Error} */ (error).message };
      }
    });
    const mine = await ours(c);
    if (!clerk.accepts && mine.code === 'ok') failures.push(`${c.name}: Clerk refuses (${clerk.message}) but we accept`);
    if (clerk.accepts && mine.code === 'ok') {
      for (const key of ['type', 'data', 'event_attributes', 'timestamp', 'instance_id']) {
        if (!isDeepStrictEqual(clerk.event[key], mine.event[key])) failures.push(`${c.name}: ${key} differs`);
      }
    }
    if (clerk.accepts && mine.code !== 'ok' && !c.stricterThanSvix) failures.push(`${c.name}: Clerk accepts, we refuse (${mine.code})`);
  }
  assert.deepEqual(failures, []);
});

test('signingSecret defaults to CLERK_WEBHOOK_SIGNING_SECRET', async () => {
  const c = cases.find((v) => v.name === 'valid: svix headers, Clerk event');
  const saved = process.env.CLERK_WEBHOOK_SIGNING_SECRET;
  try {
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = c.secret;
    assert.equal((await verifyWebhook(requestOf(c), { now: () => c.now * 1000 })).type, 'user.created');
    delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
    await assert.rejects(verifyWebhook(requestOf(c), { now: () => c.now * 1000 }), (/** @type {any} */ e) => {
      assert.equal(e.code, 'missing-secret');
      assert.equal(e.statusCode, 500);
      assert.match(e.message, /CLERK_WEBHOOK_SIGNING_SECRET/);
      return true;
    });
    // An explicit option wins over the environment.
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = vectors.secrets.other;
    assert.equal((await verifyWebhook(requestOf(c), { signingSecret: c.secret, now: () => c.now * 1000 })).type, 'user.created');
  } finally {
    if (saved === undefined) delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
    else process.env.CLERK_WEBHOOK_SIGNING_SECRET = saved;
  }
});

test('the body is read once, and not at all when the headers, secret or clock already refuse', async () => {
  const c = cases.find((v) => v.name === 'valid: svix headers, Clerk event');
  for (const [name, mutate] of /** @type {[string, (c: any) => any][]} */ ([
    ['missing-headers', (v) => ({ ...v, headers: [] })],
    ['timestamp-too-old', (v) => ({ ...v, now: v.now + 3600 })],
    ['invalid-secret', (v) => ({ ...v, secret: 'sk_test_x' })],
    ['no-v1-signature', (v) => ({ ...v, headers: v.headers.map((/** @type {string[]} */ [n, val]) => [n, n === 'svix-signature' ? 'v1,' : val]) })],
  ])) {
    const m = mutate(c);
    const request = requestOf(m);
    await assert.rejects(verifyWebhook(request, { signingSecret: m.secret, now: () => m.now * 1000 }), { code: name });
    assert.equal(request.bodyUsed, false, name);
  }
  const request = requestOf(c);
  await request.text();
  await assert.rejects(verifyWebhook(request, { signingSecret: c.secret, now: () => c.now * 1000 }), (/** @type {any} */ e) => {
    assert.equal(e.code, 'body-already-read');
    assert.match(e.message, /req\.clone\(\)/);
    return true;
  });
  // A clone verifies after the original was read.
  const original = requestOf(c);
  const clone = original.clone();
  await original.json();
  assert.equal((await verifyWebhook(clone, { signingSecret: c.secret, now: () => c.now * 1000 })).type, 'user.created');
});

test('bad arguments are ConfigurationErrors naming the option', async () => {
  const c = cases[0];
  for (const [args, option] of /** @type {[any[], string][]} */ ([
    [[requestOf(c), { signingSecret: 42 }], 'signingSecret'],
    [[requestOf(c), { signingSecret: c.secret, sigingSecret: 'x' }], 'sigingSecret'],
    [[requestOf(c), { signingSecret: c.secret, now: 'soon' }], 'now'],
    [[{ body: c.body }, { signingSecret: c.secret }], 'request'],
    [[requestOf(c), null], 'options'],
  ])) {
    await assert.rejects(verifyWebhook(...args), (/** @type {any} */ e) => {
      assert.ok(e instanceof ConfigurationError, String(e));
      assert.equal(e.option, option);
      return true;
    });
  }
});

test('the real clock is the default', async () => {
  const secret = vectors.secrets.primary;
  const body = '{"type":"session.created","data":{}}';
  const now = new Date();
  const signature = new Webhook(secret).sign('msg_live', now, body);
  const request = new Request('https://x/', {
    method: 'POST',
    body,
    headers: { 'svix-id': 'msg_live', 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': signature },
  });
  assert.equal((await verifyWebhook(request, { signingSecret: secret })).type, 'session.created');
});
