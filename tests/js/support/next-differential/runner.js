/**
 * Runs one differential scenario through a `clerkMiddleware` implementation and reduces the response
 * to comparable data.
 *
 * Both implementations get the same inputs: an identical `NextRequest` built from the scenario (one
 * per implementation, because ours removes client-sent internal headers from the request it is
 * given), a `NextFetchEvent`, the same options object (a fresh copy), and the same handler — written once
 * against the public API (`auth()`, `auth.protect()`, `redirectToSignIn()`, `createRouteMatcher`,
 * `NextResponse`), instantiated with each implementation's own `createRouteMatcher`.
 *
 * What is compared: status, every response header (so `Location`, `Set-Cookie`, `x-clerk-*` and all
 * `x-middleware-*`), the body, whether the middleware threw, and what the handler observed
 * (`auth()` fields, `has()`, `getToken()`, what `protect()` returned). Normalised only where the
 * value is not comparable as is: the `/clerk_<ms>` rewrite timestamp, header order, and the encrypted
 * `x-clerk-request-data` (replaced by its decryption).
 * @module
 */

import { createDecipheriv, createHash } from 'node:crypto';

import { ENV, SPKI_PEM } from './fixtures.js';
import { PROTECTED_ROUTES, optionsOf } from './scenarios.js';

/**
 * @typedef {object} Implementation
 * @property {string} name
 * @property {(...args: any[]) => any} clerkMiddleware
 * @property {(routes: unknown) => (req: unknown) => boolean} createRouteMatcher
 * @property {any} NextResponse
 * @property {any} NextRequest
 * @property {any} NextFetchEvent
 * @property {() => never} notFound
 */

/**
 * Decrypts crypto-es / OpenSSL "salted" AES-256-CBC (independently of js/next/request-data.js).
 * @param {string} blob
 * @param {string} passphrase
 */
export function decryptSalted(blob, passphrase) {
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.subarray(0, 8).toString('latin1') !== 'Salted__') throw new Error('not salted');
  const salt = bytes.subarray(8, 16);
  let derived = Buffer.alloc(0);
  let block = Buffer.alloc(0);
  while (derived.length < 48) {
    block = createHash('md5').update(Buffer.concat([block, Buffer.from(passphrase, 'utf8'), salt])).digest();
    derived = Buffer.concat([derived, block]);
  }
  const decipher = createDecipheriv('aes-256-cbc', derived.subarray(0, 32), derived.subarray(32, 48));
  return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString('utf8');
}

/** JSON with object keys sorted (order-insensitive comparison). */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What a handler observed of an auth object.
 * @param {any} auth
 */
async function observe(auth) {
  if (!auth || typeof auth !== 'object') return { auth: String(auth) };
  const fields = ['tokenType', 'isAuthenticated', 'userId', 'sessionId', 'sessionStatus', 'orgId', 'orgRole', 'orgSlug',
    'orgPermissions', 'factorVerificationAge', 'actor', 'sessionClaims'];
  /** @type {Record<string, unknown>} */
  const seen = {};
  for (const field of fields) if (field in auth) seen[field] = auth[field] ?? null;
  seen.hasAdmin = auth.has?.({ role: 'org:admin' }) ?? null;
  seen.hasManage = auth.has?.({ permission: 'org:sys_memberships:manage' }) ?? null;
  seen.hasFeature = auth.has?.({ feature: 'premium' }) ?? null;
  seen.token = typeof auth.getToken === 'function' ? await auth.getToken() : undefined;
  seen.redirectFns = typeof auth.redirectToSignIn === 'function' && typeof auth.redirectToSignUp === 'function';
  return seen;
}

/**
 * The scenario's handler for one implementation.
 * @param {any} scenario
 * @param {Implementation} impl
 * @param {unknown[]} sink what the handler observed
 */
function handlerFor(scenario, impl, sink) {
  const spec = scenario.handler;
  const isProtected = impl.createRouteMatcher(PROTECTED_ROUTES);
  const { NextResponse } = impl;
  const protectArgs = () => (spec.args ?? []).map((arg) => {
    if (arg === 'predicate-admin') return (has) => has({ role: 'org:admin' });
    if (arg === 'predicate-false') return () => false;
    return structuredClone(arg);
  });
  switch (spec.kind) {
    case 'nothing':
      return async () => {};
    case 'inspect':
      return async (auth) => {
        sink.push(await observe(await auth()));
        sink.push(await observe(await auth({ treatPendingAsSignedOut: false })));
        sink.push(await observe(await auth({ acceptsToken: 'any' })));
      };
    case 'protect':
      return async (auth, req) => {
        if (isProtected(req)) sink.push(await observe(await auth.protect(...protectArgs())));
      };
    case 'protectAll':
      return async (auth) => {
        sink.push(await observe(await auth.protect(...protectArgs())));
      };
    case 'redirectToSignIn':
    case 'redirectToSignUp':
      return async (auth) => {
        const a = await auth();
        if (spec.always || !a.userId) {
          const fn = spec.kind === 'redirectToSignIn' ? a.redirectToSignIn : a.redirectToSignUp;
          return spec.options === undefined ? fn() : fn(structuredClone(spec.options));
        }
        return undefined;
      };
    case 'custom':
      return async (auth, req) => {
        sink.push(await observe(await auth()));
        switch (spec.response) {
          case 'json': return NextResponse.json({ ok: true }, { status: 200, headers: { 'x-custom': 'json' } });
          case 'text418': return new Response('teapot', { status: 418, headers: { 'x-custom': 'teapot' } });
          case 'redirectOut': return NextResponse.redirect('https://elsewhere.example.org/landing');
          case 'redirectSame': return NextResponse.redirect(new URL('/moved', req.url));
          case 'rewriteSame': return NextResponse.rewrite(new URL('/rewritten?x=1', req.url));
          case 'rewriteCross': return NextResponse.rewrite('https://upstream.example.org/api');
          case 'nextWithHeaders': {
            const headers = new Headers(req.headers);
            headers.set('x-from-handler', 'yes');
            return NextResponse.next({ request: { headers } });
          }
          default: return NextResponse.next();
        }
      };
    case 'notFound':
      return async (auth, req) => {
        if (isProtected(req)) impl.notFound();
      };
    case 'throw':
      return async () => {
        throw new Error('handler failed on purpose');
      };
    default:
      return undefined;
  }
}

/**
 * Runs a scenario through one implementation.
 * @param {any} scenario
 * @param {Implementation} impl
 * @param {{extraOptions?: Record<string, unknown>, dropHeaders?: string[]}} [variation] for reconciliation re-runs
 */
export async function runScenario(scenario, impl, variation = {}) {
  const headers = { ...scenario.request.headers };
  for (const name of variation.dropHeaders ?? []) delete headers[name];
  const request = new impl.NextRequest(scenario.request.url, { method: scenario.request.method, headers });
  const event = new impl.NextFetchEvent({ request, page: '/middleware' });
  const base = optionsOf(scenario, SPKI_PEM);
  const options = base === undefined ? undefined : { ...base, ...variation.extraOptions };
  /** @type {unknown[]} */
  const sink = [];
  const handler = handlerFor(scenario, impl, sink);
  let response;
  try {
    switch (scenario.shape) {
      case 'none': response = await impl.clerkMiddleware()(request, event); break;
      case 'options': response = await impl.clerkMiddleware(options)(request, event); break;
      case 'handler': response = await impl.clerkMiddleware(handler)(request, event); break;
      case 'handler+options': response = await impl.clerkMiddleware(handler, options)(request, event); break;
      case 'handler+callback':
        response = await impl.clerkMiddleware(handler, scenario.callbackAsync ? async () => options : () => options)(request, event);
        break;
      case 'direct': response = await impl.clerkMiddleware(request, event); break;
      default: throw new Error(`unknown shape ${scenario.shape}`);
    }
  } catch (error) {
    return { threw: true, error: String(/** @type {any} */ (error)?.message ?? error).split('\n')[0], sink: await settle(sink) };
  }
  /** @type {[string, string][]} */
  const out = [];
  for (const [name, raw] of response.headers) {
    let value = raw.replace(/\/clerk_\d+/g, '/clerk_<ms>');
    if (name === 'x-middleware-request-x-clerk-request-data' || name === 'x-clerk-request-data') {
      try {
        value = `decrypted:${canonical(JSON.parse(decryptSalted(raw, ENV.CLERK_ENCRYPTION_KEY)))}`;
      } catch (error) {
        value = `undecryptable:${raw.length}`;
      }
    }
    out.push([name, value]);
  }
  out.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const body = response.body === null ? null : await response.text();
  return { threw: false, status: response.status, headers: out, body, sink: await settle(sink) };
}

/** @param {unknown[]} sink */
async function settle(sink) {
  return JSON.parse(JSON.stringify(sink));
}

/**
 * The differences between two results, as readable lines (empty: they agree).
 * @param {any} a Clerk's
 * @param {any} b ours
 */
export function differences(a, b) {
  const lines = [];
  if (a.threw || b.threw) {
    if (a.threw !== b.threw) lines.push(`threw: clerk ${a.threw ? a.error : 'no'} / ours ${b.threw ? b.error : 'no'}`);
    if (canonical(a.sink) !== canonical(b.sink)) lines.push(`handler saw: clerk ${canonical(a.sink)} / ours ${canonical(b.sink)}`);
    return lines;
  }
  if (a.status !== b.status) lines.push(`status: clerk ${a.status} / ours ${b.status}`);
  const names = [...new Set([...a.headers, ...b.headers].map(([n]) => n))].sort();
  for (const name of names) {
    const x = a.headers.filter(([n]) => n === name).map(([, v]) => v);
    const y = b.headers.filter(([n]) => n === name).map(([, v]) => v);
    if (JSON.stringify(x) !== JSON.stringify(y)) lines.push(`${name}: clerk ${JSON.stringify(x)} / ours ${JSON.stringify(y)}`);
  }
  if (a.body !== b.body) lines.push(`body: clerk ${JSON.stringify(a.body)} / ours ${JSON.stringify(b.body)}`);
  if (canonical(a.sink) !== canonical(b.sink)) lines.push(`handler saw: clerk ${canonical(a.sink)} / ours ${canonical(b.sink)}`);
  return lines;
}

/**
 * A result with the verifier's wording taken out (the `x-clerk-auth-message` values), for the
 * documented "messages come from our verifier" difference.
 * @param {any} result
 */
export function withoutMessages(result) {
  if (result.threw) return result;
  return { ...result, headers: result.headers.map(([n, v]) => (n.endsWith('x-clerk-auth-message') ? [n, '<message>'] : [n, v])) };
}
