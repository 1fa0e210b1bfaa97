/**
 * `verifyWebhook(request, { signingSecret })`: Clerk's webhook verification (Svix / Standard
 * Webhooks signatures), resolving to the parsed event.
 *
 * Why this shape: it is Clerk's `verifyWebhook` call, so handlers port unchanged; every rule (secret
 * format, header names, timestamp tolerance, signature parsing, constant-time comparison, what a
 * valid body is) lives in the Rust core (src/webhook/), checked against the real `svix` package on
 * shared vectors. This module only does the IO: it reads the headers, asks the core to check the
 * secret, headers and clock first — so a stale or unsigned request is refused without reading its
 * body — then reads the body once, as bytes, and hands exactly those bytes to the core. Parsing
 * with `JSON.parse` happens only after the signature matched.
 *
 * Differences from Clerk's helper: `webhook-*` header names are accepted (Standard Webhooks), the
 * event is returned whole (Clerk copies six known fields), and every refusal is a
 * {@link WebhookVerificationError} with a stable `code` and an HTTP `statusCode`.
 * @module
 */

import { wasm } from './bindings.js';
import { ConfigurationError, fromWasmError } from './errors.js';

/**
 * The wasm exports this module uses.
 * @typedef {object} WebhookBindings
 * @property {(headers: Headers, secret: string, nowSeconds: number) => WasmPendingWebhook} prepareWebhook
 */

/**
 * @typedef {object} WasmPendingWebhook
 * @property {(body: Uint8Array) => void} verifyBody
 * @property {string} id
 * @property {number} timestamp
 * @property {() => void} free
 */

/**
 * Why a webhook request was refused. `code` is stable: `missing-secret`, `invalid-secret`,
 * `missing-headers`, `invalid-timestamp`, `timestamp-too-old`, `timestamp-too-new`,
 * `no-v1-signature`, `no-matching-signature`, `invalid-payload`, `body-already-read`. `statusCode`
 * is what to answer: 500 when the server is misconfigured (the sender retries later), 400 otherwise.
 * Messages name the fix and never contain the secret, a signature or the body.
 */
export class WebhookVerificationError extends Error {
  /**
   * @param {{code: string, message: string, statusCode?: number}} details
   * @param {ErrorOptions} [options]
   */
  constructor({ code, message, statusCode = 400 }, options) {
    super(message, options);
    /** @type {'WebhookVerificationError'} */
    this.name = 'WebhookVerificationError';
    /** @type {string} */
    this.code = code;
    /** @type {number} */
    this.statusCode = statusCode;
  }
}

/**
 * Options of {@link verifyWebhook}.
 * @typedef {object} VerifyWebhookOptions
 * @property {string} [signingSecret] the endpoint's signing secret (`whsec_…`); default: the
 *   `CLERK_WEBHOOK_SIGNING_SECRET` environment variable, where `process.env` exists
 * @property {() => number} [now] the clock, ms since the epoch (default `Date.now`)
 */

const OPTIONS = ['signingSecret', 'now'];

/** @returns {string | undefined} */
function secretFromEnv() {
  const env = /** @type {{process?: {env?: Record<string, string | undefined>}}} */ (globalThis).process?.env;
  return env?.CLERK_WEBHOOK_SIGNING_SECRET;
}

/**
 * Rethrows a core error as our class.
 * @param {unknown} error
 * @returns {unknown}
 */
function fromCore(error) {
  if (error !== null && typeof error === 'object' && /** @type {{name?: unknown}} */ (error).name === 'WebhookVerificationError') {
    const { code, message, statusCode } = /** @type {{code: string, message: string, statusCode?: number}} */ (error);
    return new WebhookVerificationError({ code, message, statusCode }, { cause: error });
  }
  return fromWasmError(error);
}

/**
 * Verifies a webhook request and resolves to its event (the body, parsed).
 * @param {Request} request a Fetch `Request` whose body has not been read
 * @param {VerifyWebhookOptions} [options]
 * @returns {Promise<any>}
 * @throws {WebhookVerificationError} (as a rejection) when the request is refused
 * @throws {ConfigurationError} (as a rejection) for options of the wrong type
 */
export async function verifyWebhook(request, options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('verifyWebhook options must be an object: { signingSecret?, now? }.', 'options');
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) {
      throw new ConfigurationError(`Unknown verifyWebhook option \`${key}\`; the options are signingSecret and now.`, key);
    }
  }
  const secret = options.signingSecret ?? secretFromEnv() ?? '';
  if (typeof secret !== 'string') {
    throw new ConfigurationError('`signingSecret` must be a string (whsec_…).', 'signingSecret');
  }
  const now = options.now ?? Date.now;
  const ms = typeof now === 'function' ? now() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ConfigurationError('`now` must be a function returning milliseconds since the epoch.', 'now');
  }
  const headers = request?.headers;
  if (typeof headers?.get !== 'function' || typeof request.arrayBuffer !== 'function') {
    throw new ConfigurationError('verifyWebhook expects a Fetch Request (with headers.get and arrayBuffer).', 'request');
  }

  /** @type {WasmPendingWebhook} */
  let pending;
  try {
    pending = /** @type {WebhookBindings} */ (/** @type {unknown} */ (wasm())).prepareWebhook(headers, secret, Math.floor(ms / 1000));
  } catch (error) {
    throw fromCore(error);
  }
  try {
    if (request.bodyUsed) {
      throw new WebhookVerificationError({
        code: 'body-already-read',
        statusCode: 500,
        message:
          'The request body was already read (e.g. by `await req.json()` or a body parser). Call verifyWebhook(req) ' +
          'first, or pass req.clone(): the signature covers the raw bytes as received.',
      });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    try {
      pending.verifyBody(body);
    } catch (error) {
      throw fromCore(error);
    }
    // The core accepted these bytes as a UTF-8 JSON object, so this cannot fail.
    return JSON.parse(new TextDecoder().decode(body));
  } finally {
    pending.free();
  }
}
