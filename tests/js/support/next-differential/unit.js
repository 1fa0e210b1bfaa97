/**
 * Shared set-up for the portcullis/next unit tests: the wasm loaded through the Node entry, a pinned
 * clock, the decide-vector tokens (tests/data/decide-vectors.json, valid at its `now`), a Backend API
 * stand-in on `globalThis.fetch`, and helpers to build requests and read responses.
 * @module
 */

import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

import '../../../../js/index.js';
import { resetEnvForTesting } from '../../../../js/next/options.js';
import { JWKS } from './fixtures.js';
import { decryptSalted } from './runner.js';

const require = createRequire(import.meta.url);
export const { NextRequest, NextResponse } = require('next/server');
export const { NextFetchEvent } = require('next/dist/server/web/spec-extension/fetch-event');

export const vectors = JSON.parse(readFileSync(new URL('../../../data/decide-vectors.json', import.meta.url), 'utf8'));
export const NOW = vectors.now;
export const TOKENS = Object.fromEntries(Object.entries(vectors.tokens).map(([name, t]) => [name, t.jwt]));
export const JWT_KEY = vectors.key.spkiPem;
export const PROD = { publishableKey: 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k', secretKey: 'sk_live_unit' };
export const DEV = { publishableKey: 'pk_test_Y2xlcmsuaW5jbHVkZWQua2F0eWRpZC05Mi5sY2wuZGV2JA', secretKey: 'sk_test_unit' };
export const ENCRYPTION_KEY = 'unit-encryption-key';

Date.now = () => NOW;

/** Backend API calls seen by the stand-in, and scripted answers by path. */
export const backend = {
  /** @type {{method: string, url: string, headers: Record<string, string>, body: string | undefined}[]} */
  calls: [],
  /** @type {Map<string, {status: number, body: unknown}>} */
  answers: new Map(),
};
globalThis.fetch = async (input, init = {}) => {
  const url = String(input instanceof Request ? input.url : input);
  backend.calls.push({ method: init.method ?? 'GET', url, headers: Object.fromEntries(new Headers(init.headers)), body: init.body });
  const path = new URL(url).pathname;
  const scripted = backend.answers.get(path);
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  if (scripted) return json(scripted.status, scripted.body);
  if (path.endsWith('/v1/jwks')) return json(200, JWKS);
  return json(404, { errors: [{ code: 'resource_not_found' }] });
};

/**
 * Replaces Clerk's environment variables (and forgets what the middleware read before).
 * @param {Record<string, string>} vars
 */
export function setEnv(vars = {}) {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
  }
  Object.assign(process.env, vars);
  resetEnvForTesting();
}

/**
 * A NextRequest.
 * @param {string} url
 * @param {{method?: string, headers?: Record<string, string>, cookies?: Record<string, string>, token?: string}} [init]
 */
export function request(url, init = {}) {
  const headers = { ...init.headers };
  if (init.cookies) headers.cookie = Object.entries(init.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return new NextRequest(url, { method: init.method ?? 'GET', headers });
}

/** A document navigation (what browsers send when following a link). */
export const DOCUMENT = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };

/** @param {Request} req */
export function event(req) {
  return new NextFetchEvent({ request: req, page: '/middleware' });
}

/**
 * Runs a middleware on a request.
 * @param {(req: Request, ev: unknown) => Promise<Response>} middleware
 * @param {Request} req
 */
export function run(middleware, req) {
  return middleware(req, event(req));
}

/**
 * The request headers a middleware response hands to the app (Next's override protocol).
 * @param {Response} response
 * @returns {Record<string, string> | null}
 */
export function forwarded(response) {
  const list = response.headers.get('x-middleware-override-headers');
  if (list === null) return null;
  return Object.fromEntries(list.split(',').filter((n) => n).map((n) => [n, response.headers.get(`x-middleware-request-${n}`)]));
}

/** Clerk's downstream signature check: hex HMAC-SHA1(secret, token). */
export function signature(secretKey, token) {
  return createHmac('sha1', secretKey).update(token).digest('hex');
}

/** The decrypted `x-clerk-request-data` handed to the app, or null. */
export function requestData(response, passphrase = ENCRYPTION_KEY) {
  const blob = response.headers.get('x-middleware-request-x-clerk-request-data');
  return blob === null ? null : JSON.parse(decryptSalted(blob, passphrase));
}
