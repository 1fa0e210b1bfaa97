/**
 * The Worker's configuration: read from `env` (vars and secrets, Clerk's names where Clerk has one),
 * validated once per set of values, and turned into ready-to-use matchers and verifier options.
 *
 * Why it fails closed: a typo in security configuration must stop traffic, not weaken it. Every
 * problem found is collected (not just the first) and the Worker answers every request with a 500
 * page that names each bad variable and the fix — it never forwards a request while the
 * configuration is broken. No secret value is ever echoed (only which variable is wrong and why).
 *
 * Variables (see README "Cloudflare Worker"):
 *   CLERK_PUBLISHABLE_KEY      required. pk_test_… / pk_live_…
 *   CLERK_SECRET_KEY           sk_test_… / sk_live_…; JWKS from the Backend API, and the default signing key
 *   CLERK_JWT_KEY              PEM public key: verify without any network request (wins over JWKS)
 *   CLERK_API_URL              Backend API, default https://api.clerk.com
 *   CLERK_PROXY_URL            Frontend API proxy (absolute, or a path on this host)
 *   CLERK_SIGN_IN_URL          where signed-out page requests are sent (path or absolute URL)
 *   CLERK_SIGN_UP_URL          sign-up page (shown on refusal pages)
 *   CLERK_AUTHORIZED_PARTIES   comma-separated origins allowed in the token's azp
 *   ORIGIN_URL                 http(s)://origin[/base], or builtin:demo
 *   PORTCULLIS_ORIGIN_TIMEOUT_MS  optional: 504 when the origin sends no response headers within it
 *   PORTCULLIS_ROUTES          JSON route rules (rules.js)
 *   CLERK_WEBHOOK_SIGNING_SECRET  whsec_…: the signing secret of the webhook routes (required with them)
 *   PORTCULLIS_SIGNING_KEY     key for the identity-header HMAC (default: CLERK_SECRET_KEY), ≥ 32 chars
 *   PORTCULLIS_LOCAL_ISSUER    1: serve the development issuer under /__portcullis/issuer (loopback only)
 *   PORTCULLIS_JWKS            JSON tuning of the key-set cache: {ttlMs, unknownKidCooldownMs,
 *                              retryAfterFailureMs, maxStaleMs, timeoutMs}
 * @module
 */

import { wasm } from '../bindings.js';
import { cachingFetch, parseJwksTuning } from './jwks-cache.js';
import { localIssuerFetch, ISSUER_PREFIX, LOCAL_JWKS_URL } from './issuer/index.js';
import { ROUTES_EXAMPLE, parseRoutes } from './rules.js';
import { checkWebhookSecret } from './webhook.js';
import { parseOrigin } from './forward.js';

export { isLoopback } from './hosts.js';

/**
 * One configuration problem.
 * @typedef {{variable: string, problem: string, fix: string}} ConfigProblem
 */

/**
 * @typedef {object} WorkerConfig
 * @property {string} publishableKey
 * @property {'development' | 'production'} instanceType
 * @property {string} frontendApi host from the publishable key
 * @property {string | null} proxyUrl
 * @property {string | null} secretKey CLERK_SECRET_KEY (the decision engine's Backend API calls)
 * @property {string | null} apiUrl CLERK_API_URL as configured (null: Clerk's default for the key)
 * @property {string | null} signInUrl as configured (null: derived per request)
 * @property {string} signInLink the sign-in page as a link: signInUrl, the local issuer's page, or
 *   Clerk's Account Portal for the instance (relative links resolve against the request's URL)
 * @property {string | null} signUpUrl
 * @property {boolean} localIssuer
 * @property {string} signingSecret
 * @property {{kind: 'builtin'} | {kind: 'url', base: URL, host: string, prefix: string, path: string, timeoutMs: number | null}} origin
 *   `prefix`: ORIGIN_URL's origin and path without a trailing slash (a request's path and query are
 *   appended); `path`: the path part of it; `timeoutMs`: PORTCULLIS_ORIGIN_TIMEOUT_MS (null: none)
 * @property {string | null} webhookSecret CLERK_WEBHOOK_SIGNING_SECRET (set whenever webhook routes exist)
 * @property {Record<string, unknown>} verifyOptions the options object passed to verifyToken (stable identity)
 * @property {string} keySource 'jwt-key' | 'local-issuer' | 'backend-api'
 * @property {import('./rules.js').Routes} routes
 */

/** Every variable the Worker reads (the cache key of a parsed configuration). */
export const VARIABLES = Object.freeze([
  'CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'CLERK_JWT_KEY', 'CLERK_API_URL', 'CLERK_PROXY_URL',
  'CLERK_SIGN_IN_URL', 'CLERK_SIGN_UP_URL', 'CLERK_AUTHORIZED_PARTIES', 'ORIGIN_URL', 'PORTCULLIS_ROUTES',
  'PORTCULLIS_SIGNING_KEY', 'PORTCULLIS_LOCAL_ISSUER', 'PORTCULLIS_JWKS', 'CLERK_WEBHOOK_SIGNING_SECRET',
  'PORTCULLIS_ORIGIN_TIMEOUT_MS',
]);

/**
 * Clerk's publishable-key rules (`parsePublishableKey`): prefix, three `_` parts, base64 of
 * `<frontendApi>$` with exactly one `$`, at the end, and a `.` in the host.
 * @param {string} key
 * @returns {{instanceType: 'development' | 'production', frontendApi: string} | null}
 */
export function parsePublishableKey(key) {
  const m = /^pk_(test|live)_([A-Za-z0-9+/=]+)$/.exec(key);
  if (m === null || key.split('_').length !== 3) return null;
  let decoded;
  try {
    const b64 = m[2].replace(/=+$/, '');
    decoded = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  } catch {
    return null;
  }
  if (!decoded.endsWith('$') || decoded.indexOf('$') !== decoded.length - 1 || !decoded.includes('.')) return null;
  return { instanceType: m[1] === 'test' ? 'development' : 'production', frontendApi: decoded.slice(0, -1) };
}

/**
 * Clerk's Account Portal host for a Frontend API host (CLERK-BEHAVIOUR.md §2.4).
 * @param {string} frontendApi
 */
function accountsHost(frontendApi) {
  const host = frontendApi.replace('clerk.accountsstage.', 'accountsstage.');
  if (host.includes('clerk.accounts.')) return host.replace('clerk.accounts.', 'accounts.');
  return host.replace('clerk.', 'accounts.');
}

/**
 * Reads a variable as a trimmed string; '' and absent are "not set".
 * @param {Record<string, unknown>} env
 * @param {string} name
 * @param {ConfigProblem[]} problems
 * @returns {string | null}
 */
function read(env, name, problems) {
  const value = env[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    // [vars] may hold TOML tables/numbers; accept JSON-able values for the JSON variables.
    if (name === 'PORTCULLIS_ROUTES' || name === 'PORTCULLIS_JWKS') return JSON.stringify(value);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    problems.push({ variable: name, problem: `is a ${typeof value}, not a string.`, fix: `Set ${name} to a string value.` });
    return null;
  }
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * An absolute http(s) URL, or a path starting with `/` when `allowPath`.
 * @param {string} name
 * @param {string} value
 * @param {ConfigProblem[]} problems
 * @param {{allowPath?: boolean, example: string}} options
 */
function urlVariable(name, value, problems, { allowPath = false, example }) {
  if (allowPath && value.startsWith('/') && !value.startsWith('//')) return value;
  let url;
  try {
    url = new URL(value);
  } catch {
    problems.push({
      variable: name,
      problem: `${JSON.stringify(value)} is not ${allowPath ? 'a path or an absolute URL' : 'an absolute URL'}.`,
      fix: `Set ${name} to ${allowPath ? 'a path such as /sign-in or ' : ''}an absolute URL such as ${example}.`,
    });
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push({ variable: name, problem: `uses the scheme ${url.protocol}; only http: and https: work.`, fix: `Set ${name} to a URL such as ${example}.` });
    return null;
  }
  return value;
}

/**
 * Validates `env`. Pure except for compiling route patterns (needs the wasm core).
 * @param {Record<string, unknown>} env
 * @returns {{ok: true, config: WorkerConfig} | {ok: false, problems: ConfigProblem[], localIssuer: boolean}}
 */
export function parseConfig(env) {
  /** @type {ConfigProblem[]} */
  const problems = [];
  const v = Object.fromEntries(VARIABLES.map((name) => [name, read(env ?? {}, name, problems)]));

  // PORTCULLIS_LOCAL_ISSUER first: it changes what is required.
  let localIssuer = false;
  if (v.PORTCULLIS_LOCAL_ISSUER !== null) {
    if (v.PORTCULLIS_LOCAL_ISSUER === '1' || v.PORTCULLIS_LOCAL_ISSUER === 'true') localIssuer = true;
    else if (v.PORTCULLIS_LOCAL_ISSUER !== '0' && v.PORTCULLIS_LOCAL_ISSUER !== 'false') {
      problems.push({ variable: 'PORTCULLIS_LOCAL_ISSUER', problem: `is ${JSON.stringify(v.PORTCULLIS_LOCAL_ISSUER)}.`, fix: 'Set it to 1 (development only) or remove it.' });
    }
  }

  const pk = v.CLERK_PUBLISHABLE_KEY;
  let parsedPk = null;
  if (pk === null) {
    problems.push({
      variable: 'CLERK_PUBLISHABLE_KEY',
      problem: 'is not set.',
      fix: 'Set it to your instance\'s publishable key (Clerk Dashboard → API keys), e.g. in wrangler.toml [vars]: CLERK_PUBLISHABLE_KEY = "pk_test_…".',
    });
  } else {
    parsedPk = parsePublishableKey(pk);
    if (parsedPk === null) {
      problems.push({
        variable: 'CLERK_PUBLISHABLE_KEY',
        problem: 'is not a valid publishable key (expected pk_test_… or pk_live_… followed by the base64 of "<frontend-api-host>$").',
        fix: 'Copy the publishable key again from Clerk Dashboard → API keys.',
      });
    }
  }

  const sk = v.CLERK_SECRET_KEY;
  let skType = null;
  if (sk !== null) {
    const m = /^(?:sk_)?(test|live)_./.exec(sk);
    if (m === null) {
      problems.push({
        variable: 'CLERK_SECRET_KEY',
        problem: sk.startsWith('pk_') ? 'holds a publishable key, not a secret key.' : 'does not look like a Clerk secret key (sk_test_… or sk_live_…).',
        fix: 'Set it as a secret: `wrangler secret put CLERK_SECRET_KEY` (locally: a line in .dev.vars), value from Clerk Dashboard → API keys.',
      });
    } else {
      skType = m[1] === 'test' ? 'development' : 'production';
      if (parsedPk !== null && parsedPk.instanceType !== skType) {
        problems.push({
          variable: 'CLERK_SECRET_KEY',
          problem: `is a ${skType} key but CLERK_PUBLISHABLE_KEY is a ${parsedPk.instanceType} key: they belong to different instances.`,
          fix: 'Use the secret key and the publishable key of the same instance.',
        });
      }
    }
  }

  let jwtKey = null;
  if (v.CLERK_JWT_KEY !== null) {
    jwtKey = v.CLERK_JWT_KEY.replace(/\\n/g, '\n');
    if (!jwtKey.startsWith('-----BEGIN PUBLIC KEY-----')) {
      problems.push({
        variable: 'CLERK_JWT_KEY',
        problem: 'is not a PEM public key (it must start with -----BEGIN PUBLIC KEY-----).',
        fix: 'Copy the "PEM public key" from Clerk Dashboard → API keys → JWT public key, or remove CLERK_JWT_KEY to use JWKS.',
      });
      jwtKey = null;
    } else {
      try {
        const verifier = new (/** @type {any} */ (wasm()).TokenVerifier)({}, { pem: jwtKey });
        const problem = verifier.keyProblem();
        verifier.free();
        if (problem) throw problem;
      } catch (error) {
        problems.push({
          variable: 'CLERK_JWT_KEY',
          problem: `cannot be used: ${/** @type {Error} */ (error)?.message ?? error}`,
          fix: 'Copy the PEM public key again from Clerk Dashboard → API keys (RSA, at least 2048 bits).',
        });
        jwtKey = null;
      }
    }
  }

  const apiUrl = v.CLERK_API_URL === null ? null : urlVariable('CLERK_API_URL', v.CLERK_API_URL, problems, { example: 'https://api.clerk.com' });
  const proxyUrl = v.CLERK_PROXY_URL === null ? null : urlVariable('CLERK_PROXY_URL', v.CLERK_PROXY_URL, problems, { allowPath: true, example: 'https://example.com/__clerk' });
  const signInUrl = v.CLERK_SIGN_IN_URL === null ? null : urlVariable('CLERK_SIGN_IN_URL', v.CLERK_SIGN_IN_URL, problems, { allowPath: true, example: 'https://accounts.example.com/sign-in' });
  const signUpUrl = v.CLERK_SIGN_UP_URL === null ? null : urlVariable('CLERK_SIGN_UP_URL', v.CLERK_SIGN_UP_URL, problems, { allowPath: true, example: 'https://accounts.example.com/sign-up' });

  /** @type {string[] | undefined} */
  let authorizedParties;
  if (v.CLERK_AUTHORIZED_PARTIES !== null) {
    authorizedParties = [];
    for (const raw of v.CLERK_AUTHORIZED_PARTIES.split(',')) {
      const party = raw.trim();
      if (party === '') continue;
      let origin = null;
      try {
        origin = new URL(party).origin;
      } catch {
        origin = null;
      }
      if (origin !== party) {
        problems.push({
          variable: 'CLERK_AUTHORIZED_PARTIES',
          problem: `${JSON.stringify(party)} is not an origin (scheme://host[:port], no path or trailing slash).`,
          fix: 'List origins separated by commas, e.g. https://example.com,https://app.example.com',
        });
      } else authorizedParties.push(party);
    }
  }

  const origin = parseOrigin(v.ORIGIN_URL, v.PORTCULLIS_ORIGIN_TIMEOUT_MS, localIssuer, problems);

  let routes = null;
  if (v.PORTCULLIS_ROUTES === null) {
    problems.push({ variable: 'PORTCULLIS_ROUTES', problem: 'is not set; without rules the Worker cannot tell public from protected paths.', fix: `Set it to JSON such as ${ROUTES_EXAMPLE}` });
  } else routes = parseRoutes(v.PORTCULLIS_ROUTES, problems);

  let signingSecret = null;
  if (v.PORTCULLIS_SIGNING_KEY !== null) {
    if (v.PORTCULLIS_SIGNING_KEY.length < 32) {
      problems.push({ variable: 'PORTCULLIS_SIGNING_KEY', problem: 'is shorter than 32 characters.', fix: 'Use at least 32 random characters, e.g. the output of `openssl rand -hex 32`, set with `wrangler secret put PORTCULLIS_SIGNING_KEY`.' });
    } else signingSecret = v.PORTCULLIS_SIGNING_KEY;
  } else if (sk !== null) {
    signingSecret = sk;
  } else {
    problems.push({
      variable: 'CLERK_SECRET_KEY',
      problem: 'is not set, and neither is PORTCULLIS_SIGNING_KEY: there is no key to sign the identity header sent to the origin.',
      fix: 'Set CLERK_SECRET_KEY as a secret (`wrangler secret put CLERK_SECRET_KEY`; locally a line in .dev.vars), or PORTCULLIS_SIGNING_KEY.',
    });
  }

  const jwksTuning = v.PORTCULLIS_JWKS === null ? null : parseJwksTuning(v.PORTCULLIS_JWKS, problems);
  const webhookSecret = checkWebhookSecret(v.CLERK_WEBHOOK_SIGNING_SECRET, routes?.hasWebhooks ?? false, problems);

  if (localIssuer) {
    if (parsedPk !== null && parsedPk.instanceType !== 'development') {
      problems.push({ variable: 'PORTCULLIS_LOCAL_ISSUER', problem: 'is 1 with a production (pk_live_) publishable key.', fix: 'The local issuer is for development only: remove PORTCULLIS_LOCAL_ISSUER, or use a pk_test_ key.' });
    }
    if (skType === 'production') {
      problems.push({ variable: 'PORTCULLIS_LOCAL_ISSUER', problem: 'is 1 with a production (sk_live_) secret key.', fix: 'The local issuer is for development only: remove PORTCULLIS_LOCAL_ISSUER, or use an sk_test_ key.' });
    }
  }

  // Key source, in Clerk's order (jwtKey wins), with the local issuer standing in for the Backend API.
  /** @type {Record<string, unknown>} */
  const verifyOptions = {};
  let keySource = 'none';
  if (jwtKey !== null) {
    verifyOptions.jwtKey = jwtKey;
    keySource = 'jwt-key';
  } else if (localIssuer) {
    verifyOptions.jwksUrl = LOCAL_JWKS_URL;
    verifyOptions.fetch = localIssuerFetch;
    keySource = 'local-issuer';
  } else if (sk !== null && skType !== null) {
    verifyOptions.secretKey = sk;
    if (apiUrl !== null) verifyOptions.apiUrl = apiUrl;
    verifyOptions.fetch = cachingFetch(jwksTuning?.ttlMs);
    keySource = 'backend-api';
  } else if (v.CLERK_JWT_KEY === null && sk === null) {
    problems.push({
      variable: 'CLERK_SECRET_KEY',
      problem: 'is not set and neither is CLERK_JWT_KEY: session tokens cannot be verified.',
      fix: 'Set CLERK_SECRET_KEY (keys come from the Backend API) or CLERK_JWT_KEY (the PEM public key: no network).',
    });
  }
  if (authorizedParties !== undefined) verifyOptions.authorizedParties = authorizedParties;
  if (jwksTuning !== null) verifyOptions.jwks = jwksTuning;

  // A relative sign-in URL that the rules protect would redirect forever.
  if (routes !== null && signInUrl !== null && signInUrl.startsWith('/') && !signInUrl.startsWith(ISSUER_PREFIX + '/')) {
    const path = signInUrl.split(/[?#]/)[0];
    if (!routes.public(path) && (routes.protected.some((r) => r.matches(path)) || routes.api(path) || routes.defaultProtected)) {
      problems.push({ variable: 'CLERK_SIGN_IN_URL', problem: `${path} is protected by PORTCULLIS_ROUTES, so signed-out visitors would be redirected in a loop.`, fix: `Add "${path}" (or "${path}(.*)") to PORTCULLIS_ROUTES "public".` });
    }
  }

  if (problems.length > 0) return { ok: false, problems, localIssuer };
  return {
    ok: true,
    config: {
      publishableKey: /** @type {string} */ (pk),
      instanceType: /** @type {any} */ (parsedPk).instanceType,
      frontendApi: /** @type {any} */ (parsedPk).frontendApi,
      proxyUrl,
      secretKey: skType === null ? null : sk,
      apiUrl,
      signInUrl,
      signUpUrl,
      signInLink: signInUrl ?? (localIssuer ? `${ISSUER_PREFIX}/sign-in` : `https://${accountsHost(/** @type {any} */ (parsedPk).frontendApi)}/sign-in`),
      localIssuer,
      signingSecret: /** @type {string} */ (signingSecret),
      origin: /** @type {any} */ (origin),
      verifyOptions: Object.freeze(verifyOptions),
      keySource,
      routes: /** @type {any} */ (routes),
      webhookSecret,
    },
  };
}

/** Parsed configurations by env object, then by the values (workerd may hand a new env object per request). */
const byEnv = new WeakMap();
/** @type {Map<string, ReturnType<typeof parseConfig>>} */
const byValues = new Map();

/**
 * The parsed configuration for `env`, computed once per distinct set of values.
 * @param {Record<string, unknown>} env
 * @returns {ReturnType<typeof parseConfig>}
 */
export function loadConfig(env) {
  const key = env !== null && typeof env === 'object' ? env : {};
  const known = byEnv.get(key);
  if (known !== undefined) return known;
  const fingerprint = JSON.stringify(VARIABLES.map((name) => key[name] ?? null));
  let parsed = byValues.get(fingerprint);
  if (parsed === undefined) {
    parsed = parseConfig(key);
    if (byValues.size >= 8) byValues.clear();
    byValues.set(fingerprint, parsed);
  }
  byEnv.set(key, parsed);
  return parsed;
}
