/**
 * The doctor's checks of keys and middleware options, and the start-up warnings of
 * `clerkMiddleware({ debug: true })`.
 *
 * Why a module of its own: these are the checks that need nothing but the environment and the
 * options, so they also run inside the middleware (Next's edge runtime included) once per process
 * when `debug` is on. Hence no Node-only import here, and every semantic question goes to the same
 * code the middleware runs: publishable keys are parsed by the Rust core (`Authenticator`), the
 * options are validated by building the middleware's own `Engine`, and PEM keys are judged by the
 * core's `TokenVerifier`. Secret values are never put into a message (the variable name is).
 *
 * Option values read from a middleware file that are not literals (`getKey()`) arrive as
 * `{ $dynamic: '<source text>' }` and are skipped: the doctor does not guess.
 * @module
 */

import { Engine, frontendApiOf } from '../engine.js';
import { wasm } from '../bindings.js';
import { fromWasmError } from '../errors.js';
import { clerkEnv, resolveOptions } from '../next/options.js';
import { finding, redactFindings, secretValues } from './catalog.js';
import { authPageSources, hostFindings } from './hosts.js';

/** @typedef {import('./catalog.js').Finding} Finding */

/**
 * What the checks read. `platform` decides the variable names (Next: NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY;
 * Worker: CLERK_PUBLISHABLE_KEY).
 * @typedef {object} ConfigInput
 * @property {'next' | 'worker'} platform
 * @property {Record<string, string>} env the merged environment
 * @property {Record<string, unknown>} [options] clerkMiddleware options (Next)
 * @property {Record<string, string>} [sources] variable → where it was read ('.env.local', …)
 */

/**
 * The effective keys and settings, in Clerk's precedence (options over environment).
 * @typedef {object} Keys
 * @property {string | null} publishableKey
 * @property {'development' | 'production' | null} instance from the publishable key, else the secret key
 * @property {string | null} frontendApi
 * @property {string | null} secretKey
 * @property {string | null} jwtKey
 * @property {string[] | null} authorizedParties
 * @property {boolean} satelliteOrProxy
 * @property {string} pkVar
 */

/** @param {unknown} value */
export function isDynamic(value) {
  return value !== null && typeof value === 'object' && '$dynamic' in /** @type {object} */ (value);
}

/** A non-empty string value, or null. @param {unknown} value */
function str(value) {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Where a variable was set, for messages ("in .env.local").
 * @param {ConfigInput} input
 * @param {string} name
 */
function where(input, name) {
  const source = input.sources?.[name];
  return source ? ` (from ${source})` : '';
}

/**
 * The publishable key as the Rust core parses it (Clerk's rules).
 * @param {string} key
 * @returns {{ok: true, instance: 'development' | 'production', frontendApi: string} | {ok: false, why: string}}
 */
export function parsePublishableKey(key) {
  try {
    new (/** @type {any} */ (wasm()).Authenticator)(JSON.stringify({ publishableKey: key, secretKey: 'sk_test_doctor' })).free();
  } catch (error) {
    const e = /** @type {any} */ (fromWasmError(error));
    if (e?.code !== 'invalid-publishable-key' && e?.name !== 'ConfigurationError') throw e;
    return { ok: false, why: /\(([^)]*)\)/.exec(String(e.message))?.[1] ?? String(e.message) };
  }
  return { ok: true, instance: key.startsWith('pk_live_') ? 'production' : 'development', frontendApi: /** @type {string} */ (frontendApiOf(key)) };
}

/** @param {string} value */
function quotedOrSpaced(value) {
  return /^\s|\s$/.test(value) || /^["'`]|["'`]$/.test(value);
}

/**
 * Publishable key, secret key, their instances, and keys in the wrong variables.
 * @param {ConfigInput} input
 * @param {Finding[]} out
 * @returns {Keys}
 */
function checkKeys(input, out) {
  const { env, platform } = input;
  const options = input.options ?? {};
  const next = platform === 'next';
  const pkVar = next ? 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY' : 'CLERK_PUBLISHABLE_KEY';
  const otherPkVar = next ? 'CLERK_PUBLISHABLE_KEY' : 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY';
  /** @type {Keys} */
  const keys = { publishableKey: null, instance: null, frontendApi: null, secretKey: null, jwtKey: null, authorizedParties: null,
    satelliteOrProxy: false, pkVar };

  const pkOption = str(options.publishableKey);
  const pk = pkOption ?? str(env[pkVar]);
  const pkName = pkOption ? 'the publishableKey option' : `${pkVar}${where(input, pkVar)}`;
  if (pk === null && !isDynamic(options.publishableKey)) {
    const elsewhere = str(env[otherPkVar]) ? ` ${otherPkVar} is set${where(input, otherPkVar)}, but ${next ? 'the Next.js middleware' : 'the Worker'} reads ${pkVar}.` : '';
    out.push(finding('publishable-key-missing', `${pkVar} is not set and no publishableKey option is given, so the middleware throws "Missing publishableKey" on every request.${elsewhere}`,
      `Set ${pkVar}=pk_test_… (or pk_live_…) from Clerk Dashboard → API keys${next ? ' in .env.local (and in your host\'s environment settings)' : ' in wrangler.toml [vars]'}.`, pkVar));
  } else if (pk !== null) {
    const bare = pk.trim().replace(/^["'`]|["'`]$/g, '');
    const parsed = parsePublishableKey(bare);
    if (/^sk_(test|live)_/.test(bare)) {
      out.push(finding('publishable-key-invalid', `${pkName} holds a secret key (sk_…), not the publishable key.`,
        `Put the pk_test_… / pk_live_… key in ${pkVar} and the secret key in CLERK_SECRET_KEY only.`, pkVar));
    } else if (!parsed.ok) {
      out.push(finding('publishable-key-invalid', `${pkName} is not a valid publishable key: ${parsed.why}.`,
        'Copy the publishable key again from Clerk Dashboard → API keys: pk_test_ or pk_live_ followed by base64 of "<frontend-api-host>$", with nothing added.', pkVar));
    } else {
      if (bare !== pk) {
        out.push(finding('publishable-key-invalid', `${pkName} has surrounding spaces or quotes, so Clerk refuses it (the key is compared exactly; cookie names are derived from it).`,
          'Remove the spaces and quotes around the value.', pkVar));
      }
      keys.publishableKey = bare;
      keys.instance = parsed.instance;
      keys.frontendApi = parsed.frontendApi;
    }
  }

  const skOption = str(options.secretKey);
  const sk = skOption ?? str(env.CLERK_SECRET_KEY);
  const skName = skOption ? 'the secretKey option' : `CLERK_SECRET_KEY${where(input, 'CLERK_SECRET_KEY')}`;
  if (sk === null && !isDynamic(options.secretKey)) {
    // The Worker names its own requirement (a signing key or a JWT key may stand in): see worker.js.
    if (next) {
      out.push(finding('secret-key-missing', 'CLERK_SECRET_KEY is not set and no secretKey option is given, so the middleware throws "Missing Clerk Secret Key" on every request (and auth()/currentUser() fail on the server).',
        'Set CLERK_SECRET_KEY=sk_test_… (or sk_live_…) from Clerk Dashboard → API keys in .env.local and in your host\'s environment settings. Never prefix it with NEXT_PUBLIC_.', 'CLERK_SECRET_KEY'));
    }
  } else if (sk !== null) {
    const m = /^(?:sk_)?(test|live)_\S+$/.exec(sk);
    if (/^pk_(test|live)_/.test(sk)) {
      out.push(finding('secret-key-invalid', `${skName} holds a publishable key (pk_…), not the secret key.`,
        'Put the sk_test_… / sk_live_… key from Clerk Dashboard → API keys in CLERK_SECRET_KEY.', 'CLERK_SECRET_KEY'));
    } else if (quotedOrSpaced(sk)) {
      out.push(finding('secret-key-invalid', `${skName} has surrounding spaces or quotes, so the Backend API refuses it (secret-key-invalid).`,
        'Remove the spaces and quotes around the value.', 'CLERK_SECRET_KEY'));
    } else if (m === null) {
      out.push(finding('secret-key-invalid', `${skName} does not look like a Clerk secret key (sk_test_… or sk_live_…).`,
        'Copy the secret key again from Clerk Dashboard → API keys.', 'CLERK_SECRET_KEY'));
    } else {
      keys.secretKey = sk;
      const skInstance = m[1] === 'live' ? 'production' : 'development';
      if (keys.instance !== null && keys.instance !== skInstance) {
        out.push(finding('keys-instance-mismatch',
          `The publishable key is a ${keys.instance === 'production' ? 'live (production)' : 'test (development)'} key but the secret key is a ${skInstance === 'production' ? 'live' : 'test'} key: they come from different Clerk instances. Tokens signed by one are checked against the other's keys, which fails (handshake redirects until __clerk_redirect_count gives up, then signed out).`,
          'Copy both keys from the same instance in Clerk Dashboard → API keys (the Development and Production instances each have their own pair).', 'CLERK_SECRET_KEY'));
      }
      keys.instance ??= skInstance;
    }
  }

  if (next) {
    for (const [name, value] of Object.entries(env)) {
      if (!name.startsWith('NEXT_PUBLIC_')) continue;
      if (/^\s*["']?sk_(test|live)_/.test(value ?? '') || (/CLERK.*(SECRET|ENCRYPTION)/.test(name) && str(value))) {
        out.push(finding('secret-key-exposed', `${name}${where(input, name)} holds a secret: every NEXT_PUBLIC_ variable is inlined into the JavaScript sent to browsers, so anyone can read it.`,
          `Rename it without the NEXT_PUBLIC_ prefix (CLERK_SECRET_KEY), and roll the key in Clerk Dashboard → API keys if this was ever deployed.`, name));
      }
    }
  }
  return keys;
}

/**
 * CLERK_JWT_KEY / jwtKey, judged by the core's PEM parser.
 * @param {ConfigInput} input
 * @param {Keys} keys
 * @param {Finding[]} out
 */
function checkJwtKey(input, keys, out) {
  const option = str(input.options?.jwtKey);
  const pem = option ?? str(input.env.CLERK_JWT_KEY);
  if (pem === null) return;
  const name = option ? 'the jwtKey option' : 'CLERK_JWT_KEY';
  /** @type {any} */
  let problem;
  try {
    const verifier = new (/** @type {any} */ (wasm()).TokenVerifier)({}, { pem });
    problem = verifier.keyProblem();
    verifier.free();
  } catch (error) {
    problem = fromWasmError(error);
  }
  if (problem) {
    out.push(finding('jwt-key-invalid', `${name}${where(input, 'CLERK_JWT_KEY')} cannot verify tokens: ${String(problem.message ?? problem).replace(/ Paste the whole.*$/, '')}`,
      'Copy "PEM Public Key" from Clerk Dashboard → API keys → Show JWT public key (the whole -----BEGIN PUBLIC KEY----- block; \\n escapes are fine), or remove it to fetch keys with the secret key.', 'CLERK_JWT_KEY'));
  } else {
    keys.jwtKey = pem;
  }
}

/**
 * authorizedParties: shape, and presence in production.
 * @param {ConfigInput} input
 * @param {Keys} keys
 * @param {Finding[]} out
 */
function checkAuthorizedParties(input, keys, out) {
  const next = input.platform === 'next';
  const raw = next ? input.options?.authorizedParties : str(input.env.CLERK_AUTHORIZED_PARTIES)?.split(',').map((s) => s.trim()).filter(Boolean);
  const name = next ? 'authorizedParties' : 'CLERK_AUTHORIZED_PARTIES';
  if (isDynamic(raw)) return;
  if (Array.isArray(raw) && raw.length > 0) {
    keys.authorizedParties = [];
    for (const entry of raw) {
      if (isDynamic(entry)) continue;
      let origin = null;
      try {
        origin = new URL(String(entry)).origin;
      } catch {
        origin = null;
      }
      if (typeof entry === 'string' && origin === entry) {
        keys.authorizedParties.push(entry);
      } else {
        const hint = origin && origin !== 'null' ? ` Write ${JSON.stringify(origin)}.` : '';
        out.push(finding('authorized-parties-invalid', `${name} entry ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path, no trailing slash). A token's azp is exactly an origin, so this entry never matches and tokens from that site are refused (token-invalid-authorized-parties).${hint}`,
          `List origins only, e.g. ['https://example.com', 'https://app.example.com'].`, name));
      }
    }
    return;
  }
  if (keys.instance === 'production') {
    out.push(finding('authorized-parties-missing', `The keys are production keys and ${name} is not set, so a session token is accepted whatever site requested it (azp is not checked). Clerk recommends setting it in production to stop tokens used from other origins (CSRF-style attacks, subdomain cookie leaks).`,
      next ? "Pass clerkMiddleware(handler, { authorizedParties: ['https://example.com'] }) with your app's origins."
        : 'Set CLERK_AUTHORIZED_PARTIES to your origins, comma-separated (https://example.com,https://app.example.com).', name));
  }
}

/**
 * The ClerkEnv shape js/next/options.js resolves against.
 * @param {Record<string, string>} env
 * @returns {import('../next/options.js').ClerkEnv}
 */
function clerkEnvOf(env) {
  const truthy = (/** @type {string | undefined} */ v) => v !== undefined && (v.toLowerCase() === 'true' || parseInt(v, 10) > 0);
  return {
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY || '', secretKey: env.CLERK_SECRET_KEY || '',
    signInUrl: env.NEXT_PUBLIC_CLERK_SIGN_IN_URL || '', signUpUrl: env.NEXT_PUBLIC_CLERK_SIGN_UP_URL || '',
    apiUrl: env.CLERK_API_URL || '', apiVersion: env.CLERK_API_VERSION || '', encryptionKey: env.CLERK_ENCRYPTION_KEY || '',
    domain: env.NEXT_PUBLIC_CLERK_DOMAIN || '', proxyUrl: env.NEXT_PUBLIC_CLERK_PROXY_URL || '',
    isSatellite: truthy(env.NEXT_PUBLIC_CLERK_IS_SATELLITE), jwtKey: env.CLERK_JWT_KEY || '', production: env.NODE_ENV === 'production',
  };
}

/** Configuration codes reported above with a more specific finding. */
const REPORTED = new Set(['missing-publishable-key', 'invalid-publishable-key', 'missing-secret-key']);

/**
 * Next: the options as the middleware resolves and validates them (Clerk's precedence, our engine).
 * @param {ConfigInput} input
 * @param {Keys} keys
 * @param {Finding[]} out
 */
function checkOptions(input, keys, out) {
  const options = /** @type {Record<string, unknown>} */ (input.options ?? {});
  /** @type {Record<string, unknown>} */
  const known = {};
  for (const [name, value] of Object.entries(options)) if (!isDynamic(value)) known[name] = value;
  if (Array.isArray(known.authorizedParties)) known.authorizedParties = known.authorizedParties.filter((p) => !isDynamic(p));
  const env = clerkEnvOf(input.env);
  keys.satelliteOrProxy = Boolean(known.isSatellite || known.proxyUrl || known.domain || env.isSatellite || env.proxyUrl || env.domain);
  if (keys.publishableKey === null || keys.secretKey === null) return;
  try {
    new Engine(resolveOptions(known, 'http://localhost/', env));
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e?.name !== 'ConfigurationError' || REPORTED.has(e.code)) return;
    const option = e.option ? `\`${e.option}\`` : 'the options';
    out.push(finding('options-invalid', `clerkMiddleware refuses ${option} at start-up${e.code && e.code !== 'invalid-option' ? ` (${e.code})` : ''}: ${e.message}`,
      'Change the option as the message says; every request fails until then.', e.option || 'options'));
  }
  if ((str(options.secretKey) || isDynamic(options.secretKey)) && !str(input.env.CLERK_ENCRYPTION_KEY)) {
    out.push(finding('encryption-key-missing', 'secretKey is passed as a clerkMiddleware option but CLERK_ENCRYPTION_KEY is not set. The options travel to auth() encrypted, and Clerk refuses to encrypt a secret key under itself: every request that reaches the app throws "Missing CLERK_ENCRYPTION_KEY".',
      'Set CLERK_ENCRYPTION_KEY to a long random string (e.g. `openssl rand -hex 32`), or drop the secretKey option and use CLERK_SECRET_KEY.', 'CLERK_ENCRYPTION_KEY'));
  }
}

/**
 * Every environment and option check. Synchronous; needs the wasm core loaded.
 * @param {ConfigInput} input
 * @returns {{findings: Finding[], keys: Keys}}
 */
export function checkConfig(input) {
  /** @type {Finding[]} */
  const out = [];
  const keys = checkKeys(input, out);
  checkJwtKey(input, keys, out);
  checkAuthorizedParties(input, keys, out);
  if (input.platform === 'next') checkOptions(input, keys, out);
  else keys.satelliteOrProxy = Boolean(str(input.env.CLERK_PROXY_URL));
  return { findings: out, keys };
}

let warned = false;

/**
 * `clerkMiddleware({ debug: true })`: the environment and option checks, once per process, each
 * finding printed with `console.warn` (the host of the first request is checked too). Never throws.
 * @param {Record<string, unknown>} options the resolved middleware options
 * @param {string} requestUrl
 * @param {(line: string) => void} [warn]
 */
export function warnAtStartup(options, requestUrl, warn = (line) => console.warn(line)) {
  if (warned) return;
  warned = true;
  try {
    const e = clerkEnv();
    /** @type {Record<string, string>} */
    const env = {
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: e.publishableKey, CLERK_SECRET_KEY: e.secretKey, NEXT_PUBLIC_CLERK_SIGN_IN_URL: e.signInUrl,
      NEXT_PUBLIC_CLERK_SIGN_UP_URL: e.signUpUrl, CLERK_API_URL: e.apiUrl, CLERK_API_VERSION: e.apiVersion, CLERK_ENCRYPTION_KEY: e.encryptionKey,
      NEXT_PUBLIC_CLERK_DOMAIN: e.domain, NEXT_PUBLIC_CLERK_PROXY_URL: e.proxyUrl, NEXT_PUBLIC_CLERK_IS_SATELLITE: e.isSatellite ? 'true' : '',
      CLERK_JWT_KEY: e.jwtKey, NODE_ENV: e.production ? 'production' : '',
    };
    const { findings, keys } = checkConfig({ platform: 'next', env, options });
    const pages = authPageSources([{ url: options.signInUrl || e.signInUrl, from: 'signInUrl' }, { url: options.signUpUrl || e.signUpUrl, from: 'signUpUrl' }], keys.frontendApi);
    findings.push(...hostFindings(keys, [{ url: requestUrl, from: 'the first request' }, ...pages]));
    for (const f of redactFindings(findings, secretValues(env, options))) warn(`portcullis doctor: ${f.severity} ${f.code}: ${f.message} Fix: ${f.fix}`);
  } catch (error) {
    warn(`portcullis doctor: the start-up checks failed (${/** @type {Error} */ (error)?.message}); run \`npx portcullis doctor\`.`);
  }
}

/** Lets the start-up warnings print again (tests). */
export function resetStartupWarningsForTesting() {
  warned = false;
}
