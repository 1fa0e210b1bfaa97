/**
 * Calls to Clerk's Backend API: the handshake payload, the session refresh, machine-token `verify`
 * and `getToken()` templates.
 *
 * Why a module of its own: every such call has the same shape (the secret key as the Bearer, Clerk's
 * API version, a 5 s timeout, no redirects) and the same error handling (Clerk's error code kept,
 * a network failure told apart from an HTTP error), and the engine's answers are built from it.
 * @module
 */

import { wasm } from './bindings.js';

const USER_AGENT = 'portcullis/0.1.0';
const BAPI_TIMEOUT_MS = 5000;

/**
 * Performs a Backend API call (`Authorization: Bearer <secret key>`, a 5 s timeout).
 * @param {import('./engine.js').Engine} engine
 * @param {{method: string, path: string, query?: [string, string][], body?: unknown, headers?: [string, string][]}} call
 * @param {string} [bearer] the key to authenticate with (default: the secret key)
 * @returns {Promise<{ok: true, body: any} | {ok: false, status: number | null, code: string | null, errorMessage?: string, network: boolean, message: string}>}
 */
export async function callBackendApi(engine, call, bearer = engine.secretKey) {
  const fetchFn = engine.fetch ?? globalThis.fetch;
  let url = engine.apiUrl.replace(/\/+$/, '') + call.path;
  if (call.query && call.query.length > 0) url += `?${new URLSearchParams(call.query)}`;
  const headers = new Headers(call.headers ?? [['Clerk-API-Version', /** @type {any} */ (wasm()).supportedBapiVersion()], ['Content-Type', 'application/json']]);
  headers.set('Authorization', `Bearer ${bearer}`);
  headers.set('User-Agent', USER_AGENT);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), BAPI_TIMEOUT_MS);
  try {
    const response = await fetchFn(url, {
      method: call.method,
      headers,
      body: call.body === undefined || call.body === null ? undefined : JSON.stringify(call.body),
      signal: controller.signal,
      redirect: 'error',
    });
    const text = await response.text();
    let body = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok) {
      const code = body?.errors?.[0]?.code;
      const errorMessage = body?.errors?.[0]?.message;
      return { ok: false, status: response.status, code: typeof code === 'string' ? code : null, network: false,
        ...(typeof errorMessage === 'string' ? { errorMessage } : {}),
        message: `The Backend API answered HTTP ${response.status}` };
    }
    return { ok: true, body };
  } catch (error) {
    return { ok: false, status: null, code: null, network: true, message: String(/** @type {any} */ (error)?.message ?? error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Backend API call for the engine: the list it expects (`directives` / `cookies`) or the error.
 * @param {import('./engine.js').Engine} engine
 * @param {any} call
 * @param {'directives' | 'cookies'} field
 */
export async function backendApiAnswer(engine, call, field) {
  if (!engine.secretKey) return { kind: 'unavailable' };
  const result = await callBackendApi(engine, call);
  if (!result.ok) {
    return result.network ? { kind: 'network-error', message: result.message } : { kind: 'api-error', status: result.status, code: result.code };
  }
  const list = Array.isArray(result.body?.[field]) ? result.body[field].filter((/** @type {unknown} */ v) => typeof v === 'string') : [];
  return field === 'directives' ? { kind: 'handshake-payload', directives: list } : { kind: 'session-cookies', cookies: list };
}
