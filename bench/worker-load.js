/**
 * `npm run bench:worker`: HTTP load against the Worker in workerd, compared with a pass-through
 * Worker that has no authentication at all.
 *
 * Why this shape: the figure that matters is what portcullis costs on top of a Worker that only
 * forwards, so everything else is made equal. Each Worker runs in its own Miniflare instance (one
 * workerd process each, same compatibility date and options) next to the same origin Worker, which
 * each reaches with a real `fetch` (Miniflare's `outboundService`: a subrequest, no network) and
 * which answers every request with the same fixed page — so the origin's work does not depend on
 * what the Worker sent it. With two CPUs or more, the workerd processes run on one CPU and the load
 * generator on the others (see `pinned`). Rounds are short and alternate between the Workers (the
 * machine may be shared); after a warm-up, each Worker and traffic gets ROUNDS runs, and the ratio
 * reported is the median of the per-round ratios with their range. The workerd process's CPU time
 * per request is reported too (the same origin Worker in every process, so the difference is the
 * front Worker's).
 *
 * A third Worker, the contract floor, runs on signed-in traffic: forwarding exactly as portcullis
 * does (reserved headers stripped, the three added request headers, the response re-wrapped for
 * Cache-Control and Vary) with no authentication, so the report shows what authentication costs
 * apart from what the forwarding contract costs.
 *
 * Traffic (autocannon, CONNECTIONS connections, a development instance's browser):
 *   public     GET /            no credentials                         (all: 200)
 *   signed-in  GET /dashboard   valid __session cookie, seen before    (all: 200)
 *   redirect   GET /dashboard   browser without a session              (ours: 307 to sign-in; pass-through: 200)
 * Fails (exit 1) on any error, timeout or status other than the expected one (the status counts are
 * printed). Every workerd process is stopped at the end. Not a test: `npm test` never runs it.
 *
 *   node bench/worker-load.js [--rounds 11] [--duration 2] [--warmup 2] [--connections 16] [--no-pin]
 *     [--traffic signed-in]   (only the named traffic; repeatable)
 *     [--browser]             (page requests carry every header of a real browser's navigation,
 *                              fixtures' pageHeaders, instead of the few Clerk's rules read)
 */

import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Miniflare } from 'miniflare';

import {
  COMPATIBILITY_DATE, COOKIE, DEV_BROWSER, FORWARDING_STEPS, SERVER_CPU, cpuMs, forwardingWorker, frontAndOrigin, median,
  pageHeaders, pinLoadGenerator, pinServer, portcullisWorker, workerdChildren,
} from './worker-fixtures.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' }, connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '2' }, rounds: { type: 'string', default: '11' },
    'no-pin': { type: 'boolean', default: false }, traffic: { type: 'string', multiple: true },
    browser: { type: 'boolean', default: false },
  },
});
const SLICE = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const ROUNDS = Number(args.rounds);
const GOAL = 0.9;
/** Below this, a bootstrap interval of the median is not worth a verdict (few distinct medians). */
const MIN_ROUNDS_FOR_VERDICT = 7;

/** [name, the Worker's code (Miniflare options) and its vars] */
const WORKERS = [
  ['pass-through', ...forwardingWorker([])],
  ['contract floor', ...forwardingWorker(FORWARDING_STEPS)],
  ['portcullis', ...portcullisWorker()],
];

/** A page request's headers (for the Worker at an origin), and their name in the report. */
const { headers: page, label: PAGE_LABEL } = pageHeaders(args.browser);
/** @typedef {(origin: string) => Record<string, string>} HeadersFor */
/** @type {[string, string, HeadersFor, Record<string, number>][]} [name, path, headers, the Workers loaded and the status expected from each] */
const ALL_TRAFFIC = [
  ['public', '/', () => ({}), { 'pass-through': 200, portcullis: 200 }],
  ['signed-in', '/dashboard', (origin) => ({ ...page(origin), cookie: COOKIE }), { 'pass-through': 200, 'contract floor': 200, portcullis: 200 }],
  ['redirect', '/dashboard', (origin) => ({ ...page(origin), cookie: DEV_BROWSER }), { 'pass-through': 200, portcullis: 307 }],
];
const TRAFFIC = args.traffic === undefined ? ALL_TRAFFIC : ALL_TRAFFIC.filter(([name]) => args.traffic?.includes(name));
if (TRAFFIC.length === 0) throw new Error(`--traffic: one of ${ALL_TRAFFIC.map(([name]) => name).join(', ')}`);

/**
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} duration
 */
function load(url, headers, duration) {
  return autocannon({ url, headers, connections: CONNECTIONS, duration, pipelining: 1, timeout: 10 });
}

const range = (xs, digits = 2) => `[${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;

/**
 * A 95 % interval for the median of `xs` (percentile bootstrap over the rounds, seeded so a run's
 * report is reproducible from its numbers). On a shared machine one run's median can land on either
 * side of the goal; the verdict is given only when the whole interval does.
 * @param {number[]} xs
 * @returns {[number, number]}
 */
function medianInterval(xs) {
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const medians = Array.from({ length: 2000 }, () => median(xs.map(() => xs[Math.floor(random() * xs.length)])));
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(0.025 * medians.length)], medians[Math.ceil(0.975 * medians.length) - 1]];
}

/**
 * @typedef {{rps: number, p50: number, p99: number, total: number, cpuUsPerRequest: number | null}} Run
 * @typedef {Record<string, Record<string, Run[]>>} Runs runs per traffic and worker
 */
/** @type {Record<string, Record<string, Record<string, number>>>} status → count, per traffic and worker */
const statuses = {};
let failures = 0;
/** @type {Record<string, Miniflare>} */
const workers = {};
/** @type {Record<string, number | null>} */
const pids = {};
/** @type {Record<string, string>} */
const urls = {};

/**
 * Warm-up, then ROUNDS alternating runs per Worker for each traffic; checks every status.
 * @returns {Promise<Runs>}
 */
async function measure() {
  /** @type {Runs} */
  const runs = {};
  for (const [traffic, path, headers, expected] of TRAFFIC) {
    runs[traffic] = {};
    statuses[traffic] ??= {};
    const loaded = Object.keys(expected);
    for (const name of loaded) {
      runs[traffic][name] = [];
      statuses[traffic][name] ??= {};
      await load(urls[name] + path, headers(urls[name]), WARMUP);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? loaded : [...loaded].reverse();
      for (const name of order) {
        const cpuBefore = cpuMs(pids[name]);
        const r = await load(urls[name] + path, headers(urls[name]), SLICE);
        const cpuAfter = cpuMs(pids[name]);
        const want = String(expected[name]);
        const byStatus = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, st]) => [code, st.count]));
        for (const [code, count] of Object.entries(byStatus)) statuses[traffic][name][code] = (statuses[traffic][name][code] ?? 0) + count;
        const unexpected = Object.entries(byStatus).filter(([code]) => code !== want);
        if (r.errors > 0 || r.timeouts > 0 || unexpected.length > 0 || r.requests.total === 0) {
          failures++;
          console.error(`  ${traffic} ${name}: errors=${r.errors} timeouts=${r.timeouts} statuses=${JSON.stringify(byStatus)} (expected only ${want})`);
        }
        runs[traffic][name].push({
          rps: r.requests.total / SLICE, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total,
          cpuUsPerRequest: cpuBefore === null || cpuAfter === null || r.requests.total === 0 ? null : ((cpuAfter - cpuBefore) * 1000) / r.requests.total,
        });
      }
    }
  }
  return runs;
}

/**
 * Where the processes run: with two CPUs or more, each workerd process on the last CPU and the load
 * generator (this process) on the others, as a server and its clients would be on separate
 * machines. Unpinned, autocannon and workerd's helper threads (GC, compilation) take turns on the
 * Worker's CPU and the throughput measured says as much about the scheduler as about the Worker.
 */
let pinned = !args['no-pin'] && pinLoadGenerator();

/** @type {Runs} */
let throughput = {};
try {
  for (const [name, script, bindings] of WORKERS) {
    const known = new Set(workerdChildren());
    workers[name] = new Miniflare(/** @type {any} */ ({ cf: false, workers: frontAndOrigin(script, bindings) }));
    urls[name] = String(await workers[name].ready).replace(/\/$/, '');
    pids[name] = workerdChildren().find((pid) => !known.has(pid)) ?? null;
    if (pinned) pinned = pids[name] !== null && pinServer(pids[name]);
  }

  // Sanity: portcullis really authenticates the benchmark's signed-in request, and every Worker
  // really reaches the origin.
  for (const name of Object.keys(workers)) {
    const probe = await fetch(`${urls[name]}/dashboard`, { headers: { ...page(urls[name]), cookie: COOKIE }, redirect: 'manual' });
    await probe.arrayBuffer();
    const want = name === 'pass-through' ? 'nothing' : 'signed-in';
    if (probe.status !== 200 || probe.headers.get('x-origin-saw') !== want) {
      throw new Error(`${name}: the signed-in probe got HTTP ${probe.status}, origin saw ${probe.headers.get('x-origin-saw')} (expected ${want})`);
    }
  }

  console.log(`worker load: ${ROUNDS} rounds × ${SLICE} s per Worker and traffic (alternating) after ${WARMUP} s of warm-up, ` +
    `${CONNECTIONS} connections, ${PAGE_LABEL}; Miniflare ${COMPATIBILITY_DATE} on 127.0.0.1, one workerd process per Worker, the same origin Worker; ` +
    (pinned ? `workerd on CPU ${SERVER_CPU}, autocannon on the other${SERVER_CPU > 1 ? 's' : ''}` : 'not pinned to CPUs'));
  throughput = await measure();
} finally {
  await Promise.all(Object.values(workers).map((mf) => mf.dispose()));
}

const pad = (s, n) => String(s).padEnd(n);
/** @param {Run[]} list */
const cpuOf = (list) => list.map((r) => r.cpuUsPerRequest).filter((x) => x !== null);
console.log(`\n${pad('traffic', 11)}${pad('worker', 14)}${pad('req/s', 8)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}` +
  `${pad('CPU µs/req', 12)}statuses (all rounds)`);
for (const [traffic, byWorker] of Object.entries(throughput)) {
  for (const [name, list] of Object.entries(byWorker)) {
    const cpu = cpuOf(list);
    const codes = Object.entries(statuses[traffic][name]).map(([code, count]) => `${code} × ${count}`).join(', ');
    console.log(`${pad(traffic, 11)}${pad(name, 16)}${pad(median(list.map((r) => r.rps)).toFixed(0), 8)}` +
      `${pad(median(list.map((r) => r.p50)), 8)}${pad(median(list.map((r) => r.p99)), 8)}` +
      `${pad(cpu.length ? median(cpu).toFixed(0) : 'n/a', 12)}${codes}`);
  }
}
console.log('\n/ pass-through, median of the per-round ratios [min–max]:');
for (const [traffic, byWorker] of Object.entries(throughput)) {
  const base = byWorker['pass-through'];
  for (const name of Object.keys(byWorker).filter((n) => n !== 'pass-through')) {
    const ours = byWorker[name];
    const ratios = ours.map((r, i) => r.rps / base[i].rps);
    const ratio = median(ratios);
    let goal = '';
    if (traffic === 'signed-in' && name === 'portcullis') {
      const [low, high] = medianInterval(ratios);
      const verdict = ratios.length < MIN_ROUNDS_FOR_VERDICT ? `undecided, fewer than ${MIN_ROUNDS_FOR_VERDICT} rounds`
        : low >= GOAL ? 'met' : high < GOAL ? 'NOT MET' : `undecided, the interval spans ${GOAL}`;
      goal = ` (95 % interval of the median ${low.toFixed(2)}–${high.toFixed(2)}; goal ≥ ${GOAL}: ${verdict})`;
    }
    let extra = '';
    if (ours.every((r, i) => r.cpuUsPerRequest !== null && base[i].cpuUsPerRequest !== null)) {
      const cpu = ours.map((r, i) => /** @type {number} */ (r.cpuUsPerRequest) / /** @type {number} */ (base[i].cpuUsPerRequest));
      const added = ours.map((r, i) => /** @type {number} */ (r.cpuUsPerRequest) - /** @type {number} */ (base[i].cpuUsPerRequest));
      extra = `; CPU per request ${median(cpu).toFixed(2)}× ${range(cpu)}, ${median(added) >= 0 ? '+' : ''}${median(added).toFixed(0)} µs ${range(added, 0)}`;
    }
    console.log(`  ${pad(traffic, 10)} ${pad(name, 15)} throughput ${ratio.toFixed(2)} ${range(ratios)}${goal}${extra}`);
  }
}
const signedIn = throughput['signed-in'];
if (signedIn?.['contract floor'] !== undefined && signedIn.portcullis !== undefined) {
  // What authentication costs apart from the forwarding contract: the same rounds, against the floor.
  const ratios = signedIn.portcullis.map((r, i) => r.rps / signedIn['contract floor'][i].rps);
  const [low, high] = medianInterval(ratios);
  console.log(`  ${pad('signed-in', 10)} ${pad('portcullis', 15)} / contract floor: throughput ${median(ratios).toFixed(2)} ${range(ratios)} ` +
    `(95 % interval of the median ${low.toFixed(2)}–${high.toFixed(2)})`);
}
if (failures > 0) {
  console.error(`\n${failures} run(s) had errors, timeouts or unexpected statuses`);
  process.exitCode = 1;
} else {
  console.log('zero errors, zero timeouts, every status as expected (redirect traffic: 307 from portcullis by design)');
}
