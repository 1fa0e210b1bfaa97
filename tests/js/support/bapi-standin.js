/**
 * A stand-in for Clerk's Backend API JWKS endpoint (and any other JWKS URL), on 127.0.0.1, for tests
 * that must exercise real HTTP: timeouts, size limits, dropped connections, concurrent fetches.
 *
 * - `GET /v1/jwks` (any `{prefix}/v1/jwks`, so that `apiUrl: url + '/a'` is another instance): requires
 *   `Authorization: Bearer <secretKey>`; a wrong or missing secret gets Clerk's 401 body
 *   `{"errors":[{"code":"clerk_key_invalid",…}]}`. Serves `setJwks('{prefix}/v1/jwks', …)` if set,
 *   else `setBapiJwks(…)`'s set.
 * - `GET <any other path>`: the JWKS set with `setJwks(path, jwks)`; 404 when none.
 *
 * Switches (all apply to every path until changed): `delayMs` (answer late), `status` (e.g. 500),
 * `oversizedBytes` (pad the body to that many bytes, streamed in chunks), `drop` (destroy the
 * socket after the headers), `hang` (never answer), `redirectTo` (302 to a URL; paths under
 * `/redirected/` are exempt so that they can be the target). Every request is counted (`requests`, per path in
 * `requestsFor(path)`), and the Authorization headers received are recorded so that tests can check
 * where a secret was (not) sent.
 *
 * Usage: `const bapi = await startBapiStandin({ secretKey, jwks }); … bapi.url … await bapi.close();`
 *
 * It also stands in for the instance that issues tokens: `makeSigningKey(kid)` and
 * `signSessionToken(key, claims)` make Clerk-shaped RS256 session tokens for the keys it serves.
 */

import { createServer } from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';

/**
 * A signing key like a Clerk instance's (RSA-2048, RS256), with its public JWK and SPKI PEM.
 * @param {string} kid
 */
export function makeSigningKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, kty: 'RSA', use: 'sig', alg: 'RS256' };
  const pem = /** @type {string} */ (publicKey.export({ format: 'pem', type: 'spki' }));
  return { kid, privateKey, jwk, pem };
}

/**
 * Signs a session token (RS256) the way a Clerk instance does.
 * @param {{kid: string, privateKey: import('node:crypto').KeyObject}} key
 * @param {Record<string, unknown>} payload
 * @param {Record<string, unknown>} [header] extra or replacement header members
 */
export function signSessionToken(key, payload, header = {}) {
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', cat: 'cl_B7d4PD111AAA', kid: key.kid, typ: 'JWT', ...header }))
    .toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${h}.${p}`), key.privateKey).toString('base64url');
  return `${h}.${p}.${signature}`;
}

/**
 * Session claims valid at `nowMs` for `lifetimeS` seconds (Clerk issues 60 s tokens).
 * @param {number} nowMs
 * @param {Record<string, unknown>} [extra]
 * @param {number} [lifetimeS]
 */
export function sessionClaims(nowMs, extra = {}, lifetimeS = 60) {
  const t = Math.floor(nowMs / 1000);
  return {
    azp: 'https://app.example.com', exp: t + lifetimeS, iat: t, nbf: t - 10,
    iss: 'https://clerk.example.com', sid: 'sess_standin', sub: 'user_standin', ...extra,
  };
}

/**
 * @typedef {object} StandinOptions
 * @property {string} [secretKey] the secret key `/v1/jwks` accepts
 * @property {object} [jwks] what `/v1/jwks` serves
 */

/**
 * @param {StandinOptions} [options]
 */
export async function startBapiStandin({ secretKey = 'sk_test_standin', jwks = { keys: [] } } = {}) {
  /** @type {Map<string, object>} */
  const sets = new Map();
  /** @type {Map<string, number>} */
  const counts = new Map();
  const sockets = new Set();
  const state = {
    secretKey,
    bapiJwks: jwks,
    delayMs: 0,
    status: 200,
    oversizedBytes: 0,
    drop: false,
    hang: false,
    /** @type {string | null} answer every request with a 302 to this URL */
    redirectTo: null,
    requests: 0,
    /** @type {(string | undefined)[]} */
    authorizations: [],
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.requests++;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    state.authorizations.push(req.headers.authorization);
    if (state.hang) return; // never answer
    if (state.redirectTo !== null && !path.startsWith('/redirected/')) {
      res.writeHead(302, { location: state.redirectTo });
      res.end();
      return;
    }
    const answer = () => {
      /** @type {object | null} */
      let body;
      let status = state.status;
      if (path.endsWith('/v1/jwks')) {
        if (req.headers.authorization !== `Bearer ${state.secretKey}`) {
          status = 401;
          body = {
            errors: [{
              code: 'clerk_key_invalid',
              message: 'The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.',
              long_message: 'The provided Clerk Secret Key is invalid.',
            }],
          };
        } else {
          body = sets.get(path) ?? state.bapiJwks;
        }
      } else {
        body = sets.get(path) ?? null;
        if (body === null && status === 200) status = 404;
      }
      if (status >= 500) body = { errors: [{ code: 'internal_error', message: 'stand-in failure' }] };
      let text = JSON.stringify(body ?? { errors: [{ code: 'resource_not_found' }] });
      if (state.drop) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(text.length + 100) });
        res.write(text.slice(0, 10));
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      if (state.oversizedBytes > 0) {
        // Valid JSON padded with whitespace, streamed without a content-length so that only an
        // incremental reader can stop it.
        res.writeHead(status, { 'content-type': 'application/json' });
        const chunk = ' '.repeat(16 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < state.oversizedBytes) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(text);
        };
        res.on('error', () => {});
        pump();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://127.0.0.1:${address.port}`;

  return {
    /** Base URL, e.g. `http://127.0.0.1:PORT` (use as `apiUrl`). */
    url,
    state,
    /**
     * Serves `jwks` at `path` (e.g. `/.well-known/jwks.json`); returns the full URL.
     * @param {string} path
     * @param {object} set
     */
    setJwks(path, set) {
      sets.set(path, set);
      return url + path;
    },
    /** Replaces what `/v1/jwks` serves (key rotation). @param {object} set */
    setBapiJwks(set) {
      state.bapiJwks = set;
    },
    /** @param {string} path */
    requestsFor(path) {
      return counts.get(path) ?? 0;
    },
    /** Resets every switch to its default (not the counters). */
    heal() {
      Object.assign(state, { delayMs: 0, status: 200, oversizedBytes: 0, drop: false, hang: false, redirectTo: null });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
