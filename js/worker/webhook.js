/**
 * Webhook routes: the Worker verifies a signed webhook (Svix / Standard Webhooks, as Clerk sends
 * them) before it reaches the origin, and tells the origin so with a header it can trust.
 *
 * Why in the Worker: a webhook endpoint is public by nature (the sender has no session), so without
 * this it is the one route where anyone on the internet reaches the origin's code with a body of
 * their choosing. Here a forged, altered, replayed-late or unsigned request never leaves the Worker.
 *
 * A request on a `webhook` route of PORTCULLIS_ROUTES (rules.js) is never asked for a session.
 *   - not POST → 405 (`Allow: POST`);
 *   - a body over MAX_WEBHOOK_BYTES (by Content-Length, or while reading) → 413;
 *   - otherwise `verifyWebhook` (js/webhook.js: the Rust core's svix rules — headers and timestamp
 *     first, so a stale or unsigned request is refused before its body is read; then every `v1`
 *     signature against the raw bytes, constant time) with CLERK_WEBHOOK_SIGNING_SECRET. A refusal
 *     is 400 with `{error: {code, message}}`, `code` the core's stable code (`missing-headers`,
 *     `timestamp-too-old`, `no-matching-signature`, …);
 *   - verified → forwarded (forward.js) with exactly the bytes that were verified, the sender's own
 *     `svix-*` headers (the origin may verify again), the signed-out identity header, and
 *       x-portcullis-webhook-verified    the message id (`svix-id`), percent-encoded like identity values
 *       x-portcullis-webhook-signature   t=<unix seconds>,v1=<hex HMAC-SHA256>
 *     over the lines `portcullis-webhook-v1`, t, METHOD, path+query as the origin receives it, the
 *     id header's value, and the lower-case hex SHA-256 of the body — with the identity header's key.
 *     Client-sent copies are stripped with every other `x-portcullis-*` header.
 *
 * The secret is validated when the configuration is parsed: webhook routes without a valid secret
 * are a configuration error (fail closed), not a 500 at the first delivery.
 * @module
 */

import { wasm } from '../bindings.js';
import { WebhookVerificationError, verifyWebhook } from '../webhook.js';
import { DEFAULT_MAX_SKEW_SECONDS, checkSignatureValue, encodeValue, hex, pathAndQuery, signatureValue } from './identity.js';
import { jsonError } from './pages.js';

/** The largest webhook body the Worker reads (Clerk's events are a few KiB). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
export const WEBHOOK_VERIFIED_HEADER = 'x-portcullis-webhook-verified';
export const WEBHOOK_SIGNATURE_HEADER = 'x-portcullis-webhook-signature';
const CONTEXT = 'portcullis-webhook-v1';
const SECRET_FIX = 'Copy the endpoint\'s Signing Secret (whsec_…) from Clerk Dashboard → Webhooks and set it as a secret: ' +
  '`wrangler secret put CLERK_WEBHOOK_SIGNING_SECRET` (locally: a line in .dev.vars).';

/**
 * Validates CLERK_WEBHOOK_SIGNING_SECRET against the routes: required (and well-formed) when there
 * are webhook routes. Problems go to `problems`.
 * @param {string | null} secret
 * @param {boolean} hasWebhooks
 * @param {import('./config.js').ConfigProblem[]} problems
 * @returns {string | null} the secret when it is usable
 */
export function checkWebhookSecret(secret, hasWebhooks, problems) {
  if (secret === null) {
    if (hasWebhooks) {
      problems.push({
        variable: 'CLERK_WEBHOOK_SIGNING_SECRET',
        problem: 'is not set, but PORTCULLIS_ROUTES has "webhook" routes: their requests cannot be verified.',
        fix: `${SECRET_FIX} Or remove "webhook" from PORTCULLIS_ROUTES.`,
      });
    }
    return null;
  }
  try {
    // The core checks the secret before anything else; with no headers a good secret gets as far
    // as `missing-headers`.
    /** @type {any} */ (wasm()).prepareWebhook(new Headers(), secret, 0).free();
  } catch (error) {
    const code = /** @type {any} */ (error)?.code;
    if (code === 'missing-secret' || code === 'invalid-secret') {
      problems.push({ variable: 'CLERK_WEBHOOK_SIGNING_SECRET', problem: `is not a usable signing secret (${/** @type {any} */ (error).message})`, fix: SECRET_FIX });
      return null;
    }
    if (code !== 'missing-headers') throw error;
  }
  return secret;
}

/** Thrown while reading a body that is over the limit. */
class TooLarge extends Error {}

/**
 * Reads a body stream to an ArrayBuffer of its exact size, refusing more than `max` bytes.
 * @param {ReadableStream<Uint8Array> | null} stream
 * @param {number} max
 */
async function readLimited(stream, max) {
  if (stream === null) return new ArrayBuffer(0);
  const reader = stream.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await drain(reader, size, DRAIN_BYTES);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

/**
 * How much of an oversized streamed body is read and dropped before the 413 is sent. A sender that
 * is still uploading when the answer comes sees its connection reset instead of the 413 (the
 * runtime closes a request whose body was not consumed); reading on, up to this bound, lets an
 * ordinary oversized delivery get its 413, while a huge one is still cut off.
 */
const DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * Reads and drops the rest of a body until it ends or `limit` bytes were read in all, then cancels.
 * @param {ReadableStreamDefaultReader<Uint8Array>} reader
 * @param {number} read bytes read so far
 * @param {number} limit
 */
async function drain(reader, read, limit) {
  try {
    while (read <= limit) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } catch {
    return; // the sender went away: nothing to drain
  }
  reader.cancel().catch(() => {});
}

function tooLarge() {
  return jsonError(413, 'payload-too-large', `A webhook body may be at most ${MAX_WEBHOOK_BYTES} bytes.`);
}

/**
 * Verifies a request on a webhook route.
 * @param {Request} request
 * @param {string} secret CLERK_WEBHOOK_SIGNING_SECRET
 * @returns {Promise<Response | {id: string, body: Uint8Array}>} the refusal, or what to forward
 */
export async function checkWebhook(request, secret) {
  if (request.method !== 'POST') {
    return jsonError(405, 'method-not-allowed', 'Webhook routes accept POST only.', { allow: 'POST' });
  }
  const length = request.headers.get('content-length');
  if (length !== null && Number(length) > MAX_WEBHOOK_BYTES) return tooLarge();
  /** @type {ArrayBuffer | null} */
  let bytes = null;
  try {
    // verifyWebhook reads the body only once the headers and the timestamp passed.
    await verifyWebhook(/** @type {Request} */ (/** @type {unknown} */ ({
      headers: request.headers,
      bodyUsed: false,
      arrayBuffer: async () => (bytes = await readLimited(request.body, MAX_WEBHOOK_BYTES)),
    })), { signingSecret: secret });
  } catch (error) {
    if (error instanceof TooLarge) return tooLarge();
    if (!(error instanceof WebhookVerificationError)) throw error;
    console.warn(`portcullis: webhook refused (${error.code})`);
    return jsonError(error.statusCode, error.code, error.message);
  }
  const id = (request.headers.get('svix-id') ?? request.headers.get('webhook-id') ?? '').trim();
  return { id, body: new Uint8Array(/** @type {ArrayBuffer} */ (bytes)) };
}

/**
 * @param {number} t
 * @param {string} method
 * @param {string} target
 * @param {string} id the header value as sent
 * @param {string} digest hex SHA-256 of the body
 */
function lines(t, method, target, id, digest) {
  return [CONTEXT, String(t), method.toUpperCase(), target, id, digest];
}

/**
 * The verified-webhook headers for the origin, as [name, value] pairs.
 * @param {{secret: string, method: string, target: string, id: string, body: Uint8Array, now?: number}} input
 *   `target`: the path+query the origin will receive
 * @returns {Promise<[string, string][]>}
 */
export async function webhookHeaderPairs({ secret, method, target, id, body, now = Date.now() }) {
  const value = encodeValue(id);
  const digest = hex(await crypto.subtle.digest('SHA-256', body));
  const signature = await signatureValue(secret, lines(Math.floor(now / 1000), method, target, value, digest));
  return [[WEBHOOK_VERIFIED_HEADER, value], [WEBHOOK_SIGNATURE_HEADER, signature]];
}

/**
 * What an origin does with a forwarded webhook: checks that portcullis verified it, for this request
 * and this body. Never throws for a bad request.
 * @param {Request} request as the origin received it
 * @param {Uint8Array | ArrayBuffer} body its body, as received
 * @param {string} secret the key the Worker signs with
 * @param {{maxSkewSeconds?: number, now?: number}} [options]
 * @returns {Promise<{ok: true, id: string, signedAt: number} | {ok: false, reason: string}>}
 */
export async function verifyWebhookHeaders(request, body, secret, { maxSkewSeconds = DEFAULT_MAX_SKEW_SECONDS, now = Date.now() } = {}) {
  const id = request.headers.get(WEBHOOK_VERIFIED_HEADER);
  if (id === null) return { ok: false, reason: `no ${WEBHOOK_VERIFIED_HEADER} header: portcullis did not verify this webhook` };
  const digest = hex(await crypto.subtle.digest('SHA-256', body));
  const checked = await checkSignatureValue(request.headers.get(WEBHOOK_SIGNATURE_HEADER), WEBHOOK_SIGNATURE_HEADER, secret,
    (t) => lines(t, request.method, pathAndQuery(request.url), id, digest), { maxSkewSeconds, now });
  return checked.ok ? { ok: true, id: decodeURIComponent(id), signedAt: checked.t } : checked;
}
