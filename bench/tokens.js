/**
 * Token-verification benchmark (part of `npm run bench`; also `node bench/tokens.js`): RS256 session
 * tokens, µs per verification, in one Node process, with the same key and the same tokens for all:
 *
 *   (a) portcullis `verifyToken`, first-seen token (a token never verified before: full path —
 *       parse and claims in wasm, signature with node:crypto as the Node entry registers it)
 *   (b) portcullis `verifyToken`, seen-before token (verified-token cache hit)
 *   (c) Clerk's `verifyToken` from @clerk/backend with `jwtKey` (networkless)
 *   (d) `jose.jwtVerify` with a key imported once
 *   (e) node:crypto `crypto.verify` of the signature alone (the floor: no parsing, no claims)
 *   (f) portcullis first-seen with the Rust fallback (no WebCrypto), for reference
 *   (g) portcullis first-seen with WebCrypto as the signature engine (what edge runtimes and Workers
 *       use, where node:crypto does not exist)
 *
 * Method: 2,000 distinct tokens are signed up front with node:crypto (RSA-2048). Each round runs each
 * implementation over the token list, one verification at a time (await each: latency, not
 * throughput); rounds alternate the order; the median over rounds is reported. For (a) the verifier
 * registry is reset before each round so that every token is first-seen again; the imported
 * CryptoKey survives (as in a real process). (b) runs 500 of those tokens (the cache holds 1,000 per
 * verifier) 20 times over. Every implementation must accept every token first.
 *
 * Options (environment): TOKEN_BENCH_ROUNDS (default 5), TOKEN_BENCH_TOKENS (default 2000).
 */

import { generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const ROUNDS = Number(process.env.TOKEN_BENCH_ROUNDS ?? 5);
const TOKENS = Number(process.env.TOKEN_BENCH_TOKENS ?? 2000);
const FALLBACK_TOKENS = 200;
const SEEN_TOKENS = 500;
const GOAL_FIRST_SEEN_US = 100;
const GOAL_SEEN_BEFORE_US = 3;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Pads columns of a table and prints it. */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const [k, r] of rows.entries()) {
    console.log('  ' + r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   '));
    if (k === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
}

/** Signs `count` distinct Clerk-shaped RS256 session tokens valid for the next hour. */
function makeTokens(privateKey, kid, count) {
  const t = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', cat: 'cl_B7d4PD111AAA', kid, typ: 'JWT' })).toString('base64url');
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const payload = {
      azp: 'https://app.example.com', exp: t + 3600, fva: [0, -1], iat: t - 1, iss: 'https://clerk.example.com',
      nbf: t - 11, sid: `sess_bench_${i.toString().padStart(6, '0')}`, sub: 'user_2benchmark000000000000001', v: 2,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const input = `${header}.${body}`;
    tokens.push(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`);
  }
  return tokens;
}

/**
 * µs per op of `fn` over `inputs`, one at a time.
 * @param {(x: string) => unknown} fn
 * @param {string[]} inputs
 * @param {number} [passes]
 */
async function timeAsync(fn, inputs, passes = 1) {
  const t0 = performance.now();
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < inputs.length; i++) await fn(inputs[i]);
  }
  return ((performance.now() - t0) * 1000) / (inputs.length * passes);
}

/** Runs the benchmark and prints its table. */
export async function main() {
  const ours = await import('../js/index.js');
  const { resetTokenVerificationForTesting } = await import('../js/verify.js');
  const { setSubtleForTesting, signatureStats } = await import('../js/crypto.js');
  const require = createRequire(import.meta.url);
  const clerk = require('@clerk/backend');
  const jose = await import('jose');

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = /** @type {string} */ (publicKey.export({ format: 'pem', type: 'spki' }));
  const kid = 'ins_bench_rsa2048';
  const tg0 = performance.now();
  const tokens = makeTokens(privateKey, kid, TOKENS);
  const genMs = performance.now() - tg0;
  const joseKey = await jose.importSPKI(pem, 'RS256');
  const nodeKey = createPublicKey(pem);
  const split = tokens.map((t) => {
    const dot = t.lastIndexOf('.');
    return { input: Buffer.from(t.slice(0, dot)), sig: Buffer.from(t.slice(dot + 1), 'base64url') };
  });

  const options = { jwtKey: pem, authorizedParties: ['https://app.example.com'] };
  const clerkOptions = { jwtKey: pem, authorizedParties: ['https://app.example.com'] };
  const joseOptions = { algorithms: ['RS256'] };

  /** @type {Record<string, (x: string) => unknown>} */
  const impls = {
    oursFirst: (t) => ours.verifyToken(t, options),
    oursSeen: (t) => ours.verifyToken(t, options),
    clerk: (t) => clerk.verifyToken(t, clerkOptions),
    jose: (t) => jose.jwtVerify(t, joseKey, joseOptions),
  };

  // Same answers first: a benchmark of wrong answers is worthless.
  const sub = 'user_2benchmark000000000000001';
  for (const t of tokens.slice(0, 20)) {
    const a = await impls.oursFirst(t);
    const b = await impls.clerk(t);
    const c = (await impls.jose(t)).payload;
    if (a.sub !== sub || b.sub !== sub || c.sub !== sub) throw new Error('bench: implementations disagree on a token');
  }
  for (const s of split) if (!verify('sha256', s.input, nodeKey, s.sig)) throw new Error('bench: node:crypto refused a token');
  const bad = tokens[0].slice(0, -6) + (tokens[0].endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
  await ours.verifyToken(bad, options).then(
    () => { throw new Error('bench: a tampered token verified'); },
    (e) => { if (e.reason !== 'token-invalid-signature') throw e; },
  );


  // Warm-up (JIT, wasm tier-up, key import).
  resetTokenVerificationForTesting();
  await timeAsync(impls.oursFirst, tokens.slice(0, 300));
  await timeAsync(impls.oursSeen, tokens.slice(0, 300), 5);
  await timeAsync(impls.clerk, tokens.slice(0, 300));
  await timeAsync(impls.jose, tokens.slice(0, 300));

  const samples = { oursFirst: [], oursSeen: [], clerk: [], jose: [], node: [], fallback: [], webcrypto: [] };
  const nativeBefore = signatureStats.native;
  const seenPasses = 20;
  for (let r = 0; r < ROUNDS; r++) {
    const steps = [
      async () => {
        resetTokenVerificationForTesting();
        samples.oursFirst.push(await timeAsync(impls.oursFirst, tokens));
        // Tokens verified just now, again: all cached.
        samples.oursSeen.push(await timeAsync(impls.oursSeen, tokens.slice(-SEEN_TOKENS), seenPasses));
      },
      async () => samples.clerk.push(await timeAsync(impls.clerk, tokens)),
      async () => samples.jose.push(await timeAsync(impls.jose, tokens)),
      async () => {
        const t0 = performance.now();
        let ok = 0;
        for (const s of split) if (verify('sha256', s.input, nodeKey, s.sig)) ok++;
        samples.node.push(((performance.now() - t0) * 1000) / split.length);
        if (ok !== split.length) throw new Error('bench: node:crypto refused a token');
      },
      async () => {
        // An explicit subtle skips the registered node:crypto engine.
        setSubtleForTesting(globalThis.crypto.subtle);
        try {
          resetTokenVerificationForTesting();
          samples.webcrypto.push(await timeAsync(impls.oursFirst, tokens));
        } finally {
          setSubtleForTesting(undefined);
        }
      },
      async () => {
        setSubtleForTesting(null);
        try {
          resetTokenVerificationForTesting();
          samples.fallback.push(await timeAsync(impls.oursFirst, tokens.slice(0, FALLBACK_TOKENS)));
        } finally {
          setSubtleForTesting(undefined);
        }
      },
    ];
    for (const step of r % 2 ? steps.reverse() : steps) await step();
  }
  resetTokenVerificationForTesting();
  if (signatureStats.native - nativeBefore < ROUNDS * TOKENS) {
    throw new Error('bench: first-seen tokens did not all go through node:crypto');
  }

  const us = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const row = (label, value) => [label, fmt(value, value < 10 ? 2 : 1), fmt(value / us.clerk, 3), fmt(value / us.node, 2)];
  console.log(`\nsession-token verification (RS256, RSA-2048) — Node ${process.version}, ${TOKENS} distinct tokens ` +
    `(signed in ${fmt(genMs / 1000, 1)} s), median of ${ROUNDS} rounds, one verification at a time:`);
  table([
    ['implementation', 'µs/op', 'vs Clerk', 'vs node:crypto'],
    row('(a) portcullis verifyToken, first-seen token', us.oursFirst),
    row(`(b) portcullis verifyToken, seen-before token (cache hit; ${SEEN_TOKENS} tokens × ${seenPasses})`, us.oursSeen),
    row('(c) Clerk verifyToken (@clerk/backend, jwtKey)', us.clerk),
    row('(d) jose.jwtVerify (key imported once)', us.jose),
    row('(e) node:crypto crypto.verify alone (floor)', us.node),
    row(`(f) portcullis first-seen, Rust fallback (no WebCrypto; ${FALLBACK_TOKENS} tokens)`, us.fallback),
    row('(g) portcullis first-seen, WebCrypto engine (as on edge hosts and Workers)', us.webcrypto),
  ]);
  console.log('  (vs Clerk / vs node:crypto = µs/op divided by Clerk\'s / by node:crypto\'s; lower is faster)');
  const met = (ok) => (ok ? 'met' : 'NOT met');
  console.log(`\ngoal first-seen ≤ ${GOAL_FIRST_SEEN_US} µs: ${met(us.oursFirst <= GOAL_FIRST_SEEN_US)} ` +
    `(${fmt(us.oursFirst)} µs, ${fmt(us.clerk / us.oursFirst, 2)}× faster than Clerk)`);
  console.log(`goal seen-before ≤ ${GOAL_SEEN_BEFORE_US} µs: ${met(us.oursSeen <= GOAL_SEEN_BEFORE_US)} ` +
    `(${fmt(us.oursSeen, 2)} µs, ${fmt(us.clerk / us.oursSeen, 0)}× faster than Clerk)`);
  return us;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
