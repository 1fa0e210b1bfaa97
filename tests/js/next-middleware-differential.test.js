// The acceptance test for portcullis/next: seeded scenarios run through @clerk/nextjs 7.8.0's real
// clerkMiddleware and through ours, with the same NextRequest, options, handler and a pinned
// Date.now, comparing status, every response header (Location, Set-Cookie, x-clerk-*,
// x-middleware-*; the encrypted request data by its decryption), the body, and what the handler
// observed through auth()/protect().
//
// A difference is allowed only when the scenario carries one of the documented places where we are
// deliberately stricter (src/decide/mod.rs "Where we differ", js/authenticate.js), and only when a
// re-run proves that this is the cause:
//   forwarded-host      X-Forwarded-Host/-Proto ignored unless trustForwardedHost: ours re-run with
//                       trustForwardedHost: true must then equal Clerk's answer;
//   internal-headers    client-sent x-clerk-* / x-middleware-* request headers are stripped: Clerk
//                       re-run without them must equal ours;
//   c3-redirect-origin  a development primary follows __clerk_redirect_url only to allowed origins:
//                       ours re-run with allowedRedirectOrigins: [that origin] must equal Clerk's;
//   strict-token        strict token parsing and fail-closed claims (padded base64url, duplicate JSON
//                       keys, a JWT-template category in a Bearer token, nbf beyond year 275760, a
//                       token without aud when `audience` is configured);
//   verifier-message    x-clerk-auth-message wording comes from our verifier (same reason code):
//                       equal once the message values are set aside.
// Seed and count: DIFF_SEED / NEXT_DIFF_CASES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { ENV, createBackendStub } from './support/next-differential/fixtures.js';
import { generateScenario, rng } from './support/next-differential/scenarios.js';
import { differences, runScenario, withoutMessages } from './support/next-differential/runner.js';

const SEED = process.env.DIFF_SEED ? Number(process.env.DIFF_SEED) : 0x0c1e4c;
const COUNT = process.env.NEXT_DIFF_CASES ? Number(process.env.NEXT_DIFF_CASES) : 600;
const NOW = 1767225600000;

// Both middlewares read the environment; Clerk reads it (and binds fetch) when it is loaded, so the
// environment and the Backend API stand-in are in place before either is imported.
for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
Object.assign(process.env, ENV);
const backend = createBackendStub();
globalThis.fetch = backend.fetch;
const realNow = Date.now;
Date.now = () => NOW;

const require = createRequire(import.meta.url);
const clerkServer = require('@clerk/nextjs/server');
const nextServer = require('next/server');
const { NextFetchEvent } = require('next/dist/server/web/spec-extension/fetch-event');
const { notFound } = require('next/navigation');
await import('../../js/index.js');
const { clerkMiddleware } = await import('../../js/next/clerk-middleware.js');
const { createRouteMatcher } = await import('../../js/routes.js');

const shared = { NextResponse: nextServer.NextResponse, NextRequest: nextServer.NextRequest, NextFetchEvent, notFound };
const clerk = { name: 'clerk', clerkMiddleware: clerkServer.clerkMiddleware, createRouteMatcher: clerkServer.createRouteMatcher, ...shared };
const ours = { name: 'portcullis', clerkMiddleware, createRouteMatcher, ...shared };

const INTERNAL = (name) => name.startsWith('x-clerk-') || name.startsWith('x-middleware-');

/**
 * Whether two results agree, after an optional normalisation.
 * @param {any} a
 * @param {any} b
 * @param {(r: any) => any} [f]
 */
const agree = (a, b, f = (r) => r) => differences(f(a), f(b)).length === 0;

/**
 * Whether ours is the stricter side: wherever the two disagree on who is signed in, ours says
 * signed out (the headers handed to the app, and every auth object the handler saw).
 */
function stricter(theirs, mine) {
  if (theirs.threw || mine.threw) return false;
  const status = (r) => r.headers.find(([n]) => n === 'x-middleware-request-x-clerk-auth-status')?.[1];
  if (status(mine) !== undefined && status(mine) !== 'signed-out' && status(mine) !== status(theirs)) return false;
  const granted = (r) => r.sink.filter((s) => s && s.isAuthenticated === true).length;
  return granted(mine) <= granted(theirs);
}

/**
 * Explains a disagreement by the scenario's deliberate-difference feature, re-running to prove it.
 * @returns {Promise<string | null>} the allowed-difference label, or null when unexplained
 */
async function explain(scenario, theirs, mine) {
  const messages = (r) => withoutMessages(r);
  switch (scenario.feature) {
    case 'forwarded': {
      const again = await runScenario(scenario, ours, { extraOptions: { trustForwardedHost: true } });
      if (agree(theirs, again)) return 'forwarded-host';
      if (agree(theirs, again, messages)) return 'forwarded-host + verifier-message';
      return null;
    }
    case 'forged': {
      const dropHeaders = Object.keys(scenario.request.headers).filter(INTERNAL);
      const again = await runScenario(scenario, clerk, { dropHeaders });
      if (agree(again, mine)) return 'internal-headers';
      if (agree(again, mine, messages)) return 'internal-headers + verifier-message';
      return null;
    }
    case 'c3': {
      const target = new URL(new URL(scenario.request.url).searchParams.get('__clerk_redirect_url'));
      const again = await runScenario(scenario, ours, { extraOptions: { allowedRedirectOrigins: [target.origin] } });
      if (agree(theirs, again)) return 'c3-redirect-origin';
      if (agree(theirs, again, messages)) return 'c3-redirect-origin + verifier-message';
      return null;
    }
    case 'strict':
      return stricter(theirs, mine) ? `strict-token (${scenario.tokenState})` : null;
    default:
      return agree(theirs, mine, messages) ? 'verifier-message' : null;
  }
}

test(`clerkMiddleware: ${COUNT} seeded scenarios against @clerk/nextjs (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const counts = { agree: 0, allowed: 0, failed: 0 };
  /** @type {Map<string, number>} */
  const allowed = new Map();
  /** @type {Map<string, number>} */
  const coverage = new Map();
  const failures = [];
  const quiet = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  try {
    for (let id = 0; id < COUNT; id++) {
      const scenario = generateScenario(r, id, NOW);
      console.log = console.warn = console.error = console.info = () => {};
      let theirs;
      let mine;
      let label = null;
      try {
        theirs = await runScenario(scenario, clerk);
        mine = await runScenario(scenario, ours);
        const diff = differences(theirs, mine);
        if (diff.length > 0) label = await explain(scenario, theirs, mine);
        if (diff.length === 0) counts.agree++;
        else if (label !== null) {
          counts.allowed++;
          allowed.set(label, (allowed.get(label) ?? 0) + 1);
        } else {
          counts.failed++;
          failures.push(`#${id} ${JSON.stringify(scenario)}\n    ${diff.join('\n    ')}`);
        }
      } finally {
        Object.assign(console, quiet);
      }
      const outcome = mine.threw ? 'threw' : String(mine.status) + (mine.headers.some(([n]) => n === 'x-middleware-rewrite') ? ' rewrite' : '');
      for (const key of [`shape ${scenario.shape}`, `handler ${scenario.handler.kind}`, `outcome ${outcome}`,
        `token ${scenario.tokenState ?? 'none'}`, `carrier ${scenario.carrier}`, `options ${scenario.multi ?? 'plain'}`, `instance ${scenario.instance}`]) {
        coverage.set(key, (coverage.get(key) ?? 0) + 1);
      }
    }
  } finally {
    Object.assign(console, quiet);
  }
  const list = [...allowed].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `    ${k}: ${n}`).join('\n');
  console.log(`next-middleware differential (seed ${SEED}): ${COUNT} scenarios, ${counts.agree} identical, ` +
    `${counts.allowed} allowed differences, ${counts.failed} unexplained\n  allowed differences:\n${list || '    (none)'}\n` +
    `  coverage: ${[...coverage].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}=${n}`).join(', ')}`);
  assert.equal(failures.length, 0, `${failures.length} unexplained differences:\n${failures.slice(0, 15).join('\n')}`);
  const messageOnly = allowed.get('verifier-message') ?? 0;
  assert.ok(COUNT < 500 || counts.agree >= COUNT * 0.6, `only ${counts.agree} of ${COUNT} scenarios identical`);
  assert.ok(COUNT < 500 || counts.agree + messageOnly >= COUNT * 0.75,
    `only ${counts.agree + messageOnly} of ${COUNT} scenarios identical up to message wording`);
  assert.equal(backend.calls.filter((c) => !/\/v1\/jwks$/.test(new URL(c.url).pathname) && !/api\.clerk\.com/.test(c.url)).length, 0,
    'a Backend API call went somewhere other than the stand-in');
});

test.after(() => {
  Date.now = realNow;
});
