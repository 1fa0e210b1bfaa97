/**
 * `npm run bench:worker-pieces`: what each part of forwarding under portcullis's contract costs in
 * workerd, and what portcullis's authentication adds on top — CPU per signed-in request.
 *
 * Why this shape: the HTTP benchmark (`worker-load.js`) measures the Workers one after another, and
 * on a shared machine the host's speed changes from one round to the next by more than any single
 * piece costs. Here every variant runs at the same time, each in its own workerd process, all pinned
 * to the same CPU, so a slower moment of the host slows all of them alike; each process has an
 * in-process driver Worker that sends the signed-in request to its Worker for the same window (16
 * at a time, through a service binding: no HTTP, no load generator to share the CPU with), and the
 * process's CPU time (the scheduler's nanosecond account) divided by the requests served gives its
 * cost. Two copies of the same code measured this way agree within about 1 µs.
 *
 * The variants add the contract's steps one at a time (FORWARDING_STEPS: reserved headers stripped,
 * the identity header, the response re-wrapped, Cache-Control/Vary set, x-forwarded-* added — the
 * last is the contract floor), then portcullis itself. Each row shows the variant's CPU per request,
 * what its step adds over the row before, and the pass-through / variant ratio (what the throughput
 * ratio would be if the Worker's CPU were the only cost: over HTTP the runtime's own HTTP work is
 * added to every Worker alike, so the HTTP ratios are closer to 1). Not a test.
 *
 * `--browser` sends every header of a real browser's navigation (fixtures' pageHeaders) instead of
 * the few Clerk's rules read.
 *
 *   node bench/worker-pieces.js [--windows 30] [--window-ms 1500] [--browser]
 */

import { parseArgs } from 'node:util';
import { Miniflare } from 'miniflare';

import {
  COMPATIBILITY_DATE, COOKIE, FORWARDING_STEPS, SERVER_CPU, cpuMs, forwardingWorker, frontAndOrigin, pageHeaders, pinLoadGenerator,
  pinServer, portcullisWorker, workerdChildren,
} from './worker-fixtures.js';

const { values: args } = parseArgs({
  options: {
    windows: { type: 'string', default: '30' }, 'window-ms': { type: 'string', default: '1500' }, browser: { type: 'boolean', default: false },
  },
});
const WINDOWS = Number(args.windows);
const WINDOW_MS = Number(args['window-ms']);
const PAGE = pageHeaders(args.browser);

/** Sends the signed-in request to the Worker under test (`FRONT`), 16 at a time, for `?ms=`. */
const DRIVER_SCRIPT = `
const HEADERS = ${JSON.stringify({ ...PAGE.headers('http://127.0.0.1'), cookie: COOKIE })};
export default {
  async fetch(request, env) {
    const end = Date.now() + Number(new URL(request.url).searchParams.get('ms'));
    let served = 0;
    const seen = new Set();
    async function lane() {
      while (Date.now() < end) {
        const response = await env.FRONT.fetch('http://127.0.0.1/dashboard', { headers: HEADERS, redirect: 'manual' });
        await response.arrayBuffer();
        seen.add(response.status + ' ' + response.headers.get('x-origin-saw'));
        served++;
      }
    }
    await Promise.all(Array.from({ length: 16 }, lane));
    return Response.json({ served, seen: [...seen] });
  },
};`;

/** [name, code and vars, what the origin must say it saw] */
const VARIANTS = [
  ['pass-through', forwardingWorker([]), 'nothing'],
  ...FORWARDING_STEPS.map((step, i) => {
    const steps = FORWARDING_STEPS.slice(0, i + 1);
    return [`+ ${step}`, forwardingWorker(steps), steps.includes('identity') ? 'signed-in' : 'nothing'];
  }),
  ['portcullis', portcullisWorker(), 'signed-in'],
];

pinLoadGenerator();

/** @type {{name: string, mf: Miniflare, url: string, pid: number | null, want: string, ms: number, served: number}[]} */
const processes = [];
try {
  for (const [name, [code, bindings], want] of VARIANTS) {
    const known = new Set(workerdChildren());
    const mf = new Miniflare(/** @type {any} */ ({
      cf: false,
      workers: [
        { name: 'driver', modules: true, script: DRIVER_SCRIPT, compatibilityDate: COMPATIBILITY_DATE, serviceBindings: { FRONT: 'front' } },
        ...frontAndOrigin(code, bindings),
      ],
    }));
    const url = String(await mf.ready);
    const pid = workerdChildren().find((p) => !known.has(p)) ?? null;
    if (pid !== null) pinServer(pid);
    processes.push({ name, mf, url, pid, want: `200 ${want}`, ms: 0, served: 0 });
  }
  if (processes.some((p) => p.pid === null)) throw new Error('cannot find the workerd processes in /proc: this benchmark needs Linux');

  /** One window: every driver at once; returns each process's CPU ms and requests served. */
  const window = async (ms) => {
    const before = processes.map((p) => cpuMs(p.pid));
    const answers = await Promise.all(processes.map(async (p) => (await fetch(`${p.url}?ms=${ms}`)).json()));
    return processes.map((p, i) => {
      const { served, seen } = /** @type {{served: number, seen: string[]}} */ (answers[i]);
      if (seen.length !== 1 || seen[0] !== p.want) throw new Error(`${p.name}: answers ${JSON.stringify(seen)}, expected only "${p.want}"`);
      return { ms: /** @type {number} */ (cpuMs(p.pid)) - /** @type {number} */ (before[i]), served };
    });
  };
  await window(1000); // warm-up: the JIT, the decision memo, the signature cache
  console.log(`worker pieces: ${processes.length} workerd processes at once on CPU ${SERVER_CPU}, ${WINDOWS} windows of ${WINDOW_MS} ms, ` +
    `an in-process driver per process (16 signed-in requests in flight, ${PAGE.label})`);
  for (let w = 0; w < WINDOWS; w++) {
    (await window(WINDOW_MS)).forEach((r, i) => {
      processes[i].ms += r.ms;
      processes[i].served += r.served;
    });
  }
} finally {
  await Promise.all(processes.map((p) => p.mf.dispose()));
}

const usPerRequest = processes.map((p) => (p.ms * 1000) / p.served);
console.log(`\n${'variant'.padEnd(22)}${'CPU µs/req'.padEnd(12)}${'this step'.padEnd(12)}${'over pass-through'.padEnd(19)}pass-through / variant`);
processes.forEach((p, i) => {
  const step = i === 0 ? '' : `${usPerRequest[i] - usPerRequest[i - 1] >= 0 ? '+' : ''}${(usPerRequest[i] - usPerRequest[i - 1]).toFixed(1)}`;
  const over = i === 0 ? '' : `+${(usPerRequest[i] - usPerRequest[0]).toFixed(1)}`;
  console.log(`${p.name.padEnd(22)}${usPerRequest[i].toFixed(1).padEnd(12)}${step.padEnd(12)}${over.padEnd(19)}${(usPerRequest[0] / usPerRequest[i]).toFixed(3)}`);
});
console.log('("portcullis" is measured against "+ forwarded headers", the contract floor: its step is what authentication adds.)');
