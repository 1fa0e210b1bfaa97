/**
 * Fetching key sets (JWKS) for token verification: the I/O half of the key-set cache.
 *
 * Why the split: the Rust core's `TokenVerifier` decides *when* keys must be fetched (TTL, unknown-kid
 * cooldown, back-off after failures, stale-if-error; see src/token/jwks.rs) and parses what arrives,
 * but does no I/O. This module does the fetching and reports every outcome back (`jwksFetched` /
 * `jwksFailed`), and adds what only the host can do:
 * - one in-flight fetch per source: concurrent requests that all need keys share one promise, so
 *   a burst of first requests (or of tokens with unknown kids) costs one request, not one each;
 * - a timeout (AbortController, default 5 s) over the whole exchange, headers and body;
 * - a size limit (default 256 KiB) enforced while the body streams in, so a hostile or broken
 *   endpoint cannot make us buffer an unbounded body;
 * - Clerk's error mapping for the Backend API: a non-2xx whose JSON names `clerk_key_invalid` is
 *   `secret-key-invalid`, anything else `jwk-remote-failed-to-load` with the status in the message.
 *
 * No retries inside one fetch (Clerk retries 5 times with back-off, holding the request for seconds):
 * the core's stale-if-error and retry-after-failure rules cover outages instead.
 *
 * The secret key is sent only to the Backend API it belongs to (never to a `jwksUrl`), and never
 * appears in a message: every text that leaves this module is scrubbed of it, and URLs in messages
 * carry neither query string nor credentials.
 * @module
 */

import { wasm } from './bindings.js';
import { TokenVerificationError } from './errors.js';

export const DEFAULT_JWKS_TIMEOUT_MS = 5000;
export const DEFAULT_JWKS_MAX_BYTES = 256 * 1024;
/**
 * @typedef {object} FetchConfig
 * @property {string} url the JWKS URL
 * @property {string | null} secretKey sent as `Authorization: Bearer …` (Backend API sources only)
 * @property {boolean} clerkApi whether the source is Clerk's Backend API (error-body mapping)
 * @property {number} timeoutMs
 * @property {number} maxBytes
 */

/**
 * A URL for messages: origin and path only.
 * @param {string} url
 */
function describe(url) {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Removes the secret from a text that may leave this module.
 * @param {string} text
 * @param {string | null} secret
 */
function scrub(text, secret) {
  return secret ? text.split(secret).join('[secret key]') : text;
}

/**
 * Reads a response body as text, aborting once it exceeds `maxBytes`.
 * @param {Response} response
 * @param {number} maxBytes
 * @param {AbortController} controller
 * @returns {Promise<string | null>} null when the body is too large
 */
async function readLimited(response, maxBytes, controller) {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    controller.abort();
    return null;
  }
  if (response.body === null || typeof response.body?.getReader !== 'function') {
    const text = await response.text();
    return new TextEncoder().encode(text).length > maxBytes ? null : text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      controller.abort();
      reader.cancel().catch(() => {});
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Fetches a key set. Resolves to the body text; rejects with a TokenVerificationError
 * (`jwk-remote-failed-to-load` or `secret-key-invalid`) whose message names the URL and the fix.
 * @param {FetchConfig} config
 * @param {typeof fetch} fetchFn
 * @returns {Promise<string>}
 */
export async function fetchJwks(config, fetchFn) {
  const { url, secretKey, clerkApi, timeoutMs, maxBytes } = config;
  const where = describe(url);
  const failed = (message) =>
    new TokenVerificationError({ reason: 'jwk-remote-failed-to-load', message: scrub(message, secretKey) });
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (clerkApi && secretKey) {
    headers.Authorization = `Bearer ${secretKey}`;
    headers['Clerk-API-Version'] = /** @type {any} */ (wasm()).supportedBapiVersion();
    headers['Content-Type'] = 'application/json';
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    let response;
    try {
      // A request carrying the secret key follows no redirect: the key must reach only apiUrl.
      response = await fetchFn(url, { headers, signal: controller.signal, redirect: clerkApi ? 'error' : 'follow' });
    } catch (error) {
      if (timedOut) throw failed(`Fetching the signing keys from ${where} timed out after ${timeoutMs} ms.`);
      const cause = error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error);
      if (clerkApi && /redirect/i.test(String(cause))) {
        throw failed(`The Backend API at ${where} answered with a redirect, which is not followed for a request ` +
          'carrying the secret key. Set apiUrl to the final URL.');
      }
      throw failed(`Could not fetch the signing keys from ${where}: ${cause}. Check that the URL is reachable from this server.`);
    }
    let body;
    try {
      body = await readLimited(response, maxBytes, controller);
    } catch (error) {
      if (timedOut) throw failed(`Fetching the signing keys from ${where} timed out after ${timeoutMs} ms (while reading the body).`);
      const cause = error?.cause?.code ?? error?.message ?? String(error);
      throw failed(`The connection to ${where} broke while reading the signing keys: ${cause}.`);
    }
    if (body === null) {
      throw failed(`The key set from ${where} is larger than ${maxBytes} bytes; refusing to read it. ` +
        'A JWKS is a few KiB: check the URL, or raise the `jwks.maxBytes` option.');
    }
    if (!response.ok) {
      if (clerkApi) {
        let errors;
        try {
          errors = JSON.parse(body)?.errors;
        } catch {
          errors = undefined;
        }
        const invalid = Array.isArray(errors) ? errors.find((e) => e?.code === 'clerk_key_invalid') : undefined;
        if (invalid) {
          const detail = typeof invalid.message === 'string' ? ` (${invalid.message})` : '';
          throw new TokenVerificationError({
            reason: 'secret-key-invalid',
            message: scrub(`The Backend API at ${where} refused the secret key with HTTP ${response.status}${detail}. ` +
              'Set secretKey (CLERK_SECRET_KEY) to the secret key of the instance that issued the token ' +
              '(Dashboard → API keys).', secretKey),
          });
        }
      }
      const status = response.status;
      const hint = status === 401 || status === 403
        ? ' The endpoint refused the request: check secretKey / jwksUrl.'
        : status === 404
          ? ' Check the URL: a Frontend API serves /.well-known/jwks.json, the Backend API /v1/jwks.'
          : status >= 500 ? ' The endpoint is failing; cached keys, if any, are used meanwhile.' : '';
      throw failed(`Error loading the signing keys from ${where}: HTTP ${status}.${hint}`);
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @typedef {object} JwksVerifier the part of the wasm `TokenVerifier` this module calls
 * @property {(body: string, now: number) => string[]} jwksFetched
 * @property {(reason: string, message: string, now: number) => void} jwksFailed
 */

/**
 * @typedef {{ok: true, removed: string[]} | {ok: false, error: TokenVerificationError}} RefreshOutcome
 */

/**
 * One key source (URL + secret) feeding one verifier, with its single in-flight fetch.
 */
export class JwksSource {
  /**
   * @param {JwksVerifier} verifier
   * @param {FetchConfig} config
   * @param {(wasmError: unknown) => unknown} mapError turns a wasm error into ours
   * @param {(removedKids: string[]) => void} onKeysRemoved
   */
  constructor(verifier, config, mapError, onKeysRemoved) {
    this.verifier = verifier;
    this.config = config;
    this.mapError = mapError;
    this.onKeysRemoved = onKeysRemoved;
    /** @type {Promise<RefreshOutcome> | null} */
    this.inflight = null;
    /** Host time of the last successful fetch (-Infinity: never). */
    this.fetchedAt = -Infinity;
    /** How many fetches were started (tests, diagnostics). */
    this.fetches = 0;
  }

  /**
   * Fetches the key set and reports the outcome to the verifier; concurrent callers share one fetch.
   * Never rejects: a failure is recorded in the verifier (which then answers `prepare` with it) and
   * returned.
   * @param {typeof fetch} fetchFn
   * @param {() => number} now
   * @returns {Promise<RefreshOutcome>}
   */
  refresh(fetchFn, now) {
    if (this.inflight !== null) return this.inflight;
    this.fetches++;
    const run = async () => {
      try {
        const body = await fetchJwks(this.config, fetchFn);
        const at = now();
        let removed;
        try {
          removed = this.verifier.jwksFetched(body, at);
        } catch (error) {
          // An unusable or empty key set. The core recorded the failure; record it again with the URL
          // in the message, so that later calls refused during the back-off say where keys came from.
          const mapped = this.mapError(error);
          if (!(mapped instanceof TokenVerificationError)) throw mapped;
          throw new TokenVerificationError({
            reason: mapped.reason,
            message: scrub(`The key set from ${describe(this.config.url)} is unusable: ${mapped.message}`,
              this.config.secretKey),
          }, { cause: mapped });
        }
        this.fetchedAt = at;
        if (removed.length > 0) this.onKeysRemoved(removed);
        return /** @type {RefreshOutcome} */ ({ ok: true, removed });
      } catch (error) {
        const failure = error instanceof TokenVerificationError
          ? error
          : new TokenVerificationError({
            reason: 'jwk-remote-failed-to-load',
            message: scrub(`Loading the signing keys from ${describe(this.config.url)} failed: ${error?.message ?? error}`,
              this.config.secretKey),
          });
        this.verifier.jwksFailed(failure.reason, failure.message, now());
        return /** @type {RefreshOutcome} */ ({ ok: false, error: failure });
      }
    };
    const promise = run().finally(() => {
      if (this.inflight === promise) this.inflight = null;
    });
    this.inflight = promise;
    return promise;
  }
}
