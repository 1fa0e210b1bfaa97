// tests/data/decide-vectors.json through Clerk's own authenticateRequest (@clerk/backend, as
// installed with @clerk/nextjs 7.8.0): every authenticate case not marked `clerkDiffers` must give
// Clerk's status, reason, message, token, Location, Set-Cookie, x-clerk-* headers, logs and auth
// object, and the Backend API calls Clerk makes. The Rust engine runs the same file
// (tests/decide_vectors.rs), so the data ties the two together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createAuthenticateRequest } from '@clerk/backend/internal';
import { data, sub } from './support/decide-vectors.js';

const realNow = Date.now;

/**
 * A stand-in Backend API for the machine-token `verify` calls Clerk makes itself (through its own
 * client, at `apiUrl`): answers each call with the next scripted answer and records the call.
 */
async function machineBapi() {
  const state = { answers: [], seen: [] };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      state.seen.push({ method: request.method, path: request.url, body: body ? JSON.parse(body) : null, authorization: request.headers.authorization });
      const step = state.answers.shift();
      const a = step?.answer;
      const json = (status, value) => { response.writeHead(status, { 'content-type': 'application/json' }); response.end(JSON.stringify(value)); };
      if (step?.bapiResponse) json(step.bapiResponse.status, step.bapiResponse.body);
      else if (a?.kind === 'verified') json(200, a.claims);
      else json(a?.status ?? 500, { errors: a?.code ? [{ code: a.code, message: a.message ?? '' }] : [] });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${/** @type {any} */ (server.address()).port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

test('every authenticate case agrees with Clerk\'s authenticateRequest', async () => {
const standin = await machineBapi();
try {
let machineCases = 0;
let pass = 0, skipped = 0;
const failures = [];
const includeFlagged = false;
for (const raw of data.cases) {
  const c = sub(raw);
  if (c.configObject || c.protect || c.redirect) { skipped++; continue; }
  if (c.clerkDiffers && !includeFlagged) { skipped++; continue; }
  const options = { ...data.configs[c.config] };
  delete options.trustForwardedHost; delete options.allowedRedirectOrigins;
  const url = new URL(c.request.url);
  if (options.proxyUrl && options.proxyUrl.startsWith('/')) options.proxyUrl = new URL(options.proxyUrl, url).toString();
  const answers = (c.host || []).map((h) => h.answer);
  const bapi = answers.filter((a) => ['handshake-payload', 'api-error', 'network-error', 'session-cookies', 'unavailable'].includes(a.kind));
  let seen = [];
  const fail_ = (a) => { const e = new Error('bapi'); e.errors = a.kind === 'network-error' ? [{ code: 'unexpected_error' }] : (a.code ? [{ code: a.code }] : []); return e; };
  const apiClient = {
    clients: { getHandshakePayload: async (q) => { seen.push(['nonce', q]); const a = bapi.shift(); if (a.kind === 'handshake-payload') return { directives: a.directives }; throw fail_(a); } },
    sessions: { refreshSession: async (sid, params) => { seen.push(['refresh', sid, params]); const a = bapi.shift(); if (a.kind === 'session-cookies') return { cookies: a.cookies }; throw fail_(a); } },
  };
  const machineSteps = (c.host || []).filter((h) => h.request.kind === 'verify-machine-token' && h.request.via === 'backend-api');
  standin.state.answers = machineSteps.slice();
  standin.state.seen = [];
  // Clerk takes apiUrl from createAuthenticateRequest's options. A network failure: a port nothing listens on.
  const buildOptions = machineSteps.length ? { apiUrl: machineSteps.some((h) => h.answer.kind === 'network-error') ? 'http://127.0.0.1:1' : standin.url } : {};
  const noClient = answers.some((a) => a.kind === 'unavailable');
  const { authenticateRequest: authenticate } = createAuthenticateRequest({ options: buildOptions, apiClient: noClient ? undefined : apiClient });
  Date.now = () => c.now ?? data.now;
  const logs = [];
  const orig = { log: console.log, warn: console.warn, error: console.error };
  console.log = console.warn = console.error = (...a) => logs.push(a.join(' '));
  let state, error;
  try {
    const request = new Request(c.request.url, { method: c.request.method, headers: c.request.headers });
    state = await authenticate(request, { ...options, jwtKey: data.key.spkiPem, acceptsToken: 'any' });
  } catch (e) { error = e; }
  Object.assign(console, orig);
  Date.now = realNow;
  const e = c.expect;
  const problems = [];
  if (e.error) { if (!error) problems.push(`expected a throw (${e.error}), got ${state?.status}/${state?.reason}`); }
  else if (error) problems.push(`threw ${error.message.split('\n')[0]}`);
  else {
    const h = state.headers;
    const norm = (x) => (x && typeof x === 'object' && !Array.isArray(x)) ? Object.fromEntries(Object.entries(x).sort()) : x;
    const eq = (name, a, b) => { if (JSON.stringify(norm(a)) !== JSON.stringify(norm(b))) problems.push(`${name}: clerk ${JSON.stringify(a)} vs ours ${JSON.stringify(b)}`); };
    if (c.downstream) { eq('status', state.status, 'signed-in'); }
    else {
      if ('status' in e) eq('status', state.status, e.status);
      if ('reason' in e) eq('reason', state.reason, e.reason);
      if ('token' in e) eq('token', state.token, e.token);
      if ('location' in e) eq('location', h.get('location'), e.location);
      if ('setCookie' in e) eq('set-cookie', h.getSetCookie(), e.setCookie);
      const scripted = (c.host || []).some((x) => x.answer.kind === 'refused');
      if ('message' in e && !scripted) eq('message', state.message, e.message);
      if ('headers' in e && !scripted) eq('headers', [...h.entries()].sort(), [...e.headers].map(([n, v]) => [n.toLowerCase(), v]).sort());
      if ('xClerk' in e && !scripted) eq('xClerk', Object.fromEntries([...h.entries()].filter(([n]) => n.startsWith('x-clerk-'))), e.xClerk);
      if ('logs' in e) for (const needle of e.logs) if (!logs.some((l) => l.includes(needle))) problems.push(`no clerk log with ${needle}: ${logs.join(' | ').slice(0, 300)}`);
      if ('auth' in e && state.status !== 'handshake') { const a = state.toAuth(); for (const [k, v] of Object.entries(e.auth)) if (k !== 'tokenType' || true) eq(`auth.${k}`, a?.[k] ?? null, v); }
    }
    // BAPI calls
    for (const step of c.host || []) {
      const r = step.request;
      if (r.kind === 'refresh-session') {
        const call = seen.find((s) => s[0] === 'refresh');
        if (!call) { if (step.answer.kind !== 'unavailable') problems.push('clerk did not refresh'); continue; }
        if (r.sessionId) eq('refresh sid', call[1], r.sessionId);
        if (r.call?.body) { const { suffixed_cookies, ...body } = call[2]; eq('refresh body', JSON.stringify(Object.keys(body).sort().reduce((o, k) => (o[k] = body[k], o), {})), JSON.stringify(r.call.body)); }
      }
      if (r.kind === 'get-handshake-payload' && !seen.some((s) => s[0] === 'nonce')) problems.push('clerk did not fetch the nonce');
      if (r.kind === 'verify-machine-token' && r.via === 'backend-api' && step.answer.kind !== 'network-error') {
        const call = standin.state.seen.shift();
        if (!call) { problems.push('clerk did not call the Backend API'); continue; }
        if (r.call) eq('machine call', [call.method, call.path, call.body], [r.call.method, r.call.path, r.call.body]);
        eq('machine call authorization', call.authorization, `Bearer ${options.secretKey}`);
      }
      if (r.kind === 'verify-machine-token') machineCases++;
    }
  }
  if (problems.length) failures.push(`${c.name}\n  ${problems.join('\n  ')}`);
  else pass++;
}
assert.deepEqual(failures, [], `${failures.length} disagreements with Clerk`);
assert.ok(pass >= 100, `only ${pass} cases compared (${skipped} skipped)`);
assert.ok(machineCases >= 20, `only ${machineCases} machine-token cases compared`);
} finally {
  await standin.close();
}
});
