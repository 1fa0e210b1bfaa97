// tests/data/decide-vectors.json (the Rust engine's shared vectors; format at the top of
// tests/decide_vectors.rs) through the built wasm and the JS host loop of js/authenticate.js.
//
// Two passes:
// 1. scripted: every host question is checked against the case's script and answered with the
//    scripted answer — every case must give exactly the expected state (as in Rust);
// 2. real: the same cases with the real host — tokens verified by js/verify.js with the test key
//    (`jwtKey`, networkless), Backend API calls sent through `fetch` to a stand-in that replays the
//    scripted Backend API answers. Cases whose script says something the real verifier does not
//    (a refusal for a token that verifies, an unknown kid, a host failure) cannot be replayed and are
//    counted, not compared; every other case must give the expected status, reason, location,
//    cookies and auth object.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import '../../js/index.js';
import { decide, downstreamHeadersOf } from '../../js/authenticate.js';
import { Engine } from '../../js/engine.js';
import { answerHost } from '../../js/host-answers.js';
import { wasm } from '../../js/bindings.js';
import { data, sub } from './support/decide-vectors.js';

const cases = data.cases.map(sub);

/** Every field of `expected` equals the same field of `actual` (recursively for objects). */
function partialEq(expected, actual) {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    return Object.entries(expected).every(([k, v]) => partialEq(v, actual?.[k] ?? null));
  }
  return JSON.stringify(expected) === JSON.stringify(actual ?? null);
}

const optionsOf = (c) => c.configObject ?? data.configs[c.config];
const snapshotJson = (c) => JSON.stringify({ method: c.request.method, url: c.request.url, headers: c.request.headers ?? {} });
const nowOf = (c) => c.now ?? data.now;

/** A host that checks each question against the script and gives the scripted answer. */
function scriptedHost(c, problems) {
  const script = [...(c.host ?? [])];
  return async (_engine, request) => {
    const step = script.shift();
    if (!step) {
      problems.push(`unscripted host question ${JSON.stringify(request).slice(0, 200)}`);
      return { kind: 'verify-failed', message: 'unscripted' };
    }
    if (!partialEq(step.request, request)) {
      problems.push(`host question: expected ${JSON.stringify(step.request).slice(0, 300)}, got ${JSON.stringify(request).slice(0, 300)}`);
    }
    return step.answer;
  };
}

/** Compares a state with the case's expectations (the fields tests/decide_vectors.rs checks). */
function checkState(state, e, problems, { messages = true } = {}) {
  const eq = (name, expected, actual) => {
    if (JSON.stringify(expected) !== JSON.stringify(actual)) problems.push(`${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  if ('status' in e) eq('status', e.status, state.status);
  if ('reason' in e) eq('reason', e.reason, state.reason);
  if ('message' in e && messages) eq('message', e.message, state.message);
  if ('token' in e) eq('token', e.token, state.token);
  if ('tokenType' in e) eq('tokenType', e.tokenType, state.tokenType);
  if ('location' in e) eq('location', e.location, state.headers.find(([n]) => n === 'location')?.[1] ?? null);
  if ('setCookie' in e) eq('setCookie', e.setCookie, state.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v));
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  if ('xClerk' in e && messages) eq('xClerk', sorted(e.xClerk), sorted(Object.fromEntries(state.headers.filter(([n]) => n.startsWith('x-clerk-')))));
  if ('headers' in e && messages) eq('headers', e.headers, state.headers);
  if ('logs' in e) {
    for (const needle of e.logs) if (!state.logs.some((l) => l.message.includes(needle))) problems.push(`no log line contains ${needle}`);
  }
}

/** Runs one case; `host` answers the engine's questions. Returns the problems found. */
async function runCase(c, engineOptions, host, { messages = true } = {}) {
  const problems = [];
  const e = c.expect;
  let engine;
  try {
    engine = new Engine(engineOptions);
  } catch (error) {
    if (e.error !== error.code) problems.push(`configuration: expected ${e.error ?? 'ok'}, got ${error.code}: ${error.message}`);
    return problems;
  }
  if (c.configObject) {
    if (e.ok !== true) problems.push(`configuration should have failed with ${e.error}`);
    return problems;
  }
  const json = snapshotJson(c);
  let decision;
  try {
    decision = await decide(engine, json, nowOf(c), host(problems));
  } catch (error) {
    if (e.error !== error.code) problems.push(`decision: expected ${JSON.stringify(e.error)}, threw ${error.code}: ${error.message}`);
    return problems;
  }
  if (e.error) {
    problems.push(`expected error ${e.error}, got ${decision.state.status}/${decision.state.reason}`);
    return problems;
  }
  const { state } = decision;
  try {
    return checkDecided(c, engine, decision.decision, state, problems, messages);
  } finally {
    decision.decision.free();
  }
}

/** The checks on a decided request (redirect, protect, downstream headers, or the state itself). */
function checkDecided(c, engine, decided, state, problems, messages) {
  const e = c.expect;
  const authenticator = engine.authenticator;
  if (c.redirect) {
    const back = 'returnBackUrl' in c.redirect ? { returnBackUrl: c.redirect.returnBackUrl } : {};
    const result = JSON.parse(authenticator.redirectTo(decided, c.redirect.target ?? 'sign-in', JSON.stringify(back)));
    if (result.location !== e.location) problems.push(`redirect location: expected ${e.location}, got ${result.location}`);
    return problems;
  }
  if (c.protect) {
    const outcome = JSON.parse(authenticator.protect(decided, JSON.stringify(c.protect)));
    if (outcome.kind !== e.outcome) problems.push(`protect outcome: expected ${e.outcome}, got ${JSON.stringify(outcome)}`);
    for (const field of ['location', 'rewrite', 'headers']) {
      if (field in e && JSON.stringify(e[field]) !== JSON.stringify(outcome[field])) {
        problems.push(`protect ${field}: expected ${JSON.stringify(e[field])}, got ${JSON.stringify(outcome[field])}`);
      }
    }
    return problems;
  }
  if (c.downstream) {
    const headers = downstreamHeadersOf(state);
    if (JSON.stringify(headers) !== JSON.stringify(e.headers)) problems.push(`downstream headers: got ${JSON.stringify(headers)}`);
    return problems;
  }
  checkState(state, e, problems, { messages });
  if ('auth' in e) {
    const auth = JSON.parse(wasm().authObjectOfDecision(decided, true));
    if (!partialEq(e.auth, auth)) problems.push(`auth: expected ${JSON.stringify(e.auth)}, got ${JSON.stringify(auth)}`);
  }
  return problems;
}

test('every decide vector gives the expected state through the JS host loop (scripted host)', async () => {
  const failures = [];
  for (const c of cases) {
    const problems = await runCase(c, optionsOf(c), (p) => scriptedHost(c, p));
    if (problems.length) failures.push(`${c.name}\n  ${problems.join('\n  ')}`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
  assert.ok(cases.length >= 150, `only ${cases.length} cases`);
});

/** Whether a host request is answered by a token verifier (else by the Backend API). */
const isVerifierRequest = (request) => request.kind === 'verify-session-token' || request.kind === 'verify-handshake-token' ||
  (request.kind === 'verify-machine-token' && request.via === 'jwt');

/** A stand-in Backend API replaying the script's Backend API answers, in order. */
function replayingFetch(c, calls) {
  const steps = (c.host ?? []).filter((h) => !isVerifierRequest(h.request));
  return async (url, init) => {
    calls.push({ url: String(url), method: init.method, headers: Object.fromEntries(new Headers(init.headers)), body: init.body });
    const step = steps.shift();
    const answer = step?.answer;
    const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (step?.bapiResponse) return json(step.bapiResponse.status, step.bapiResponse.body);
    if (!answer || answer.kind === 'network-error') throw new TypeError(answer?.message ?? 'fetch failed');
    if (answer.kind === 'handshake-payload') return json(200, { object: 'handshake_payload', directives: answer.directives });
    if (answer.kind === 'session-cookies') return json(200, { object: 'cookies', cookies: answer.cookies });
    if (answer.kind === 'verified') return json(200, answer.claims);
    return json(answer.status ?? 500, { errors: answer.code ? [{ code: answer.code, message: answer.message ?? 'x' }] : [] });
  };
}

test('the decide vectors with the real host: the real verifier and a replaying Backend API', async () => {
  const failures = [];
  let compared = 0;
  const notReplayable = [];
  for (const c of cases) {
    if (c.configObject) continue; // configuration-only: covered by the scripted pass
    if ((c.host ?? []).some((h) => h.answer.kind === 'unavailable')) {
      notReplayable.push(`${c.name} (scripts a host without a Backend API client)`);
      continue;
    }
    const calls = [];
    const script = (c.host ?? []).filter((h) => isVerifierRequest(h.request));
    let diverged = null;
    const options = { ...optionsOf(c), jwtKey: data.key.spkiPem, fetch: replayingFetch(c, calls), now: () => nowOf(c) };
    const host = () => async (engine, request) => {
      const real = await answerHost(engine, request);
      if (isVerifierRequest(request)) {
        const scripted = script.shift()?.answer;
        const same = scripted && scripted.kind === real.kind && (real.kind !== 'refused' || scripted.reason === real.reason);
        if (!same && diverged === null) diverged = `${JSON.stringify(scripted ?? null).slice(0, 120)} vs real ${JSON.stringify(real).slice(0, 120)}`;
      }
      return real;
    };
    const messages = !(c.host ?? []).some((h) => h.answer.kind === 'refused' || h.answer.kind === 'verify-failed');
    const problems = await runCase(c, options, host, { messages });
    if (diverged !== null) {
      notReplayable.push(`${c.name}: scripted ${diverged}`);
      continue;
    }
    compared++;
    for (const call of calls) {
      if (call.headers.authorization !== `Bearer ${options.secretKey}`) problems.push(`Backend API call without the secret key: ${call.url}`);
    }
    if (problems.length) failures.push(`${c.name}\n  ${problems.join('\n  ')}`);
  }
  console.log(`real host: ${compared} cases compared, ${notReplayable.length} not replayable:\n  ${notReplayable.join('\n  ')}`);
  assert.deepEqual(failures, [], `${failures.length} cases failed with the real host`);
  assert.ok(compared >= 120, `only ${compared} cases compared with the real host`);
});
