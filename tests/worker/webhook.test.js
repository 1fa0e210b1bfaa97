/**
 * Webhook routes in workerd: Svix-signed events (signed by the real `svix` package) are verified in
 * the Worker on the raw bytes and forwarded byte for byte with a signed verdict; everything else is
 * refused there and never reaches the origin. The origin is a real HTTP server on 127.0.0.1.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'svix';
import { verifyIdentityHeader } from '../../js/worker/identity.js';
import { verifyWebhookHeaders } from '../../js/worker/webhook.js';
import { PK_TEST, SK_TEST, asRequest, originForFile, request, testKey, verifyPortcullisWebhook, withWorker } from './helpers.js';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const OTHER_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const HOOK = '/api/webhooks/clerk';
const ROUTES = JSON.stringify({ webhook: [HOOK], public: ['/'], api: ['/api(.*)'], protected: ['/dashboard(.*)'] });

const origin = originForFile();

const bindings = () => ({
  CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_SECRET_KEY: SK_TEST, CLERK_JWT_KEY: testKey().pem,
  ORIGIN_URL: origin.url, PORTCULLIS_ROUTES: ROUTES, CLERK_WEBHOOK_SIGNING_SECRET: SECRET,
});

/** A Clerk event whose bytes a re-serialisation would change (spacing, escapes, non-ASCII, newline). */
const EVENT = Buffer.from('{"type":"user.created",  "object":"event",\n "data":{"id":"user_1","first_name":"Zo\\u00eb","last_name":"Brontë"}}\n');

/**
 * Svix headers for `body`.
 * @param {Buffer} body
 * @param {{secret?: string, id?: string, at?: Date, extra?: string[]}} [options] extra: more signatures
 */
function signed(body, { secret = SECRET, id = `msg_${randomBytes(8).toString('hex')}`, at = new Date(), extra = [] } = {}) {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': [...extra, signature].join(' '),
  };
}

/**
 * POSTs to the webhook route; returns the response, its JSON body when it has one, and whether the
 * origin saw the request.
 * @param {import('miniflare').Miniflare} mf
 * @param {Record<string, string>} headers
 * @param {BodyInit} body
 */
async function post(mf, headers, body, { method = 'POST', path = HOOK } = {}) {
  const before = origin.requests.length;
  const init = { method, headers, body: method === 'GET' ? undefined : body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) };
  const res = await request(mf, `http://localhost${path}`, /** @type {any} */ (init));
  const text = await res.text();
  const forwarded = origin.requests.length > before;
  return { res, forwarded, json: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
}

/**
 * Asserts a refusal: status, error code, nothing forwarded.
 * @param {Awaited<ReturnType<typeof post>>} got
 * @param {number} status
 * @param {string} code
 */
function refused(got, status, code) {
  assert.equal(got.res.status, status);
  assert.equal(got.json?.error?.code, code, JSON.stringify(got.json));
  assert.equal(typeof got.json.error.message, 'string');
  assert.equal(got.res.headers.get('cache-control'), 'private, no-store');
  assert.equal(got.forwarded, false, 'not forwarded to the origin');
}

describe('Worker in workerd: webhook routes', () => {
  it('forwards a valid event byte for byte, without a session, with a signed verdict the origin can check', async () => {
    await withWorker(bindings(), async (mf) => {
      const headers = signed(EVENT, { id: 'msg_2abcVALID' });
      const got = await post(mf, headers, EVENT);
      assert.equal(got.res.status, 200);
      assert.equal(got.forwarded, true);
      const seen = origin.requests.at(-1);
      assert.equal(seen.method, 'POST');
      assert.equal(seen.url, HOOK);
      assert.ok(seen.raw.equals(EVENT), 'the exact bytes reached the origin');
      // The sender's headers pass through (the origin may verify again), with the verdict.
      assert.equal(seen.headers['svix-id'], 'msg_2abcVALID');
      assert.equal(seen.headers['svix-signature'], headers['svix-signature']);
      assert.equal(seen.headers['x-portcullis-webhook-verified'], 'msg_2abcVALID');
      assert.match(String(seen.headers['x-portcullis-webhook-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.deepEqual(await verifyWebhookHeaders(asRequest(seen, origin.url), seen.raw, SK_TEST),
        { ok: true, id: 'msg_2abcVALID', signedAt: Number(/t=(\d+)/.exec(String(seen.headers['x-portcullis-webhook-signature']))?.[1]) });
      assert.deepEqual(verifyPortcullisWebhook(seen, seen.raw, SK_TEST), { id: 'msg_2abcVALID' }, 'the README recipe agrees');
      // Bound to the body, the path and the key.
      assert.equal(verifyPortcullisWebhook(seen, Buffer.from('{}'), SK_TEST), null);
      assert.equal(verifyPortcullisWebhook({ ...seen, url: '/api/other' }, seen.raw, SK_TEST), null);
      assert.equal(verifyPortcullisWebhook(seen, seen.raw, 'sk_test_another_key_0123456789abcdef'), null);
      assert.equal((await verifyWebhookHeaders(asRequest(seen, origin.url), Buffer.from('{}'), SK_TEST)).ok, false);
      // Every forwarded request still carries a signed identity: signed out here.
      const identity = await verifyIdentityHeader(asRequest(seen, origin.url), SK_TEST);
      assert.equal(identity.ok, true, identity.reason);
      assert.equal(identity.identity.status, 'signed-out');
    });
  });

  it('accepts a signature header with several signatures when one of them is valid', async () => {
    await withWorker(bindings(), async (mf) => {
      const other = new Webhook(OTHER_SECRET).sign('msg_multi', new Date(), EVENT);
      const headers = signed(EVENT, { id: 'msg_multi', extra: ['v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', other, 'v2,bm90LWEtc2lnbmF0dXJl'] });
      const got = await post(mf, headers, EVENT);
      assert.equal(got.res.status, 200);
      assert.equal(origin.requests.at(-1).headers['x-portcullis-webhook-verified'], 'msg_multi');
    });
  });

  it('refuses tampered bodies, other secrets, stale or future timestamps and missing headers (400), never forwarding them', async () => {
    await withWorker(bindings(), async (mf) => {
      const tampered = Buffer.from(EVENT.toString().replace('user_1', 'user_2'));
      refused(await post(mf, signed(EVENT), tampered), 400, 'no-matching-signature');
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(EVENT.toString())));
      refused(await post(mf, signed(EVENT), reserialised), 400, 'no-matching-signature');
      refused(await post(mf, signed(EVENT, { secret: OTHER_SECRET }), EVENT), 400, 'no-matching-signature');
      refused(await post(mf, signed(EVENT, { at: new Date(Date.now() - 6 * 60_000) }), EVENT), 400, 'timestamp-too-old');
      refused(await post(mf, signed(EVENT, { at: new Date(Date.now() + 6 * 60_000) }), EVENT), 400, 'timestamp-too-new');
      const { 'svix-signature': _s, ...unsigned } = signed(EVENT);
      refused(await post(mf, unsigned, EVENT), 400, 'missing-headers');
      refused(await post(mf, { 'content-type': 'application/json' }, EVENT), 400, 'missing-headers');
      refused(await post(mf, { ...signed(EVENT), 'svix-signature': 'v1a,abc v2,xyz' }, EVENT), 400, 'no-v1-signature');
      // A session does not stand in for a signature.
      refused(await post(mf, { authorization: `Bearer ${testKey().mint()}`, 'content-type': 'application/json' }, EVENT), 400, 'missing-headers');
    });
  });

  it('answers 405 to other methods and 413 to bodies over 1 MiB (by Content-Length or while streaming)', async () => {
    await withWorker(bindings(), async (mf) => {
      const got = await post(mf, signed(EVENT), EVENT, { method: 'GET' });
      refused(got, 405, 'method-not-allowed');
      assert.equal(got.res.headers.get('allow'), 'POST');
      refused(await post(mf, signed(EVENT), EVENT, { method: 'PUT' }), 405, 'method-not-allowed');
      const big = Buffer.alloc(1024 * 1024 + 1, 0x20);
      refused(await post(mf, signed(big), big), 413, 'payload-too-large');
      // No Content-Length: a stream of 64 KiB chunks, cut off once it passes the limit.
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent > 2 * 1024 * 1024) return controller.close();
          sent += 65536;
          controller.enqueue(new Uint8Array(65536).fill(0x20));
        },
      });
      const streamed = await post(mf, signed(big), stream);
      refused(streamed, 413, 'payload-too-large');
      // Exactly at the limit is fine (the signature is then checked: here a valid one).
      const atLimit = Buffer.concat([Buffer.from('{"a":"'), Buffer.alloc(1024 * 1024 - 8, 0x61), Buffer.from('"}')]);
      assert.equal(atLimit.length, 1024 * 1024);
      const ok = await post(mf, signed(atLimit), atLimit);
      assert.equal(ok.res.status, 200);
      assert.ok(origin.requests.at(-1).raw.equals(atLimit));
    });
  });

  it('strips client-sent verdict headers on every route, and replaces them on webhook routes', async () => {
    await withWorker(bindings(), async (mf) => {
      const spoof = { 'x-portcullis-webhook-verified': 'msg_forged', 'x-portcullis-webhook-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` };
      assert.equal((await request(mf, 'http://localhost/', { headers: spoof })).status, 200);
      const seen = origin.requests.at(-1);
      assert.equal(seen.headers['x-portcullis-webhook-verified'], undefined);
      assert.equal(seen.headers['x-portcullis-webhook-signature'], undefined);
      assert.equal(await verifyWebhookHeaders(asRequest(seen, origin.url), seen.raw, SK_TEST).then((v) => v.ok), false);

      const got = await post(mf, { ...signed(EVENT, { id: 'msg_real' }), ...spoof }, EVENT);
      assert.equal(got.res.status, 200);
      const hook = origin.requests.at(-1);
      assert.equal(hook.headers['x-portcullis-webhook-verified'], 'msg_real');
      assert.deepEqual(verifyPortcullisWebhook(hook, hook.raw, SK_TEST), { id: 'msg_real' });
      // A forged verdict on a signed-out request to an API route gets the usual 401, not through.
      const before = origin.requests.length;
      assert.equal((await request(mf, 'http://localhost/api/webhooks/other', { method: 'POST', headers: spoof, body: EVENT })).status, 401);
      assert.equal(origin.requests.length, before);
    });
  });

  it('uses the webhook rule before public and protected ones', async () => {
    const routes = JSON.stringify({ webhook: ['/hooks/:name'], public: ['/(.*)'] });
    await withWorker({ ...bindings(), PORTCULLIS_ROUTES: routes }, async (mf) => {
      refused(await post(mf, { 'content-type': 'application/json' }, EVENT, { path: '/hooks/clerk' }), 400, 'missing-headers');
      refused(await post(mf, { 'content-type': 'application/json' }, EVENT, { path: '/HOOKS/clerk/' }), 400, 'missing-headers');
      assert.equal((await post(mf, signed(EVENT), EVENT, { path: '/hooks/clerk' })).res.status, 200);
    });
  });
});
