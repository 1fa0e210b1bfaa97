/**
 * `npm run bench`: portcullis vs Clerk's createRouteMatcher, in one Node process, on the same
 * pre-built NextRequest objects; plus the wasm module's size, compile and instantiate times; then
 * session-token verification (bench/tokens.js: portcullis vs Clerk's verifyToken, jose, node:crypto).
 *
 * Method: both matchers are created from the same 8 patterns; each timed round runs one matcher over
 * the whole request mix many times; rounds alternate ours / Clerk after a warm-up, and the median
 * ns per match is reported. Total runtime is kept to roughly 10–20 s.
 *
 * The machine may be busy (other builds): rounds alternate between the two implementations, and the
 * ratio is also given as the median of per-round ratios, which is what to quote.
 *
 * Options (environment): BENCH_ROUNDS (default 15), BENCH_MS (target ms per round, default 150),
 * BENCH_COLD_RUNS (fresh processes for the cold-start figures, default 5).
 */

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';

import { clerk, NextRequest } from './clerk.js';
import { PATTERNS, REQUEST_PATHS } from './workload.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_MS ?? 150);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Pads columns of a table and prints it. */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [k, r] of rows.entries()) {
    console.log('  ' + r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   '));
    if (k === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
}

let sink = 0;

/**
 * Makes a timing loop: `round(match, inputs, iters)` runs `match` over `inputs`, `iters` passes, and
 * returns ns per match. Each matcher gets its own loop compiled from source (`new Function`), so V8's
 * type feedback for one matcher or input shape never makes another's loop polymorphic.
 * @returns {(match: (x: any) => boolean, inputs: any[], iters: number) => number}
 */
function makeRound() {
  const loop = new Function(
    'now',
    `return function round(match, inputs, iters) {
      const n = inputs.length;
      let hits = 0;
      const t0 = now();
      for (let i = 0; i < iters; i++) {
        for (let j = 0; j < n; j++) if (match(inputs[j])) hits++;
      }
      const t1 = now();
      round.hits += hits;
      return ((t1 - t0) * 1e6) / (iters * n);
    };`,
  )(() => performance.now());
  loop.hits = 0;
  return loop;
}

/**
 * Benchmarks several named matchers on the same inputs, alternating them round by round.
 * @param {Record<string, (x: any) => boolean>} matchers
 * @param {Record<string, any[]>} inputsFor inputs per matcher name (same requests, maybe another shape)
 * @returns {{ ns: Record<string, number>, ratio: number }} median ns/match per name, and the median
 *   over rounds of names[0]/names[1] (both measured back to back in the same round)
 */
function compare(matchers, inputsFor) {
  const names = Object.keys(matchers);
  const rounds = Object.fromEntries(names.map((n) => [n, makeRound()]));
  // Warm-up (JIT, wasm tier-up) and calibration: iterations so one round takes about ROUND_MS.
  const iters = {};
  for (const name of names) {
    const deadline = performance.now() + Math.max(150, ROUND_MS / 2);
    while (performance.now() < deadline) rounds[name](matchers[name], inputsFor[name], 200);
    const ns = rounds[name](matchers[name], inputsFor[name], 2000);
    iters[name] = Math.max(50, Math.round((ROUND_MS * 1e6) / (ns * inputsFor[name].length)));
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) samples[name].push(rounds[name](matchers[name], inputsFor[name], iters[name]));
  }
  for (const name of names) sink += rounds[name].hits;
  const ratios = samples[names[0]].map((x, i) => x / samples[names[1]][i]);
  return { ns: Object.fromEntries(names.map((n) => [n, median(samples[n])])), ratio: median(ratios) };
}

/** Median wall time in ms of `fn` over `n` runs. */
function timeMs(fn, n) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn(i);
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/**
 * Cold start in fresh Node processes: ms from the start of the script to the module being loaded,
 * and then to the first answer of a newly created matcher (which includes, for portcullis, compiling
 * and instantiating the wasm module). Median over COLD_RUNS processes.
 * @param {'ours' | 'clerk'} which
 */
function coldStart(which) {
  const load =
    which === 'ours'
      ? `const m = await import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)});`
      : `const { createRequire } = await import('node:module');
         const m = createRequire(${JSON.stringify(import.meta.url)})('@clerk/nextjs/server');
         console.warn = () => {};`;
  const script = `
    const t0 = performance.now();
    ${load}
    const t1 = performance.now();
    const match = m.createRouteMatcher(${JSON.stringify(PATTERNS)});
    const hit = match({ nextUrl: { pathname: '/dashboard/x' } });
    const t2 = performance.now();
    console.log(JSON.stringify({ load: t1 - t0, first: t2 - t1, hit }));`;
  const loads = [];
  const firsts = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: cold-start child failed (${which}): ${r.stderr}`);
    const { load: l, first, hit } = JSON.parse(r.stdout.trim().split('\n').pop());
    if (hit !== true) throw new Error(`bench: cold-start child (${which}) answered ${hit}`);
    loads.push(l);
    firsts.push(first);
  }
  return { load: median(loads), first: median(firsts) };
}

async function main() {
  console.log(`portcullis route-matcher benchmark — Node ${process.version}, ${PATTERNS.length} patterns, ` +
    `${REQUEST_PATHS.length} request paths, ${ROUNDS} rounds × ~${ROUND_MS} ms\n`);
  console.log('  patterns: ' + PATTERNS.map((p) => JSON.stringify(p)).join(', '));
  console.log('  paths:    ' + REQUEST_PATHS.join(' ') + '\n');

  // --- wasm module: size, compile, instantiate -------------------------------------------------
  const wasmUrl = new URL('../pkg/portcullis_bg.wasm', import.meta.url);
  const glueUrl = new URL('../pkg/portcullis.js', import.meta.url);
  let bytes;
  try {
    bytes = readFileSync(wasmUrl);
  } catch {
    console.error('bench: pkg/portcullis_bg.wasm is missing — run `npm run build` first.');
    process.exit(1);
  }
  const gz = gzipSync(bytes, { level: 9 });
  // V8 caches compiled modules by their bytes, so recompiling the same buffer costs nothing: each run
  // compiles a copy made unique by a trailing custom section (ignored by the module's semantics).
  const variants = Array.from({ length: 15 }, (_, i) => {
    const tag = Buffer.from(`bench-${i}-${process.pid}`);
    return Buffer.concat([bytes, Buffer.from([0x00, tag.length + 2, 0x01, 0x62]), tag]);
  });
  const compileMs = timeMs((i) => new WebAssembly.Module(variants[i]), variants.length);
  const module = new WebAssembly.Module(bytes);
  // Instantiation as the package does it: a fresh copy of the wasm-bindgen glue, initSync({ module }).
  const glues = [];
  for (let i = 0; i < 15; i++) glues.push(await import(`${glueUrl.href}?bench=${i}`));
  const instantiateMs = timeMs((i) => glues[i].initSync({ module }), glues.length);

  // --- ours vs Clerk -----------------------------------------------------------------------------
  const ours = await import('../js/index.js');
  const oursMatcher = ours.createRouteMatcher(PATTERNS);
  const clerkMatcher = clerk.createRouteMatcher(PATTERNS);

  const requests = REQUEST_PATHS.map((p) => new NextRequest('http://localhost' + p));
  // Same answers first: a benchmark of wrong answers is worthless.
  let trueCount = 0;
  for (const req of requests) {
    const a = clerkMatcher(req);
    const b = oursMatcher(req);
    if (a !== b) throw new Error(`bench: answers differ on ${req.nextUrl.pathname}: Clerk ${a}, ours ${b}`);
    if (a) trueCount++;
  }

  const viaRequest = compare(
    { ours: oursMatcher, clerk: clerkMatcher },
    { ours: requests, clerk: requests },
  );

  // Secondary: the pathname already extracted (ours takes a string; Clerk's createPathMatcher).
  const pathnames = requests.map((r) => r.nextUrl.pathname);
  const clerkPath = clerk.createPathMatcher(PATTERNS);
  const viaString = compare({ ours: oursMatcher, clerk: clerkPath }, { ours: pathnames, clerk: pathnames });

  // Matcher creation (compile 8 patterns).
  const createOursUs = timeMs(() => ours.createRouteMatcher(PATTERNS), 200) * 1000;
  const createClerkUs = timeMs(() => clerk.createRouteMatcher(PATTERNS), 200) * 1000;
  const coldOurs = coldStart('ours');
  const coldClerk = coldStart('clerk');

  console.log(`route matching (${requests.length} requests, ${trueCount} matching; median of ${ROUNDS} rounds):`);
  table([
    ['input', 'portcullis ns/match', 'Clerk ns/match', 'ours/Clerk'],
    ['NextRequest (req.nextUrl.pathname)', fmt(viaRequest.ns.ours), fmt(viaRequest.ns.clerk), fmt(viaRequest.ratio, 2)],
    ['pathname string (Clerk: createPathMatcher)', fmt(viaString.ns.ours), fmt(viaString.ns.clerk), fmt(viaString.ratio, 2)],
  ]);
  console.log('  (ours/Clerk = median over rounds of the two back-to-back measurements)');
  console.log('');
  table([
    ['one-off cost', 'portcullis', 'Clerk'],
    ['createRouteMatcher(8 patterns), µs (median of 200)', fmt(createOursUs, 1), fmt(createClerkUs, 1)],
    [`cold: load the module, ms (fresh process, median of ${COLD_RUNS})`, fmt(coldOurs.load, 1), fmt(coldClerk.load, 1)],
    ['cold: then create + first match, ms', fmt(coldOurs.first, 2), fmt(coldClerk.first, 2)],
  ]);
  console.log('  (portcullis loads pkg/ with fs; Clerk loads @clerk/nextjs/server, which pulls in next/server)');
  console.log('');
  table([
    ['wasm module (pkg/portcullis_bg.wasm)', 'value'],
    ['size raw', `${fmt(bytes.length)} B (${fmt(bytes.length / 1024, 1)} KiB)`],
    ['size gzip -9', `${fmt(gz.length)} B (${fmt(gz.length / 1024, 1)} KiB)`],
    ['compile: new WebAssembly.Module (uncached), median of 15', `${fmt(compileMs, 2)} ms`],
    ['instantiate: glue initSync({ module }), median of 15', `${fmt(instantiateMs, 3)} ms`],
  ]);
  console.log(`\nratio ours/Clerk (NextRequest): ${fmt(viaRequest.ratio, 2)} (goal ≤ 0.50)` +
    (sink < 0 ? ' ' : '')); // (sink is printed nowhere; reading it keeps the loops' work observable)
}

await main();

// Token verification (bench/tokens.js): the same process, after the route benchmark.
await (await import('./tokens.js')).main();

// clerkMiddleware (bench/middleware.js): the four cases of the peer comparison, in a process of its
// own — @clerk/nextjs reads its environment when it is first loaded, which happened above.
const middlewareRun = spawnSync(process.execPath, [new URL('./middleware.js', import.meta.url).pathname], { stdio: 'inherit' });
if (middlewareRun.status !== 0) process.exit(middlewareRun.status ?? 1);
