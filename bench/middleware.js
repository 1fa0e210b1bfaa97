/**
 * Middleware benchmark (part of `npm run bench`; also `node bench/middleware.js`): Clerk's
 * `clerkMiddleware` from @clerk/nextjs and ours from portcullis/next, in one Node process, the same
 * handler (`if (isProtected(req)) await auth.protect()`), the same options (`jwtKey`, networkless,
 * a production instance) and the same `NextRequest`s, for the four cases of the peer comparison:
 *
 *   1. public route (no session)
 *   2. protected page with a valid session cookie — token first seen (a new token every request),
 *      and seen before (the same token again)
 *   3. protected page without a cookie (307 to sign-in)
 *   4. protected API route without a cookie (Clerk's not-found rewrite)
 *
 * Each request is awaited before the next (latency, not throughput); rounds alternate the order of
 * the two implementations; every case, first-seen included, is warmed up first; the median over
 * rounds is reported. Goals (issue 4): public ≥ 20× faster
 * than Clerk, signed-in first-seen ≥ 5×, signed-in seen-before ≥ 20×.
 */

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { ENV, INSTANCES, SPKI_PEM, signToken } from '../tests/js/support/next-differential/fixtures.js';

const ROUNDS = Number(process.env.MIDDLEWARE_BENCH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.MIDDLEWARE_BENCH_REQUESTS ?? 400);
const GOALS = { public: 20, first: 5, seen: 20 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n, d = 1) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

export async function main() {
  for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_') || name.startsWith('NEXT_PUBLIC_CLERK_')) delete process.env[name];
  Object.assign(process.env, ENV, { NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: INSTANCES.prod.publishableKey, CLERK_SECRET_KEY: INSTANCES.prod.secretKey });
  const require = createRequire(import.meta.url);
  const clerkServer = require('@clerk/nextjs/server');
  const { NextRequest } = require('next/server');
  const { NextFetchEvent } = require('next/dist/server/web/spec-extension/fetch-event');
  const ours = await import('../js/next/node.js');

  const options = { jwtKey: SPKI_PEM };
  const build = (impl) => {
    const isProtected = impl.createRouteMatcher(['/dashboard(.*)', '/api/admin(.*)']);
    return impl.clerkMiddleware(async (auth, req) => {
      if (isProtected(req)) await auth.protect();
    }, options);
  };
  const warn = console.warn;
  console.warn = () => {};
  const middlewares = { clerk: build(clerkServer), ours: build(ours) };
  console.warn = warn;

  const page = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };
  const now = Math.floor(Date.now() / 1000);
  const token = (i) =>
    signToken({ sub: `user_${i}`, sid: `sess_${i}`, iss: 'https://clerk.example.com', azp: 'https://app.example.com', iat: now - 10, nbf: now - 10, exp: now + 3600, v: 2, sts: 'active' });
  const cookie = (t) => ({ cookie: `__session=${t}; __client_uat=${now - 10}` });
  // Tokens for the first-seen case: the timed rounds, the sanity check and the warm-up, for both.
  const fresh = Array.from({ length: (PER_ROUND * ROUNDS + 1 + 200) * 2 }, (_, i) => token(i));
  let next = 0;
  const seenToken = token(1_000_000);
  const cases = {
    public: () => ({ url: 'https://app.example.com/', headers: page, status: 200 }),
    first: () => ({ url: 'https://app.example.com/dashboard', headers: { ...page, ...cookie(fresh[next++]) }, status: 200 }),
    seen: () => ({ url: 'https://app.example.com/dashboard', headers: { ...page, ...cookie(seenToken) }, status: 200 }),
    redirect: () => ({ url: 'https://app.example.com/dashboard', headers: page, status: 307 }),
    api: () => ({ url: 'https://app.example.com/api/admin/users', headers: { accept: 'application/json' }, status: 200 }),
  };

  const run = async (impl, make) => {
    const { url, headers, status } = make();
    const request = new NextRequest(url, { headers });
    const response = await middlewares[impl](request, new NextFetchEvent({ request, page: '/middleware' }));
    if (response.status !== status) throw new Error(`bench: ${impl} answered ${response.status} for ${url}, expected ${status}`);
    return response;
  };
  // Sanity: the same decision from both, then warm up.
  for (const [name, make] of Object.entries(cases)) {
    for (const impl of ['clerk', 'ours']) await run(impl, make);
    if (name === 'api') {
      for (const impl of ['clerk', 'ours']) {
        const r = await run(impl, make);
        if (!String(r.headers.get('x-clerk-auth-reason') ?? '').includes('protect-rewrite')) throw new Error(`bench: ${impl} did not rewrite the API request`);
      }
    }
  }
  // Every case is warmed up, first-seen too (with tokens of its own), so that no timed round pays for
  // compiling a path the warm-up did not take (the verification path, and wasm's tier-up of it).
  for (let i = 0; i < 200; i++) for (const impl of ['clerk', 'ours']) for (const make of Object.values(cases)) await run(impl, make);

  const samples = Object.fromEntries(Object.keys(cases).flatMap((c) => [[`clerk:${c}`, []], [`ours:${c}`, []]]));
  for (let round = 0; round < ROUNDS; round++) {
    const impls = round % 2 ? ['ours', 'clerk'] : ['clerk', 'ours'];
    for (const [name, make] of Object.entries(cases)) {
      for (const impl of impls) {
        const t0 = performance.now();
        for (let i = 0; i < PER_ROUND; i++) await run(impl, make);
        samples[`${impl}:${name}`].push(((performance.now() - t0) * 1000) / PER_ROUND);
      }
    }
  }
  const us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const labels = {
    public: 'public route',
    first: 'protected, valid cookie, token first seen',
    seen: 'protected, valid cookie, token seen before',
    redirect: 'protected page, no cookie (307 to sign-in)',
    api: 'protected API, no cookie (not-found rewrite)',
  };
  console.log(`\nclerkMiddleware (Next ${require('next/package.json').version}, @clerk/nextjs 7.8.0) — ` +
    `${PER_ROUND} requests × ${ROUNDS} rounds per case, median µs per request:`);
  const rows = [['case', 'portcullis µs', 'Clerk µs', 'Clerk/ours', 'goal']];
  for (const [name, label] of Object.entries(labels)) {
    const speedup = us[`clerk:${name}`] / us[`ours:${name}`];
    const goal = GOALS[name] ? `≥ ${GOALS[name]}× ${speedup >= GOALS[name] ? 'met' : 'NOT met'}` : '';
    rows.push([label, fmt(us[`ours:${name}`]), fmt(us[`clerk:${name}`]), `${fmt(speedup, 1)}×`, goal]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [i, r] of rows.entries()) {
    console.log('  ' + r.map((c, j) => (j === 0 ? String(c).padEnd(widths[j]) : String(c).padStart(widths[j]))).join('   '));
    if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
  return us;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
